import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";

import { unwrap, type Schemas } from "../api/client";
import { ListState } from "../components/ListState";
import { Outcome } from "../components/Outcome";
import { Pager, useCursorPages } from "../components/Pager";
import { Table } from "../components/Table";
import { useServices } from "../context";
import { formatDateTime } from "../format";
import { ConfirmDialog } from "./ConfirmDialog";
import { useStaffText } from "./messages";
import { problemMessage, refresh } from "./problem";

type Member = Schemas["StaffMember"];

/**
 * The tab "Medarbejdere": the operator's staff, and offboarding one of them. A removed member's every
 * token stops working at once (the API's promise); the list keeps them, marked removed, because the staff
 * log names them. Nobody removes themselves here: the API refuses it, so the button is not offered.
 */
export function MembersTab() {
  const { api, session } = useServices();
  const { s, sv, t, language } = useStaffText();
  const queryClient = useQueryClient();
  const pages = useCursorPages();
  const [removing, setRemoving] = useState<Member | null>(null);
  const [removed, setRemoved] = useState<string | null>(null);
  const members = useQuery({
    queryKey: ["staff-members", pages.cursor],
    queryFn: () =>
      unwrap(session, () =>
        api.GET("/v1/staff/members", {
          params: { query: { limit: 25, ...(pages.cursor ? { cursor: pages.cursor } : {}) } },
        }),
      ),
  });
  const remove = useMutation({
    mutationFn: ({ member, reason }: { member: Member; reason: string }) =>
      unwrap(session, () =>
        api.DELETE("/v1/staff/members/{user_id}", {
          params: { path: { user_id: member.user_id } },
          body: { reason },
        }),
      ),
    onSuccess: (member) => {
      setRemoving(null);
      setRemoved(`${member.first_name} ${member.last_name}`);
      void refresh(queryClient, ["staff-members"]);
      void refresh(queryClient, ["staff-audit"]);
    },
  });
  const items = members.data?.items ?? [];
  return (
    <section aria-labelledby="members-heading">
      <h2 id="members-heading">{s("members.title")}</h2>
      <p>{s("members.intro")}</p>
      {removed ? (
        <Outcome said={removed}>
          <p className="alert-text">
            {removed}: {s("members.removed")}
          </p>
        </Outcome>
      ) : null}
      <ListState query={members} empty={s("members.none")}>
        <Table
          caption={s("members.title")}
          columns={[s("support.name"), t("field.email"), s("review.status"), s("members.since"), t("common.actions")]}
        >
          {items.map((member) => {
            const who = `${member.first_name} ${member.last_name}`;
            const yourself = member.user_id === session.username;
            return (
              <tr key={member.user_id}>
                <td>
                  {who}
                  {yourself ? ` (${s("members.you")})` : null}
                </td>
                <td>{member.email}</td>
                <td>{sv("status", member.status)}</td>
                <td>{formatDateTime(member.created_at, language)}</td>
                <td>
                  {member.status === "removed" || yourself ? null : (
                    <button
                      type="button"
                      className="button button-secondary button-small"
                      aria-label={`${s("members.remove")}: ${who}`}
                      onClick={() => {
                        remove.reset();
                        setRemoved(null);
                        setRemoving(member);
                      }}
                    >
                      {s("members.remove")}
                    </button>
                  )}
                </td>
              </tr>
            );
          })}
        </Table>
      </ListState>
      <Pager pages={pages} nextCursor={members.data?.next_cursor} />
      {removing ? (
        <ConfirmDialog
          title={s("members.removeTitle")}
          confirmLabel={s("members.remove")}
          reasonLabel={s("review.reasonLabel")}
          warning
          busy={remove.isPending}
          error={remove.isError ? problemMessage(remove.error, language, t("common.networkError")) : null}
          onClose={() => setRemoving(null)}
          onConfirm={(reason) => remove.mutate({ member: removing, reason })}
        >
          <p>
            <strong>
              {removing.first_name} {removing.last_name}
            </strong>{" "}
            ({removing.email})
          </p>
          <p>{s("members.removeText")}</p>
        </ConfirmDialog>
      ) : null}
    </section>
  );
}
