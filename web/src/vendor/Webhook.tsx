// Leverandør's Webhook section: the vendor's endpoint (set it; its secret shown once, with Kopiér), a new
// secret and removal behind a confirmation, Send testhændelse, and the last deliveries with every attempt in
// words ("Svarede 500 (fejl hos jer)") and Send igen for a failed one. The API decides; this page explains.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState, type FormEvent } from "react";

import { unwrap, type Schemas } from "../api/client";
import { ConfirmModal } from "../components/ConfirmModal";
import { ErrorSummary } from "../components/ErrorSummary";
import { Field } from "../components/Field";
import { ListState } from "../components/ListState";
import { Notice } from "../components/Notice";
import { Outcome } from "../components/Outcome";
import { Pager, useCursorPages } from "../components/Pager";
import { Table } from "../components/Table";
import { useFormErrors, useServices } from "../context";
import { formatDateTime } from "../format";
import { useI18n } from "../i18n";
import { asProblem } from "../problems";
import { problemMessage } from "../staff/problem";
import { answerWords, deliveryWords, stateWords } from "./webhookWords";

type Delivery = Schemas["VendorDelivery"];
const ENDPOINT = ["vendor-webhook"];
const DELIVERIES = ["vendor-webhook-deliveries"];
// While a delivery is on its way the list asks again this often, so its outcome shows without a reload.
const PENDING_POLL_MS = 2000;

/** The new secret, shown this once: the secret, Kopiér, and plain words that it will not be shown again. */
function SecretOnce({ secret, onDone }: { secret: string; onDone: () => void }) {
  const { t } = useI18n();
  const [said, setSaid] = useState<string | null>(null);
  const ref = useRef<HTMLElement>(null);
  useEffect(() => {
    ref.current?.focus();
  }, [secret]);
  async function copy() {
    try {
      await navigator.clipboard.writeText(secret);
      setSaid(t("webhook.copied"));
    } catch {
      setSaid(t("webhook.copyFailed"));
    }
  }
  return (
    <section aria-labelledby="webhook-secret-heading" className="alert alert-warning">
      <div className="alert-body">
        <h3 id="webhook-secret-heading" className="alert-heading">
          {t("webhook.newSecret")}
        </h3>
        <p className="alert-text">
          <strong>{t("webhook.onceOnly")}</strong>
        </p>
        <p>
          <code aria-label={t("webhook.newSecret")} className="api-key" tabIndex={-1} ref={ref}>
            {secret}
          </code>
        </p>
        <button type="button" className="button button-secondary button-small" onClick={() => void copy()}>
          {t("vendor.copy")}
        </button>{" "}
        <span role="status">{said}</span>{" "}
        <button type="button" className="button button-tertiary button-small" onClick={onDone}>
          {t("common.close")}
        </button>
      </div>
    </section>
  );
}

/** The endpoint's address: set or replace it; the answer's secret is shown once. */
function EndpointForm({ current, onSaved }: { current: string; onSaved: (secret: string) => void }) {
  const { api, session } = useServices();
  const { t } = useI18n();
  const [url, setUrl] = useState(current);
  useEffect(() => setUrl(current), [current]);
  const errors = useFormErrors({ url: t("webhook.url") }, "webhook-");
  const save = useMutation({
    mutationFn: () => unwrap(session, () => api.PUT("/v1/vendor/webhook", { body: { url: url.trim() } })),
    onSuccess: (endpoint) => onSaved(endpoint.secret),
    onError: errors.show,
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    errors.clear();
    save.mutate();
  };
  return (
    <form onSubmit={submit} noValidate aria-label={t("webhook.current")}>
      <ErrorSummary items={errors.summary} />
      <Field
        id="webhook-url"
        label={t("webhook.url")}
        hint={t("webhook.urlHint")}
        value={url}
        onChange={setUrl}
        error={errors.byField["url"]}
        maxLength={2048}
        type="url"
        autoComplete="url"
      />
      <button type="submit" className="button button-primary" disabled={save.isPending}>
        {t("webhook.save")}
      </button>
    </form>
  );
}

function Attempts({ delivery }: { delivery: Delivery }) {
  const { t, language } = useI18n();
  if (delivery.attempts.length === 0) return <>{t("webhook.noAttempts")}</>;
  return (
    <ul className="nobullet-list">
      {delivery.attempts.map((attempt) => (
        <li key={`${attempt.generation}-${attempt.attempt}`}>
          {formatDateTime(attempt.at, language)}: {answerWords(attempt, t)}
          {attempt.generation > 0 ? ` (${t("webhook.replay").replace("{n}", String(attempt.generation))})` : ""}
        </li>
      ))}
    </ul>
  );
}

/** The last deliveries, newest first, with Send igen for a failed one. */
function Deliveries({ onMessage }: { onMessage: (message: string) => void }) {
  const { api, session } = useServices();
  const { t, language } = useI18n();
  const queryClient = useQueryClient();
  const pages = useCursorPages();
  const deliveries = useQuery({
    queryKey: [...DELIVERIES, pages.cursor],
    queryFn: () => {
      const query = { limit: 25, ...(pages.cursor ? { cursor: pages.cursor } : {}) };
      return unwrap(session, () => api.GET("/v1/vendor/webhook/deliveries", { params: { query } }));
    },
    refetchInterval: (query) =>
      query.state.data?.items.some((item) => item.status === "pending") ? PENDING_POLL_MS : false,
  });
  const retry = useMutation({
    mutationFn: (delivery: Delivery) =>
      unwrap(session, () =>
        api.POST("/v1/vendor/webhook/deliveries/{event_id}/retry", { params: { path: { event_id: delivery.id } } }),
      ),
    onSuccess: () => {
      onMessage(t("webhook.retried"));
      void queryClient.invalidateQueries({ queryKey: DELIVERIES });
      void queryClient.invalidateQueries({ queryKey: ENDPOINT });
    },
  });
  const items = deliveries.data?.items ?? [];
  return (
    <>
      <h3>{t("webhook.deliveries")}</h3>
      {retry.isError ? (
        <Notice kind="error">
          <p className="alert-text">{problemMessage(retry.error, language, t("common.networkError"))}</p>
        </Notice>
      ) : null}
      <p>
        <button
          type="button"
          className="button button-tertiary button-small"
          onClick={() => void queryClient.invalidateQueries({ queryKey: DELIVERIES })}
        >
          {t("webhook.refresh")}
        </button>
      </p>
      <ListState query={deliveries} empty={t("webhook.noDeliveries")}>
        <Table
          scroll
          caption={t("webhook.deliveries")}
          columns={[t("webhook.event"), t("webhook.created"), t("webhook.status"), t("webhook.attempts"), t("common.actions")]}
        >
          {items.map((delivery) => {
            const what = deliveryWords(delivery, t);
            const about = delivery.organisation ? `${what}: ${delivery.organisation.name}` : what;
            return (
              <tr key={delivery.id}>
                <td>{about}</td>
                <td>{formatDateTime(delivery.created_at, language)}</td>
                <td>{stateWords(delivery.status, t)}</td>
                <td>
                  <Attempts delivery={delivery} />
                </td>
                <td>
                  {delivery.replayable ? (
                    <button
                      type="button"
                      className="button button-secondary button-small"
                      aria-label={`${t("webhook.retry")}: ${about}, ${formatDateTime(delivery.created_at, language)}`}
                      disabled={retry.isPending}
                      onClick={() => retry.mutate(delivery)}
                    >
                      {t("webhook.retry")}
                    </button>
                  ) : (
                    "–"
                  )}
                </td>
              </tr>
            );
          })}
        </Table>
      </ListState>
      <Pager pages={pages} nextCursor={deliveries.data?.next_cursor} />
    </>
  );
}

/** The section *Webhook* of Leverandør. */
export function Webhook() {
  const { api, session } = useServices();
  const { t, language } = useI18n();
  const queryClient = useQueryClient();
  const [secret, setSecret] = useState<string | null>(null);
  const [confirming, setConfirming] = useState<"rotate" | "remove" | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const endpoint = useQuery({
    queryKey: ENDPOINT,
    queryFn: async () => {
      try {
        return await unwrap(session, () => api.GET("/v1/vendor/webhook"));
      } catch (error) {
        // No endpoint is an answer here, not a failure.
        if (asProblem(error).status === 404) return null;
        throw error;
      }
    },
  });
  const changed = () => {
    void queryClient.invalidateQueries({ queryKey: ENDPOINT });
    void queryClient.invalidateQueries({ queryKey: DELIVERIES });
  };
  const rotate = useMutation({
    mutationFn: () => unwrap(session, () => api.POST("/v1/vendor/webhook/secret")),
    onSuccess: (answer) => {
      setConfirming(null);
      setMessage(null);
      setSecret(answer.secret);
      changed();
    },
  });
  const remove = useMutation({
    mutationFn: () => unwrap(session, () => api.DELETE("/v1/vendor/webhook")),
    onSuccess: () => {
      setConfirming(null);
      setSecret(null);
      setMessage(t("webhook.removed"));
      changed();
    },
  });
  const test = useMutation({
    mutationFn: () => unwrap(session, () => api.POST("/v1/vendor/webhook/test")),
    onSuccess: () => {
      setMessage(t("webhook.testSent"));
      changed();
    },
  });
  const hook = endpoint.data ?? null;
  return (
    <section aria-labelledby="webhook-heading">
      <h2 id="webhook-heading">{t("webhook.title")}</h2>
      <p>{t("webhook.intro")}</p>
      {secret ? <SecretOnce secret={secret} onDone={() => setSecret(null)} /> : null}
      {message ? (
        <Outcome said={message}>
          <p className="alert-text">{message}</p>
        </Outcome>
      ) : null}
      {test.isError ? (
        <Notice kind="error">
          <p className="alert-text">{problemMessage(test.error, language, t("common.networkError"))}</p>
        </Notice>
      ) : null}
      {endpoint.isSuccess && hook === null ? <p>{t("webhook.none")}</p> : null}
      {hook ? (
        <dl>
          <dt>{t("webhook.current")}</dt>
          <dd>
            <code>{hook.url}</code>
          </dd>
          <dt>{t("webhook.status")}</dt>
          <dd>{hook.status === "paused" ? t("webhook.paused") : t("webhook.active")}</dd>
          <dt>{t("webhook.secretCreated")}</dt>
          <dd>{formatDateTime(hook.secret_created_at, language)}</dd>
          {hook.previous_secret_valid_until ? (
            <>
              <dt>{t("webhook.previousUntil")}</dt>
              <dd>{formatDateTime(hook.previous_secret_valid_until, language)}</dd>
            </>
          ) : null}
        </dl>
      ) : null}
      {endpoint.isSuccess ? (
        <EndpointForm
          current={hook?.url ?? ""}
          onSaved={(newSecret) => {
            setMessage(null);
            setSecret(newSecret);
            changed();
          }}
        />
      ) : null}
      {hook ? (
        <p>
          <button
            type="button"
            className="button button-secondary"
            disabled={test.isPending}
            onClick={() => {
              setMessage(null);
              test.mutate();
            }}
          >
            {t("webhook.test")}
          </button>{" "}
          <button
            type="button"
            className="button button-secondary"
            onClick={() => {
              rotate.reset();
              setConfirming("rotate");
            }}
          >
            {t("webhook.rotate")}
          </button>{" "}
          <button
            type="button"
            className="button button-secondary"
            onClick={() => {
              remove.reset();
              setConfirming("remove");
            }}
          >
            {t("webhook.remove")}
          </button>
        </p>
      ) : null}
      <Deliveries onMessage={setMessage} />
      {confirming === "rotate" ? (
        <ConfirmModal
          title={t("webhook.rotateTitle")}
          confirmLabel={t("webhook.rotate")}
          busy={rotate.isPending}
          onConfirm={() => rotate.mutate()}
          onClose={() => setConfirming(null)}
        >
          <p>{t("webhook.rotateText")}</p>
          {rotate.isError ? (
            <Notice kind="error">
              <p className="alert-text">{problemMessage(rotate.error, language, t("common.networkError"))}</p>
            </Notice>
          ) : null}
        </ConfirmModal>
      ) : null}
      {confirming === "remove" ? (
        <ConfirmModal
          title={t("webhook.removeTitle")}
          confirmLabel={t("webhook.remove")}
          busy={remove.isPending}
          onConfirm={() => remove.mutate()}
          onClose={() => setConfirming(null)}
        >
          <p>{t("webhook.removeText")}</p>
          {remove.isError ? (
            <Notice kind="error">
              <p className="alert-text">{problemMessage(remove.error, language, t("common.networkError"))}</p>
            </Notice>
          ) : null}
        </ConfirmModal>
      ) : null}
    </section>
  );
}
