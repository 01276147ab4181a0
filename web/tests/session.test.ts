import { describe, expect, it, vi } from "vitest";

import { Session } from "../src/auth";
import { fieldMessage } from "../src/i18n";

const CONFIG = {
  api_url: "http://127.0.0.1:8000",
  region: "eu-west-1",
  cognito: { endpoint: "http://127.0.0.1:5100", user_pool_id: "eu-west-1_x", client_id: "client" },
};

describe("a password the API refuses is said in Danish", () => {
  it("names a wrong current password, the policy and a repeated password in the person's words", () => {
    expect(fieldMessage("da", "The current password is not correct.")).toBe("Den nuværende adgangskode er forkert.");
    expect(fieldMessage("da", "Not accepted. At least 12 characters, with upper and lower case letters and digits.")).toMatch(
      /mindst 12 tegn med både store og små bogstaver og mindst ét tal/,
    );
    expect(fieldMessage("da", "Choose a password other than the current one.")).toBe("Vælg en anden adgangskode end den nuværende.");
    expect(fieldMessage("en", "The current password is not correct.")).toBe("The current password is not correct.");
  });
});

describe("after the API ended every session", () => {
  it("forgets the tokens and signs in again no sooner than the API says", async () => {
    vi.useFakeTimers();
    try {
      const sent: number[] = [];
      // Cognito, faked: when it is called is what matters here.
      const session = new Session(CONFIG, () => {
        sent.push(Date.now());
        return Promise.resolve(new Response(JSON.stringify({ ChallengeName: "SOFTWARE_TOKEN_MFA", Session: "s" })));
      });
      const start = Date.now();

      session.sessionsEnded(700);
      const step = session.signIn("ida", "Correct-Horse-42");
      await vi.advanceTimersByTimeAsync(699);
      expect(sent).toEqual([]);
      await vi.advanceTimersByTimeAsync(1);

      expect(await step).toEqual({ kind: "otp", session: "s", username: "ida" });
      expect(sent).toEqual([start + 700]);
      expect(session.signedIn).toBe(false);
    } finally {
      vi.useRealTimers();
    }
  });
});
