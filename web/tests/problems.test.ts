import { describe, expect, it } from "vitest";

import { ApiProblem, asProblem, fieldErrors, slugOf } from "../src/problems";

const invalid = {
  type: "https://godkend.dk/problems/invalid-input",
  title: "The request is not valid",
  status: 400,
  detail: "Some fields are not valid.",
  errors: [
    { field: "applicant.email", message: "not an e-mail address" },
    { field: "applicant.mobile", message: "+45 and 8 digits" },
    { field: "applicant.mobile", message: "a second complaint about the same field" },
    { field: "subsidiaries.0.cvr", message: "not a CVR number" },
    { field: "body", message: "something the form has no field for" },
  ],
};

describe("problem+json becomes what a form shows", () => {
  it("puts each field's first message at the field", () => {
    const found = fieldErrors(invalid, ["applicant.email", "applicant.mobile", "cvr"]);
    expect(found.byField).toEqual({ "applicant.email": "not an e-mail address", "applicant.mobile": "+45 and 8 digits" });
  });

  it("keeps the messages for fields the form does not show, for the error summary", () => {
    const found = fieldErrors(invalid, ["applicant.email", "applicant.mobile"]);
    expect(found.other).toEqual(["not a CVR number", "something the form has no field for"]);
  });

  it("finds a nested path under the form's field", () => {
    const found = fieldErrors(invalid, ["subsidiaries.0"]);
    expect(found.byField).toEqual({ "subsidiaries.0": "not a CVR number" });
  });

  it("names the problem by the last part of its type", () => {
    expect(slugOf("https://godkend.dk/problems/last-administrator")).toBe("last-administrator");
    expect(new ApiProblem(invalid).slug).toBe("invalid-input");
  });

  it("turns a failed fetch into a network problem with status 0", () => {
    const problem = asProblem(new TypeError("Failed to fetch"));
    expect(problem.status).toBe(0);
    expect(problem.problem.detail).toBe("Failed to fetch");
  });

  it("answers a problem document as it is", () => {
    expect(asProblem(invalid).problem).toBe(invalid);
  });
});

describe("the API's field messages in Danish", () => {
  it("shows the API's messages as it says them, in the language asked for", async () => {
    const { fieldMessage } = await import("../src/i18n");
    expect(fieldMessage("da", "Skriv CVR-nummeret: 8 cifre, fx 12 34 56 78.", "da")).toBe("Skriv CVR-nummeret: 8 cifre, fx 12 34 56 78.");
    expect(fieldMessage("da", "Koden er forkert. Tjek koden i brevet, og prøv igen.", "da")).toBe(
      "Koden er forkert. Tjek koden i brevet, og prøv igen.",
    );
    expect(fieldMessage("en", "Enter the CVR number: 8 digits, e.g. 12 34 56 78.", "en")).toBe("Enter the CVR number: 8 digits, e.g. 12 34 56 78.");
    expect(fieldMessage("en", "Wrong code.", null)).toBe("Wrong code.");
  });

  it("never shows a Danish person a message the API did not say in Danish", async () => {
    const { fieldMessage, loadLanguage } = await import("../src/i18n");
    await loadLanguage("en");
    expect(fieldMessage("da", "Wrong code.", "en")).toBe("Tjek feltet, og prøv igen.");
    expect(fieldMessage("da", "The current password is not correct.", null)).toBe("Tjek feltet, og prøv igen.");
    expect(fieldMessage("en", "Koden er forkert.", "da")).toBe("Check the field and try again.");
  });

  it("reads the language the API said a problem in from its Content-Language", async () => {
    const { unwrap } = await import("../src/api/client");
    const body = { type: "https://godkend.dk/problems/wrong-activation-code", title: "Forkert kode", status: 400, detail: "", errors: [] };
    const response = new Response(JSON.stringify(body), { status: 400, headers: { "Content-Language": "da" } });
    const session = { signedIn: false } as unknown as import("../src/auth").Session;
    const failed = await unwrap(session, async () => ({ error: body, response })).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(ApiProblem);
    expect((failed as ApiProblem).language).toBe("da");
  });
});

describe("a problem the console does not know", () => {
  it("is said in our words with a way forward, never as its raw text", async () => {
    const { problemText } = await import("../src/i18n");
    expect(problemText("da", "about:blank", "Bad Gateway")).toMatch(/^Noget gik galt\. Prøv igen/);
    expect(problemText("da", "about:blank#network", "Failed to fetch")).toMatch(/^Noget gik galt/);
    expect(problemText("da", "unauthenticated", "Authentication is required")).toMatch(/Log ind igen/);
    expect(problemText("da", "some-new-problem", "")).toMatch(/^Noget gik galt/);
  });

  it("is the API's own detail when the API said it (in the language asked for)", async () => {
    const { problemText } = await import("../src/i18n");
    expect(problemText("da", "code-erased", "Repræsentantens oplysninger er slettet fra koden.")).toBe(
      "Repræsentantens oplysninger er slettet fra koden.",
    );
  });
});
