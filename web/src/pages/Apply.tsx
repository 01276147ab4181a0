import { useState, type FormEvent } from "react";

import { unwrap, type Schemas } from "../api/client";
import { ErrorSummary } from "../components/ErrorSummary";
import { Field } from "../components/Field";
import { PageLink } from "../components/Footer";
import { useFormErrors, useServices } from "../context";
import { formatDateTime } from "../format";
import { useI18n } from "../i18n";
import { asProblem } from "../problems";
import { PATHS } from "../router";
import { BackToSignIn } from "./BackToSignIn";

interface Subsidiary {
  cvr: string;
  name: string;
}

interface AccountRow {
  number: string;
  name: string;
}

/** The online application: the organisation, optional subsidiaries, and the applicant. */
/**
 * The application's reference as a person reads it aloud to support: the first eight characters of its id,
 * in capitals, in two groups ("5888-5EBF"). With the CVR number, which support searches by, it picks out the
 * application; the whole 36-character id is for machines.
 */
function shortReference(applicationId: string): string {
  const start = applicationId.replace(/-/g, "").slice(0, 8).toUpperCase();
  return `${start.slice(0, 4)}-${start.slice(4)}`;
}

export function Apply() {
  const { api, session } = useServices();
  const { t, language } = useI18n();
  const [cvr, setCvr] = useState("");
  const [name, setName] = useState("");
  const [subsidiaries, setSubsidiaries] = useState<Subsidiary[]>([]);
  const [accounts, setAccounts] = useState<AccountRow[]>([]);
  const [firstName, setFirstName] = useState("");
  const [lastName, setLastName] = useState("");
  const [email, setEmail] = useState("");
  const [mobile, setMobile] = useState("");
  const [busy, setBusy] = useState(false);
  const [accepted, setAccepted] = useState<Schemas["ApplicationAccepted"] | null>(null);
  const [hasAdmin, setHasAdmin] = useState(false);

  const labels: Record<string, string> = {
    cvr: t("field.cvr"),
    name: t("apply.name"),
    "applicant.first_name": t("field.first_name"),
    "applicant.last_name": t("field.last_name"),
    "applicant.email": t("field.email"),
    "applicant.mobile": t("field.mobile"),
  };
  subsidiaries.forEach((_, i) => {
    labels[`subsidiaries.${i}.cvr`] = `${t("apply.subsidiaries")} ${i + 1}: ${t("field.cvr")}`;
    labels[`subsidiaries.${i}.name`] = `${t("apply.subsidiaries")} ${i + 1}: ${t("apply.subsidiaryName")}`;
  });
  accounts.forEach((_, i) => {
    labels[`accounts.${i}.number`] = `${t("apply.account")} ${i + 1}: ${t("codes.account")}`;
    labels[`accounts.${i}.name`] = `${t("apply.account")} ${i + 1}: ${t("masterdata.accountName")}`;
  });
  const errors = useFormErrors(labels);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    errors.clear();
    setHasAdmin(false);
    try {
      const answer = await unwrap(session, () =>
        api.POST("/v1/applications", {
          body: {
            cvr: cvr.trim(),
            name: name.trim(),
            subsidiaries: subsidiaries.map((s) => ({ cvr: s.cvr.trim(), name: s.name.trim() })),
            accounts: accounts.map((a) => ({ cvr: cvr.trim(), number: a.number.trim(), name: a.name.trim() })),
            applicant: { first_name: firstName.trim(), last_name: lastName.trim(), email: email.trim(), mobile },
            language,
          },
        }),
      );
      setAccepted(answer);
    } catch (error) {
      if (asProblem(error).status === 409) setHasAdmin(true);
      else errors.show(error);
    } finally {
      setBusy(false);
    }
  }

  if (accepted) {
    const due = formatDateTime(accepted.letter_due_by, language);
    return (
      <div>
        <h1>{t("apply.sent")}</h1>
        <div className="alert alert-success" role="status">
          <div className="alert-body">
            <p className="alert-text">
              {t(accepted.already_pending ? "links.receiptSame" : "links.receiptDue")} {due}.
            </p>
          </div>
        </div>
        <p>
          {t("links.reference")}: <strong className="reference">{shortReference(accepted.application_id)}</strong>
          <br />
          {t("links.referenceHint")}
        </p>
        <h2>{t("links.nextTitle")}</h2>
        <ol>
          <li>{t("links.nextLetter")}</li>
          <li>{t("links.nextActivate")}</li>
          <li>{t("links.nextEnrol")}</li>
          <li>{t("links.nextReview")}</li>
        </ol>
        <BackToSignIn />
      </div>
    );
  }

  const field = (id: string, label: string, value: string, set: (v: string) => void, extra: object = {}) => (
    <Field id={id} label={label} value={value} onChange={set} error={errors.byField[id]} {...extra} />
  );

  return (
    <div>
      <h1>{t("apply.title")}</h1>
      <p>{t("apply.intro")}</p>
      <ErrorSummary items={errors.summary} />
      {hasAdmin ? (
        <div className="alert alert-warning" role="alert">
          <div className="alert-body">
            <p className="alert-text">{t("apply.hasAdmin")}</p>
            <p className="alert-text">
              <PageLink to={PATHS.support} className="function-link">
                {t("contact.link")}
              </PageLink>
            </p>
          </div>
        </div>
      ) : null}
      <form onSubmit={submit} noValidate>
        <fieldset>
          <legend className="h2">{t("apply.organisation")}</legend>
          {field("cvr", t("field.cvr"), cvr, setCvr, { inputMode: "numeric", maxLength: 8, autoComplete: "off" })}
          {field("name", t("apply.name"), name, setName, { autoComplete: "organization" })}
          {subsidiaries.map((s, i) => (
            <fieldset key={i} className="subsidiary">
              <legend className="h4">
                {t("apply.subsidiaries")} {i + 1}
              </legend>
              {field(`subsidiaries.${i}.cvr`, t("field.cvr"), s.cvr, (v) =>
                setSubsidiaries(subsidiaries.map((x, j) => (j === i ? { ...x, cvr: v } : x))), { inputMode: "numeric", maxLength: 8 })}
              {field(`subsidiaries.${i}.name`, t("apply.subsidiaryName"), s.name, (v) =>
                setSubsidiaries(subsidiaries.map((x, j) => (j === i ? { ...x, name: v } : x))))}
              <button
                type="button"
                className="button button-tertiary"
                onClick={() => setSubsidiaries(subsidiaries.filter((_, j) => j !== i))}
              >
                {t("apply.removeSubsidiary")} {i + 1}
              </button>
            </fieldset>
          ))}
          <button
            type="button"
            className="button button-secondary"
            onClick={() => setSubsidiaries([...subsidiaries, { cvr: "", name: "" }])}
          >
            {t("apply.addSubsidiary")}
          </button>
        </fieldset>
        <fieldset>
          <legend className="h2">{t("apply.accounts")}</legend>
          <p className="form-hint">{t("apply.accountsHint")}</p>
          {accounts.map((a, i) => (
            <fieldset key={i} className="account">
              <legend className="h4">
                {t("apply.account")} {i + 1}
              </legend>
              {field(`accounts.${i}.number`, t("codes.account"), a.number, (v) =>
                setAccounts(accounts.map((x, j) => (j === i ? { ...x, number: v } : x))))}
              {field(`accounts.${i}.name`, t("masterdata.accountName"), a.name, (v) =>
                setAccounts(accounts.map((x, j) => (j === i ? { ...x, name: v } : x))))}
              <button
                type="button"
                className="button button-tertiary"
                onClick={() => setAccounts(accounts.filter((_, j) => j !== i))}
              >
                {t("apply.removeAccount")} {i + 1}
              </button>
            </fieldset>
          ))}
          <button type="button" className="button button-secondary" onClick={() => setAccounts([...accounts, { number: "", name: "" }])}>
            {t("apply.addAccount")}
          </button>
        </fieldset>
        <fieldset>
          <legend className="h2">{t("apply.applicant")}</legend>
          {field("applicant.first_name", t("field.first_name"), firstName, setFirstName, { autoComplete: "given-name" })}
          {field("applicant.last_name", t("field.last_name"), lastName, setLastName, { autoComplete: "family-name" })}
          {field("applicant.email", t("field.email"), email, setEmail, { type: "email", autoComplete: "email" })}
          {field("applicant.mobile", t("field.mobile"), mobile, setMobile, {
            type: "tel",
            autoComplete: "tel",
            hint: t("field.mobileHint"),
          })}
        </fieldset>
        <button className="button button-primary" type="submit" disabled={busy}>
          {t("apply.submit")}
        </button>
      </form>
      <BackToSignIn />
    </div>
  );
}
