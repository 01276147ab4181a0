import { useQuery } from "@tanstack/react-query";

import { unwrap } from "../api/client";
import { ListState } from "../components/ListState";
import { Pager, useCursorPages } from "../components/Pager";
import { Table } from "../components/Table";
import { useServices } from "../context";
import { formatDateTime } from "../format";
import { useI18n } from "../i18n";

/** Which vendor validated which code, when: the receipts, newest first. */
export function HistoryTab() {
  const { api, session } = useServices();
  const { t, language } = useI18n();
  const pages = useCursorPages();
  const history = useQuery({
    queryKey: ["history", pages.cursor],
    queryFn: () =>
      unwrap(session, () =>
        api.GET("/v1/organisation/validations", { params: { query: { limit: 25, ...(pages.cursor ? { cursor: pages.cursor } : {}) } } }),
      ),
  });
  const items = history.data?.items ?? [];
  return (
    <section aria-labelledby="history-heading">
      <h2 id="history-heading">{t("history.title")}</h2>
      <ListState query={history} empty={t("history.empty")}>
        <Table
          caption={t("history.title")}
          columns={[
            t("history.when"),
            t("history.vendor"),
            t("codes.representative"),
            t("trail.historyCompany"),
            t("trail.historyAccount"),
            t("codes.expires"),
          ]}
        >
          {items.map((entry) => (
            <tr key={entry.validation_id}>
              <td>{formatDateTime(entry.validated_at, language)}</td>
              <td>{entry.vendor.name}</td>
              <td>
                {entry.representative.first_name} {entry.representative.last_name}
              </td>
              <td>{entry.company_name ?? `CVR ${entry.company}`}</td>
              <td>{entry.account_name ? `${entry.account_name} (${entry.account})` : entry.account}</td>
              <td>{formatDateTime(entry.code_expires_at, language)}</td>
            </tr>
          ))}
        </Table>
      </ListState>
      <Pager pages={pages} nextCursor={history.data?.next_cursor} />
    </section>
  );
}
