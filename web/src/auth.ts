// Signing in as a real front end does: Cognito's user pool API (src/cognito.ts) against the configured pool
// (the emulator's endpoint locally), password first, then the authenticator's code. Tokens live in this
// object only: never in localStorage or a cookie, so closing the tab signs out. With an e-mail address instead
// of a username, the API turns the address into the login and starts the sign-in (POST /v1/sign-in), and
// the second factor is answered at the API too (POST /v1/sign-in/challenge): the session is one Cognito made
// for its administrative calls. The tokens that answers are kept, and renewed at Cognito, as any others.
import { CognitoClient, defaultEndpoint, type AuthenticationResult, type Fetch } from "./cognito";
import type { ConsoleConfig } from "./config";

/** Refresh this long before the access token runs out. */
export const REFRESH_MARGIN_SECONDS = 120;

export type SignInStep =
  | { kind: "signed-in" }
  /** `factor: "sms"`: the login's second factor is SMS, and Cognito has texted the code to its mobile. */
  | { kind: "otp"; session: string; username: string; factor?: "sms" }
  | { kind: "mfa-setup"; session: string; username: string };

export class SignInError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = "SignInError";
    this.code = code;
  }
}

interface Tokens {
  accessToken: string;
  refreshToken: string | null;
  expiresAt: number; // ms since epoch
}

type Listener = () => void;

/** What people type is an e-mail address, not a username (usernames never hold an @). */
export function isEmailAddress(name: string): boolean {
  return name.includes("@");
}

/** The API's refusals of a sign-in or a reset with an e-mail address, as the error names the pages know. */
const API_REFUSALS: Record<number, string> = {
  401: "NotAuthorizedException",
  403: "SecondFactorMissing",
  409: "SeveralLogins",
  429: "TooManyRequestsException",
};

/** When to refresh a token that lasts `expiresIn` seconds: the margin before it ends, or half-way for
 * short ones. */
export function refreshDelayMs(expiresInSeconds: number): number {
  const margin = Math.min(REFRESH_MARGIN_SECONDS, expiresInSeconds / 2);
  return Math.max(0, (expiresInSeconds - margin) * 1000);
}

/** How long after a password reset the next sign-in waits (see `confirmForgotPassword`). */
const RESET_SIGN_IN_WAIT_MS = 1000;

/** Resolves after `ms` milliseconds. */
function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The API's JSON answer; null when it is none (a proxy's HTML error page, say). */
function parseAnswer(text: string): unknown {
  try {
    return text ? JSON.parse(text) : {};
  } catch {
    return null;
  }
}

export class Session {
  private readonly client: CognitoClient;
  private readonly clientId: string;
  private readonly apiUrl: string;
  private readonly fetch: Fetch;
  private tokens: Tokens | null = null;
  private refreshTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly listeners = new Set<Listener>();
  private expired = false;
  /** No sign-in before this instant (ms since epoch): the API refuses a token issued in the same second as
   * a change that ended the sessions (a sign-out, a new password, an enrolment). */
  private signInNotBefore = 0;
  username: string | null = null;
  /** The session of a sign-in the API began (with an e-mail address): its code is answered at the API. */
  private apiSession: string | null = null;

  /** `fetch`: how Cognito is called, the browser's own unless a test gives one. */
  constructor(config: ConsoleConfig, fetch?: Fetch) {
    this.clientId = config.cognito.client_id;
    this.client = new CognitoClient(config.cognito.endpoint ?? defaultEndpoint(config.region), fetch);
    this.apiUrl = config.api_url;
    this.fetch = fetch ?? ((input, init) => globalThis.fetch(input, init));
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private notify(): void {
    for (const listener of this.listeners) listener();
  }

  get signedIn(): boolean {
    return this.tokens !== null;
  }

  /** True after a session ran out (not after signing out): the page asks to sign in again in place. */
  get hasExpired(): boolean {
    return this.expired;
  }

  accessToken(): string | null {
    if (this.tokens && Date.now() >= this.tokens.expiresAt) return null;
    return this.tokens?.accessToken ?? null;
  }

  async signIn(username: string, password: string): Promise<SignInStep> {
    // The token comes from this sign-in's last step, so waiting before the first is enough.
    const wait = this.signInNotBefore - Date.now();
    if (wait > 0) await pause(wait);
    if (isEmailAddress(username)) {
      // The API answers Cognito's next challenge and whose login it is, never tokens.
      const step = (await this.api("/v1/sign-in", { email: username, password })) as {
        challenge?: string;
        session?: string;
        username?: string;
      };
      this.apiSession = step.session ?? null;
      return this.next(step.username ?? "", step.challenge ?? "NoChallenge", step.session, undefined);
    }
    this.apiSession = null;
    const answer = await this.call(() =>
      this.client.send("InitiateAuth", {
        ClientId: this.clientId,
        AuthFlow: "USER_PASSWORD_AUTH",
        AuthParameters: { USERNAME: username, PASSWORD: password },
      }),
    );
    return this.next(username, answer.ChallengeName, answer.Session, answer.AuthenticationResult);
  }

  /**
   * One of the API's anonymous sign-in routes; a refusal becomes the SignInError a page words as it words
   * Cognito's: a problem's field error about the code or the password as Cognito's own refusal of it.
   */
  private async api(path: string, body: Record<string, string>, refusals: Record<number, string> = {}): Promise<unknown> {
    let response: Response;
    try {
      response = await this.fetch(this.apiUrl + path, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body),
        credentials: "omit",
      });
    } catch (error) {
      throw new SignInError("NetworkError", error instanceof Error ? error.message : "network");
    }
    const answer = parseAnswer(await response.text());
    if (response.ok) return answer ?? {};
    const fields = ((answer as { errors?: { field?: string }[] } | null)?.errors ?? []).map((e) => e.field);
    if (response.status === 400 && (fields.includes("code") || fields.includes("answer"))) {
      throw new SignInError("CodeMismatchException", "code");
    }
    // The sign-in's session has run out or was used: as Cognito refuses such a session.
    if (response.status === 400 && fields.includes("session")) throw new SignInError("NotAuthorizedException", "session");
    if (response.status === 400 && fields.includes("password")) {
      throw new SignInError("InvalidPasswordException", "password");
    }
    const code = refusals[response.status] ?? API_REFUSALS[response.status] ?? "ApiError";
    throw new SignInError(code, `HTTP ${response.status}`);
  }

  async answerOtp(step: { session: string; username: string; factor?: "sms" }, code: string): Promise<SignInStep> {
    const challenge = step.factor === "sms" ? "SMS_MFA" : "SOFTWARE_TOKEN_MFA";
    if (this.apiSession !== null && step.session === this.apiSession) return this.answerAtApi(step, challenge, code);
    const answer = await this.call(() =>
      this.client.send("RespondToAuthChallenge", {
        ClientId: this.clientId,
        ChallengeName: challenge,
        Session: step.session,
        ChallengeResponses: { USERNAME: step.username, [`${challenge}_CODE`]: code },
      }),
    );
    return this.next(step.username, answer.ChallengeName, answer.Session, answer.AuthenticationResult);
  }

  /** The code of a sign-in the API began, answered at the API; its tokens are kept as Cognito's are. */
  private async answerAtApi(step: { session: string; username: string }, challenge: string, code: string): Promise<SignInStep> {
    // 409: Cognito asked for yet another step, which only the username's sign-in takes.
    const tokens = (await this.api(
      "/v1/sign-in/challenge",
      { username: step.username, session: step.session, challenge, answer: code },
      { 409: "UnsupportedChallenge" },
    )) as { access_token?: string; id_token?: string; refresh_token?: string; expires_in?: number };
    const result: AuthenticationResult = {
      AccessToken: tokens.access_token,
      IdToken: tokens.id_token,
      RefreshToken: tokens.refresh_token,
      ExpiresIn: tokens.expires_in,
    };
    const next = this.next(step.username, undefined, undefined, result);
    this.apiSession = null;
    return next;
  }

  /**
   * Glemt adgangskode?: Cognito mails a code to the login's verified e-mail address. The pool's client
   * prevents user-existence errors, so Cognito answers alike whether the name exists or not; any refusal is
   * passed on only as a SignInError for the page to word.
   */
  async forgotPassword(username: string): Promise<void> {
    if (isEmailAddress(username)) {
      await this.api("/v1/sign-in/forgotten-password", { email: username });
      return;
    }
    await this.call(() => this.client.send("ForgotPassword", { ClientId: this.clientId, Username: username }));
  }

  /** The new password with the mailed code; the second factor is still asked at the next sign-in. */
  async confirmForgotPassword(username: string, code: string, password: string): Promise<void> {
    if (isEmailAddress(username)) {
      await this.api("/v1/sign-in/forgotten-password/confirm", { email: username, code, password });
    } else {
      await this.call(() =>
        this.client.send("ConfirmForgotPassword", {
          ClientId: this.clientId,
          Username: username,
          ConfirmationCode: code,
          Password: password,
        }),
      );
    }
    // The reset ended every session before it was answered (the API itself, or the user pool's trigger
    // inside ConfirmForgotPassword), in a second no later than now: a token issued a whole second from now
    // is issued in a later one, which the API accepts.
    this.signInNotBefore = Math.max(this.signInNotBefore, Date.now() + RESET_SIGN_IN_WAIT_MS);
  }

  /** Real Cognito asks a user without a second factor to set one up inside the sign-in (MFA_SETUP). */
  async startMfaSetup(step: { session: string }): Promise<{ secret: string; session: string }> {
    const answer = await this.call(() => this.client.send("AssociateSoftwareToken", { Session: step.session }));
    return { secret: answer.SecretCode ?? "", session: answer.Session ?? step.session };
  }

  async finishMfaSetup(session: string, username: string, code: string): Promise<SignInStep> {
    const verified = await this.call(() =>
      this.client.send("VerifySoftwareToken", { Session: session, UserCode: code, FriendlyDeviceName: "Godkend" }),
    );
    const answer = await this.call(() =>
      this.client.send("RespondToAuthChallenge", {
        ClientId: this.clientId,
        ChallengeName: "MFA_SETUP",
        Session: verified.Session ?? session,
        ChallengeResponses: { USERNAME: username },
      }),
    );
    return this.next(username, answer.ChallengeName, answer.Session, answer.AuthenticationResult);
  }

  /**
   * The API has ended every session of this login (sign-out, a new password, an enrolment): forget the
   * tokens here, and sign in again no sooner than `signInAfterMs` from now, as the API's answer says.
   */
  sessionsEnded(signInAfterMs: number): void {
    this.signInNotBefore = Math.max(this.signInNotBefore, Date.now() + Math.max(0, signInAfterMs));
    this.clear();
    this.expired = false;
    this.notify();
  }

  /** Forget the tokens here and revoke the refresh token at Cognito (best effort): what is left to do when
   * the API could not end the sessions itself. */
  async signOut(): Promise<void> {
    const refreshToken = this.tokens?.refreshToken;
    this.clear();
    this.expired = false;
    this.notify();
    if (refreshToken) {
      try {
        await this.client.send("RevokeToken", { ClientId: this.clientId, Token: refreshToken });
      } catch {
        // The tokens are gone from this page either way; an access token left at Cognito runs out on its own.
      }
    }
  }

  /** Called when the API answers 401: try the refresh token once, else the session has expired. */
  async refreshOrExpire(): Promise<boolean> {
    if (await this.refresh()) return true;
    this.expire();
    return false;
  }

  expire(): void {
    if (!this.tokens) return;
    this.clear();
    this.expired = true;
    this.notify();
  }

  private async refresh(): Promise<boolean> {
    const refreshToken = this.tokens?.refreshToken;
    if (!refreshToken) return false;
    try {
      const answer = await this.client.send("InitiateAuth", {
        ClientId: this.clientId,
        AuthFlow: "REFRESH_TOKEN_AUTH",
        AuthParameters: { REFRESH_TOKEN: refreshToken },
      });
      if (!answer.AuthenticationResult?.AccessToken) return false;
      this.store(answer.AuthenticationResult, refreshToken);
      return true;
    } catch {
      return false;
    }
  }

  private next(
    username: string,
    challenge: string | undefined,
    session: string | undefined,
    result: AuthenticationResult | undefined,
  ): SignInStep {
    if (challenge === "SOFTWARE_TOKEN_MFA" && session) return { kind: "otp", session, username };
    // A login whose second factor is SMS (POST /v1/me/second-factor/sms) gets its code by text instead.
    if (challenge === "SMS_MFA" && session) return { kind: "otp", session, username, factor: "sms" };
    if (challenge === "MFA_SETUP" && session) return { kind: "mfa-setup", session, username };
    if (challenge) throw new SignInError("UnsupportedChallenge", challenge);
    if (!result?.AccessToken) throw new SignInError("NoTokens", "Cognito answered without tokens");
    this.username = username;
    this.expired = false;
    this.store(result, result.RefreshToken ?? null);
    this.notify();
    return { kind: "signed-in" };
  }

  private store(result: AuthenticationResult, refreshToken: string | null): void {
    const expiresIn = result.ExpiresIn ?? 3600;
    this.tokens = {
      accessToken: result.AccessToken ?? "",
      refreshToken: result.RefreshToken ?? refreshToken,
      expiresAt: Date.now() + expiresIn * 1000,
    };
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => {
      void this.refreshOrExpire();
    }, refreshDelayMs(expiresIn));
  }

  private clear(): void {
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.refreshTimer = null;
    this.tokens = null;
  }

  private async call<T>(send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      const name = error instanceof Error ? error.name : "Error";
      throw new SignInError(name, error instanceof Error ? error.message : String(error));
    }
  }
}
