// API-reference (/docs): the API's OpenAPI document, as the API serves it at /openapi.json, rendered by
// Swagger UI inside the console's frame. The document is fetched when the page opens, not bundled: it is the
// deployed API's own, so the reference says what the API that vendors call does, even when the console was
// built before the API's last release. The renderer (src/reference/renderer.ts) and its stylesheet come with
// this page only.
import { useCallback, useEffect, useRef, useState } from "react";

import { Notice } from "../components/Notice";
import { useServices } from "../context";
import { useI18n } from "../i18n";

type State = "loading" | "shown" | "failed";

export function ApiReference() {
  const { config } = useServices();
  const { t } = useI18n();
  const node = useRef<HTMLDivElement>(null);
  const [state, setState] = useState<State>("loading");
  const [attempt, setAttempt] = useState(0);
  const documentUrl = `${config.api_url}/openapi.json`;

  useEffect(() => {
    let current = true;
    setState("loading");
    Promise.all([
      fetch(documentUrl, { headers: { Accept: "application/json" } }).then((answer) => {
        if (!answer.ok) throw new Error(`openapi.json: ${answer.status}`);
        return answer.json() as Promise<object>;
      }),
      import("../reference/renderer"),
    ]).then(
      ([spec, { renderReference }]) => {
        if (!current || !node.current) return;
        node.current.replaceChildren();
        renderReference(node.current, spec);
        setState("shown");
      },
      () => {
        if (current) setState("failed");
      },
    );
    return () => {
      current = false;
    };
  }, [documentUrl, attempt]);

  const retry = useCallback(() => setAttempt((n) => n + 1), []);

  return (
    <div className="api-reference">
      <h1>{t("apiref.title")}</h1>
      <p>{t("apiref.intro")}</p>
      <p>
        <a href={documentUrl}>{t("apiref.document")}</a>
      </p>
      {state === "loading" ? <p role="status">{t("common.loading")}</p> : null}
      {state === "failed" ? (
        <Notice kind="error">
          <p className="alert-text">{t("apiref.failed")}</p>
          <button type="button" className="button button-secondary" onClick={retry}>
            {t("apiref.retry")}
          </button>
        </Notice>
      ) : null}
      {/* Swagger UI's own words are English, as the API's are: said so to a screen reader. */}
      <div ref={node} lang="en" hidden={state !== "shown"} />
    </div>
  );
}
