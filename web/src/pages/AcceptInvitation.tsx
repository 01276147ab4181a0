import { useState, type FormEvent } from "react";

import { unwrap } from "../api/client";
import { ErrorSummary } from "../components/ErrorSummary";
import { Field } from "../components/Field";
import { useFormErrors, useServices } from "../context";
import { useI18n } from "../i18n";
import { navigate, PATHS } from "../router";
import { BackToSignIn } from "./BackToSignIn";

/** A new colleague's first step: the invitation code from the e-mail, and a password. */
export function AcceptInvitation({ onAccepted }: { onAccepted: (username: string, notice: string) => void }) {
  const { api, session } = useServices();
  const { t } = useI18n();
  const [token, setToken] = useState("");
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState(false);
  const errors = useFormErrors({ token: t("invite.code"), password: t("field.password") });

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    errors.clear();
    try {
      const done = await unwrap(session, () =>
        api.POST("/v1/invitations/accept", { body: { token: token.trim(), password } }),
      );
      onAccepted(done.username, t("invite.done"));
      navigate(PATHS.signIn);
    } catch (error) {
      errors.show(error);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div>
      <h1>{t("invite.title")}</h1>
      <p>{t("invite.intro")}</p>
      <ErrorSummary items={errors.summary} />
      <form onSubmit={submit} noValidate>
        <Field id="token" label={t("invite.code")} value={token} onChange={setToken} autoComplete="off" error={errors.byField.token} />
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
          {t("invite.submit")}
        </button>
      </form>
      <BackToSignIn />
    </div>
  );
}
