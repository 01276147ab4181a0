import { describe, expect, it, vi } from "vitest";

import { Session } from "../src/auth";
import { fieldMessage } from "../src/i18n";

const CONFIG = {
  api_url: "http://127.0.0.1:8000",
  region: "eu-west-1",
  cognito: { endpoint: "http://127.0.0.1:5100", user_pool_id: "eu-west-1_x", client_id: "client" },
};

describe("a password the API refuses is said in Danish", () => {
  it("shows the API's Danish words for a password, and never its English to a Danish person", () => {
    const wrong = "Den nuværende adgangskode er forkert. Skriv den, du logger ind med nu.";
    expect(fieldMessage("da", wrong, "da")).toBe(wrong);
    expect(fieldMessage("da", "The current password is not correct.", "en")).not.toMatch(/password/);
    expect(fieldMessage("en", "The current password is not correct.", "en")).toBe("The current password is not correct.");
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

describe("a login whose second factor is SMS", () => {
  it("is asked for the texted code and answers Cognito's SMS_MFA challenge with it", async () => {
    const sent: { target: string; body: Record<string, unknown> }[] = [];
    // Cognito, faked: the password answers with the SMS challenge, the code with tokens.
    const session = new Session(CONFIG, (_input, init) => {
      const target = String(new Headers(init.headers).get("X-Amz-Target"));
      sent.push({ target, body: JSON.parse(String(init.body)) as Record<string, unknown> });
      const answer = target.endsWith("InitiateAuth")
        ? { ChallengeName: "SMS_MFA", Session: "s" }
        : { AuthenticationResult: { AccessToken: "a", RefreshToken: "r", ExpiresIn: 3600 } };
      return Promise.resolve(new Response(JSON.stringify(answer)));
    });

    const step = await session.signIn("ida", "Correct-Horse-42");
    expect(step).toEqual({ kind: "otp", session: "s", username: "ida", factor: "sms" });
    if (step.kind !== "otp") throw new Error("no code step");
    expect(await session.answerOtp(step, "123456")).toEqual({ kind: "signed-in" });

    expect(sent[1]?.body).toMatchObject({
      ChallengeName: "SMS_MFA",
      Session: "s",
      ChallengeResponses: { USERNAME: "ida", SMS_MFA_CODE: "123456" },
    });
    expect(session.signedIn).toBe(true);
    session.expire();
  });
});

describe("after a password reset", () => {
  it.each([
    ["the e-mail address, through the API", "ida@example.org"],
    ["the username, at Cognito", "adm-v1cq7t7f"],
  ])("with %s, signs in no sooner than a second later, past the second the reset ended the sessions in", async (_, username) => {
    vi.useFakeTimers();
    try {
      const signIns: number[] = [];
      // The API and Cognito, faked: the reset is accepted, and when the sign-in is sent is what matters.
      const session = new Session(CONFIG, (input, init) => {
        const target = new Headers(init.headers).get("X-Amz-Target") ?? "";
        const isSignIn = input.endsWith("/v1/sign-in") || target.endsWith("InitiateAuth");
        if (isSignIn) signIns.push(Date.now());
        const step = { challenge: "SOFTWARE_TOKEN_MFA", session: "s", username };
        const body = isSignIn ? { ...step, ChallengeName: "SOFTWARE_TOKEN_MFA", Session: "s" } : {};
        if (input.endsWith("/confirm")) return Promise.resolve(new Response(null, { status: 204 }));
        return Promise.resolve(new Response(JSON.stringify(body)));
      });

      await session.confirmForgotPassword(username, "123456", "New-Horse-42");
      const reset = Date.now();
      const step = session.signIn(username, "New-Horse-42");
      await vi.advanceTimersByTimeAsync(999);
      expect(signIns).toEqual([]);
      await vi.advanceTimersByTimeAsync(1);

      expect((await step).kind).toBe("otp");
      expect(signIns).toEqual([reset + 1000]);
    } finally {
      vi.useRealTimers();
    }
  });
});
