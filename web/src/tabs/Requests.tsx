import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState, type FormEvent } from "react";

import { unwrap, type Schemas } from "../api/client";
import { ConfirmModal } from "../components/ConfirmModal";
import { ListState } from "../components/ListState";
import { Notice } from "../components/Notice";
import { Outcome } from "../components/Outcome";
import { Table } from "../components/Table";
import { useServices } from "../context";
import { formatDateTime } from "../format";
import { problemText, useI18n } from "../i18n";
import { asProblem } from "../problems";
import { useRenewalRequests } from "./requestCount";

type Request = Schemas["RenewalRequest"];

function DeclineDialog({ request, busy, onDecline, onClose }: { request: Request; busy: boolean; onDecline: (reason: string) => void; onClose: () => void }) {
  const { t } = useI18n();
  const [reason, setReason] = useState("");
  const [missing, setMissing] = useState(false);
  const reasonRef = useRef<HTMLTextAreaElement>(null);
  useEffect(() => {
    // The reason is what the dialog is for: start there, after the dialog has placed its own focus.
    const timer = window.setTimeout(() => reasonRef.current?.focus(), 0);
    return () => window.clearTimeout(timer);
  }, []);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!reason.trim()) {
      setMissing(true);
      reasonRef.current?.focus();
      return;
    }
    onDecline(reason.trim());
  };
  return (
    <ConfirmModal title={t("requests.declineTitle")} confirmLabel={t("requests.decline")} tone="primary" busy={busy} form="decline-form" onClose={onClose}>
      <form id="decline-form" onSubmit={submit} noValidate>
        <p>{t("requests.declineIntro").replace("{name}", `${request.first_name} ${request.last_name}`)}</p>
        <div className={`form-group${missing ? " form-error" : ""}`}>
          <label className="form-label" htmlFor="decline-reason">
            {t("requests.reason")}
          </label>
          {missing ? (
            <span className="form-error-message" id="decline-reason-error">
              <span className="sr-only">Fejl: </span>
              {t("requests.reasonRequired")}
            </span>
          ) : null}
          <textarea
            ref={reasonRef}
            className="form-input"
            id="decline-reason"
            rows={4}
            maxLength={500}
            value={reason}
            aria-invalid={missing ? true : undefined}
            aria-describedby={missing ? "decline-reason-error" : undefined}
            onChange={(e) => {
              setReason(e.target.value);
              setMissing(false);
            }}
          />
        </div>
      </form>
    </ConfirmModal>
  );
}

/** The tab "Anmodninger": representatives asking for a new code; Opdater renews it, Afvis declines with a reason. */
export function RequestsTab() {
  const { api, session } = useServices();
  const { t, language } = useI18n();
  const queryClient = useQueryClient();
  const requests = useRenewalRequests(true);
  const [declining, setDeclining] = useState<Request | null>(null);
  const [said, setSaid] = useState<{ kind: "success" | "error"; text: string; n: number } | null>(null);
  const say = (kind: "success" | "error", text: string) => setSaid((before) => ({ kind, text, n: (before?.n ?? 0) + 1 }));
  const explain = (error: unknown) => {
    const problem = asProblem(error);
    say("error", problem.status === 0 ? t("common.networkError") : problemText(language, problem.slug, problem.problem.detail));
  };
  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: ["renewal-requests"] });
    void queryClient.invalidateQueries({ queryKey: ["codes"] });
  };
  const renew = useMutation({
    mutationFn: (request: Request) =>
      unwrap(session, () => api.POST("/v1/codes/{code_id}/renew", { params: { path: { code_id: request.code_id } } })),
    onSuccess: (code) => {
      say("success", t("requests.renewed").replace("{name}", `${code.first_name} ${code.last_name}`));
      refresh();
    },
    onError: (error) => {
      explain(error);
      refresh();
    },
  });
  const decline = useMutation({
    mutationFn: ({ request, reason }: { request: Request; reason: string }) =>
      unwrap(session, () =>
        api.POST("/v1/renewal-requests/{request_id}/decline", { params: { path: { request_id: request.request_id } }, body: { reason } }),
      ),
    onSuccess: (request) => {
      setDeclining(null);
      say("success", t("requests.declined").replace("{name}", `${request.first_name} ${request.last_name}`));
      refresh();
    },
    onError: (error) => {
      setDeclining(null);
      explain(error);
      refresh();
    },
  });
  const items = requests.data?.items ?? [];
  return (
    <section aria-labelledby="requests-heading">
      <h2 id="requests-heading">{t("requests.title")}</h2>
      <p>{t("requests.intro")}</p>
      <Notice kind="info">
        <p className="alert-text">{t("requests.renewMail")}</p>
      </Notice>
      {said ? (
        <Outcome key={said.n} kind={said.kind} said={said.text}>
          <p className="alert-text">{said.text}</p>
        </Outcome>
      ) : null}
      <ListState query={requests} empty={t("requests.empty")}>
        <Table
          caption={t("requests.title")}
          columns={[t("codes.representative"), t("field.email"), t("codes.account"), t("codes.expires"), t("requests.asked"), t("requests.note"), t("common.actions")]}
        >
          {items.map((request) => {
            const who = `${request.first_name} ${request.last_name}`;
            return (
              <tr key={request.request_id}>
                <td className="card-lead">{who}</td>
                <td>{request.email}</td>
                <td>{request.account}</td>
                <td>{formatDateTime(request.expires_at, language)}</td>
                <td>{formatDateTime(request.requested_at, language)}</td>
                <td>
                  {request.note ? (
                    <figure className="request-note">
                      <figcaption>{t("requests.wrote").replace("{name}", request.first_name)}</figcaption>
                      <blockquote>{request.note}</blockquote>
                    </figure>
                  ) : (
                    t("common.none")
                  )}
                </td>
                <td className="table-actions card-lead">
                  <button
                    type="button"
                    className="button button-primary button-small"
                    aria-label={`${t("codes.renew")}: ${who}`}
                    disabled={renew.isPending}
                    onClick={() => {
                      setSaid(null);
                      renew.mutate(request);
                    }}
                  >
                    {t("codes.renew")}
                  </button>{" "}
                  <button
                    type="button"
                    className="button button-secondary button-small"
                    aria-label={`${t("requests.decline")}: ${who}`}
                    onClick={() => {
                      setSaid(null);
                      setDeclining(request);
                    }}
                  >
                    {t("requests.decline")}
                  </button>
                </td>
              </tr>
            );
          })}
        </Table>
      </ListState>
      {declining ? (
        <DeclineDialog
          request={declining}
          busy={decline.isPending}
          onDecline={(reason) => decline.mutate({ request: declining, reason })}
          onClose={() => setDeclining(null)}
        />
      ) : null}
    </section>
  );
}
