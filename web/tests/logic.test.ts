import { describe, expect, it } from "vitest";

import { refreshDelayMs, REFRESH_MARGIN_SECONDS } from "../src/auth";
import { parseConfig } from "../src/config";
import { danish, problemText } from "../src/i18n";
import { en } from "../src/i18n-en";
import { otpauthUri } from "../src/pages/Enrol";
import { tabsFor } from "../src/pages/MinKonto";
import { companiesOf, EMPTY, missing } from "../src/tabs/UserWizard";
import { explainUserProblem } from "../src/tabs/Users";

const t = (key: keyof typeof danish) => danish[key];

describe("the session refreshes before the access token runs out", () => {
  it("refreshes the margin before an hour-long token ends", () => {
    expect(refreshDelayMs(3600)).toBe((3600 - REFRESH_MARGIN_SECONDS) * 1000);
  });
  it("refreshes a short token half-way", () => {
    expect(refreshDelayMs(60)).toBe(30_000);
  });
});

describe("config.json", () => {
  it("is read with the emulator's endpoint and without a trailing slash on the API", () => {
    const config = parseConfig({
      api_url: "http://127.0.0.1:8000/",
      region: "eu-west-1",
      cognito: { endpoint: "http://127.0.0.1:5100", user_pool_id: "eu-west-1_x", client_id: "abc" },
    });
    expect(config.api_url).toBe("http://127.0.0.1:8000");
    expect(config.cognito.endpoint).toBe("http://127.0.0.1:5100");
  });
  it("works without an endpoint, as in AWS", () => {
    const config = parseConfig({ api_url: "https://api", region: "eu-west-1", cognito: { user_pool_id: "p", client_id: "c" } });
    expect(config.cognito.endpoint).toBeNull();
  });
  it("reads the support contact, and starts without one", () => {
    const cognito = { user_pool_id: "p", client_id: "c" };
    const support = { email: "support@godkend.dk", phone: "+45 70 00 00 00", hours: { da: "hverdage 9-16", en: "weekdays 9am-4pm" } };
    expect(parseConfig({ api_url: "https://api", region: "eu-west-1", cognito, support }).support).toEqual(support);
    expect(parseConfig({ api_url: "https://api", region: "eu-west-1", cognito }).support).toBeNull();
    expect(parseConfig({ api_url: "https://api", region: "eu-west-1", cognito, support: { email: "x" } }).support).toBeNull();
  });
  it("refuses a config without a client id", () => {
    expect(() => parseConfig({ api_url: "https://api", region: "eu-west-1", cognito: { user_pool_id: "p" } })).toThrow(/client_id/);
  });
});

describe("the two languages", () => {
  it("say everything in both", () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(danish).sort());
  });
  it("use the seeds' words in Danish", () => {
    expect(danish["signin.username"]).toBe("Brugernavn");
    expect(danish["signin.password"]).toBe("Adgangskode");
    expect(danish["signin.otp"]).toBe("Engangskode");
    expect(danish["signin.submit"]).toBe("Log ind");
    expect(danish["codes.add"]).toBe("Tilføj en ny kode");
    expect(danish["codes.submit"]).toBe("Tilføj ny kode");
    expect(danish["users.create"]).toBe("Opret selvbetjeningsbruger");
  });
  it("explain a known problem in their own words and fall back to the API's detail", () => {
    expect(problemText("da", "invitation-used", "x")).toMatch(/allerede brugt/);
    expect(problemText("da", "something-new", "The API's words")).toBe("The API's words");
  });
});

describe("tabs follow the user's functions", () => {
  it("gives an administrator every tab", () => {
    expect(tabsFor(["codes", "users", "masterdata", "history"]).map((x) => x.id)).toEqual([
      "godkendelseskode",
      "anmodninger",
      "selvbetjeningsbrugere",
      "stamdata",
      "valideringshistorik",
      "log",
    ]);
  });
  it("gives a user with only codes the codes, their renewal requests and the master data they see", () => {
    expect(tabsFor(["codes"]).map((x) => x.id)).toEqual(["godkendelseskode", "anmodninger", "stamdata"]);
  });
});

describe("the colleague wizard", () => {
  const me = {
    companies: [{ cvr: "29180008", name: "Røde Kors Aarhus", access: "full", accounts: [] }],
  } as unknown as Parameters<typeof missing>[2];

  it("will not go on from the first step without name, e-mail and mobile", () => {
    const lacking = missing(1, { ...EMPTY, first_name: "Ida" }, me, t);
    expect(lacking.map((x) => x.field)).toEqual(["user-last_name", "user-email", "user-mobile"]);
  });
  it("asks for an account when access is limited", () => {
    const values = { ...EMPTY, grants: { "29180008": { access: "limited" as const, accounts: [] } } };
    expect(missing(3, values, me, t)[0]?.message).toMatch(/Røde Kors Aarhus/);
  });
  it("sends full access without accounts and limited access with them", () => {
    const values = {
      ...EMPTY,
      grants: { a: { access: "full" as const, accounts: ["x"] }, b: { access: "limited" as const, accounts: ["1"] } },
    };
    expect(companiesOf(values)).toEqual([
      { cvr: "a", access: "full" },
      { cvr: "b", access: "limited", accounts: ["1"] },
    ]);
  });
  it("explains the last-administrator refusal in words", () => {
    const items = explainUserProblem(
      { type: "https://godkend.dk/problems/last-administrator", title: "t", status: 409, detail: "d" },
      "da",
      t,
    );
    expect(items[0]?.message).toMatch(/sidste administrator/);
  });
});

describe("the authenticator's QR code", () => {
  it("names the issuer and the account", () => {
    expect(otpauthUri("ABC DEF", "ida")).toBe("otpauth://totp/Godkend%3Aida?secret=ABC%20DEF&issuer=Godkend");
  });
});

describe("the audit trail in words", () => {
  it("names known actions in the person's language and unknown ones as the API does", async () => {
    const { actionText } = await import("../src/tabs/Audit");
    expect(actionText("user.invited", "da")).toBe("Bruger oprettet og inviteret");
    expect(actionText("user.invited", "en")).toBe("User created and invited");
    expect(actionText("vendor.something_new", "da")).toBe("vendor.something_new");
  });
});
