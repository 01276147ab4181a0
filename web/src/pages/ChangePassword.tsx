import { useState, type FormEvent } from "react";

import { unwrap } from "../api/client";
import { ErrorSummary } from "../components/ErrorSummary";
import { Field } from "../components/Field";
import { useFormErrors, useServices } from "../context";
import { PasswordChange } from "../api/rules";
import { useI18n } from "../i18n";
import { checkFields } from "../rules";
import { asProblem } from "../problems";
import { navigate, PATHS } from "../router";

interface ChangePasswordProps {
  /** The password is changed and every session ended, this one too; sign in again after `signInAfterMs`. */
  onChanged: (signInAfterMs: number) => void;
}

/**
 * Skift adgangskode: the current password proves the change, then the API ends every session of the login
 * (so a session somebody else holds ends too), and the person signs in again with the new password and
 * their second factor.
 */
export function ChangePassword({ onChanged }: ChangePasswordProps) {
  const { api, session } = useServices();
  const { t, language } = useI18n();
  const [oldPassword, setOldPassword] = useState("");
  const [newPassword, setNewPassword] = useState("");
  const [repeated, setRepeated] = useState("");
  const [busy, setBusy] = useState(false);
  const errors = useFormErrors({
    old_password: t("password.old"),
    new_password: t("password.new"),
    repeated: t("password.repeat"),
  });

  async function submit(e: FormEvent) {
    e.preventDefault();
    errors.clear();
    // The API's rules for both passwords (the new one by the user pool's policy), before anything is sent.
    const broken = checkFields({ old_password: oldPassword, new_password: newPassword }, PasswordChange, language);
    const local = [
      ...(broken.old_password ? [{ field: "old_password", message: broken.old_password, label: t("password.old") }] : []),
      ...(broken.new_password ? [{ field: "new_password", message: broken.new_password, label: t("password.new") }] : []),
      ...(newPassword && repeated !== newPassword ? [{ field: "repeated", message: t("password.mismatch") }] : []),
    ];
    if (local.length > 0) {
      errors.setLocal(local);
      return;
    }
    setBusy(true);
    try {
      const ended = await unwrap(session, () =>
        api.POST("/v1/me/password", { body: { old_password: oldPassword, new_password: newPassword } }),
      );
      onChanged(ended.sign_in_after_ms);
    } catch (error) {
      if (asProblem(error).status === 429) errors.setLocal([{ message: t("password.tooMany") }]);
      else errors.show(error);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div>
      <h1>{t("password.title")}</h1>
      <p>{t("password.intro")}</p>
      <ErrorSummary items={errors.summary} />
      <form onSubmit={submit} noValidate>
        <Field
          id="old_password"
          label={t("password.old")}
          type="password"
          value={oldPassword}
          onChange={setOldPassword}
          autoComplete="current-password"
          error={errors.byField.old_password}
        />
        <Field
          id="new_password"
          label={t("password.new")}
          hint={t("field.passwordHint")}
          type="password"
          value={newPassword}
          onChange={setNewPassword}
          autoComplete="new-password"
          error={errors.byField.new_password}
        />
        <Field
          id="repeated"
          label={t("password.repeat")}
          type="password"
          value={repeated}
          onChange={setRepeated}
          autoComplete="new-password"
          error={errors.byField.repeated}
        />
        <button className="button button-primary" type="submit" disabled={busy}>
          {t("password.submit")}
        </button>
      </form>
      <p className="mt-6">
        <a
          href={PATHS.account}
          className="function-link"
          onClick={(e) => {
            e.preventDefault();
            navigate(PATHS.account);
          }}
        >
          {t("password.back")}
        </a>
      </p>
    </div>
  );
}
