import { describe, expect, it } from "vitest";

import { danish, type MessageKey } from "../src/i18n";
import { answerWords, deliveryWords, eventTypeWords, stateWords } from "../src/vendor/webhookWords";

const t = (key: MessageKey) => danish[key];

describe("a webhook attempt's answer in words", () => {
  it("says a 2xx was received", () => {
    expect(answerWords({ status_code: 200 }, t)).toBe("Svarede 200 (modtaget)");
  });

  it("says a 5xx is an error on the vendor's side, the number next to the words", () => {
    expect(answerWords({ status_code: 500, error: "HTTP 500" }, t)).toBe("Svarede 500 (fejl hos jer)");
  });

  it("says a 4xx was refused and a 3xx is not followed", () => {
    expect(answerWords({ status_code: 404 }, t)).toBe("Svarede 404 (afvist hos jer)");
    expect(answerWords({ status_code: 301 }, t)).toContain("omstilling");
  });

  it("never shows a library's text for a failure without an answer", () => {
    expect(answerWords({ error: "timeout" }, t)).toBe("Intet svar i tide");
    expect(answerWords({ error: "connection failed: ConnectionRefusedError" }, t)).toBe("Kunne ikke få forbindelse");
    expect(answerWords({ error: "not sent: a private address" }, t)).toBe("Ikke sendt: adressen er ikke tilladt");
    expect(answerWords({ error: "something new" }, t)).toBe("Fejlede");
  });

  it("names event types and states in Danish", () => {
    expect(eventTypeWords("webhook.test", t)).toBe("Testhændelse");
    expect(eventTypeWords("code.revoked", t)).toBe("Kode spærret");
    expect(stateWords("failed", t)).toBe("Fejlet");
  });

  it("marks a test key's event as a test, and says a test event once", () => {
    expect(deliveryWords({ type: "check.completed", test: true }, t)).toBe("Kontrol gennemført (test)");
    expect(deliveryWords({ type: "check.completed", test: false }, t)).toBe("Kontrol gennemført");
    expect(deliveryWords({ type: "webhook.test", test: true }, t)).toBe("Testhændelse");
  });
});
