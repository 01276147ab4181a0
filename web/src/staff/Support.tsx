import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";

import { unwrap, type Schemas } from "../api/client";
import { Field } from "../components/Field";
import { Notice } from "../components/Notice";
import { Pager, useCursorPages } from "../components/Pager";
import { ListState } from "../components/ListState";
import { Table } from "../components/Table";
import { useServices } from "../context";
import { ConfirmDialog } from "./ConfirmDialog";
import { useStaffText } from "./messages";
import { TrailTable } from "./StaffAudit";
import { problemMessage, refresh } from "./problem";

type Organisation = Schemas["StaffOrganisation"];
type Login = Schemas["StaffLogin"];

function Logins({ organisation }: { organisation: Organisation }) {
  const { api, session } = useServices();
  const { s, sv, t, language } = useStaffText();
  const queryClient = useQueryClient();
  const pages = useCursorPages();
  const [removing, setRemoving] = useState<Login | null>(null);
  const [message, setMessage] = useState<string[]>([]);
  const logins = useQuery({
    queryKey: ["staff-logins", organisation.org_id, pages.cursor],
    queryFn: () =>
      unwrap(session, () =>
        api.GET("/v1/staff/organisations/{org_id}/users", {
          params: {
            path: { org_id: organisation.org_id },
            query: { limit: 25, ...(pages.cursor ? { cursor: pages.cursor } : {}) },
          },
        }),
      ),
  });
  const remove = useMutation({
    mutationFn: ({ login, reason }: { login: Login; reason: string }) =>
      unwrap(session, () =>
        api.DELETE("/v1/staff/organisations/{org_id}/users/{user_id}", {
          params: { path: { org_id: organisation.org_id, user_id: login.user_id } },
          body: { reason },
        }),
      ),
    onSuccess: (removed) => {
      setRemoving(null);
      setMessage([s("support.removed"), ...(removed.may_apply_again ? [s("support.mayApplyAgain")] : [])]);
      void refresh(queryClient, ["staff-logins", organisation.org_id]);
      void refresh(queryClient, ["staff-audit"]);
    },
  });
  const items = logins.data?.items ?? [];
  return (
    <section aria-labelledby="logins-heading">
      <h3 id="logins-heading">
        {s("support.logins")}: {organisation.name}
      </h3>
      {message.length > 0 ? (
        <Notice kind="success">
          {message.map((m) => (
            <p className="alert-text" key={m}>
              {m}
            </p>
          ))}
        </Notice>
      ) : null}
      <ListState query={logins} empty={s("support.noLogins")}>
        <Table
          caption={s("support.logins")}
          columns={[
            s("support.name"),
            s("support.username"),
            t("field.email"),
            s("review.status"),
            s("support.administrator"),
            s("support.secondFactor"),
            t("common.actions"),
          ]}
        >
          {items.map((login) => {
            const who = `${login.first_name} ${login.last_name}`;
            return (
              <tr key={login.user_id}>
                <td>{who}</td>
                <td>{login.username}</td>
                <td>{login.email}</td>
                <td>{sv("status", login.status)}</td>
                <td>{login.administrator ? s("support.yes") : s("support.no")}</td>
                <td>{login.second_factor_enrolled ? s("support.yes") : s("support.no")}</td>
                <td>
                  <button
                    type="button"
                    className="button button-secondary button-small"
                    aria-label={`${s("support.remove")}: ${who}`}
                    onClick={() => {
                      remove.reset();
                      setMessage([]);
                      setRemoving(login);
                    }}
                  >
                    {s("support.remove")}
                  </button>
                </td>
              </tr>
            );
          })}
        </Table>
      </ListState>
      <Pager pages={pages} nextCursor={logins.data?.next_cursor} />
      {removing ? (
        <ConfirmDialog
          title={s("support.removeTitle")}
          confirmLabel={s("support.remove")}
          reasonLabel={s("review.reasonLabel")}
          warning
          busy={remove.isPending}
          error={remove.isError ? problemMessage(remove.error, language, t("common.networkError")) : null}
          onClose={() => setRemoving(null)}
          onConfirm={(reason) => remove.mutate({ login: removing, reason })}
        >
          <p>
            <strong>
              {removing.first_name} {removing.last_name}
            </strong>{" "}
            ({removing.username})
          </p>
          <p>{s("support.removeText")}</p>
        </ConfirmDialog>
      ) : null}
    </section>
  );
}

/** The tab "Support": find an organisation by CVR number, handle or name, see its logins, remove one. */
export function SupportTab() {
  const { api, session } = useServices();
  const { s, sv } = useStaffText();
  const [query, setQuery] = useState("");
  const [asked, setAsked] = useState<string | null>(null);
  const [chosen, setChosen] = useState<Organisation | null>(null);
  const pages = useCursorPages();
  const found = useQuery({
    queryKey: ["staff-search", asked, pages.cursor],
    enabled: asked !== null,
    queryFn: () =>
      unwrap(session, () =>
        api.GET("/v1/staff/search/organisations", {
          params: { query: { q: asked ?? "", limit: 10, ...(pages.cursor ? { cursor: pages.cursor } : {}) } },
        }),
      ),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!query.trim()) return;
    setChosen(null);
    pages.reset();
    setAsked(query.trim());
  };
  const items = found.data?.items ?? [];
  // One organisation found (by CVR number or handle, or the only name that matched) opens at once.
  const current = chosen ?? (items.length === 1 && pages.page === 1 && !found.data?.next_cursor ? items[0] : null);
  return (
    <section aria-labelledby="support-heading">
      <h2 id="support-heading">{s("support.title")}</h2>
      <form onSubmit={submit} role="search" noValidate>
        <Field id="support-q" label={s("support.query")} hint={s("support.queryHint")} value={query} onChange={setQuery} />
        <button type="submit" className="button button-primary">
          {s("support.search")}
        </button>
      </form>
      {/* The search's own states; its results, once found, follow. */}
      {asked !== null ? (
        <ListState query={found} empty={<span role="status">{s("support.none")}</span>}>
          {null}
        </ListState>
      ) : null}
      {current ? (
        <>
          <dl className="review-facts">
            <dt>{s("support.name")}</dt>
            <dd>{current.name}</dd>
            <dt>{s("review.primaryCvr")}</dt>
            <dd>{current.primary_cvr}</dd>
            <dt>{s("review.handle")}</dt>
            <dd>{current.handle}</dd>
            <dt>{s("review.status")}</dt>
            <dd>{sv("status", current.status)}</dd>
          </dl>
          <Logins key={current.org_id} organisation={current} />
          <TrailTable key={`trail-${current.org_id}`} orgId={current.org_id} title={`${s("support.trail")}: ${current.name}`} headingLevel={3} />
        </>
      ) : null}
      {items.length > 0 && !current ? (
        <section aria-labelledby="support-results-heading">
          <h3 id="support-results-heading">{s("support.results")}</h3>
          <ul className="nobullet-list">
            {items.map((o) => (
              <li key={o.org_id}>
                <button type="button" className="button button-tertiary" onClick={() => setChosen(o)}>
                  {o.name} ({s("review.primaryCvr")} {o.primary_cvr}, {sv("status", o.status)})
                </button>
              </li>
            ))}
          </ul>
          <Pager pages={pages} nextCursor={found.data?.next_cursor} />
        </section>
      ) : null}
    </section>
  );
}
