// Kontrol af godkendelseskode: a vendor sent the representative here (`/kontrol#<check id>`) so that Godkend,
// not the vendor, asks for the code. The page shows whom the check is for, takes the code, shows which
// organisation it is for, and on Bekræft sends the browser back to the vendor with the signed receipt. The API
// decides everything (chalicelib/services/vendors/hosted_checks.py); the page explains.
import { useEffect, useState, type FormEvent } from "react";

import { unwrap, type Schemas } from "../api/client";
import { Field } from "../components/Field";
import { Notice } from "../components/Notice";
import { useServices } from "../context";
import { formatDateTime } from "../format";
import { useI18n, type MessageKey } from "../i18n";
import { asProblem } from "../problems";
import { fragmentTakenOnce, useLinkProblemText } from "./fragment";

type PageCheck = Schemas["PageCheck"];
type Preview = Schemas["Preview"];

// The check's id, taken once from the address's fragment and then removed from the address bar, so that it is
// not left in the history or a bookmark. Kept for the page's life.
const takeCheckId = fragmentTakenOnce();

const REASONS: Record<string, MessageKey> = {
  unknown: "check.reason.unknown",
  expired: "check.reason.expired",
  revoked: "check.reason.revoked",
  organisation_not_approved: "check.reason.organisation_not_approved",
};

type State =
  | { kind: "loading" }
  | { kind: "unusable"; text: string }
  | { kind: "ready"; check: PageCheck }
  | { kind: "shown"; check: PageCheck; preview: Preview }
  | { kind: "leaving"; check: PageCheck };

/** The representative's page of a vendor's hosted check. */
export function HostedCheck() {
  const { api, session } = useServices();
  const { t, language } = useI18n();
  const [checkId] = useState(() => takeCheckId().trim());
  const [state, setState] = useState<State>({ kind: "loading" });
  const [code, setCode] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  // A check closed after too many codes that were not valid is said as such: the person must start again at
  // the vendor's, and another try here would not help.
  const linkProblem = useLinkProblemText("check.unusable", "check.tooMany");
  const explain = (failure: unknown): string =>
    asProblem(failure).slug === "check-closed" ? t("check.closed") : linkProblem(failure);
  // A check that is gone (used, expired, unknown) ends the page; anything else is said above the form.
  const fail = (failure: unknown): void => {
    const text = explain(failure);
    if (asProblem(failure).status === 404) setState({ kind: "unusable", text });
    else setError(text);
  };
  const reasonText = (reason: string | null | undefined): string => t(REASONS[reason ?? "unknown"] ?? "check.reason.unknown");

  useEffect(() => {
    if (!checkId) {
      setState({ kind: "unusable", text: t("check.unusable") });
      return;
    }
    unwrap(session, () => api.POST("/v1/hosted-check", { body: { check_id: checkId } })).then(
      (check) => setState({ kind: "ready", check }),
      (failure: unknown) => setState({ kind: "unusable", text: explain(failure) }),
    );
    // eslint-disable-next-line react-hooks/exhaustive-deps -- once, for the check the page was opened with
  }, [checkId]);

  async function show(e: FormEvent) {
    e.preventDefault();
    if (state.kind !== "ready") return;
    if (!code.trim()) {
      setError(t("check.codeRequired"));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const preview = await unwrap(session, () => api.POST("/v1/hosted-check/code", { body: { check_id: checkId, code } }));
      if (preview.valid) setState({ kind: "shown", check: state.check, preview });
      else setError(reasonText(preview.reason));
    } catch (failure) {
      fail(failure);
    } finally {
      setBusy(false);
    }
  }

  async function confirm() {
    if (state.kind !== "shown") return;
    setBusy(true);
    setError(null);
    try {
      const answer = await unwrap(session, () => api.POST("/v1/hosted-check/confirm", { body: { check_id: checkId, code } }));
      if (answer.valid && answer.redirect_to) {
        setState({ kind: "leaving", check: state.check });
        window.location.assign(answer.redirect_to);
        return;
      }
      setState({ kind: "ready", check: state.check });
      setError(reasonText(answer.reason));
    } catch (failure) {
      fail(failure);
    } finally {
      setBusy(false);
    }
  }

  const check = state.kind === "ready" || state.kind === "shown" || state.kind === "leaving" ? state.check : null;
  return (
    <section aria-labelledby="check-heading">
      <h1 id="check-heading">{t("check.title")}</h1>
      {state.kind === "loading" ? <p role="status">{t("common.loading")}</p> : null}
      {state.kind === "unusable" ? (
        <Notice kind="error">
          <p className="alert-text">{state.text}</p>
        </Notice>
      ) : null}
      {check ? (
        <p className="font-lead">
          {t("check.intro")
            .replace("{vendor}", check.vendor_name)
            .replace("{when}", formatDateTime(check.expires_at, language))}
        </p>
      ) : null}
      {check && !check.livemode ? (
        <Notice kind="info">
          <p className="alert-text">{t("check.testMode")}</p>
        </Notice>
      ) : null}
      {error ? (
        <Notice kind="error">
          <p className="alert-text">{error}</p>
        </Notice>
      ) : null}
      {state.kind === "ready" ? (
        <form onSubmit={(e) => void show(e)} noValidate>
          <Field
            id="check-code"
            label={t("check.code")}
            hint={t("check.codeHint")}
            value={code}
            onChange={setCode}
            autoComplete="off"
            spellCheck={false}
            maxLength={100}
          />
          <button className="button button-primary" type="submit" disabled={busy}>
            {t("check.show")}
          </button>
        </form>
      ) : null}
      {state.kind === "shown" ? (
        <>
          <h2>{t("check.confirmTitle")}</h2>
          <dl>
            <dt>{t("check.organisation")}</dt>
            <dd>{state.preview.organisation?.name}</dd>
            <dt>{t("check.representative")}</dt>
            <dd>
              {state.preview.representative?.first_name} {state.preview.representative?.last_name}
            </dd>
            <dt>{t("check.vendor")}</dt>
            <dd>{state.check.vendor_name}</dd>
          </dl>
          <p>{t("check.confirmText").replace("{vendor}", state.check.vendor_name)}</p>
          <button className="button button-primary" type="button" disabled={busy} onClick={() => void confirm()}>
            {t("check.confirm")}
          </button>{" "}
          <button
            className="button button-secondary"
            type="button"
            disabled={busy}
            onClick={() => {
              setError(null);
              setState({ kind: "ready", check: state.check });
            }}
          >
            {t("common.back")}
          </button>
        </>
      ) : null}
      {state.kind === "leaving" ? <p role="status">{t("check.leaving").replace("{vendor}", state.check.vendor_name)}</p> : null}
    </section>
  );
}
