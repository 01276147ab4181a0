import { describe, expect, it } from "vitest";

import { Session, SignInError } from "../src/auth";
import { CognitoClient, CognitoError, errorType } from "../src/cognito";

const CONFIG = {
  api_url: "http://127.0.0.1:8000",
  region: "eu-west-1",
  cognito: { endpoint: "http://127.0.0.1:5100", user_pool_id: "eu-west-1_x", client_id: "client" },
};

interface Sent {
  url: string;
  init: RequestInit;
}

/** Cognito, faked: records each request and answers the next of `answers`. */
function fakeCognito(...answers: Response[]) {
  const sent: Sent[] = [];
  const fetch = (url: string, init: RequestInit) => {
    sent.push({ url, init });
    const answer = answers.shift();
    return answer ? Promise.resolve(answer) : Promise.reject(new TypeError("Failed to fetch"));
  };
  return { sent, fetch };
}

function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/x-amz-json-1.1", ...headers } });
}

describe("the sign-in calls Cognito's user pool API as AWS's front-end libraries do", () => {
  it("posts the operation's JSON to the pool's endpoint, naming it in X-Amz-Target, unsigned", async () => {
    // Given a pool that asks for the authenticator's code
    const cognito = fakeCognito(json({ ChallengeName: "SOFTWARE_TOKEN_MFA", Session: "s1" }));
    const session = new Session(CONFIG, cognito.fetch);

    // When a person signs in with a password
    const step = await session.signIn("ida", "Correct-Horse-42");

    // Then one request went to the configured endpoint, in Cognito's JSON protocol, with no credentials
    expect(step).toEqual({ kind: "otp", session: "s1", username: "ida" });
    expect(cognito.sent).toHaveLength(1);
    const [{ url, init }] = cognito.sent as [Sent];
    expect(url).toBe("http://127.0.0.1:5100");
    expect(init.method).toBe("POST");
    expect(init.headers).toEqual({
      "Content-Type": "application/x-amz-json-1.1",
      "X-Amz-Target": "AWSCognitoIdentityProviderService.InitiateAuth",
    });
    expect(init.credentials).toBe("omit");
    expect(JSON.parse(init.body as string)).toEqual({
      ClientId: "client",
      AuthFlow: "USER_PASSWORD_AUTH",
      AuthParameters: { USERNAME: "ida", PASSWORD: "Correct-Horse-42" },
    });
  });

  it("signs in with the code and keeps the tokens in the page", async () => {
    const cognito = fakeCognito(
      json({ ChallengeName: "SOFTWARE_TOKEN_MFA", Session: "s1" }),
      json({ AuthenticationResult: { AccessToken: "access", RefreshToken: "refresh", ExpiresIn: 3600 } }),
    );
    const session = new Session(CONFIG, cognito.fetch);

    const otp = await session.signIn("ida", "Correct-Horse-42");
    if (otp.kind !== "otp") throw new Error("expected the code's step");
    const done = await session.answerOtp(otp, "123456");

    expect(done).toEqual({ kind: "signed-in" });
    expect(session.accessToken()).toBe("access");
    expect(session.username).toBe("ida");
    const answered = JSON.parse(cognito.sent[1]?.init.body as string);
    expect(answered).toEqual({
      ClientId: "client",
      ChallengeName: "SOFTWARE_TOKEN_MFA",
      Session: "s1",
      ChallengeResponses: { USERNAME: "ida", SOFTWARE_TOKEN_MFA_CODE: "123456" },
    });
    await session.signOut();
  });

  it("names Cognito's refusal by its error type, as the SDK did", async () => {
    const cognito = fakeCognito(json({ __type: "NotAuthorizedException", message: "Incorrect username or password." }, 400));
    const session = new Session(CONFIG, cognito.fetch);

    const refused = await session.signIn("ida", "wrong").catch((e: unknown) => e);

    expect(refused).toBeInstanceOf(SignInError);
    expect((refused as SignInError).code).toBe("NotAuthorizedException");
    expect(session.signedIn).toBe(false);
  });

  it("says a network failure is one, so the page can tell the person", async () => {
    const session = new Session(CONFIG, fakeCognito().fetch);

    const failed = (await session.signIn("ida", "Correct-Horse-42").catch((e: unknown) => e)) as SignInError;

    expect(failed.message).toMatch(/fetch/);
  });

  it("reads the error type from the header or a namespaced body, and survives an answer that is not JSON", async () => {
    expect(errorType({ __type: "com.amazonaws.cognito#CodeMismatchException" }, null)).toBe("CodeMismatchException");
    expect(errorType({}, "ExpiredCodeException:http://internal.amazon.com/coral/")).toBe("ExpiredCodeException");
    expect(errorType(null, null)).toBe("UnknownError");

    const client = new CognitoClient("https://cognito", () => Promise.resolve(new Response("<html>Bad gateway</html>", { status: 502 })));
    const error = await client.send("RevokeToken", { ClientId: "c", Token: "t" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CognitoError);
    expect((error as CognitoError).status).toBe(502);
  });
});
