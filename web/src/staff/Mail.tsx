import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";

import { unwrap } from "../api/client";
import { Notice } from "../components/Notice";
import { ListState } from "../components/ListState";
import { Pager, useCursorPages } from "../components/Pager";
import { Table } from "../components/Table";
import { useServices } from "../context";
import { formatDateTime } from "../format";
import { useStaffText } from "./messages";
import { problemMessage, refresh } from "./problem";

function ParkedMail() {
  const { api, session } = useServices();
  const { s, t, language } = useStaffText();
  const queryClient = useQueryClient();
  const pages = useCursorPages();
  const [message, setMessage] = useState<string | null>(null);
  const parked = useQuery({
    queryKey: ["staff-mail", pages.cursor],
    queryFn: () =>
      unwrap(session, () =>
        api.GET("/v1/staff/mail", { params: { query: { status: "failed", limit: 25, ...(pages.cursor ? { cursor: pages.cursor } : {}) } } }),
      ),
  });
  const retry = useMutation({
    mutationFn: (messageId: string) =>
      unwrap(session, () => api.POST("/v1/staff/mail/{message_id}/retry", { params: { path: { message_id: messageId } } })),
    onSuccess: (sent) => {
      setMessage(`${s("mail.retried")} (${sent.to_address})`);
      void refresh(queryClient, ["staff-mail"]);
      void refresh(queryClient, ["staff-letters"]);
      void refresh(queryClient, ["staff-audit"]);
    },
    onError: () => setMessage(null),
  });
  const items = parked.data?.items ?? [];
  return (
    <section aria-labelledby="mail-heading">
      <h2 id="mail-heading">{s("mail.title")}</h2>
      {message ? (
        <Notice kind="success">
          <p className="alert-text">{message}</p>
        </Notice>
      ) : null}
      {retry.isError ? (
        <Notice kind="error">
          <p className="alert-text">{problemMessage(retry.error, language, t("common.networkError"))}</p>
        </Notice>
      ) : null}
      <ListState query={parked} empty={s("mail.empty")}>
        <Table
          scroll
          caption={s("mail.title")}
          columns={[s("mail.created"), s("mail.kind"), s("mail.to"), s("mail.error"), s("mail.attempts"), t("common.actions")]}
        >
          {items.map((mail) => (
            <tr key={mail.message_id}>
              <td>{formatDateTime(mail.created_at, language)}</td>
              <td>{mail.kind}</td>
              <td>
                {mail.to_name} &lt;{mail.to_address}&gt;
              </td>
              <td>{mail.last_error ?? "–"}</td>
              <td>{mail.attempts}</td>
              <td>
                <button
                  type="button"
                  className="button button-secondary button-small"
                  disabled={retry.isPending}
                  aria-label={`${s("mail.retry")}: ${mail.kind} ${mail.to_address}`}
                  onClick={() => retry.mutate(mail.message_id)}
                >
                  {s("mail.retry")}
                </button>
              </td>
            </tr>
          ))}
        </Table>
      </ListState>
      <Pager pages={pages} nextCursor={parked.data?.next_cursor} />
    </section>
  );
}

function OverdueLetters() {
  const { api, session } = useServices();
  const { s, language } = useStaffText();
  const pages = useCursorPages();
  const letters = useQuery({
    queryKey: ["staff-letters", pages.cursor],
    queryFn: () =>
      unwrap(session, () =>
        api.GET("/v1/staff/letters/overdue", { params: { query: { limit: 25, ...(pages.cursor ? { cursor: pages.cursor } : {}) } } }),
      ),
  });
  const items = letters.data?.items ?? [];
  return (
    <section aria-labelledby="letters-heading">
      <h2 id="letters-heading">{s("letters.title")}</h2>
      <ListState query={letters} empty={s("letters.empty")}>
        <Table
          scroll
          caption={s("letters.title")}
          columns={[s("letters.company"), s("letters.mailbox"), s("letters.due"), s("letters.status")]}
        >
          {items.map((letter) => (
            <tr key={letter.application_id}>
              <td>
                {letter.company_name} ({letter.cvr})
              </td>
              <td>{letter.official_mailbox}</td>
              <td>{formatDateTime(letter.letter_due_by, language)}</td>
              <td>{letter.letter_status}</td>
            </tr>
          ))}
        </Table>
      </ListState>
      <Pager pages={pages} nextCursor={letters.data?.next_cursor} />
    </section>
  );
}

/** The tab "Post": parked mail with its error and "Send igen", and the overdue activation letters. */
export function MailTab() {
  return (
    <>
      <ParkedMail />
      <OverdueLetters />
    </>
  );
}
