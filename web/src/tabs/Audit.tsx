import { useQuery } from "@tanstack/react-query";

import { unwrap } from "../api/client";
import { ListState } from "../components/ListState";
import { Pager, useCursorPages } from "../components/Pager";
import { Table } from "../components/Table";
import { useServices } from "../context";
import { formatDateTime } from "../format";
import { useI18n, type Language } from "../i18n";
import { auditSentence } from "./auditSentence";

// The trail's actions in words; one the console does not know yet is shown as the API names it.
const ACTIONS: Record<string, [string, string]> = {
  "activation.completed": ["Konto aktiveret", "Account activated"],
  "activation.locked": ["Aktiveringskode låst efter for mange forsøg", "Activation code locked after too many tries"],
  "activation.refused": ["Aktivering afvist", "Activation refused"],
  "application.repeated": ["Ansøgning sendt igen", "Application sent again"],
  "application.submitted": ["Ansøgning modtaget", "Application received"],
  "code.renewal_declined": ["Anmodning om ny kode afvist", "Request for a new code declined"],
  "code.renewal_requested": ["Repræsentant bad om en ny kode", "Representative asked for a new code"],
  "code.renewed_by_request": ["Kode opdateret efter anmodning", "Code renewed on request"],
  "company.claim_dropped": ["Selskab, der ventede på bevis, fjernet", "Company waiting for proof dropped"],
  "company.left_out": [
    "Selskab fra ansøgningen ikke taget med: det hører allerede til en anden organisation",
    "Company from the application left out: it already belongs to another organisation",
  ],
  "company.proof_refused": ["Forkert bekræftelseskode for et selskab", "Wrong confirmation code for a company"],
  "company.proof_sent": ["Brev med bekræftelseskode sendt til et selskab", "Letter with a confirmation code sent to a company"],
  "company.proven": ["Selskab bevist og tilføjet organisationen", "Company proven and added to the organisation"],
  "organisation.approved": ["Organisation godkendt", "Organisation approved"],
  "organisation.rejected": ["Organisation afvist", "Organisation rejected"],
  "organisation.suspended": ["Organisation suspenderet", "Organisation suspended"],
  "organisation.updated": ["Stamdata ændret", "Master data changed"],
  "user.deleted": ["Bruger slettet", "User deleted"],
  "user.disabled": ["Bruger deaktiveret", "User disabled"],
  "user.enabled": ["Bruger aktiveret", "User enabled"],
  "user.invitation_accepted": ["Invitation taget i brug", "Invitation accepted"],
  "user.invitation_resent": ["Invitation sendt igen", "Invitation sent again"],
  "user.invited": ["Bruger oprettet og inviteret", "User created and invited"],
  "user.removed_by_support": ["Login slettet af support", "Login removed by support"],
  "user.updated": ["Bruger ændret", "User changed"],
};

export function actionText(action: string, language: Language): string {
  const words = ACTIONS[action];
  return words ? words[language === "da" ? 0 : 1] : action;
}

/** The organisation's audit trail: who did what, when and from where, newest first. */
export function AuditTab() {
  const { api, session } = useServices();
  const { t, language } = useI18n();
  const pages = useCursorPages();
  const audit = useQuery({
    queryKey: ["audit", pages.cursor],
    queryFn: () =>
      unwrap(session, () =>
        api.GET("/v1/organisation/audit", { params: { query: { limit: 25, ...(pages.cursor ? { cursor: pages.cursor } : {}) } } }),
      ),
  });
  const items = audit.data?.items ?? [];
  return (
    <section aria-labelledby="audit-heading">
      <h2 id="audit-heading">{t("audit.title")}</h2>
      <ListState query={audit} empty={t("audit.empty")}>
        <Table caption={t("audit.title")} columns={[t("audit.when"), t("trail.event"), t("audit.source")]}>
          {items.map((entry) => (
            <tr key={entry.event_id}>
              <td>{formatDateTime(entry.at, language)}</td>
              <td className="card-lead">{auditSentence(entry, t, actionText(entry.action, language))}</td>
              <td>{entry.source_ip}</td>
            </tr>
          ))}
        </Table>
      </ListState>
      <Pager pages={pages} nextCursor={audit.data?.next_cursor} />
    </section>
  );
}
