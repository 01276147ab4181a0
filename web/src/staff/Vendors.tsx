import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState, type FormEvent } from "react";

import { unwrap, type Schemas } from "../api/client";
import { ErrorSummary } from "../components/ErrorSummary";
import { Field } from "../components/Field";
import { Notice } from "../components/Notice";
import { Outcome } from "../components/Outcome";
import { Pager, useCursorPages } from "../components/Pager";
import { ListState } from "../components/ListState";
import { Table } from "../components/Table";
import { useFormErrors, useServices } from "../context";
import { VendorContact } from "../api/rules";
import { formatDateTime } from "../format";
import { checkFields } from "../rules";
import { ConfirmDialog } from "./ConfirmDialog";
import { useStaffText } from "./messages";
import { problemMessage, refresh } from "./problem";

type Vendor = Schemas["VendorWithKeys"];
type Key = Schemas["Key"];

// What a key starts with (`gkv_<vendor id>_<key id>_`): enough to tell keys apart, never the secret.
function keyPrefix(vendorId: string, keyId: string): string {
  return `gkv_${vendorId}_${keyId}_…`;
}

/** A secret shown once: the key, a copy button, and plain words that it will not be shown again. */
function ShownOnce({ vendor, apiKey, onDone }: { vendor: string; apiKey: string; onDone: () => void }) {
  const { s, t } = useStaffText();
  const [said, setSaid] = useState<string | null>(null);
  const keyRef = useRef<HTMLElement>(null);
  useEffect(() => {
    // The keyboard lands on the key, one Tab from the button that copies it.
    keyRef.current?.focus();
  }, [apiKey]);
  async function copy() {
    try {
      await navigator.clipboard.writeText(apiKey);
      setSaid(s("vendors.copied"));
    } catch {
      setSaid(s("vendors.copyFailed"));
    }
  }
  return (
    <section aria-labelledby="new-key-heading" className="alert alert-warning">
      <div className="alert-body">
        <h3 id="new-key-heading" className="alert-heading">
          {s("vendors.newKey")}: {vendor}
        </h3>
        <p className="alert-text">
          <strong>{s("vendors.onceOnly")}</strong>
        </p>
        <p>
          <code aria-label={s("vendors.newKey")} className="api-key" tabIndex={-1} ref={keyRef}>
            {apiKey}
          </code>
        </p>
        <button type="button" className="button button-secondary button-small" onClick={() => void copy()}>
          {s("vendors.copy")}
        </button>{" "}
        <span role="status">{said}</span>{" "}
        <button type="button" className="button button-tertiary button-small" onClick={onDone}>
          {t("common.close")}
        </button>
      </div>
    </section>
  );
}

// The contact person's fields, as the API names them inside the body (its field errors say `contact.<name>`).
const CONTACT = ["first_name", "last_name", "email", "mobile"] as const;
type ContactField = (typeof CONTACT)[number];

function NewVendor({ onCreated, onCancel }: { onCreated: (v: Schemas["Vendor"]) => void; onCancel: () => void }) {
  const { api, session } = useServices();
  const { s, t, language } = useStaffText();
  const [name, setName] = useState("");
  const [email, setEmail] = useState("");
  const [contact, setContact] = useState<Record<ContactField, string>>({ first_name: "", last_name: "", email: "", mobile: "" });
  const labels = Object.fromEntries(CONTACT.map((f) => [`contact.${f}`, `${s("vendors.contactPerson")}: ${t(`field.${f}`)}`]));
  const errors = useFormErrors({ name: s("vendors.name"), contact_email: s("vendors.contact"), ...labels });
  // What is sent: names and e-mail without the spaces around them; the mobile as typed (the API reads it).
  const sent = () => Object.fromEntries(CONTACT.map((f) => [f, f === "mobile" ? contact[f] : contact[f].trim()])) as Record<ContactField, string>;
  const create = useMutation({
    mutationFn: () =>
      unwrap(session, () =>
        api.POST("/v1/staff/vendors", { body: { name: name.trim(), contact_email: email.trim(), contact: sent() } }),
      ),
    onSuccess: onCreated,
    onError: errors.show,
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    errors.clear();
    // The contact person by the API's own rules and words (its OpenAPI document), before a round trip.
    const broken = checkFields(sent(), VendorContact, language);
    const lacking = CONTACT.filter((f) => broken[f]).map((f) => ({
      field: `contact.${f}`,
      message: broken[f] ?? "",
      label: labels[`contact.${f}`],
    }));
    if (lacking.length > 0) {
      errors.setLocal(lacking);
      return;
    }
    create.mutate();
  };
  const set = (field: ContactField) => (value: string) => setContact((now) => ({ ...now, [field]: value }));
  return (
    <form onSubmit={submit} noValidate aria-labelledby="new-vendor-heading">
      <h3 id="new-vendor-heading">{s("vendors.create")}</h3>
      <ErrorSummary items={errors.summary} />
      <Field id="name" label={s("vendors.name")} value={name} onChange={setName} error={errors.byField["name"]} />
      <Field
        id="contact_email"
        type="email"
        label={s("vendors.contact")}
        value={email}
        onChange={setEmail}
        error={errors.byField["contact_email"]}
      />
      <fieldset>
        <legend className="h4">{s("vendors.contactPerson")}</legend>
        <p className="form-hint">{s("vendors.contactPersonHint")}</p>
        {CONTACT.map((f) => (
          <Field
            key={f}
            id={`contact.${f}`}
            type={f === "email" ? "email" : f === "mobile" ? "tel" : "text"}
            label={t(`field.${f}`)}
            hint={f === "mobile" ? t("field.mobileHint") : undefined}
            value={contact[f]}
            onChange={set(f)}
            autoComplete="off"
            error={errors.byField[`contact.${f}`]}
          />
        ))}
      </fieldset>
      <button type="submit" className="button button-primary" disabled={create.isPending}>
        {s("vendors.create")}
      </button>{" "}
      <button type="button" className="button button-secondary" onClick={onCancel}>
        {t("common.cancel")}
      </button>
    </form>
  );
}

/** The tab "Leverandører": vendors and their keys; create a vendor, issue a key shown once, revoke one. */
export function VendorsTab() {
  const { api, session } = useServices();
  const { s, t, language } = useStaffText();
  const queryClient = useQueryClient();
  const pages = useCursorPages();
  const [creating, setCreating] = useState(false);
  const [shown, setShown] = useState<{ vendor: string; apiKey: string } | null>(null);
  const [revoking, setRevoking] = useState<{ vendor: Vendor; key: Key } | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const vendors = useQuery({
    queryKey: ["staff-vendors", pages.cursor],
    queryFn: () =>
      unwrap(session, () =>
        api.GET("/v1/staff/vendors", { params: { query: { limit: 25, ...(pages.cursor ? { cursor: pages.cursor } : {}) } } }),
      ),
  });
  const changed = () => {
    // A list still loading from before the change would answer without it: drop that answer, ask again.
    void refresh(queryClient, ["staff-vendors"]);
    void refresh(queryClient, ["staff-audit"]);
  };
  const issue = useMutation({
    mutationFn: (vendor: Vendor) =>
      unwrap(session, () => api.POST("/v1/staff/vendors/{vendor_id}/keys", { params: { path: { vendor_id: vendor.vendor_id } } })),
    onSuccess: (key, vendor) => {
      setMessage(null);
      setShown({ vendor: vendor.name, apiKey: key.api_key });
      changed();
    },
  });
  const revoke = useMutation({
    mutationFn: ({ vendor, key }: { vendor: Vendor; key: Key }) =>
      unwrap(session, () =>
        api.DELETE("/v1/staff/vendors/{vendor_id}/keys/{key_id}", {
          params: { path: { vendor_id: vendor.vendor_id, key_id: key.key_id } },
        }),
      ),
    onSuccess: () => {
      setRevoking(null);
      // Said where the keyboard is: the key's button has gone with the key.
      setMessage(s("vendors.revoked"));
      changed();
    },
  });
  const items = vendors.data?.items ?? [];
  return (
    <section aria-labelledby="vendors-heading">
      <h2 id="vendors-heading">{s("vendors.title")}</h2>
      {shown ? <ShownOnce vendor={shown.vendor} apiKey={shown.apiKey} onDone={() => setShown(null)} /> : null}
      {message ? (
        <Outcome said={message}>
          <p className="alert-text">{message}</p>
        </Outcome>
      ) : null}
      {issue.isError ? (
        <Notice kind="error">
          <p className="alert-text">{problemMessage(issue.error, language, t("common.networkError"))}</p>
        </Notice>
      ) : null}
      {creating ? (
        <NewVendor
          onCancel={() => setCreating(false)}
          onCreated={(vendor) => {
            setCreating(false);
            setMessage(s("vendors.created"));
            setShown({ vendor: vendor.name, apiKey: vendor.key.api_key });
            changed();
          }}
        />
      ) : (
        <button
          type="button"
          className="button button-primary"
          onClick={() => {
            setMessage(null);
            setShown(null);
            setCreating(true);
          }}
        >
          {s("vendors.create")}
        </button>
      )}
      <ListState query={vendors} empty={s("vendors.empty")}>
      {items.map((vendor) => (
        <article key={vendor.vendor_id} aria-labelledby={`vendor-${vendor.vendor_id}`} className="review-item">
          <h3 id={`vendor-${vendor.vendor_id}`}>{vendor.name}</h3>
          <p>
            {s("vendors.contact")}: {vendor.contact_email}
          </p>
          <Table
            captionVisible
            caption={<>{s("vendors.keys")}: {vendor.name}</>}
            columns={[s("vendors.key"), s("vendors.keyStatus"), s("vendors.keyCreated"), s("vendors.keyRevoked"), t("common.actions")]}
          >
            {vendor.keys.map((key) => (
              <tr key={key.key_id}>
                <td>
                  <code>{keyPrefix(vendor.vendor_id, key.key_id)}</code>
                </td>
                <td>{key.status === "active" ? s("vendors.active") : s("vendors.revokedStatus")}</td>
                <td>{formatDateTime(key.created_at, language)}</td>
                <td>{key.revoked_at ? formatDateTime(key.revoked_at, language) : "–"}</td>
                <td>
                  {key.status === "active" ? (
                    <button
                      type="button"
                      className="button button-secondary button-small"
                      aria-label={`${s("vendors.revoke")}: ${vendor.name} ${key.key_id}`}
                      onClick={() => {
                        revoke.reset();
                        setRevoking({ vendor, key });
                      }}
                    >
                      {s("vendors.revoke")}
                    </button>
                  ) : (
                    "–"
                  )}
                </td>
              </tr>
            ))}
          </Table>
          <button
            type="button"
            className="button button-secondary"
            aria-label={`${s("vendors.issue")}: ${vendor.name}`}
            disabled={issue.isPending}
            onClick={() => issue.mutate(vendor)}
          >
            {s("vendors.issue")}
          </button>
        </article>
      ))}
      </ListState>
      <Pager pages={pages} nextCursor={vendors.data?.next_cursor} />
      {revoking ? (
        <ConfirmDialog
          title={s("vendors.revokeTitle")}
          confirmLabel={s("vendors.revoke")}
          warning
          busy={revoke.isPending}
          error={revoke.isError ? problemMessage(revoke.error, language, t("common.networkError")) : null}
          onClose={() => setRevoking(null)}
          onConfirm={() => revoke.mutate(revoking)}
        >
          <p>
            <strong>{revoking.vendor.name}</strong>: <code>{keyPrefix(revoking.vendor.vendor_id, revoking.key.key_id)}</code>
          </p>
          <p>{s("vendors.revokeText")}</p>
        </ConfirmDialog>
      ) : null}
    </section>
  );
}
