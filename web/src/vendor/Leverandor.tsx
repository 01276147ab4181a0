// Leverandør: what a vendor's person sees when signed in. Their vendor's API keys: make one with a label (shown
// once, with Kopiér), and spær one after a confirmation that opens on Annuller. Only their own vendor's keys.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState, type FormEvent } from "react";

import { unwrap, type Schemas } from "../api/client";
import { ConfirmModal } from "../components/ConfirmModal";
import { ErrorSummary } from "../components/ErrorSummary";
import { Field, RadioGroup } from "../components/Field";
import { ListState } from "../components/ListState";
import { Notice } from "../components/Notice";
import { Outcome } from "../components/Outcome";
import { Table } from "../components/Table";
import { useFormErrors, useServices } from "../context";
import { formatDateTime } from "../format";
import { useI18n } from "../i18n";
import { useTitle } from "../router";
import { problemMessage } from "../staff/problem";
import { ReceiptsAndEvents } from "./Receipts";
import { Webhook } from "./Webhook";
import { RedirectOrigins } from "./RedirectOrigins";
import { Colleagues } from "./Colleagues";

type Key = Schemas["OwnKey"];
const KEYS = ["vendor-keys"];

/** The new key, shown this once: the key, Kopiér, and plain words that it will not be shown again. */
function ShownOnce({ label, apiKey, onDone }: { label: string; apiKey: string; onDone: () => void }) {
  const { t } = useI18n();
  const [said, setSaid] = useState<string | null>(null);
  const keyRef = useRef<HTMLElement>(null);
  useEffect(() => {
    // The keyboard lands on the key, one Tab from the button that copies it.
    keyRef.current?.focus();
  }, [apiKey]);
  async function copy() {
    try {
      await navigator.clipboard.writeText(apiKey);
      setSaid(t("vendor.copied"));
    } catch {
      setSaid(t("vendor.copyFailed"));
    }
  }
  return (
    <section aria-labelledby="own-key-heading" className="alert alert-warning">
      <div className="alert-body">
        <h2 id="own-key-heading" className="alert-heading h3">
          {t("vendor.newKey")}: {label}
        </h2>
        <p className="alert-text">
          <strong>{t("vendor.onceOnly")}</strong>
        </p>
        <p>
          <code aria-label={t("vendor.newKey")} className="api-key" tabIndex={-1} ref={keyRef}>
            {apiKey}
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

/** Opret nøgle: the label, then the key shown once. */
function NewKey({ onCreated }: { onCreated: (key: Schemas["IssuedOwnKey"]) => void }) {
  const { api, session } = useServices();
  const { t } = useI18n();
  const [label, setLabel] = useState("");
  const [mode, setMode] = useState<"live" | "test">("live");
  const errors = useFormErrors({ label: t("vendor.label") }, "key-");
  const create = useMutation({
    mutationFn: () => unwrap(session, () => api.POST("/v1/vendor/keys", { body: { label: label.trim(), mode } })),
    onSuccess: (key) => {
      setLabel("");
      setMode("live");
      onCreated(key);
    },
    onError: errors.show,
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    errors.clear();
    create.mutate();
  };
  return (
    <form onSubmit={submit} noValidate aria-labelledby="new-own-key-heading">
      <h2 id="new-own-key-heading">{t("vendor.create")}</h2>
      <ErrorSummary items={errors.summary} />
      <Field
        id="key-label"
        label={t("vendor.label")}
        hint={t("vendor.labelHint")}
        value={label}
        onChange={setLabel}
        error={errors.byField["label"]}
        maxLength={100}
      />
      <RadioGroup
        legend={t("vendor.mode")}
        name="key-mode"
        value={mode}
        onChange={(value) => setMode(value === "test" ? "test" : "live")}
        options={[
          { value: "live", label: t("vendor.mode.live") },
          { value: "test", label: t("vendor.mode.test") },
        ]}
      />
      <button type="submit" className="button button-primary" disabled={create.isPending}>
        {t("vendor.create")}
      </button>
    </form>
  );
}

/** The page *Leverandør*: the vendor's name, its keys, Opret nøgle and Spær nøgle. */
export function Leverandor({ vendorName }: { vendorName: string }) {
  const { api, session } = useServices();
  const { t, language } = useI18n();
  const queryClient = useQueryClient();
  useTitle(t("vendor.title"));
  const [shown, setShown] = useState<{ label: string; apiKey: string } | null>(null);
  const [revoking, setRevoking] = useState<Key | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const keys = useQuery({ queryKey: KEYS, queryFn: () => unwrap(session, () => api.GET("/v1/vendor/keys")) });
  const revoke = useMutation({
    mutationFn: (key: Key) =>
      unwrap(session, () => api.DELETE("/v1/vendor/keys/{key_id}", { params: { path: { key_id: key.key_id } } })),
    onSuccess: (key) => {
      setRevoking(null);
      setShown(null);
      // Said where the keyboard is: the key's button has gone with the key.
      setMessage(t("vendor.revoked").replace("{label}", key.label ?? t("vendor.unnamed")));
      void queryClient.invalidateQueries({ queryKey: KEYS });
    },
  });
  const items = keys.data?.items ?? [];
  return (
    <section aria-labelledby="vendor-heading">
      <h1 id="vendor-heading">{t("vendor.title")}</h1>
      <p className="font-lead">{t("vendor.intro").replace("{vendor}", vendorName)}</p>
      {shown ? <ShownOnce label={shown.label} apiKey={shown.apiKey} onDone={() => setShown(null)} /> : null}
      {message ? (
        <Outcome said={message}>
          <p className="alert-text">{message}</p>
        </Outcome>
      ) : null}
      <NewKey
        onCreated={(key) => {
          setMessage(null);
          setShown({ label: key.label ?? "", apiKey: key.api_key });
          void queryClient.invalidateQueries({ queryKey: KEYS });
        }}
      />
      <h2>{t("vendor.keys")}</h2>
      <ListState query={keys} empty={t("vendor.empty")}>
        <Table
          scroll
          caption={t("vendor.keys")}
          columns={[
            t("vendor.label"),
            t("vendor.mode"),
            t("vendor.status"),
            t("vendor.createdBy"),
            t("vendor.created"),
            t("vendor.lastUsed"),
            t("common.actions"),
          ]}
        >
          {items.map((key) => (
            <tr key={key.key_id}>
              <td>{key.label ?? t("vendor.unnamed")}</td>
              <td>{key.mode === "test" ? t("vendor.mode.testShort") : t("vendor.mode.liveShort")}</td>
              <td>
                {key.status === "active"
                  ? t("vendor.active")
                  : `${t("vendor.revokedStatus")} ${key.revoked_at ? formatDateTime(key.revoked_at, language) : ""}`.trim()}
              </td>
              {/* Null once the maker's login is gone: a removed colleague, never an id. */}
              <td>{key.created_by_name ?? t("vendor.formerColleague")}</td>
              <td>{formatDateTime(key.created_at, language)}</td>
              <td>{key.last_used_at ? formatDateTime(key.last_used_at, language) : "–"}</td>
              <td>
                {key.status === "active" ? (
                  <button
                    type="button"
                    className="button button-secondary button-small"
                    aria-label={`${t("vendor.revoke")}: ${key.label ?? t("vendor.unnamed")}`}
                    onClick={() => {
                      revoke.reset();
                      setMessage(null);
                      setRevoking(key);
                    }}
                  >
                    {t("vendor.revoke")}
                  </button>
                ) : (
                  "–"
                )}
              </td>
            </tr>
          ))}
        </Table>
      </ListState>
      <ReceiptsAndEvents />
      <RedirectOrigins />
      {revoking ? (
        <ConfirmModal
          title={t("vendor.revokeTitle").replace("{label}", revoking.label ?? t("vendor.unnamed"))}
          confirmLabel={t("vendor.revoke")}
          busy={revoke.isPending}
          onConfirm={() => revoke.mutate(revoking)}
          onClose={() => setRevoking(null)}
        >
          <p>{t("vendor.revokeText")}</p>
          {revoke.isError ? (
            <Notice kind="error">
              <p className="alert-text">{problemMessage(revoke.error, language, t("common.networkError"))}</p>
            </Notice>
          ) : null}
        </ConfirmModal>
      ) : null}
      <Webhook />
      <Colleagues vendorName={vendorName} />
    </section>
  );
}
