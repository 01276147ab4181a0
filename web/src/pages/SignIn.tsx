import { useState, type FormEvent } from "react";

import { SignInError, type SignInStep } from "../auth";
import { ErrorSummary } from "../components/ErrorSummary";
import { Field } from "../components/Field";
import { SupportContact } from "../components/Footer";
import { useServices } from "../context";
import { useI18n, type MessageKey } from "../i18n";
import { navigate, PATHS } from "../router";
import { OneTimeCodeField } from "./OneTimeCodeField";

/** The API's refusals of a sign-in with an e-mail address that are not a wrong address or password. */
const SAID_FOR_ADDRESS: Record<string, MessageKey> = {
  SecondFactorMissing: "emailsignin.useUsername",
  SeveralLogins: "emailsignin.severalLogins",
  TooManyRequestsException: "emailsignin.tooMany",
};

interface SignInProps {
  notice?: string | null;
  /** Real Cognito asks for the authenticator to be set up inside the sign-in. */
  onMfaSetup: (step: Extract<SignInStep, { kind: "mfa-setup" }>) => void;
  headingLevel?: 1 | 2;
  showLinks?: boolean;
}

export function SignIn({ notice, onMfaSetup, headingLevel = 1, showLinks = true }: SignInProps) {
  const { session, config } = useServices();
  const { t } = useI18n();
  const [username, setUsername] = useState(session.username ?? "");
  const [password, setPassword] = useState("");
  const [otp, setOtp] = useState("");
  const [otpStep, setOtpStep] = useState<{ session: string; username: string; factor?: "sms" } | null>(null);
  const [error, setError] = useState<{ field?: string; message: string } | null>(null);
  const [busy, setBusy] = useState(false);

  async function run(action: () => Promise<SignInStep>, failure: string, field: string) {
    setBusy(true);
    setError(null);
    try {
      const step = await action();
      if (step.kind === "otp") {
        setOtpStep(step);
        setOtp("");
      } else if (step.kind === "mfa-setup") {
        onMfaSetup(step);
      }
    } catch (e) {
      const network = e instanceof SignInError && /fetch|network/i.test(e.message);
      // With an e-mail address the API says a little more, and only after the password matched.
      const said = e instanceof SignInError ? SAID_FOR_ADDRESS[e.code] : undefined;
      setError({ field, message: network ? t("common.networkError") : said ? t(said) : failure });
    } finally {
      setBusy(false);
    }
  }

  function submitPassword(e: FormEvent) {
    e.preventDefault();
    void run(() => session.signIn(username.trim(), password), t("signin.wrong"), "signin-password");
  }

  function submitOtp(e: FormEvent) {
    e.preventDefault();
    if (!otpStep) return;
    void run(
      () => session.answerOtp(otpStep, otp.replace(/\s/g, "")),
      t(otpStep.factor === "sms" ? "sms.wrongOtp" : "signin.wrongOtp"),
      "signin-otp",
    ).then(() => undefined);
  }

  const Heading = headingLevel === 1 ? "h1" : "h2";
  return (
    <div className="signin">
      <Heading>{t("signin.title")}</Heading>
      {notice ? (
        <div className="alert alert-info" role="status">
          <div className="alert-body">
            <p className="alert-text">{notice}</p>
          </div>
        </div>
      ) : null}
      <ErrorSummary items={error ? [error] : []} />
      {otpStep === null ? (
        <form onSubmit={submitPassword} noValidate>
          <Field
            id="signin-username"
            label={t("signin.username")}
            hint={t("emailsignin.hint")}
            value={username}
            onChange={setUsername}
            autoComplete="username"
            required
          />
          <Field
            id="signin-password"
            label={t("signin.password")}
            type="password"
            value={password}
            onChange={setPassword}
            autoComplete="current-password"
            required
            error={error?.field === "signin-password" ? error.message : undefined}
          />
          {/* Not in the dialog over a page: leaving for another page would lose what was typed there. */}
          {showLinks ? (
            <p>
              <a
                href={PATHS.forgotPassword}
                className="function-link"
                onClick={(e) => {
                  e.preventDefault();
                  session.username = username.trim() || null;
                  navigate(PATHS.forgotPassword);
                }}
              >
                {t("forgot.link")}
              </a>
            </p>
          ) : null}
          <button className="button button-primary" type="submit" disabled={busy}>
            {t("signin.submit")}
          </button>
        </form>
      ) : (
        <form onSubmit={submitOtp} noValidate>
          <OneTimeCodeField
            id="signin-otp"
            value={otp}
            onChange={setOtp}
            autoFocus
            sms={otpStep.factor === "sms"}
            error={error?.field === "signin-otp" ? error.message : undefined}
          />
          <button className="button button-primary" type="submit" disabled={busy}>
            {t("signin.submit")}
          </button>
          {/* No second way in without the factor: only support (or an administrator) can remove the old one. */}
          <details className="details mt-6">
            <summary className="details-summary">
              <span className="details-summary-text">{t(otpStep.factor === "sms" ? "lost.smsLink" : "lost.link")}</span>
            </summary>
            <div className="details-text">
              <p>{t(otpStep.factor === "sms" ? "lost.smsText" : "lost.text")}</p>
              {config.support ? (
                <ul className="nobullet-list">
                  <SupportContact support={config.support} linkClass="function-link" />
                </ul>
              ) : null}
            </div>
          </details>
        </form>
      )}
      {showLinks ? (
        <div className="signin-links">
          <h2 className="h4">{t("signin.noAccess")}</h2>
          <ul className="nobullet-list">
            <li>
              <a href={PATHS.apply} className="function-link" onClick={(e) => { e.preventDefault(); navigate(PATHS.apply); }}>
                {t("signin.apply")}
              </a>
            </li>
            <li>
              <a href={PATHS.activate} className="function-link" onClick={(e) => { e.preventDefault(); navigate(PATHS.activate); }}>
                {t("signin.activate")}
              </a>
            </li>
            <li>
              <a href={PATHS.invitation} className="function-link" onClick={(e) => { e.preventDefault(); navigate(PATHS.invitation); }}>
                {t("signin.invitation")}
              </a>
            </li>
          </ul>
        </div>
      ) : null}
    </div>
  );
}
