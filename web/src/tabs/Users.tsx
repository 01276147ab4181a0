import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";

import { unwrap, type Schemas } from "../api/client";
import { ConfirmModal } from "../components/ConfirmModal";
import type { SummaryItem } from "../components/ErrorSummary";
import { Outcome } from "../components/Outcome";
import { ListState } from "../components/ListState";
import { Pager, useCursorPages } from "../components/Pager";
import { Table } from "../components/Table";
import { useServices } from "../context";
import { fieldMessage, problemText, useI18n, type Language, type MessageKey } from "../i18n";
import { invitationRefusal } from "../invitations";
import { asProblem, fieldErrors } from "../problems";
import { companiesOf, EMPTY, UserWizard, type WizardValues } from "./UserWizard";

type Me = Schemas["Me"];
type User = Schemas["User"];

const WIZARD_FIELDS: Record<string, string> = {
  first_name: "user-first_name",
  last_name: "user-last_name",
  email: "user-email",
  mobile: "user-mobile",
};

/** The API's answer in the console's words; the last-administrator refusal explained in full. */
export function explainUserProblem(error: unknown, language: Language, t: (k: MessageKey) => string): SummaryItem[] {
  const problem = asProblem(error);
  if (problem.slug === "last-administrator") return [{ message: t("users.lastAdmin") }];
  if (problem.status === 0) return [{ message: t("common.networkError") }];
  const found = fieldErrors(problem.problem, [...Object.keys(WIZARD_FIELDS), "companies", "functions"]);
  // The field shows what to do; the summary says which field first.
  const items: SummaryItem[] = Object.entries(found.byField).map(([field, message]) => ({
    ...(WIZARD_FIELDS[field] ? { field: WIZARD_FIELDS[field] } : {}),
    message: fieldMessage(language, message, problem.language),
    label: field in WIZARD_FIELDS ? t(`field.${field}` as MessageKey) : field,
  }));
  for (const message of found.other) items.push({ message: fieldMessage(language, message, problem.language) });
  if (items.length === 0) items.push({ message: problemText(language, problem.slug, problem.problem.detail || problem.problem.title) });
  return items;
}

/** An invitation's refusal: too many sent today in words of its own, anything else as the tab says it. */
export function explainInvitationProblem(error: unknown, language: Language, t: (k: MessageKey) => string): SummaryItem[] {
  const refused = invitationRefusal(error, language, t);
  return refused ? [{ message: refused }] : explainUserProblem(error, language, t);
}

function valuesOf(user: User): WizardValues {
  const grants: WizardValues["grants"] = {};
  for (const c of user.companies) grants[c.cvr] = { access: c.access === "full" ? "full" : "limited", accounts: c.accounts };
  return {
    first_name: user.first_name,
    last_name: user.last_name,
    email: user.email,
    mobile: user.mobile,
    grants,
    functions: user.functions as WizardValues["functions"],
  };
}

/** What the wizard asks, as the API takes it; a new colleague's language is added on creation only. */
function changesOf(values: WizardValues): Omit<Schemas["NewColleague"], "language"> {
  return {
    first_name: values.first_name.trim(),
    last_name: values.last_name.trim(),
    email: values.email.trim(),
    mobile: values.mobile,
    functions: values.functions,
    companies: companiesOf(values),
  };
}

type Confirm = { kind: "delete" | "disable"; user: User };

/** The tab "Selvbetjeningsbrugere": the organisation's colleagues, and creating and changing their logins. */
export function UsersTab({ me }: { me: Me }) {
  const { api, session } = useServices();
  const { t, language } = useI18n();
  const queryClient = useQueryClient();
  const pages = useCursorPages();
  const [mode, setMode] = useState<{ kind: "create" } | { kind: "edit"; user: User } | null>(null);
  const [serverErrors, setServerErrors] = useState<SummaryItem[]>([]);
  const [message, setMessage] = useState<string | null>(null);
  const [failure, setFailure] = useState<SummaryItem[]>([]);
  const [confirm, setConfirm] = useState<Confirm | null>(null);
  // Counts what actions said, so that the same words said again still take focus (Outcome remounts).
  const [said, setSaid] = useState(0);
  const wizardRef = useRef<HTMLElement>(null);
  const opened = mode === null ? null : mode.kind === "edit" ? mode.user.user_id : "create";
  useEffect(() => {
    // The wizard opens where the keyboard is: on its first field.
    if (opened) wizardRef.current?.querySelector<HTMLElement>("input")?.focus();
  }, [opened]);

  const users = useQuery({
    queryKey: ["users", pages.cursor],
    queryFn: () =>
      unwrap(session, () => api.GET("/v1/users", { params: { query: { limit: 25, ...(pages.cursor ? { cursor: pages.cursor } : {}) } } })),
  });
  const done = (text: string) => {
    setMode(null);
    setServerErrors([]);
    setFailure([]);
    setConfirm(null);
    setMessage(text);
    setSaid((n) => n + 1);
    void queryClient.invalidateQueries({ queryKey: ["users"] });
    void queryClient.invalidateQueries({ queryKey: ["me"] });
  };
  const failedWith = (items: SummaryItem[]) => {
    setConfirm(null);
    setMessage(null);
    setFailure(items);
    setSaid((n) => n + 1);
  };
  const failed = (error: unknown) => failedWith(explainUserProblem(error, language, t));

  const create = useMutation({
    mutationFn: (values: WizardValues) =>
      unwrap(session, () =>
        api.POST("/v1/users", {
          body: { ...changesOf(values), language },
        }),
      ),
    onSuccess: (user) => done(`${t("users.created")} ${user.email}.`),
    // The wizard stays open on its step with everything filled in: nothing is lost to a refusal.
    onError: (error) => setServerErrors(explainInvitationProblem(error, language, t)),
  });
  const update = useMutation({
    mutationFn: ({ user, body }: { user: User; body: Schemas["ColleagueChanges"] }) =>
      unwrap(session, () => api.PATCH("/v1/users/{user_id}", { params: { path: { user_id: user.user_id } }, body })),
  });
  const remove = useMutation({
    mutationFn: (user: User) => unwrap(session, () => api.DELETE("/v1/users/{user_id}", { params: { path: { user_id: user.user_id } } })),
    onSuccess: (_, user) => done(`${user.first_name} ${user.last_name} ${t("users.deleted")}`),
    onError: failed,
  });
  const reinvite = useMutation({
    mutationFn: (user: User) =>
      unwrap(session, () => api.POST("/v1/users/{user_id}/invitation", { params: { path: { user_id: user.user_id } } })),
    onSuccess: () => done(t("users.reinvited")),
    onError: (error) => failedWith(explainInvitationProblem(error, language, t)),
  });

  const setStatus = (user: User, status: "active" | "disabled") =>
    update.mutate(
      { user, body: { status } },
      {
        onSuccess: () => done(`${user.first_name} ${user.last_name} ${t(status === "disabled" ? "users.disabled" : "users.enabled")}`),
        onError: failed,
      },
    );

  if (mode) {
    const editing = mode.kind === "edit" ? mode.user : null;
    return (
      <section aria-labelledby="users-heading" ref={wizardRef}>
        <h2 id="users-heading">{t("users.title")}</h2>
        <UserWizard
          me={me}
          title={editing ? t("users.editTitle") : t("users.create")}
          initial={editing ? valuesOf(editing) : EMPTY}
          submitLabel={editing ? t("common.save") : t("users.submit")}
          busy={create.isPending || update.isPending}
          serverErrors={serverErrors}
          onCancel={() => {
            setMode(null);
            setServerErrors([]);
          }}
          onSubmit={(values) => {
            setServerErrors([]);
            if (!editing) create.mutate(values);
            else
              update.mutate(
                {
                  user: editing,
                  body: changesOf(values),
                },
                {
                  onSuccess: () => done(t("users.saved")),
                  onError: (error) => setServerErrors(explainUserProblem(error, language, t)),
                },
              );
          }}
        />
      </section>
    );
  }

  const items = users.data?.items ?? [];
  return (
    <section aria-labelledby="users-heading">
      <h2 id="users-heading">{t("users.title")}</h2>
      {message ? (
        <Outcome key={said} said={message}>
          <p className="alert-text">{message}</p>
        </Outcome>
      ) : null}
      {failure.length > 0 ? (
        <Outcome key={said} kind="error" said={failure.map((f) => f.message).join(" ")}>
          {failure.map((f, i) => (
            <p className="alert-text" key={i}>{f.message}</p>
          ))}
        </Outcome>
      ) : null}
      <button type="button" className="button button-primary" onClick={() => { setMessage(null); setFailure([]); setMode({ kind: "create" }); }}>
        {t("users.create")}
      </button>
      <ListState query={users} empty={t("users.empty")}>
        <Table
          scroll
          caption={t("users.title")}
          columns={[t("users.name"), t("field.email"), t("codes.status"), t("users.functions"), t("common.actions")]}
        >
          {items.map((user) => {
            const who = `${user.first_name} ${user.last_name}`;
            const own = user.user_id === me.user.user_id;
            return (
              <tr key={user.user_id}>
                <td>{who}</td>
                <td>{user.email}</td>
                <td>{t(`status.${user.status}` as MessageKey)}</td>
                <td>{user.functions.map((f) => t(`function.${f}` as MessageKey)).join(", ")}</td>
                <td className="table-actions">
                  {user.within_your_scope ? (
                    <>
                      <button type="button" className="button button-secondary button-small" aria-label={`${t("users.edit")}: ${who}`} onClick={() => { setMessage(null); setFailure([]); setMode({ kind: "edit", user }); }}>
                        {t("users.edit")}
                      </button>{" "}
                      {user.status === "active" && !own ? (
                        <button type="button" className="button button-secondary button-small" aria-label={`${t("users.disable")}: ${who}`} onClick={() => setConfirm({ kind: "disable", user })}>
                          {t("users.disable")}
                        </button>
                      ) : null}
                      {user.status === "disabled" ? (
                        <button type="button" className="button button-secondary button-small" aria-label={`${t("users.enable")}: ${who}`} onClick={() => setStatus(user, "active")}>
                          {t("users.enable")}
                        </button>
                      ) : null}
                      {user.status === "invited" ? (
                        <button type="button" className="button button-secondary button-small" aria-label={`${t("users.reinvite")}: ${who}`} onClick={() => reinvite.mutate(user)}>
                          {t("users.reinvite")}
                        </button>
                      ) : null}{" "}
                      <button type="button" className="button button-tertiary button-small" aria-label={`${t("users.delete")}: ${who}`} onClick={() => setConfirm({ kind: "delete", user })}>
                        {t("users.delete")}
                      </button>
                    </>
                  ) : (
                    <span>{t("users.outsideScope")}</span>
                  )}
                </td>
              </tr>
            );
          })}
        </Table>
      </ListState>
      <Pager pages={pages} nextCursor={users.data?.next_cursor} />
      {confirm ? (
        <ConfirmModal
          title={confirm.kind === "delete" ? t("users.deleteTitle") : t("users.disableTitle")}
          confirmLabel={confirm.kind === "delete" ? t("users.delete") : t("users.disable")}
          onConfirm={() => (confirm.kind === "delete" ? remove.mutate(confirm.user) : setStatus(confirm.user, "disabled"))}
          onClose={() => setConfirm(null)}
        >
          <p>
            <strong>
              {confirm.user.first_name} {confirm.user.last_name}
            </strong>
          </p>
          <p>{confirm.kind === "delete" ? t("users.deleteText") : t("users.disableText")}</p>
        </ConfirmModal>
      ) : null}
    </section>
  );
}
