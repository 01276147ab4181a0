import { useMutation, useQueryClient, type QueryClient } from "@tanstack/react-query";
import { useId, useState, type FormEvent } from "react";

import { unwrap, type Schemas } from "../api/client";
import { ErrorSummary } from "../components/ErrorSummary";
import { Field } from "../components/Field";
import { Notice } from "../components/Notice";
import { useFormErrors, useServices } from "../context";
import { formatDateTime } from "../format";
import { fieldMessage, problemText, useI18n, type Language, type Translate } from "../i18n";
import { asProblem } from "../problems";

type PendingCompany = Schemas["PendingCompany"];
type NamedCompany = Schemas["NamedCompany"];
type Said = { kind: "success" | "warning"; text: string };

/** Fetches again what a change to the group's companies touches: the lists here, and the caller's own
 * scope (whoever proves a company gets full access to it, so the Codes tab offers it at once). */
function refresh(queryClient: QueryClient) {
  void queryClient.invalidateQueries({ queryKey: ["organisation"] });
  void queryClient.invalidateQueries({ queryKey: ["me"] });
}

/**
 * The refusals of the company routes that the console says in its own words, or null for those the form's
 * errors show as they are (field errors, invalid input, a network failure). The organisation's status tells
 * the one 409 without a field apart: a suspended or rejected organisation cannot add companies.
 */
export function explainCompanyProblem(
  error: unknown,
  { language, t, organisationStatus, now = new Date() }: { language: Language; t: Translate; organisationStatus: string; now?: Date },
): string | null {
  const problem = asProblem(error);
  const byField = (problem.problem.errors ?? []).length > 0;
  if (problem.status === 403 && problem.slug === "forbidden") return t("companies.forbidden");
  if (problem.status === 423) return t("companies.codeLocked");
  if (problem.status === 429) {
    const wait = problem.retryAfterSeconds;
    const after =
      wait === null
        ? t("companies.tryAgainLater")
        : `${t("companies.tryAgainAfter")} ${formatDateTime(new Date(now.getTime() + wait * 1000).toISOString(), language)}.`;
    return `${t("companies.tooManyLetters")} ${after}`;
  }
  if (problem.status === 503) return t("companies.registerDown");
  if (problem.status === 409 && !byField && (organisationStatus === "suspended" || organisationStatus === "rejected")) {
    return t("companies.notGrowing");
  }
  return null;
}

/** What happens next after a company was named: it counts now, or a letter is on its way until when. */
export function namedText(named: NamedCompany, name: string, language: Language, t: Translate): string {
  const company = `${name} (CVR ${named.cvr})`;
  if (named.status === "proven") return `${company} ${t("companies.addedNow")}`;
  const until = named.letter_expires_at ? ` ${t("companies.letterUntil")} ${formatDateTime(named.letter_expires_at, language)}.` : "";
  return `${t("companies.letterSent")} ${company}.${until} ${t("companies.letterNext")}`;
}

function ProofForm({ company, organisationStatus, onSaid }: { company: PendingCompany; organisationStatus: string; onSaid: (said: Said | null) => void }) {
  const { api, session } = useServices();
  const { t, language } = useI18n();
  const queryClient = useQueryClient();
  const [code, setCode] = useState("");
  // One form per company on the page: the prefix keeps the fields' ids, and the summary's links, apart.
  const prefix = `proof-${company.cvr}.`;
  const errors = useFormErrors({ activation_code: t("companies.code") }, prefix);
  const prove = useMutation({
    mutationFn: () =>
      unwrap(session, () =>
        api.POST("/v1/organisation/companies/{cvr}/proof", {
          params: { path: { cvr: company.cvr } },
          body: { activation_code: code.trim() },
        }),
      ),
    onSuccess: () => {
      onSaid({ kind: "success", text: `${company.name} (CVR ${company.cvr}) ${t("companies.proven")}` });
      refresh(queryClient);
    },
    onError: (error) => {
      const problem = asProblem(error);
      if (problem.status === 404) {
        onSaid({ kind: "warning", text: t("companies.gone") });
        refresh(queryClient);
        return;
      }
      // Locked now: the list shows the company as locked, with the way to a new letter.
      if (problem.status === 423) refresh(queryClient);
      const own = explainCompanyProblem(error, { language, t, organisationStatus });
      if (own) errors.setLocal([{ message: own }]);
      else errors.show(error);
    },
  });
  function submit(e: FormEvent) {
    e.preventDefault();
    errors.clear();
    onSaid(null);
    prove.mutate();
  }
  return (
    <form onSubmit={submit} noValidate>
      <ErrorSummary items={errors.summary} />
      <Field
        id={`${prefix}activation_code`}
        label={t("companies.code")}
        hint={t("companies.codeHint")}
        value={code}
        onChange={setCode}
        autoComplete="off"
        spellCheck={false}
        error={errors.byField.activation_code}
      />
      <button className="button button-primary" type="submit" disabled={prove.isPending} aria-label={`${t("companies.prove")}: ${company.name}`}>
        {t("companies.prove")}
      </button>
    </form>
  );
}

function NewLetter({ company, organisationStatus, onSaid }: { company: PendingCompany; organisationStatus: string; onSaid: (said: Said | null) => void }) {
  const { api, session } = useServices();
  const { t, language } = useI18n();
  const queryClient = useQueryClient();
  const [failure, setFailure] = useState<string | null>(null);
  const ask = useMutation({
    mutationFn: () => unwrap(session, () => api.POST("/v1/organisation/companies", { body: { cvr: company.cvr, name: company.name } })),
    onSuccess: (named) => {
      onSaid({ kind: "success", text: namedText(named, company.name, language, t) });
      refresh(queryClient);
    },
    onError: (error) => setFailure(explainCompanyProblem(error, { language, t, organisationStatus }) ?? problemMessage(error, language, t)),
  });
  return (
    <>
      {failure ? <Notice kind="error"><p className="alert-text">{failure}</p></Notice> : null}
      <p>{t("companies.lockedText")}</p>
      <button
        type="button"
        className="button button-secondary"
        disabled={ask.isPending}
        aria-label={`${t("companies.newLetter")}: ${company.name}`}
        onClick={() => {
          setFailure(null);
          onSaid(null);
          ask.mutate();
        }}
      >
        {t("companies.newLetter")}
      </button>
    </>
  );
}

/** A refusal without a form to show it at: its field messages, or else the problem itself. */
function problemMessage(error: unknown, language: Language, t: Translate): string {
  const problem = asProblem(error);
  const fields = (problem.problem.errors ?? []).map((e) => fieldMessage(language, e.message, problem.language));
  if (fields.length > 0) return fields.join(" ");
  if (problem.status === 0) return t("common.networkError");
  return problemText(language, problem.slug, problem.problem.detail || problem.problem.title);
}

function PendingCard({ company, organisationStatus, onSaid }: { company: PendingCompany; organisationStatus: string; onSaid: (said: Said | null) => void }) {
  const { t, language } = useI18n();
  const headingId = useId();
  const locked = company.proof === "locked";
  return (
    <div className="company" role="group" aria-labelledby={headingId}>
      <h4 id={headingId}>
        {company.name} (CVR {company.cvr})
      </h4>
      <dl className="masterdata">
        <dt>{t("companies.legalName")}</dt>
        <dd>{company.legal_name ?? t("common.none")}</dd>
        <dt>{t("masterdata.status")}</dt>
        <dd>{t(locked ? "status.locked" : "status.pending")}</dd>
        <dt>{t("companies.expires")}</dt>
        <dd>{formatDateTime(company.letter_expires_at, language)}</dd>
      </dl>
      {locked ? (
        <NewLetter company={company} organisationStatus={organisationStatus} onSaid={onSaid} />
      ) : (
        <ProofForm company={company} organisationStatus={organisationStatus} onSaid={onSaid} />
      )}
    </div>
  );
}

function AddCompanyForm({ organisationStatus }: { organisationStatus: string }) {
  const { api, session } = useServices();
  const { t, language } = useI18n();
  const queryClient = useQueryClient();
  const [cvr, setCvr] = useState("");
  const [name, setName] = useState("");
  const [said, setSaid] = useState<string | null>(null);
  const prefix = "new-company.";
  const errors = useFormErrors({ cvr: t("field.cvr"), name: t("companies.name") }, prefix);
  const add = useMutation({
    mutationFn: (body: Schemas["NewCompany"]) => unwrap(session, () => api.POST("/v1/organisation/companies", { body })),
    onSuccess: (named, body) => {
      setSaid(namedText(named, body.name, language, t));
      setCvr("");
      setName("");
      refresh(queryClient);
    },
    onError: (error) => {
      const own = explainCompanyProblem(error, { language, t, organisationStatus });
      if (own) errors.setLocal([{ message: own }]);
      else errors.show(error);
    },
  });
  function submit(e: FormEvent) {
    e.preventDefault();
    errors.clear();
    setSaid(null);
    add.mutate({ cvr: cvr.trim(), name: name.trim() });
  }
  return (
    <form onSubmit={submit} noValidate>
      {said ? <Notice kind="success"><p className="alert-text">{said}</p></Notice> : null}
      <ErrorSummary items={errors.summary} />
      <Field
        id={`${prefix}cvr`}
        label={t("field.cvr")}
        value={cvr}
        onChange={setCvr}
        inputMode="numeric"
        maxLength={8}
        autoComplete="off"
        error={errors.byField.cvr}
      />
      <Field
        id={`${prefix}name`}
        label={t("companies.name")}
        hint={t("companies.nameHint")}
        value={name}
        onChange={setName}
        autoComplete="off"
        error={errors.byField.name}
      />
      <button className="button button-primary" type="submit" disabled={add.isPending}>
        {t("companies.add")}
      </button>
    </form>
  );
}

/** For administrators (the `users` function): the companies waiting for proof, and adding a company. */
export function CompaniesSection({ organisation }: { organisation: Schemas["Organisation"] }) {
  const { t } = useI18n();
  const [said, setSaid] = useState<Said | null>(null);
  const pending = organisation.pending_companies;
  return (
    <>
      <h3>{t("companies.pendingTitle")}</h3>
      <p>{t("companies.pendingIntro")}</p>
      {said ? <Notice kind={said.kind}><p className="alert-text">{said.text}</p></Notice> : null}
      {pending.length === 0 ? <p>{t("companies.noPending")}</p> : null}
      {pending.map((company) => (
        <PendingCard key={company.cvr} company={company} organisationStatus={organisation.status} onSaid={setSaid} />
      ))}
      <h3>{t("companies.addTitle")}</h3>
      <p>{t("companies.addIntro")}</p>
      <AddCompanyForm organisationStatus={organisation.status} />
    </>
  );
}
