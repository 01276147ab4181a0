// Tilbagesendelsesadresser: where the vendor's hosted checks may send the representative's browser back. One
// origin a line (https://shop.example); the API decides what an origin is and says so field by field.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState, type FormEvent } from "react";

import { unwrap } from "../api/client";
import { ErrorSummary } from "../components/ErrorSummary";
import { Notice } from "../components/Notice";
import { Outcome } from "../components/Outcome";
import { useFormErrors, useServices } from "../context";
import { useI18n } from "../i18n";

const ORIGINS = ["vendor-redirect-origins"];

/** The section of Leverandør that registers the hosted check's return addresses. */
export function RedirectOrigins() {
  const { api, session } = useServices();
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const [text, setText] = useState("");
  const [saved, setSaved] = useState<string | null>(null);
  const errors = useFormErrors({ origins: t("origins.label") }, "redirect-");
  const origins = useQuery({
    queryKey: ORIGINS,
    queryFn: () => unwrap(session, () => api.GET("/v1/vendor/redirect-origins")),
  });
  useEffect(() => {
    if (origins.data) setText(origins.data.origins.join("\n"));
  }, [origins.data]);
  const save = useMutation({
    mutationFn: (list: string[]) => unwrap(session, () => api.PUT("/v1/vendor/redirect-origins", { body: { origins: list } })),
    onSuccess: (answer) => {
      setSaved(t("origins.saved"));
      queryClient.setQueryData(ORIGINS, answer);
    },
    onError: errors.show,
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    errors.clear();
    setSaved(null);
    save.mutate(
      text
        .split("\n")
        .map((line) => line.trim())
        .filter(Boolean),
    );
  };
  const error = errors.byField["origins"];
  return (
    <section aria-labelledby="origins-heading">
      <h2 id="origins-heading">{t("origins.title")}</h2>
      <p>{t("origins.intro")}</p>
      {saved ? (
        <Outcome said={saved}>
          <p className="alert-text">{saved}</p>
        </Outcome>
      ) : null}
      {origins.isPending ? <p role="status">{t("common.loading")}</p> : null}
      {origins.isError ? (
        <Notice kind="error">
          <p className="alert-text">{t("list.failedText")}</p>
        </Notice>
      ) : null}
      {origins.isSuccess ? (
        <form onSubmit={submit} noValidate aria-labelledby="origins-heading">
          <ErrorSummary items={errors.summary} />
          <div className={`form-group${error ? " form-error" : ""}`}>
            <label className="form-label" htmlFor="redirect-origins">
              {t("origins.label")}
            </label>
            <span className="form-hint" id="redirect-origins-hint">
              {t("origins.hint")}
            </span>
            {error ? (
              <span className="form-error-message" id="redirect-origins-error">
                <span className="sr-only">{t("origins.errorPrefix")} </span>
                {error}
              </span>
            ) : null}
            <textarea
              className="form-input"
              id="redirect-origins"
              name="redirect-origins"
              rows={3}
              aria-describedby={error ? "redirect-origins-hint redirect-origins-error" : "redirect-origins-hint"}
              value={text}
              onChange={(e) => setText(e.target.value)}
            />
          </div>
          <button type="submit" className="button button-primary" disabled={save.isPending}>
            {t("origins.save")}
          </button>
        </form>
      ) : null}
    </section>
  );
}
