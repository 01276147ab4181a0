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
  it("says the common ones in Danish and keeps the rest as the API wrote them", async () => {
    const { fieldMessage } = await import("../src/i18n");
    expect(fieldMessage("da", "String should have at least 1 character")).toBe("Skal udfyldes.");
    expect(fieldMessage("da", "String should have at least 3 characters")).toBe("Skal være mindst 3 tegn.");
    expect(fieldMessage("da", "A Danish mobile number: 8 digits, with or without +45 or 0045 in front, e.g. 22 33 44 55.")).toBe("Skriv et dansk mobilnummer med 8 cifre, fx 22 33 44 55.");
    expect(fieldMessage("da", "Listed twice for this company.")).toBe("Listed twice for this company.");
    expect(fieldMessage("en", "String should have at least 1 character")).toBe("String should have at least 1 character");
  });

  it("says the name rules in Danish, naming the character, whatever its Unicode name holds", async () => {
    const { fieldMessage } = await import("../src/i18n");
    const hidden = "Holds U+3164 (HANGUL FILLER), a character that is invisible or not text (controls, formatting, private-use and unassigned characters, variation selectors, tags and fillers are not allowed).";
    expect(fieldMessage("da", hidden)).toBe("Indeholder et usynligt tegn eller et tegn, der ikke er tekst (U+3164). Skriv det uden.");
    expect(fieldMessage("da", "Holds U+1F4F1 (MOBILE PHONE), a compatibility form of another character (full-width, mathematical or ligature letters, special signs); write the ordinary character.")).toMatch(/^Indeholder et særligt tegn \(U\+1F4F1\)/);
    expect(fieldMessage("da", "Holds U+00A0 (NO-BREAK SPACE): use an ordinary space.")).toMatch(/almindeligt mellemrum/);
    expect(fieldMessage("da", "Mixes scripts (Cyrillic and Latin) in a way a reader could mistake for another name; write it in one script.")).toMatch(/^Blander skriftsystemer/);
    expect(fieldMessage("da", "Written in Cyrillic letters that each look like a Latin letter, so a reader could mistake it for another name.")).toMatch(/ligner latinske/);
    expect(fieldMessage("da", "A person's name begins with a letter and holds only letters, spaces, hyphens (-), apostrophes (') and full stops (.), and does not end with a space.")).toMatch(/^Et navn skal begynde med et bogstav og må kun indeholde bogstaver/);
    expect(fieldMessage("da", "Holds U+3007 (IDEOGRAPHIC NUMBER ZERO), which looks like a Latin letter among Latin ones, so a reader could mistake the name for another; write it in one script.")).toMatch(/^Indeholder et tegn \(U\+3007\), der ligner et latinsk bogstav/);
    expect(fieldMessage("en", hidden)).toBe(hidden);
  });
});
