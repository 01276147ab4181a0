// The webhook's deliveries in words: an attempt's answer as a person reads it ("Svarede 500 (fejl hos jer)"),
// never the text of a server or a library. Pure, so tests/webhookWords.test.ts reads it without a page.
import type { MessageKey } from "../i18n";

type Say = (key: MessageKey) => string;

export interface AttemptAnswer {
  status_code?: number | null;
  error?: string | null;
}

/** What the endpoint answered, or why nothing was answered: the status code with what it means for them. */
export function answerWords(attempt: AttemptAnswer, t: Say): string {
  const code = attempt.status_code;
  if (code !== null && code !== undefined) {
    const key: MessageKey =
      code >= 200 && code < 300
        ? "webhook.answer.ok"
        : code >= 300 && code < 400
          ? "webhook.answer.redirect"
          : code >= 400 && code < 500
            ? "webhook.answer.refused"
            : "webhook.answer.error";
    return t(key).replace("{code}", String(code));
  }
  const error = attempt.error ?? "";
  if (error === "timeout") return t("webhook.answer.timeout");
  if (error === "tls error") return t("webhook.answer.tls");
  if (error.startsWith("connection failed")) return t("webhook.answer.connection");
  if (error.startsWith("not sent")) return t("webhook.answer.notSent");
  return t("webhook.answer.other");
}

const TYPES: Record<string, MessageKey> = {
  "webhook.test": "webhook.type.webhook.test",
  "code.revoked": "webhook.type.code.revoked",
  "code.renewed": "webhook.type.code.renewed",
  "organisation.suspended": "webhook.type.organisation.suspended",
  "organisation.rejected": "webhook.type.organisation.rejected",
  "organisation.reinstated": "webhook.type.organisation.reinstated",
  "check.completed": "webhook.type.check.completed",
};

/** An event's type in words; a type the console does not know yet shows as it is. */
export function eventTypeWords(type: string, t: Say): string {
  const key = TYPES[type];
  return key ? t(key) : type;
}

/** A delivery's event in words, marked when it is a test: a test key's event (`test`, not `webhook.test`,
 * whose words say it already) would otherwise read like a live one. */
export function deliveryWords(delivery: { type: string; test: boolean }, t: Say): string {
  const what = eventTypeWords(delivery.type, t);
  return delivery.test && delivery.type !== "webhook.test" ? t("webhook.testMark").replace("{what}", what) : what;
}

const STATES: Record<string, MessageKey> = {
  pending: "webhook.state.pending",
  delivered: "webhook.state.delivered",
  failed: "webhook.state.failed",
  paused: "webhook.state.paused",
  no_endpoint: "webhook.state.no_endpoint",
};

export function stateWords(status: string, t: Say): string {
  const key = STATES[status];
  return key ? t(key) : status;
}
