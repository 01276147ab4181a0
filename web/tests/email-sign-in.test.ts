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
  it("asks the API, then answers the second factor at Cognito with the login's username", async () => {
    const { session, sent } = faked((call) =>
      call.url.endsWith("/v1/sign-in")
        ? { body: { challenge: "SOFTWARE_TOKEN_MFA", session: "s", username: "adm-v1cq7t7f" } }
        : { body: { AuthenticationResult: { AccessToken: "a", RefreshToken: "r", ExpiresIn: 3600 } } },
    );

    const step = await session.signIn("ida@example.org", "Correct-Horse-42");
    expect(step).toEqual({ kind: "otp", session: "s", username: "adm-v1cq7t7f" });
    if (step.kind !== "otp") throw new Error("no code step");
    expect(await session.answerOtp(step, "123456")).toEqual({ kind: "signed-in" });

    expect(sent[0]).toEqual({
      url: "http://127.0.0.1:8000/v1/sign-in",
      target: null,
      body: { email: "ida@example.org", password: "Correct-Horse-42" },
    });
    expect(sent[1]?.target).toMatch(/RespondToAuthChallenge$/);
    expect(sent[1]?.body).toMatchObject({ ChallengeResponses: { USERNAME: "adm-v1cq7t7f", SOFTWARE_TOKEN_MFA_CODE: "123456" } });
    expect(session.username).toBe("adm-v1cq7t7f");
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
