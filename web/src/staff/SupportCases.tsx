import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";

import { unwrap, type Schemas } from "../api/client";
import { PageLink } from "../components/Footer";
import { ListState } from "../components/ListState";
import { Notice } from "../components/Notice";
import { Outcome } from "../components/Outcome";
import { Pager, useCursorPages } from "../components/Pager";
import { Table } from "../components/Table";
import { useServices } from "../context";
import { formatDateTime } from "../format";
import { useI18n } from "../i18n";
import { PATHS } from "../router";
import { problemMessage, refresh } from "./problem";

type SupportCase = Schemas["SupportCase"];
type Status = "open" | "closed";

// This tab's words, kept beside it.
const da = {
  title: "Henvendelser",
  show: "Vis",
  open: "Åbne",
  closed: "Lukkede",
  empty: "Ingen sager her.",
  reference: "Sagsnummer",
  received: "Modtaget",
  organisation: "Organisation",
  from: "Fra",
  topic: "Emne",
  view: "Åbn",
  "topic.administrator_left": "Administratoren er stoppet",
  "topic.sign_in": "Kan ikke logge ind",
  "topic.other": "Andet",
  message: "Henvendelsen",
  email: "E-mail",
  cvr: "CVR-nummer",
  linked: "Organisation med dette CVR-nummer",
  noLinked: "Ingen organisation har dette CVR-nummer.",
  toSupport: "Find organisationen og dens logins under Support (søg på CVR-nummeret)",
  answers: "Svar sendt",
  answer: "Svar",
  answerHint: "Sendes på e-mail til afsenderen sammen med sagsnummeret. Afsenderens egen tekst kommer ikke med.",
  send: "Send svar",
  sent: "Svaret er sendt.",
  close: "Luk sagen",
  closedNotice: "Sagen er lukket.",
  closedAt: "Lukket",
  status: "Status",
  "status.open": "Åben",
  "status.closed": "Lukket",
} as const;
type Key = keyof typeof da;
const en: Record<Key, string> = {
  title: "Enquiries",
  show: "Show",
  open: "Open",
  closed: "Closed",
  empty: "No cases here.",
  reference: "Case number",
  received: "Received",
  organisation: "Organisation",
  from: "From",
  topic: "Topic",
  view: "Open",
  "topic.administrator_left": "The administrator has left",
  "topic.sign_in": "Cannot sign in",
  "topic.other": "Other",
  message: "The message",
  email: "E-mail",
  cvr: "CVR number",
  linked: "Organisation with this CVR number",
  noLinked: "No organisation has this CVR number.",
  toSupport: "Find the organisation and its logins under Support (search for the CVR number)",
  answers: "Answers sent",
  answer: "Answer",
  answerHint: "Sent by e-mail to the sender with the case number. The sender's own text is not included.",
  send: "Send answer",
  sent: "The answer has been sent.",
  close: "Close the case",
  closedNotice: "The case is closed.",
  closedAt: "Closed",
  status: "Status",
  "status.open": "Open",
  "status.closed": "Closed",
};

function useText() {
  const { t, language } = useI18n();
  const words = language === "en" ? en : da;
  return { c: (key: Key) => words[key], t, language };
}

function topicLabel(c: (key: Key) => string, topic: string): string {
  if (topic === "administrator_left" || topic === "sign_in" || topic === "other") return c(`topic.${topic}`);
  return topic;
}

function CaseDetail({ caseId }: { caseId: string }) {
  const { api, session } = useServices();
  const { c, t, language } = useText();
  const queryClient = useQueryClient();
  const [text, setText] = useState("");
  const [notice, setNotice] = useState<string | null>(null);
  const found = useQuery({
    queryKey: ["staff-support-case", caseId],
    queryFn: () =>
      unwrap(session, () => api.GET("/v1/staff/support/cases/{case_id}", { params: { path: { case_id: caseId } } })),
  });
  const after = (message: string) => {
    setNotice(message);
    void refresh(queryClient, ["staff-support-case", caseId]);
    void refresh(queryClient, ["staff-support-cases"]);
    void refresh(queryClient, ["staff-audit"]);
  };
  const answer = useMutation({
    mutationFn: (body: string) =>
      unwrap(session, () =>
        api.POST("/v1/staff/support/cases/{case_id}/answer", { params: { path: { case_id: caseId } }, body: { text: body } }),
      ),
    onSuccess: () => {
      setText("");
      after(c("sent"));
    },
  });
  const close = useMutation({
    mutationFn: () =>
      unwrap(session, () => api.POST("/v1/staff/support/cases/{case_id}/close", { params: { path: { case_id: caseId } } })),
    onSuccess: () => after(c("closedNotice")),
  });
  const failed = answer.error ?? close.error;
  const item: SupportCase | undefined = found.data;
  if (!item) return null;
  const send = (e: FormEvent) => {
    e.preventDefault();
    setNotice(null);
    answer.mutate(text);
  };
  return (
    <section aria-labelledby="support-case-heading" className="support-case">
      <h3 id="support-case-heading">
        {c("reference")} {item.case_id}
      </h3>
      {notice ? (
        <Outcome said={notice}>
          <p className="alert-text">{notice}</p>
        </Outcome>
      ) : null}
      {failed ? (
        <Notice kind="error">
          <p className="alert-text">{problemMessage(failed, language, t("common.networkError"))}</p>
        </Notice>
      ) : null}
      <dl>
        <dt>{c("status")}</dt>
        <dd>
          {c(`status.${item.status}`)}
          {item.closed_at ? ` (${c("closedAt")} ${formatDateTime(item.closed_at, language)})` : ""}
        </dd>
        <dt>{c("topic")}</dt>
        <dd>{topicLabel(c, item.topic)}</dd>
        <dt>{c("from")}</dt>
        <dd>{item.name}</dd>
        <dt>{c("email")}</dt>
        <dd>{item.email}</dd>
        <dt>{c("organisation")}</dt>
        <dd>
          {item.organisation}
          {item.cvr ? ` (${c("cvr")} ${item.cvr})` : ""}
        </dd>
        {item.cvr ? (
          <>
            <dt>{c("linked")}</dt>
            <dd>
              {item.linked_organisation ? (
                <>
                  <strong className="support-linked">{item.linked_organisation.name}</strong>{" "}
                  <PageLink to={`${PATHS.account}/support`} className="function-link">
                    {c("toSupport")}
                  </PageLink>
                </>
              ) : (
                c("noLinked")
              )}
            </dd>
          </>
        ) : null}
        <dt>{c("received")}</dt>
        <dd>{formatDateTime(item.created_at, language)}</dd>
      </dl>
      <h4>{c("message")}</h4>
      <p className="support-message">{item.message}</p>
      {item.answers.length > 0 ? (
        <>
          <h4>{c("answers")}</h4>
          <ul className="support-answers">
            {item.answers.map((a) => (
              <li key={a.at}>
                <span className="form-hint">{formatDateTime(a.at, language)}</span>
                <p className="support-message">{a.text}</p>
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {item.status === "open" ? (
        <>
          <form onSubmit={send} noValidate>
            <div className="form-group">
              <label className="form-label" htmlFor="support-answer">
                {c("answer")}
              </label>
              <span className="form-hint" id="support-answer-hint">
                {c("answerHint")}
              </span>
              <textarea
                className="form-input"
                id="support-answer"
                rows={5}
                maxLength={1000}
                value={text}
                onChange={(e) => setText(e.target.value)}
                aria-describedby="support-answer-hint"
              />
            </div>
            <button className="button button-primary" type="submit" disabled={answer.isPending || !text.trim()}>
              {c("send")}
            </button>
          </form>
          <button
            type="button"
            className="button button-secondary mt-5"
            disabled={close.isPending}
            onClick={() => {
              setNotice(null);
              close.mutate();
            }}
          >
            {c("close")}
          </button>
        </>
      ) : null}
    </section>
  );
}

/** The tab "Henvendelser": what people wrote through Kontakt support, newest first; answer and close. */
export function SupportCasesTab() {
  const { api, session } = useServices();
  const { c, t, language } = useText();
  const pages = useCursorPages();
  const [status, setStatus] = useState<Status>("open");
  const [viewing, setViewing] = useState<string | null>(null);
  const cases = useQuery({
    queryKey: ["staff-support-cases", status, pages.cursor],
    queryFn: () =>
      unwrap(session, () =>
        api.GET("/v1/staff/support/cases", {
          params: { query: { status, limit: 25, ...(pages.cursor ? { cursor: pages.cursor } : {}) } },
        }),
      ),
  });
  const items = cases.data?.items ?? [];
  return (
    <section aria-labelledby="support-cases-heading">
      <h2 id="support-cases-heading">{c("title")}</h2>
      <div className="form-group">
        <label className="form-label" htmlFor="support-cases-status">
          {c("show")}
        </label>
        <select
          className="form-select"
          id="support-cases-status"
          value={status}
          onChange={(e) => {
            setStatus(e.target.value as Status);
            pages.reset();
          }}
        >
          <option value="open">{c("open")}</option>
          <option value="closed">{c("closed")}</option>
        </select>
      </div>
      <ListState query={cases} empty={c("empty")}>
        <Table
          scroll
          caption={c("title")}
          columns={[c("reference"), c("received"), c("organisation"), c("from"), c("topic"), t("common.actions")]}
        >
          {items.map((item) => (
            <tr key={item.case_id}>
              <td>{item.case_id}</td>
              <td>{formatDateTime(item.created_at, language)}</td>
              <td>
                {item.organisation}
                {item.cvr ? ` (${item.cvr})` : ""}
              </td>
              <td>{item.name}</td>
              <td>{topicLabel(c, item.topic)}</td>
              <td>
                <button
                  type="button"
                  className="button button-secondary button-small"
                  aria-label={`${c("view")}: ${item.case_id}`}
                  onClick={() => setViewing(item.case_id)}
                >
                  {c("view")}
                </button>
              </td>
            </tr>
          ))}
        </Table>
      </ListState>
      <Pager pages={pages} nextCursor={cases.data?.next_cursor} />
      {viewing ? <CaseDetail key={viewing} caseId={viewing} /> : null}
    </section>
  );
}
