import type { ReactNode } from "react";

import type { Schemas } from "../api/client";
import { OnDemand, onDemand } from "../components/OnDemand";
import { Tabs, type TabSpec } from "../components/Tabs";
import { useI18n, type MessageKey } from "../i18n";
import { navigate, PATHS } from "../router";
import { CodesTab } from "../tabs/Codes";
import { useRenewalRequests } from "../tabs/requestCount";

// The first tab (the codes) comes with the page; the others when first opened.
const AuditTab = onDemand(() => import("../tabs/Audit").then((m) => m.AuditTab));
const HistoryTab = onDemand(() => import("../tabs/History").then((m) => m.HistoryTab));
const MasterDataTab = onDemand(() => import("../tabs/MasterData").then((m) => m.MasterDataTab));
const UsersTab = onDemand(() => import("../tabs/Users").then((m) => m.UsersTab));
const RequestsTab = onDemand(() => import("../tabs/Requests").then((m) => m.RequestsTab));

type Me = Schemas["Me"];

interface TabDef {
  id: string; // the URL's last segment
  label: MessageKey;
  allowed: (functions: readonly string[]) => boolean;
  render: (me: Me) => ReactNode;
}

/** Tabs by function: a tab shows only when the user's functions allow what it does. */
export const TABS: TabDef[] = [
  { id: "godkendelseskode", label: "tab.codes", allowed: (f) => f.includes("codes"), render: (me) => <CodesTab me={me} /> },
  { id: "anmodninger", label: "tab.requests", allowed: (f) => f.includes("codes"), render: () => <RequestsTab /> },
  { id: "selvbetjeningsbrugere", label: "tab.users", allowed: (f) => f.includes("users"), render: (me) => <UsersTab me={me} /> },
  { id: "stamdata", label: "tab.masterdata", allowed: () => true, render: (me) => <MasterDataTab me={me} /> },
  { id: "valideringshistorik", label: "tab.history", allowed: (f) => f.includes("history"), render: () => <HistoryTab /> },
  { id: "log", label: "tab.audit", allowed: (f) => f.includes("users"), render: () => <AuditTab /> },
];

export function tabsFor(functions: readonly string[]): TabDef[] {
  return TABS.filter((tab) => tab.allowed(functions));
}

export function MinKonto({ me, tab }: { me: Me; tab: string | undefined }) {
  const { t } = useI18n();
  const tabs = tabsFor(me.functions);
  const current = tabs.find((x) => x.id === tab) ?? tabs[0];
  // The open renewal requests are counted beside their tab's name, so they are seen from any tab.
  const waiting = useRenewalRequests(me.functions.includes("codes")).data?.items.length ?? 0;
  const specs: TabSpec[] = tabs.map((x) => ({ id: x.id, label: x.id === "anmodninger" && waiting ? `${t(x.label)} (${waiting})` : t(x.label) }));
  return (
    <div>
      <h1>
        {t("minkonto.title")}
        {me.organisation ? <span className="h3 organisation-name"> – {me.organisation.name}</span> : null}
      </h1>
      {current ? (
        <Tabs
          label={t("minkonto.tabs")}
          tabs={specs}
          current={current.id}
          onSelect={(id) => navigate(`${PATHS.account}/${id}`)}
        >
          <OnDemand>{current.render(me)}</OnDemand>
        </Tabs>
      ) : null}
    </div>
  );
}
