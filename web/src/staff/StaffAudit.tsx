import { useQuery } from "@tanstack/react-query";

import { unwrap } from "../api/client";
import { ListState } from "../components/ListState";
import { Pager, useCursorPages } from "../components/Pager";
import { Table } from "../components/Table";
import { useServices } from "../context";
import { formatDateTime } from "../format";
import { type Language } from "../i18n";
import { actionText } from "../tabs/Audit";
import { auditSentence } from "../tabs/auditSentence";
import { useStaffText } from "./messages";

const STAFF_ACTIONS: Record<string, [string, string]> = {
  "vendor.created": ["Leverandør oprettet", "Vendor created"],
  "vendor.key_issued": ["API-nøgle udstedt", "API key issued"],
  "vendor.key_revoked": ["API-nøgle spærret", "API key revoked"],
  "vendor.webhook_set": ["Webhook-endpoint sat", "Webhook endpoint set"],
  "vendor.webhook_removed": ["Webhook-endpoint fjernet", "Webhook endpoint removed"],
  "vendor.webhook_secret_rotated": ["Nyt webhook-secret", "New webhook secret"],
  "vendor.webhook_tested": ["Testhændelse sendt", "Test event sent"],
  "vendor.webhook_replayed": ["Webhook-levering sendt igen", "Webhook delivery sent again"],
  "mail.retried": ["E-mail sendt igen", "E-mail sent again"],
  "staff.removed": ["Sagsbehandler fjernet", "Staff member removed"],
};

function staffActionText(action: string, language: Language): string {
  const words = STAFF_ACTIONS[action];
  return words ? words[language === "da" ? 0 : 1] : actionText(action, language);
}

/** A trail as staff read it: the staff trail (vendors, mail), or one organisation's. */
export function TrailTable({ orgId, title, headingLevel = 2 }: { orgId?: string; title: string; headingLevel?: 2 | 3 }) {
  const { api, session } = useServices();
  const { s, t, language } = useStaffText();
  const pages = useCursorPages();
  const trail = useQuery({
    queryKey: ["staff-audit", orgId ?? "staff", pages.cursor],
    queryFn: () => {
      const query = { limit: 25, ...(pages.cursor ? { cursor: pages.cursor } : {}) };
      return orgId
        ? unwrap(session, () => api.GET("/v1/staff/organisations/{org_id}/audit", { params: { path: { org_id: orgId }, query } }))
        : unwrap(session, () => api.GET("/v1/staff/audit", { params: { query } }));
    },
  });
  const items = trail.data?.items ?? [];
  const Heading = headingLevel === 2 ? "h2" : "h3";
  return (
    <section aria-label={title}>
      <Heading>{title}</Heading>
      <ListState query={trail} empty={s("audit.empty")}>
        <Table caption={title} columns={[s("audit.when"), t("trail.event")]}>
          {items.map((entry) => (
            <tr key={entry.event_id}>
              <td>{formatDateTime(entry.at, language)}</td>
              <td className="card-lead">{auditSentence(entry, t, staffActionText(entry.action, language))}</td>
            </tr>
          ))}
        </Table>
      </ListState>
      <Pager pages={pages} nextCursor={trail.data?.next_cursor} />
    </section>
  );
}

/** The tab "Log": what staff did outside any organisation (vendors and mail). */
export function StaffAuditTab() {
  const { s } = useStaffText();
  return <TrailTable title={s("audit.title")} />;
}
