import { useEffect, useState, type FormEvent } from "react";

import { unwrap, type Schemas } from "../api/client";
import { Notice } from "../components/Notice";
import { Outcome } from "../components/Outcome";
import { useServices } from "../context";
import { formatDateTime } from "../format";
import { useI18n } from "../i18n";
import { fragmentTakenOnce, useLinkProblemText } from "./fragment";

type Preview = Schemas["RenewalRequestPreview"];
const NOTE_MAX = 500;

// The link's secret, taken once from the address's fragment and then removed from the address bar, so that it
// is not left in the history, a bookmark or a screenshot.
const takeToken = fragmentTakenOnce();

type State =
  | { kind: "loading" }
  | { kind: "unusable"; text: string }
  | { kind: "ready"; preview: Preview }
  | { kind: "sent"; preview: Preview };

/** Bed om en ny kode: a representative, from the link in their mail, asks the organisation for a new code. */
export function RenewalRequest() {
  const { api, session } = useServices();
  const { t, language } = useI18n();
  const [token] = useState(takeToken);
  const [state, setState] = useState<State>({ kind: "loading" });
  const [note, setNote] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const explain = useLinkProblemText("renewal.unusable", "renewal.tooMany");

  useEffect(() => {
    if (!token) {
      setState({ kind: "unusable", text: t("renewal.unusable") });
      return;
    }
    unwrap(session, () => api.POST("/v1/renewal-requests/preview", { body: { token } })).then(
      (preview) => setState({ kind: "ready", preview }),
      (failure: unknown) => setState({ kind: "unusable", text: explain(failure) }),
    );
    // eslint-disable-next-line react-hooks/exhaustive-deps -- once, for the link the page was opened with
  }, [token]);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (state.kind !== "ready") return;
    setBusy(true);
    setError(null);
    const trimmed = note.trim();
    try {
      await unwrap(session, () => api.POST("/v1/renewal-requests", { body: { token, ...(trimmed ? { note: trimmed } : {}) } }));
      setState({ kind: "sent", preview: state.preview });
    } catch (failure) {
      setError(explain(failure));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section aria-labelledby="renewal-heading">
      <h1 id="renewal-heading">{t("renewal.title")}</h1>
      {state.kind === "loading" ? <p role="status">{t("common.loading")}</p> : null}
      {state.kind === "unusable" ? (
        <Notice kind="error">
          <p className="alert-text">{state.text}</p>
        </Notice>
      ) : null}
      {state.kind === "sent" ? (
        <Outcome said="sent">
          <p className="alert-text">{t("renewal.sent").replace("{organisation}", state.preview.organisation_name)}</p>
        </Outcome>
      ) : null}
      {state.kind === "ready" ? (
        <>
          <p>
            {t("renewal.hello").replace("{name}", state.preview.first_name)}{" "}
            {t("renewal.expires")
              .replace("{organisation}", state.preview.organisation_name)
              .replace("{when}", formatDateTime(state.preview.expires_at, language))}
          </p>
          {state.preview.pending ? (
            <Notice kind="info">
              <p className="alert-text">{t("renewal.pending").replace("{organisation}", state.preview.organisation_name)}</p>
            </Notice>
          ) : (
            <form onSubmit={(e) => void submit(e)} noValidate>
              <p>{t("renewal.intro").replace("{organisation}", state.preview.organisation_name)}</p>
              {error ? (
                <Notice kind="error">
                  <p className="alert-text" role="alert">
                    {error}
                  </p>
                </Notice>
              ) : null}
              <div className="form-group">
                <label className="form-label" htmlFor="renewal-note">
                  {t("renewal.note")} {t("common.optional")}
                </label>
                <span className="form-hint" id="renewal-note-hint">
                  {t("renewal.noteHint")}
                </span>
                <textarea
                  className="form-input"
                  id="renewal-note"
                  rows={3}
                  maxLength={NOTE_MAX}
                  aria-describedby="renewal-note-hint"
                  value={note}
                  onChange={(e) => setNote(e.target.value)}
                />
              </div>
              <button className="button button-primary" type="submit" disabled={busy}>
                {t("renewal.submit")}
              </button>
            </form>
          )}
        </>
      ) : null}
    </section>
  );
}
