import { useState, type FormEvent } from "react";

import { unwrap, type Schemas } from "../api/client";
import { ErrorSummary } from "../components/ErrorSummary";
import { Field, RadioGroup } from "../components/Field";
import { SupportContact } from "../components/Footer";
import { Outcome } from "../components/Outcome";
import { useFormErrors, useServices } from "../context";
import { useI18n } from "../i18n";
import { BackToSignIn } from "./BackToSignIn";

type Topic = Schemas["CaseForm"]["topic"];
const MAX_MESSAGE = 1000;

/**
 * Kontakt support: a case staff see under Sagsbehandling -> Henvendelser and answer by e-mail. Nothing is
 * mailed when it is sent (the address could be anyone's), so the page shows the case's reference to quote.
 */
export function ContactSupport() {
  const { api, session, config } = useServices();
  const { t, language } = useI18n();
  const [organisation, setOrganisation] = useState("");
  const [cvr, setCvr] = useState("");
  const [name, setName] = useState("");
  const [email, setEmail] = useState("");
  const [topic, setTopic] = useState<NonNullable<Topic>>("administrator_left");
  const [message, setMessage] = useState("");
  const [busy, setBusy] = useState(false);
  const [filed, setFiled] = useState<Schemas["CaseFiled"] | null>(null);
  const labels: Record<string, string> = {
    organisation: t("contact.organisation"),
    cvr: t("contact.cvr"),
    name: t("contact.name"),
    email: t("field.email"),
    topic: t("contact.topic"),
    message: t("contact.message"),
  };
  const errors = useFormErrors(labels);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    errors.clear();
    try {
      const answer = await unwrap(session, () =>
        api.POST("/v1/support/cases", {
          body: {
            organisation: organisation.trim(),
            cvr: cvr.trim() ? cvr.trim() : null,
            name: name.trim(),
            email: email.trim(),
            topic,
            message,
            language,
          },
        }),
      );
      setFiled(answer);
    } catch (error) {
      errors.show(error);
    } finally {
      setBusy(false);
    }
  }

  if (filed) {
    return (
      <div>
        <h1>{t("contact.sent")}</h1>
        <Outcome said={filed.case_id}>
          <p className="alert-text">
            {t("contact.reference")} <strong className="support-reference">{filed.case_id}</strong>
          </p>
          <p className="alert-text">{t("contact.sentText")}</p>
        </Outcome>
        <BackToSignIn />
      </div>
    );
  }

  return (
    <div>
      <h1>{t("contact.title")}</h1>
      <p>{t("contact.intro")}</p>
      {config.support ? (
        <ul className="unstyled-list">
          <SupportContact support={config.support} />
        </ul>
      ) : null}
      <ErrorSummary items={errors.summary} />
      <form onSubmit={submit} noValidate>
        <Field id="organisation" label={labels.organisation ?? ""} value={organisation} onChange={setOrganisation}
          error={errors.byField.organisation} autoComplete="organization" />
        <Field id="cvr" label={labels.cvr ?? ""} value={cvr} onChange={setCvr} error={errors.byField.cvr}
          inputMode="numeric" maxLength={8} autoComplete="off" />
        <Field id="name" label={labels.name ?? ""} value={name} onChange={setName} error={errors.byField.name}
          autoComplete="name" />
        <Field id="email" label={labels.email ?? ""} value={email} onChange={setEmail} error={errors.byField.email}
          type="email" autoComplete="email" hint={t("contact.emailHint")} />
        <RadioGroup
          legend={labels.topic ?? ""}
          name="topic"
          value={topic}
          onChange={(v) => setTopic(v as NonNullable<Topic>)}
          options={[
            { value: "administrator_left", label: t("contact.topic.administrator_left") },
            { value: "sign_in", label: t("contact.topic.sign_in") },
            { value: "other", label: t("contact.topic.other") },
          ]}
        />
        <div className={`form-group${errors.byField.message ? " form-error" : ""}`}>
          <label className="form-label" htmlFor="message">
            {labels.message}
          </label>
          <span className="form-hint" id="message-hint">
            {t("contact.messageHint")}
          </span>
          {errors.byField.message ? (
            <span className="form-error-message" id="message-error">
              {errors.byField.message}
            </span>
          ) : null}
          <textarea
            className="form-input"
            id="message"
            name="message"
            rows={6}
            maxLength={MAX_MESSAGE}
            value={message}
            onChange={(e) => setMessage(e.target.value)}
            aria-describedby={errors.byField.message ? "message-hint message-error" : "message-hint"}
            aria-invalid={errors.byField.message ? true : undefined}
          />
        </div>
        <button className="button button-primary" type="submit" disabled={busy}>
          {t("contact.submit")}
        </button>
      </form>
      <BackToSignIn />
    </div>
  );
}
