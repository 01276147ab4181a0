import { describe, expect, it } from "vitest";

import { unwrap } from "../src/api/client";
import { Session } from "../src/auth";

const CONFIG = {
  api_url: "http://127.0.0.1:8000",
  region: "eu-west-1",
  cognito: { endpoint: "http://127.0.0.1:5100", user_pool_id: "eu-west-1_x", client_id: "client" },
};

/** A session signed in through a faked Cognito that hands out tokens, and refreshes them, every time. */
async function signedInSession(): Promise<Session> {
  const tokens = { AuthenticationResult: { AccessToken: "access", RefreshToken: "refresh", ExpiresIn: 3600 } };
  const session = new Session(CONFIG, () => Promise.resolve(new Response(JSON.stringify(tokens))));
  await session.signIn("ida", "Correct-Horse-42");
  return session;
}

const refused = () =>
  Promise.resolve({
    error: { type: "https://godkend.dk/problems/unauthenticated", title: "Authentication is required", status: 401 },
    response: new Response(null, { status: 401 }),
  });

describe("a list the API refuses with 401 even after a fresh token", () => {
  it("ends the session so that the page asks to sign in again", async () => {
    const session = await signedInSession();
    expect(session.signedIn).toBe(true);

    await expect(unwrap(session, refused)).rejects.toMatchObject({ status: 401 });

    expect(session.signedIn).toBe(false);
    expect(session.hasExpired).toBe(true);
  });

  it("keeps the session when the fresh token is taken", async () => {
    const session = await signedInSession();
    let calls = 0;
    const second = () => (++calls === 1 ? refused() : Promise.resolve({ data: { items: [] }, response: new Response("{}") }));

    expect(await unwrap(session, second)).toEqual({ items: [] });
    expect(session.signedIn).toBe(true);
  });
});
