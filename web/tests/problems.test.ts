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
    expect(fieldMessage("da", "Must be +45 and 8 digits.")).toMatch(/mobilnummer/);
    expect(fieldMessage("da", "Listed twice for this company.")).toBe("Listed twice for this company.");
    expect(fieldMessage("en", "String should have at least 1 character")).toBe("String should have at least 1 character");
  });
});
