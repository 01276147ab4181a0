import { useState, type FormEvent } from "react";

import { unwrap } from "../api/client";
import { ErrorSummary } from "../components/ErrorSummary";
import { Field } from "../components/Field";
import { useFormErrors, useServices } from "../context";
import { useI18n } from "../i18n";
import { navigate, PATHS } from "../router";
import { BackToSignIn } from "./BackToSignIn";

/** Activation: the username and activation code from the letter, and a new password. */
export function Activate({ onActivated }: { onActivated: (username: string, notice: string) => void }) {
  const { api, session } = useServices();
  const { t } = useI18n();
  const [username, setUsername] = useState("");
  const [code, setCode] = useState("");
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState(false);
  const errors = useFormErrors({
    username: t("signin.username"),
    activation_code: t("activate.code"),
    password: t("field.password"),
  });

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    errors.clear();
    try {
      const done = await unwrap(session, () =>
        api.POST("/v1/activations", {
          body: { username: username.trim(), activation_code: code.trim(), password },
        }),
      );
      onActivated(done.username, t("activate.done"));
      navigate(PATHS.signIn);
    } catch (error) {
      errors.show(error);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div>
      <h1>{t("activate.title")}</h1>
      <p>{t("activate.intro")}</p>
      <ErrorSummary items={errors.summary} />
      <form onSubmit={submit} noValidate>
        <Field id="username" label={t("signin.username")} value={username} onChange={setUsername} autoComplete="username" error={errors.byField.username} />
        <Field id="activation_code" label={t("activate.code")} value={code} onChange={setCode} autoComplete="off" error={errors.byField.activation_code} />
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
          {t("activate.submit")}
        </button>
      </form>
      <BackToSignIn />
    </div>
  );
}
