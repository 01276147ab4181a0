// Cognito's user pool API, as the sign-in calls it: a JSON POST naming the operation in `X-Amz-Target`, with
// no signature, since these operations are unauthenticated in Cognito's API (the app client's id, the
// sign-in's session or the token is what they check). This is the request AWS's own front-end libraries
// send; the AWS SDK's client would do the same for five operations at 50 kB gzip-compressed on every first
// visit (docs/performance.md).

export interface AuthenticationResult {
  AccessToken?: string;
  RefreshToken?: string;
  IdToken?: string;
  ExpiresIn?: number;
}

/** What InitiateAuth and RespondToAuthChallenge answer: tokens, or the next challenge with its session. */
export interface AuthAnswer {
  ChallengeName?: string;
  Session?: string;
  AuthenticationResult?: AuthenticationResult;
}

interface Operations {
  InitiateAuth: {
    input: { ClientId: string; AuthFlow: string; AuthParameters: Record<string, string> };
    output: AuthAnswer;
  };
  RespondToAuthChallenge: {
    input: { ClientId: string; ChallengeName: string; Session: string; ChallengeResponses: Record<string, string> };
    output: AuthAnswer;
  };
  AssociateSoftwareToken: { input: { Session: string }; output: { SecretCode?: string; Session?: string } };
  VerifySoftwareToken: {
    input: { Session: string; UserCode: string; FriendlyDeviceName: string };
    output: { Status?: string; Session?: string };
  };
  RevokeToken: { input: { ClientId: string; Token: string }; output: Record<string, never> };
  ForgotPassword: { input: { ClientId: string; Username: string }; output: Record<string, unknown> };
  ConfirmForgotPassword: {
    input: { ClientId: string; Username: string; ConfirmationCode: string; Password: string };
    output: Record<string, never>;
  };
}

export type Operation = keyof Operations;

/** Cognito's refusal: `name` is its error type (e.g. `NotAuthorizedException`), as the SDK names it. */
export class CognitoError extends Error {
  readonly status: number;
  constructor(name: string, message: string, status: number) {
    super(message);
    this.name = name;
    this.status = status;
  }
}

export type Fetch = (input: string, init: RequestInit) => Promise<Response>;

const TARGET_PREFIX = "AWSCognitoIdentityProviderService.";

/** Cognito's error type, from the body's `__type` or the `x-amzn-ErrorType` header, without the namespace
 * before `#` or the URL after `:` that either may carry. */
export function errorType(body: unknown, header: string | null): string {
  const raw = (typeof body === "object" && body !== null && "__type" in body ? String(body.__type) : header) ?? "";
  return raw.split("#").pop()?.split(":")[0]?.trim() || "UnknownError";
}

/** The answer's JSON object; null when it is none (a proxy's HTML error page, say). */
function parseJson(text: string): unknown {
  try {
    return text ? JSON.parse(text) : {};
  } catch {
    return null;
  }
}

export class CognitoClient {
  private readonly endpoint: string;
  private readonly fetch: Fetch;

  /** `endpoint`: the user pool API's URL (the emulator's locally); `fetch`: the browser's, unless a test
   * gives one. */
  constructor(endpoint: string, fetch?: Fetch) {
    this.endpoint = endpoint;
    this.fetch = fetch ?? ((input, init) => globalThis.fetch(input, init));
  }

  async send<K extends Operation>(operation: K, input: Operations[K]["input"]): Promise<Operations[K]["output"]> {
    const response = await this.fetch(this.endpoint, {
      method: "POST",
      headers: { "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": TARGET_PREFIX + operation },
      body: JSON.stringify(input),
      credentials: "omit",
    });
    const body = parseJson(await response.text());
    if (!response.ok || body === null) {
      const said = (body ?? {}) as { message?: unknown; Message?: unknown };
      const message = String(said.message ?? said.Message ?? `HTTP ${response.status}`);
      throw new CognitoError(errorType(body, response.headers.get("x-amzn-errortype")), message, response.status);
    }
    return body as Operations[K]["output"];
  }
}

/** The user pool API of `region` in AWS, where the configuration names no endpoint of its own. */
export function defaultEndpoint(region: string): string {
  return `https://cognito-idp.${region}.amazonaws.com/`;
}
