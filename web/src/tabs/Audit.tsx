import { useQuery } from "@tanstack/react-query";

import { unwrap } from "../api/client";
import { Pager, useCursorPages } from "../components/Pager";
import { useServices } from "../context";
import { formatDateTime } from "../format";
import { useI18n } from "../i18n";

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
      {audit.isPending ? <p>{t("common.loading")}</p> : null}
      {audit.isSuccess && items.length === 0 ? <p>{t("audit.empty")}</p> : null}
      {items.length > 0 ? (
        <table className="table table--compact">
          <caption className="sr-only">{t("audit.title")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("audit.when")}</th>
              <th scope="col">{t("audit.action")}</th>
              <th scope="col">{t("audit.actor")}</th>
              <th scope="col">{t("audit.source")}</th>
            </tr>
          </thead>
          <tbody>
            {items.map((entry) => (
              <tr key={entry.event_id}>
                <td>{formatDateTime(entry.at, language)}</td>
                <td>{entry.action}</td>
                <td>
                  {entry.actor.kind}: {entry.actor.id}
                </td>
                <td>{entry.source_ip}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <Pager pages={pages} nextCursor={audit.data?.next_cursor} />
    </section>
  );
}
