import { useState, type FormEvent, type ReactNode } from "react";

import { ErrorSummary } from "../components/ErrorSummary";
import { Field } from "../components/Field";
import { useFormErrors } from "../context";
import { useI18n } from "../i18n";
import { checkFields, type FieldRules } from "../rules";
import { navigate, PATHS } from "../router";
import { BackToSignIn } from "./BackToSignIn";

interface SetPasswordPageProps {
  title: string;
  intro: string;
  submitLabel: string;
  /** The page's own fields, by id, with the labels the error summary names them by. */
  labels: Record<string, string>;
  /** The page's own fields, shown above the password with the API's error at each. */
  fields: (errors: Record<string, string>) => ReactNode;
  /** The rules of the body sent (src/api/rules.ts): the password is checked by them before it is sent. */
  rules: FieldRules;
  send: (password: string) => Promise<{ username: string }>;
  onDone: (username: string) => void;
}

/**
 * A first step without an account yet: prove who you are with a code that came by post or e-mail, choose a
 * password, then sign in. Activation and invitations differ only in the code they ask for.
 */
export function SetPasswordPage({ title, intro, submitLabel, labels, fields, rules, send, onDone }: SetPasswordPageProps) {
  const { t, language } = useI18n();
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState(false);
  const errors = useFormErrors({ ...labels, password: t("field.password") });

  async function submit(e: FormEvent) {
    e.preventDefault();
    errors.clear();
    // The user pool's policy, as the API states it: a password it would refuse is not sent.
    const broken = checkFields({ password }, rules, language).password;
    if (broken) {
      errors.setLocal([{ field: "password", message: broken, label: t("field.password") }]);
      return;
    }
    setBusy(true);
    try {
      const done = await send(password);
      onDone(done.username);
      navigate(PATHS.signIn);
    } catch (error) {
      errors.show(error);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div>
      <h1>{title}</h1>
      <p>{intro}</p>
      <ErrorSummary items={errors.summary} />
      <form onSubmit={submit} noValidate>
        {fields(errors.byField)}
        <Field
          id="password"
          label={t("field.password")}
          hint={t("field.passwordHint")}
          type="password"
          value={password}
          onChange={setPassword}
          autoComplete="new-password"
          error={errors.byField.password}
        />
        <button className="button button-primary" type="submit" disabled={busy}>
          {submitLabel}
        </button>
      </form>
      <BackToSignIn />
    </div>
  );
}
