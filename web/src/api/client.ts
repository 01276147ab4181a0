// One typed client for the whole console, generated from the API's OpenAPI document: a route or a body
// the API does not have does not compile.
import createClient, { type Client } from "openapi-fetch";

import type { Session } from "../auth";
import type { ConsoleConfig } from "../config";
import { ApiProblem, asProblem, isProblem, retryAfterSeconds } from "../problems";
import type { components, paths } from "./schema";

export type Api = Client<paths>;
export type Schemas = components["schemas"];

export function makeApi(config: ConsoleConfig, session: Session): Api {
  const client = createClient<paths>({ baseUrl: config.api_url });
  client.use({
    onRequest({ request }) {
      const token = session.accessToken();
      if (token) request.headers.set("Authorization", `Bearer ${token}`);
      // The API's problems and field messages in the language the page shows (App sets the page's lang).
      request.headers.set("Accept-Language", document.documentElement.lang === "en" ? "en" : "da");
      return request;
    },
  });
  return client;
}

interface Answer<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/**
 * The answer's body, or an ApiProblem. A 401 while signed in tries the refresh token once and repeats
 * the call; if that fails, or the API refuses the new token too, the session has expired and the page asks
 * to sign in again.
 */
export async function unwrap<T>(session: Session, send: () => Promise<Answer<T>>): Promise<T> {
  let answer: Answer<T>;
  try {
    answer = await send();
    if (answer.response.status === 401 && session.signedIn) {
      if (await session.refreshOrExpire()) answer = await send();
      // Refused even with a fresh token: the session is no good any more, so the page asks to sign in again
      // rather than show the refusal as a failure of whatever was asked.
      if (answer.response.status === 401) session.expire();
    }
  } catch (error) {
    throw asProblem(error);
  }
  if (!answer.response.ok) {
    const body = answer.error;
    throw new ApiProblem(
      isProblem(body)
        ? body
        : { type: "about:blank", title: answer.response.statusText, status: answer.response.status, detail: "" },
      retryAfterSeconds(answer.response.headers.get("Retry-After")),
      answer.response.headers.get("Content-Language"),
    );
  }
  return answer.data as T;
}
