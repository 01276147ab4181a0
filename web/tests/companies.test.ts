import { describe, expect, it } from "vitest";

import { danish, fieldMessage } from "../src/i18n";
import { ApiProblem, retryAfterSeconds } from "../src/problems";
import { explainCompanyProblem, namedText } from "../src/tabs/Companies";

const t = (key: keyof typeof danish) => danish[key];
const PROBLEMS = "https://godkend.dk/problems/";

function problem(status: number, slug: string, errors: { field: string; message: string }[] = [], retry: number | null = null) {
  return new ApiProblem({ type: PROBLEMS + slug, title: slug, status, detail: `The API's ${slug}`, errors }, retry);
}

describe("adding a company says what happens next", () => {
  it("says a company the register ties to the main company counts at once", () => {
    const text = namedText({ cvr: "41270004", status: "proven", letter_expires_at: null }, "Blå Kors", "da", t);
    expect(text).toBe("Blå Kors (CVR 41270004) er tilføjet organisationen med det samme, fordi CVR-registret har jeres hovedselskab som ejer.");
  });
  it("says a letter is on its way, and until when its code can be used, in Danish time", () => {
    const text = namedText({ cvr: "21450006", status: "pending", letter_expires_at: "2027-01-30T21:34:00Z" }, "Natteravnene", "da", t);
    expect(text).toContain("officielle digitale postkasse for Natteravnene (CVR 21450006).");
    expect(text).toContain("Koden kan bruges indtil 30. januar 2027 kl. 22:34.");
  });
});

describe("the company routes' refusals in the console's words", () => {
  const now = new Date("2027-01-30T21:00:00Z");
  const approved = { language: "da" as const, t, organisationStatus: "approved", now };

  it("says when the letter quota lets a new letter go, from Retry-After", () => {
    const text = explainCompanyProblem(problem(429, "too-many-requests", [], 34 * 60), approved);
    expect(text).toBe(`${t("companies.tooManyLetters")} Prøv igen efter 30. januar 2027 kl. 22:34.`);
  });
  it("asks to try later when the quota's answer has no Retry-After", () => {
    expect(explainCompanyProblem(problem(429, "too-many-requests"), approved)).toMatch(/Prøv igen senere\.$/);
  });
  it("names the main company's full access as what adding needs", () => {
    expect(explainCompanyProblem(problem(403, "forbidden"), approved)).toBe(t("companies.forbidden"));
  });
  it("points a locked code to a new letter", () => {
    expect(explainCompanyProblem(problem(423, "activation-locked"), approved)).toMatch(/nyt brev/);
  });
  it("says a suspended organisation cannot add companies, but leaves a conflict at a field to the field", () => {
    const suspended = { ...approved, organisationStatus: "suspended" };
    expect(explainCompanyProblem(problem(409, "conflict"), suspended)).toBe(t("companies.notGrowing"));
    const atField = problem(409, "conflict", [{ field: "cvr", message: "Already part of an organisation in Godkend." }]);
    expect(explainCompanyProblem(atField, suspended)).toBeNull();
    expect(explainCompanyProblem(problem(409, "conflict"), approved)).toBeNull();
  });
  it("leaves field errors and a wrong code to the form", () => {
    const wrong = problem(400, "wrong-activation-code", [{ field: "activation_code", message: "Wrong code." }]);
    expect(explainCompanyProblem(wrong, approved)).toBeNull();
    expect(explainCompanyProblem(problem(422, "unknown-company"), approved)).toBeNull();
  });
});

describe("the company register's and the proof's field messages in Danish", () => {
  it("shows the API's own Danish words for an unknown company and a malformed CVR number", () => {
    const unknown = "Tjek CVR-nummeret: CVR-registret har intet selskab med det nummer.";
    expect(fieldMessage("da", unknown, "da")).toBe(unknown);
    const malformed = "Tjek CVR-nummeret: det har 8 cifre, men er ikke et gyldigt CVR-nummer.";
    expect(fieldMessage("da", malformed, "da")).toBe(malformed);
  });
  it("shows a wrong or malformed code as the API says it, and never English to a Danish person", () => {
    expect(fieldMessage("da", "Koden er forkert. Tjek koden i brevet, og prøv igen.", "da")).toBe(
      "Koden er forkert. Tjek koden i brevet, og prøv igen.",
    );
    const malformed = "Skriv de 12 bogstaver og cifre fra brevet; store og små bogstaver, bindestreger og mellemrum er ligegyldige.";
    expect(fieldMessage("da", malformed, "da")).toBe(malformed);
    expect(fieldMessage("da", "Wrong code.", "en")).toBe("Tjek feltet, og prøv igen.");
    expect(fieldMessage("en", "Wrong code.", "en")).toBe("Wrong code.");
  });
});

describe("Retry-After", () => {
  it("reads seconds, an HTTP date, and nothing", () => {
    expect(retryAfterSeconds("120")).toBe(120);
    expect(retryAfterSeconds("Sat, 30 Jan 2027 21:02:00 GMT", new Date("2027-01-30T21:00:00Z"))).toBe(120);
    expect(retryAfterSeconds(null)).toBeNull();
    expect(retryAfterSeconds("soon")).toBeNull();
  });
});
