import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState, type FormEvent } from "react";

import { unwrap, type Schemas } from "../api/client";
import { ConfirmModal } from "../components/ConfirmModal";
import { ErrorSummary } from "../components/ErrorSummary";
import { Checkbox, Field, RadioGroup, Select } from "../components/Field";
import { Notice } from "../components/Notice";
import { Outcome } from "../components/Outcome";
import { ListState } from "../components/ListState";
import { Pager, useCursorPages } from "../components/Pager";
import { Table } from "../components/Table";
import { useFormErrors, useServices } from "../context";
import { formatDateTime } from "../format";
import { problemText, useI18n, type MessageKey } from "../i18n";
import { asProblem } from "../problems";

type Code = Schemas["Code"];
type Me = Schemas["Me"];
type Status = "active" | "expired" | "revoked";

function CopyButton({ value, label }: { value: string; label: string }) {
  const { t } = useI18n();
  const [said, setSaid] = useState<string | null>(null);
  async function copy() {
    try {
      await navigator.clipboard.writeText(value);
      setSaid(t("codes.copied"));
    } catch {
      setSaid(t("codes.copyFailed"));
    }
  }
  return (
    <>
      <button type="button" className="button button-secondary button-small" onClick={() => void copy()} aria-label={label}>
        {t("codes.copy")}
      </button>
      <span role="status" className="copy-status">
        {said}
      </span>
    </>
  );
}

function NewCodeForm({ me, onCreated, onCancel }: { me: Me; onCreated: (code: Code) => void; onCancel: () => void }) {
  const { api, session } = useServices();
  const { t, language } = useI18n();
  const companies = me.companies;
  const [firstName, setFirstName] = useState("");
  const [lastName, setLastName] = useState("");
  const [email, setEmail] = useState("");
  const [company, setCompany] = useState(companies[0]?.cvr ?? "");
  const accounts = (companies.find((c) => c.cvr === company)?.accounts ?? []).filter((a) => a.status !== "closed");
  const [account, setAccount] = useState(accounts[0]?.number ?? "");
  const [codeLanguage, setCodeLanguage] = useState<"da" | "en">(language);
  const [notify, setNotify] = useState(true);
  const formRef = useRef<HTMLFormElement>(null);
  useEffect(() => {
    // The form opens where the keyboard is: on its first field.
    formRef.current?.querySelector<HTMLElement>("input")?.focus();
  }, []);
  const errors = useFormErrors({
    first_name: t("field.first_name"),
    last_name: t("field.last_name"),
    email: t("field.email"),
    company: t("codes.company"),
    account: t("codes.account"),
  });
  const create = useMutation({
    mutationFn: () =>
      unwrap(session, () =>
        api.POST("/v1/codes", {
          body: {
            first_name: firstName.trim(),
            last_name: lastName.trim(),
            email: email.trim(),
            company,
            account,
            language: codeLanguage,
            notify,
          },
        }),
      ),
    onSuccess: onCreated,
    onError: errors.show,
  });

  function submit(e: FormEvent) {
    e.preventDefault();
    errors.clear();
    create.mutate();
  }

  return (
    <form ref={formRef} onSubmit={submit} noValidate className="new-code">
      <h3>{t("codes.add")}</h3>
      <p>{t("codes.formIntro")}</p>
      <ErrorSummary items={errors.summary} />
      <Field id="first_name" label={t("field.first_name")} value={firstName} onChange={setFirstName} autoComplete="off" error={errors.byField.first_name} />
      <Field id="last_name" label={t("field.last_name")} value={lastName} onChange={setLastName} autoComplete="off" error={errors.byField.last_name} />
      <Field id="email" label={t("field.email")} type="email" value={email} onChange={setEmail} autoComplete="off" error={errors.byField.email} />
      <Select
        id="company"
        label={t("codes.company")}
        value={company}
        onChange={(cvr) => {
          setCompany(cvr);
          const first = companies.find((c) => c.cvr === cvr)?.accounts.find((a) => a.status !== "closed");
          setAccount(first?.number ?? "");
        }}
        options={companies.map((c) => ({ value: c.cvr, label: `${c.name} (CVR ${c.cvr})` }))}
        error={errors.byField.company}
      />
      <Select
        id="account"
        label={t("codes.account")}
        value={account}
        onChange={setAccount}
        options={accounts.map((a) => ({ value: a.number, label: `${a.number} – ${a.name}` }))}
        error={errors.byField.account}
      />
      <RadioGroup
        legend={t("codes.language")}
        name="code-language"
        value={codeLanguage}
        onChange={(v) => setCodeLanguage(v === "en" ? "en" : "da")}
        options={[
          { value: "da", label: t("language.da") },
          { value: "en", label: t("language.en") },
        ]}
      />
      <Checkbox label={t("codes.notify")} checked={notify} onChange={setNotify} />
      <div className="button-row">
        <button className="button button-primary" type="submit" disabled={create.isPending}>
          {t("codes.submit")}
        </button>{" "}
        <button className="button button-tertiary" type="button" onClick={onCancel}>
          {t("common.cancel")}
        </button>
      </div>
    </form>
  );
}

function ShownCode({ heading, code }: { heading: string; code: Code }) {
  const { t, language } = useI18n();
  const valueRef = useRef<HTMLSpanElement>(null);
  useEffect(() => {
    // The new code is what the person came for: the keyboard lands on it, one Tab from Kopiér.
    valueRef.current?.focus();
  }, [code.code]);
  return (
    <Notice kind="success">
      <h3 className="alert-heading">{heading}</h3>
      <p className="alert-text">
        <span className="code-value" aria-label={heading} tabIndex={-1} ref={valueRef}>
          {code.code}
        </span>{" "}
        <CopyButton value={code.code} label={t("codes.copyCode")} />
      </p>
      <p className="alert-text">
        {code.first_name} {code.last_name} · {t("codes.expires")} {formatDateTime(code.expires_at, language)}
      </p>
    </Notice>
  );
}

/** The tab "Godkendelseskode": the codes in scope, newest first; add, copy, renew and revoke. */
export function CodesTab({ me }: { me: Me }) {
  const { api, session } = useServices();
  const { t, language } = useI18n();
  const queryClient = useQueryClient();
  const [status, setStatus] = useState<Status | "">("");
  const pages = useCursorPages();
  const [adding, setAdding] = useState(false);
  const [shown, setShown] = useState<{ heading: string; code: Code } | null>(null);
  const [revoking, setRevoking] = useState<Code | null>(null);
  const [renewing, setRenewing] = useState<Code | null>(null);
  // What the last action did, numbered so that saying the same thing twice still moves focus to it.
  const [said, setSaid] = useState<{ kind: "success" | "error"; text: string; n: number } | null>(null);
  const say = (kind: "success" | "error", text: string) => setSaid((before) => ({ kind, text, n: (before?.n ?? 0) + 1 }));
  const addRef = useRef<HTMLButtonElement>(null);
  const [backToAdd, setBackToAdd] = useState(false);
  useEffect(() => {
    // A cancelled form gives the keyboard back to the button that opened it.
    if (!backToAdd) return;
    addRef.current?.focus();
    setBackToAdd(false);
  }, [backToAdd]);

  const codes = useQuery({
    queryKey: ["codes", status, pages.cursor],
    queryFn: () =>
      unwrap(session, () =>
        api.GET("/v1/codes", {
          params: { query: { limit: 25, ...(status ? { status } : {}), ...(pages.cursor ? { cursor: pages.cursor } : {}) } },
        }),
      ),
  });

  const explain = (error: unknown) => {
    const problem = asProblem(error);
    say("error", problem.status === 0 ? t("common.networkError") : problemText(language, problem.slug, problem.problem.detail));
  };
  const renew = useMutation({
    mutationFn: (code: Code) =>
      unwrap(session, () => api.POST("/v1/codes/{code_id}/renew", { params: { path: { code_id: code.code_id } } })),
    onSuccess: (code) => {
      setRenewing(null);
      setSaid(null);
      setShown({ heading: t("codes.renewed"), code });
      void queryClient.invalidateQueries({ queryKey: ["codes"] });
    },
    onError: (error) => {
      setRenewing(null);
      explain(error);
    },
  });
  const revoke = useMutation({
    mutationFn: (code: Code) =>
      unwrap(session, () => api.DELETE("/v1/codes/{code_id}", { params: { path: { code_id: code.code_id } } })),
    onSuccess: () => {
      setRevoking(null);
      setShown(null);
      say("success", t("codes.revoked"));
      void queryClient.invalidateQueries({ queryKey: ["codes"] });
    },
    onError: (error) => {
      setRevoking(null);
      explain(error);
    },
  });

  const organisationStatus = me.organisation?.status;
  const approved = organisationStatus === "approved";
  const clearSaid = () => setSaid(null);
  useEffect(() => {
    // Approval comes while the person is signed in: opening the tab asks again rather than keep them waiting.
    if (!approved) void queryClient.invalidateQueries({ queryKey: ["me"] });
    // eslint-disable-next-line react-hooks/exhaustive-deps -- once, when the tab is opened
  }, []);
  const items = codes.data?.items ?? [];
  return (
    <section aria-labelledby="codes-heading">
      <h2 id="codes-heading">{t("codes.title")}</h2>
      {said ? (
        <Outcome key={said.n} kind={said.kind} said={said.text}>
          <p className="alert-text">{said.text}</p>
        </Outcome>
      ) : null}
      {shown ? <ShownCode heading={shown.heading} code={shown.code} /> : null}
      {!approved ? (
        // Before approval there is nothing to fill in: say when codes can be made instead of offering a form.
        <Notice kind="info">
          <p className="alert-text">
            {t(organisationStatus === "suspended" ? "codes.suspended" : organisationStatus === "rejected" ? "codes.rejected" : "codes.notApprovedYet")}
          </p>
        </Notice>
      ) : adding ? (
        <NewCodeForm
          me={me}
          onCancel={() => {
            setAdding(false);
            setBackToAdd(true);
          }}
          onCreated={(code) => {
            setAdding(false);
            clearSaid();
            setShown({ heading: t("codes.new"), code });
            void queryClient.invalidateQueries({ queryKey: ["codes"] });
          }}
        />
      ) : (
        <button
          ref={addRef}
          type="button"
          className="button button-primary"
          onClick={() => {
            setShown(null);
            clearSaid();
            setAdding(true);
          }}
        >
          {t("codes.add")}
        </button>
      )}
      <Select
        id="codes-filter"
        label={t("codes.filter")}
        value={status}
        onChange={(v) => {
          setStatus(v as Status | "");
          pages.reset();
        }}
        options={[
          { value: "", label: t("codes.filterAll") },
          { value: "active", label: t("status.active") },
          { value: "expired", label: t("status.expired") },
          { value: "revoked", label: t("status.revoked") },
        ]}
      />
      <ListState query={codes} empty={status ? t("codes.emptyFiltered") : t("codes.empty")}>
        <Table
          scroll
          caption={t("codes.title")}
          columns={[t("codes.representative"), t("field.email"), t("codes.code"), t("codes.status"), t("codes.expires"), t("common.actions")]}
        >
          {items.map((code) => {
            const who = `${code.first_name} ${code.last_name}`;
            return (
              <tr key={code.code_id}>
                <td>{who}</td>
                <td>{code.email}</td>
                <td className="card-lead">
                  <span className="code-value">{code.code}</span>
                </td>
                <td className="card-lead">
                  <span className={`badge badge-${code.status === "active" ? "success" : code.status === "revoked" ? "error" : "warning"}`}>
                    {t(`status.${code.status}` as MessageKey)}
                  </span>
                </td>
                <td>{formatDateTime(code.expires_at, language)}</td>
                <td className="table-actions card-lead">
                  {code.status !== "revoked" ? (
                    <>
                      <CopyButton value={code.code} label={`${t("codes.copy")}: ${who}`} />{" "}
                      <button
                        type="button"
                        className="button button-secondary button-small"
                        aria-label={`${t("codes.renew")}: ${who}`}
                        disabled={renew.isPending}
                        onClick={() => {
                          clearSaid();
                          // An expired code is renewed at once (it works nowhere); an active one is in use, so ask.
                          if (code.status === "active") setRenewing(code);
                          else renew.mutate(code);
                        }}
                      >
                        {t("codes.renew")}
                      </button>{" "}
                      <button
                        type="button"
                        className="button button-tertiary button-small"
                        aria-label={`${t("codes.revoke")}: ${who}`}
                        onClick={() => setRevoking(code)}
                      >
                        {t("codes.revoke")}
                      </button>
                    </>
                  ) : null}
                </td>
              </tr>
            );
          })}
        </Table>
      </ListState>
      <Pager pages={pages} nextCursor={codes.data?.next_cursor} />
      {renewing ? (
        <ConfirmModal
          title={t("codes.renewTitle")}
          confirmLabel={t("codes.renew")}
          busy={renew.isPending}
          onConfirm={() => renew.mutate(renewing)}
          onClose={() => setRenewing(null)}
        >
          <p>
            <strong>{renewing.code}</strong> ({renewing.first_name} {renewing.last_name})
          </p>
          <p>{t("codes.renewText")}</p>
        </ConfirmModal>
      ) : null}
      {revoking ? (
        <ConfirmModal
          title={t("codes.revokeTitle")}
          confirmLabel={t("codes.revoke")}
          busy={revoke.isPending}
          onConfirm={() => revoke.mutate(revoking)}
          onClose={() => setRevoking(null)}
        >
          <p>
            <strong>{revoking.code}</strong> ({revoking.first_name} {revoking.last_name})
          </p>
          <p>{t("codes.revokeText")}</p>
        </ConfirmModal>
      ) : null}
    </section>
  );
}
