import { describe, expect, it } from "vitest";

import { danish } from "../src/i18n";
import { en } from "../src/i18n-en";
import { invitationRefusal } from "../src/invitations";
import { ApiProblem } from "../src/problems";

const PROBLEMS = "https://godkend.dk/problems/";
const now = new Date("2027-01-30T21:00:00Z");

function refused(status: number, slug: string, retry: number | null) {
  return new ApiProblem({ type: PROBLEMS + slug, title: slug, status, detail: `The API's ${slug}` }, retry, "da");
}

describe("an invitation refused for today in the console's words", () => {
  it("says too many were sent today and when to try again, from Retry-After, in Danish time", () => {
    const text = invitationRefusal(refused(429, "too-many-requests", 34 * 60), "da", (k) => danish[k], now);
    expect(text).toBe(
      "Der er sendt for mange invitationer i dag, så invitationen er ikke sendt. Prøv igen efter 30. januar 2027 kl. 22:34. " +
        "Skal I invitere mange på én gang, så kontakt support.",
    );
  });
  it("says it in English on request", () => {
    const text = invitationRefusal(refused(429, "too-many-requests", 34 * 60), "en", (k) => en[k], now);
    expect(text).toContain("Too many invitations have been sent today");
    expect(text).toContain("Try again after 30 January 2027 at 22:34.");
  });
  it("leaves the gateway's throttling, which has no Retry-After, to the generic words", () => {
    expect(invitationRefusal(refused(429, "too-many-requests", null), "da", (k) => danish[k], now)).toBeNull();
  });
  it("leaves every other refusal to the form", () => {
    expect(invitationRefusal(refused(409, "conflict", null), "da", (k) => danish[k], now)).toBeNull();
    expect(invitationRefusal(new Error("offline"), "da", (k) => danish[k], now)).toBeNull();
  });
});
