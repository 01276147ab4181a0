import { describe, expect, it } from "vitest";

import * as documented from "../src/api/rules";
import { breaks, checkFields } from "../src/rules";
import { missing, EMPTY } from "../src/tabs/UserWizard";
import { danish } from "../src/i18n";

const { NewColleague, ApplicationForm, AcceptForm } = documented;

describe("the forms check by the rules of the API's document", () => {
  it("reads every pattern of the document as the browser will", () => {
    for (const rules of Object.values(documented)) {
      for (const rule of Object.values(rules)) {
        if (rule.pattern) expect(() => new RegExp(rule.pattern as string, "u")).not.toThrow();
      }
    }
  });

  it("has every field's message in Danish and English", () => {
    for (const rules of Object.values(documented)) {
      for (const rule of Object.values(rules)) {
        expect(rule.messages.da?.required).toBeTruthy();
        expect(rule.messages.en?.required).toBeTruthy();
      }
    }
  });

  it("refuses an e-mail address cut short and says what to type", () => {
    expect(checkFields({ email: "lars@" }, NewColleague, "da").email).toBe("Skriv en e-mailadresse, fx navn@firma.dk.");
    expect(checkFields({ email: "lars@example" }, NewColleague, "en").email).toMatch(/^Enter an e-mail address we can deliver to/);
    expect(checkFields({ email: "lars@example.dk" }, NewColleague, "da").email).toBeUndefined();
  });

  it("takes a Danish mobile number as Danes type it", () => {
    for (const mobile of ["22 33 44 55", "+45 22334455", "0045-22-33-44-55"]) {
      expect(checkFields({ mobile }, NewColleague, "da").mobile).toBeUndefined();
    }
    expect(checkFields({ mobile: "2233" }, NewColleague, "da").mobile).toBe("Skriv et dansk mobilnummer: 8 cifre, fx 22 33 44 55.");
  });

  it("asks for the CVR number when it is empty, not for 8 characters", () => {
    expect(breaks("", ApplicationForm.cvr ?? { messages: {} }, "da")).toBe("Skriv CVR-nummeret: 8 cifre, fx 12 34 56 78.");
  });

  it("refuses a password the user pool would refuse, in our words", () => {
    const password = AcceptForm.password ?? { messages: {} };
    expect(breaks("kort1A", password, "da")).toMatch(/^Skriv en adgangskode på mindst 12 tegn/);
    expect(breaks("langt nok men uden tal", password, "da")).toMatch(/^Skriv en adgangskode med både store og små/);
    expect(breaks("Sikker-Adgang-2026", password, "da")).toBeUndefined();
  });
});

describe("the colleague wizard's first step", () => {
  const me = { companies: [] } as unknown as Parameters<typeof missing>[2];
  const t = (key: keyof typeof danish) => danish[key];

  it("says what to do at each field and names the field only in the summary", () => {
    const lacking = missing(1, { ...EMPTY, first_name: "Ida", last_name: "Holm", email: "lars@", mobile: "22334455" }, me, t);
    expect(lacking).toEqual([{ field: "user-email", message: "Skriv en e-mailadresse, fx navn@firma.dk.", label: "E-mail" }]);
  });
});
