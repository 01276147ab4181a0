import QRCode from "qrcode";
import { useEffect, useState, type FormEvent } from "react";

import { unwrap } from "../api/client";
import { ErrorSummary } from "../components/ErrorSummary";
import { useServices } from "../context";
import { useI18n, problemText } from "../i18n";
import { asProblem } from "../problems";
import { OneTimeCodeField } from "./OneTimeCodeField";

export function otpauthUri(secret: string, account: string): string {
  const label = encodeURIComponent(`Godkend:${account}`);
  return `otpauth://totp/${label}?secret=${encodeURIComponent(secret)}&issuer=Godkend`;
}

interface EnrolProps {
  /** Set when Cognito itself asked (MFA_SETUP); otherwise the signed-in person enrols through the API. */
  cognitoStep: { session: string; username: string } | null;
  /** `signInAfterMs`: when enrolled through the API, which ended every session, how long until a new
   * sign-in is accepted. */
  onDone: (signedIn: boolean, signInAfterMs?: number) => void;
}

/** First sign-in: set up the authenticator app with a QR code, confirmed with a code it shows. */
export function Enrol({ cognitoStep, onDone }: EnrolProps) {
  const { api, session } = useServices();
  const { t, language } = useI18n();
  const [secret, setSecret] = useState<string | null>(null);
  const [uri, setUri] = useState<string | null>(null);
  const [setupSession, setSetupSession] = useState<string | null>(null);
  const [svg, setSvg] = useState<string>("");
  const [code, setCode] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let cancelled = false;
    async function start() {
      try {
        if (cognitoStep) {
          const started = await session.startMfaSetup(cognitoStep);
          if (cancelled) return;
          setSecret(started.secret);
          setSetupSession(started.session);
          setUri(otpauthUri(started.secret, cognitoStep.username));
        } else {
          const started = await unwrap(session, () => api.POST("/v1/me/second-factor/authenticator"));
          if (cancelled) return;
          setSecret(started.secret_code);
          setUri(started.otpauth_uri);
        }
      } catch (e) {
        const problem = asProblem(e);
        if (!cancelled) setError(problemText(language, problem.slug, problem.problem.detail || problem.message));
      }
    }
    void start();
    return () => {
      cancelled = true;
    };
  }, [api, session, cognitoStep, language]);

  useEffect(() => {
    if (uri) void QRCode.toString(uri, { type: "svg", margin: 1, width: 200 }).then(setSvg);
  }, [uri]);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const digits = code.replace(/\s/g, "");
    try {
      if (cognitoStep && setupSession) {
        await session.finishMfaSetup(setupSession, cognitoStep.username, digits);
        onDone(true);
      } else {
        const done = await unwrap(session, () =>
          api.POST("/v1/me/second-factor/authenticator/verify", { body: { code: digits } }),
        );
        onDone(false, done.sign_in_after_ms);
      }
    } catch {
      setError(t("signin.wrongOtp"));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div>
      <h1>{t("enrol.title")}</h1>
      <p>{t("enrol.intro")}</p>
      <ErrorSummary items={error ? [{ field: "enrol-code", message: error }] : []} />
      {svg ? (
        <div className="qr" role="img" aria-label={t("enrol.qr")} dangerouslySetInnerHTML={{ __html: svg }} />
      ) : null}
      {secret ? (
        <div className="form-group">
          <label className="form-label" htmlFor="enrol-secret">
            {t("enrol.secret")}
          </label>
          <input className="form-input" id="enrol-secret" readOnly value={secret} />
        </div>
      ) : (
        <p>{t("common.loading")}</p>
      )}
      <form onSubmit={submit} noValidate>
        <OneTimeCodeField id="enrol-code" value={code} onChange={setCode} error={error ?? undefined} />
        <button className="button button-primary" type="submit" disabled={busy || !secret}>
          {t("enrol.submit")}
        </button>
      </form>
    </div>
  );
}
