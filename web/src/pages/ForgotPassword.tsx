import { useState, type FormEvent } from "react";

import { SignInError } from "../auth";
import { ErrorSummary, type SummaryItem } from "../components/ErrorSummary";
import { Field } from "../components/Field";
import { Notice } from "../components/Notice";
import { useServices } from "../context";
import { useI18n, type MessageKey } from "../i18n";
import { navigate, PATHS } from "../router";
import { BackToSignIn } from "./BackToSignIn";

const TOO_MANY: Record<string, { field: string; key: MessageKey }> = Object.fromEntries(
  ["LimitExceededException", "TooManyFailedAttemptsException", "TooManyRequestsException"].map((name) => [
    name,
    { field: "forgot-username", key: "forgot.tooMany" },
  ]),
);

/** Cognito's refusals of the code and the new password, in our words; anything else is one general text. */
const REFUSALS: Record<string, { field: string; key: MessageKey }> = {
  CodeMismatchException: { field: "forgot-code", key: "forgot.wrongCode" },
  ExpiredCodeException: { field: "forgot-code", key: "forgot.expiredCode" },
  InvalidPasswordException: { field: "forgot-password", key: "forgot.weakPassword" },
  InvalidParameterException: { field: "forgot-password", key: "forgot.weakPassword" },
  LimitExceededException: { field: "forgot-code", key: "forgot.tooMany" },
  TooManyFailedAttemptsException: { field: "forgot-code", key: "forgot.tooMany" },
  TooManyRequestsException: { field: "forgot-code", key: "forgot.tooMany" },
};

/**
 * Glemt adgangskode?: the username or the e-mail address (the API finds the login by it: the pool has no
 * e-mail alias, docs/console.md says why), then the code Cognito mails and a new password. The
 * first step's answer is the same whether the name exists or not, so a stranger learns nothing from it. The
 * second factor is untouched: the next sign-in asks for it as always.
 */
export function ForgotPassword({ onDone }: { onDone: (username: string, notice: string) => void }) {
  const { session } = useServices();
  const { t } = useI18n();
  const [username, setUsername] = useState(session.username ?? "");
  const [asked, setAsked] = useState(false);
  const [code, setCode] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<SummaryItem | null>(null);
  const [busy, setBusy] = useState(false);

  /** What to say about a refusal, at `field` unless it concerns another field of the form. */
  function failure(e: unknown, field: string, known: Record<string, { field: string; key: MessageKey }>): SummaryItem {
    if (e instanceof SignInError && /fetch|network/i.test(e.message)) return { field, message: t("common.networkError") };
    const refusal = e instanceof SignInError ? known[e.code] : undefined;
    return refusal ? { field: refusal.field, message: t(refusal.key) } : { field, message: t("forgot.failed") };
  }

  async function ask(e: FormEvent) {
    e.preventDefault();
    if (!username.trim()) {
      setError({ field: "forgot-username", message: t("emailsignin.forgotMissing") });
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await session.forgotPassword(username.trim());
      setAsked(true);
    } catch (err) {
      // A name Cognito does not know is answered as if it did (the pool hides existence), so only trying too
      // often is told apart here; every other refusal gets the same general words, never about the name.
      setError(failure(err, "forgot-username", TOO_MANY));
    } finally {
      setBusy(false);
    }
  }

  async function confirm(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await session.confirmForgotPassword(username.trim(), code.replace(/\s/g, ""), password);
      onDone(username.trim(), t("forgot.done"));
      navigate(PATHS.signIn);
    } catch (err) {
      setError(failure(err, "forgot-code", REFUSALS));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div>
      <h1>{t("forgot.title")}</h1>
      <ErrorSummary items={error ? [error] : []} />
      {!asked ? (
        <form onSubmit={ask} noValidate>
          <p>{t("emailsignin.forgotIntro")}</p>
          <Field
            id="forgot-username"
            label={t("forgot.name")}
            hint={t("emailsignin.hint")}
            value={username}
            onChange={setUsername}
            autoComplete="username"
            required
            error={error?.field === "forgot-username" ? error.message : undefined}
          />
          <button className="button button-primary" type="submit" disabled={busy}>
            {t("forgot.send")}
          </button>
        </form>
      ) : (
        <form onSubmit={confirm} noValidate>
          <Notice kind="info">
            <p className="alert-text">{t("emailsignin.forgotSent")}</p>
          </Notice>
          <Field
            id="forgot-code"
            label={t("forgot.code")}
            value={code}
            onChange={setCode}
            autoComplete="one-time-code"
            inputMode="numeric"
            autoFocus
            required
            error={error?.field === "forgot-code" ? error.message : undefined}
          />
          <Field
            id="forgot-password"
            label={t("password.new")}
            hint={t("field.passwordHint")}
            type="password"
            value={password}
            onChange={setPassword}
            autoComplete="new-password"
            required
            error={error?.field === "forgot-password" ? error.message : undefined}
          />
          <button className="button button-primary" type="submit" disabled={busy}>
            {t("forgot.submit")}
          </button>
        </form>
      )}
      <BackToSignIn />
    </div>
  );
}
