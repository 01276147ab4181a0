import { describe, expect, it } from "vitest";

import { Session, SignInError } from "../src/auth";

const CONFIG = {
  api_url: "http://127.0.0.1:8000",
  region: "eu-west-1",
  cognito: { endpoint: "http://127.0.0.1:5100", user_pool_id: "eu-west-1_x", client_id: "client" },
};

interface Sent {
  url: string;
  target: string | null;
  body: Record<string, unknown>;
}

/** The API and Cognito, faked: each answers what `answers` gives for its URL or operation. */
function faked(answers: (sent: Sent) => { status?: number; body: unknown }) {
  const sent: Sent[] = [];
  const session = new Session(CONFIG, (input, init) => {
    const call = {
      url: input,
      target: new Headers(init.headers).get("X-Amz-Target"),
      body: JSON.parse(String(init.body)) as Record<string, unknown>,
    };
    sent.push(call);
    const { status = 200, body } = answers(call);
    return Promise.resolve(new Response(JSON.stringify(body), { status }));
  });
  return { session, sent };
}

describe("signing in with the e-mail address", () => {
  it("asks the API for both steps, keeps the tokens it answers, and renews them at Cognito", async () => {
    const { session, sent } = faked((call) => {
      if (call.url.endsWith("/v1/sign-in")) {
        return { body: { challenge: "SOFTWARE_TOKEN_MFA", session: "s".repeat(24), username: "adm-v1cq7t7f" } };
      }
      if (call.url.endsWith("/v1/sign-in/challenge")) {
        return { body: { access_token: "a", id_token: "i", refresh_token: "r", expires_in: 3600 } };
      }
      return { body: { AuthenticationResult: { AccessToken: "a2", ExpiresIn: 3600 } } };
    });

    const step = await session.signIn("ida@example.org", "Correct-Horse-42");
    expect(step).toEqual({ kind: "otp", session: "s".repeat(24), username: "adm-v1cq7t7f" });
    if (step.kind !== "otp") throw new Error("no code step");
    expect(await session.answerOtp(step, "123456")).toEqual({ kind: "signed-in" });

    expect(sent[0]).toEqual({
      url: "http://127.0.0.1:8000/v1/sign-in",
      target: null,
      body: { email: "ida@example.org", password: "Correct-Horse-42" },
    });
    // The second factor goes to the API, never to Cognito's RespondToAuthChallenge
    expect(sent[1]).toEqual({
      url: "http://127.0.0.1:8000/v1/sign-in/challenge",
      target: null,
      body: { username: "adm-v1cq7t7f", session: "s".repeat(24), challenge: "SOFTWARE_TOKEN_MFA", answer: "123456" },
    });
    expect(sent.some((s) => s.target?.endsWith("RespondToAuthChallenge"))).toBe(false);
    expect(session.username).toBe("adm-v1cq7t7f");
    expect(session.accessToken()).toBe("a");

    // And the refresh token it answered renews the session at Cognito, as any sign-in's does
    expect(await session.refreshOrExpire()).toBe(true);
    expect(sent[2]?.target).toMatch(/InitiateAuth$/);
    expect(sent[2]?.body).toEqual({
      ClientId: "client",
      AuthFlow: "REFRESH_TOKEN_AUTH",
      AuthParameters: { REFRESH_TOKEN: "r" },
    });
    expect(session.accessToken()).toBe("a2");
    session.expire();
  });

  it("answers a texted code at the API as SMS_MFA", async () => {
    const { session, sent } = faked((call) =>
      call.url.endsWith("/v1/sign-in")
        ? { body: { challenge: "SMS_MFA", session: "t".repeat(24), username: "user-x" } }
        : { body: { access_token: "a", id_token: "i", refresh_token: "r", expires_in: 3600 } },
    );
    const step = await session.signIn("ida@example.org", "Correct-Horse-42");
    if (step.kind !== "otp") throw new Error("no code step");
    expect(step.factor).toBe("sms");
    await session.answerOtp(step, "654321");
    expect(sent[1]?.body).toMatchObject({ challenge: "SMS_MFA", answer: "654321" });
    session.expire();
  });

  it.each([
    [400, [{ field: "answer" }], "CodeMismatchException"],
    [400, [{ field: "session" }], "NotAuthorizedException"],
    [409, [], "UnsupportedChallenge"],
    [429, [], "TooManyRequestsException"],
  ])("turns the second step's %i into the refusal the page words, no tokens kept", async (status, errors, code) => {
    const { session } = faked((call) =>
      call.url.endsWith("/v1/sign-in")
        ? { body: { challenge: "SOFTWARE_TOKEN_MFA", session: "s".repeat(24), username: "adm-v1cq7t7f" } }
        : { status, body: { type: "x", status, title: "t", detail: "d", errors } },
    );
    const step = await session.signIn("ida@example.org", "Correct-Horse-42");
    if (step.kind !== "otp") throw new Error("no code step");
    const refused = await session.answerOtp(step, "000000").catch((e: unknown) => e);
    expect((refused as SignInError).code).toBe(code);
    expect(session.signedIn).toBe(false);
  });

  it("answers the second factor at Cognito when the sign-in began with a username", async () => {
    const { session, sent } = faked((call) =>
      call.target?.endsWith("InitiateAuth")
        ? { body: { ChallengeName: "SOFTWARE_TOKEN_MFA", Session: "c".repeat(24) } }
        : { body: { AuthenticationResult: { AccessToken: "a", RefreshToken: "r", ExpiresIn: 3600 } } },
    );
    const step = await session.signIn("adm-v1cq7t7f", "Correct-Horse-42");
    if (step.kind !== "otp") throw new Error("no code step");
    expect(await session.answerOtp(step, "123456")).toEqual({ kind: "signed-in" });
    expect(sent[1]?.target).toMatch(/RespondToAuthChallenge$/);
    expect(sent[1]?.url).toBe("http://127.0.0.1:5100");
    session.expire();
  });

  it("keeps signing in at Cognito when a username is typed", async () => {
    const { session, sent } = faked(() => ({ body: { ChallengeName: "SOFTWARE_TOKEN_MFA", Session: "s" } }));
    await session.signIn("adm-v1cq7t7f", "Correct-Horse-42");
    expect(sent[0]?.target).toMatch(/InitiateAuth$/);
    expect(sent[0]?.url).toBe("http://127.0.0.1:5100");
  });

  it.each([
    [401, "NotAuthorizedException"],
    [403, "SecondFactorMissing"],
    [409, "SeveralLogins"],
    [429, "TooManyRequestsException"],
  ])("turns the API's %i into the refusal the page words (%s)", async (status, code) => {
    const { session } = faked(() => ({ status, body: { type: "x", status, title: "t", detail: "d" } }));
    const refused = await session.signIn("ida@example.org", "Wrong-Horse-42").catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(SignInError);
    expect((refused as SignInError).code).toBe(code);
    expect(session.signedIn).toBe(false);
  });

  it("never takes tokens from the API's answer", async () => {
    const { session } = faked(() => ({ body: { AuthenticationResult: { AccessToken: "a" } } }));
    await expect(session.signIn("ida@example.org", "Correct-Horse-42")).rejects.toBeInstanceOf(SignInError);
    expect(session.signedIn).toBe(false);
  });
});

describe("Glemt adgangskode? with the e-mail address", () => {
  it("asks the API for the code and sets the password there, a wrong code said as Cognito's", async () => {
    const { session, sent } = faked((call) =>
      call.url.endsWith("/confirm")
        ? { status: 400, body: { status: 400, errors: [{ field: "code", message: "Not correct" }] } }
        : { status: 202, body: { next_step: "x" } },
    );

    await session.forgotPassword("ida@example.org");
    const refused = await session.confirmForgotPassword("ida@example.org", "000000", "New-Horse-42").catch((e: unknown) => e);

    expect(sent.map((s) => s.url)).toEqual([
      "http://127.0.0.1:8000/v1/sign-in/forgotten-password",
      "http://127.0.0.1:8000/v1/sign-in/forgotten-password/confirm",
    ]);
    expect(sent[1]?.body).toEqual({ email: "ida@example.org", code: "000000", password: "New-Horse-42" });
    expect((refused as SignInError).code).toBe("CodeMismatchException");
  });
});
