import type { ReactNode } from "react";

import { Tabs } from "../components/Tabs";
import { navigate, PATHS, useTitle } from "../router";
import { MailTab } from "./Mail";
import { MembersTab } from "./Members";
import { useStaffText, type StaffKey } from "./messages";
import { ReviewTab } from "./Review";
import { StaffAuditTab } from "./StaffAudit";
import { SupportTab } from "./Support";
import { SupportCasesTab } from "./SupportCases";
import { VendorsTab } from "./Vendors";

interface StaffTab {
  id: string; // the URL's last segment
  label: StaffKey;
  render: () => ReactNode;
}

export const STAFF_TABS: StaffTab[] = [
  { id: "til-godkendelse", label: "tab.review", render: () => <ReviewTab /> },
  { id: "support", label: "tab.support", render: () => <SupportTab /> },
  { id: "henvendelser", label: "tab.supportCases", render: () => <SupportCasesTab /> },
  { id: "post", label: "tab.mail", render: () => <MailTab /> },
  { id: "leverandoerer", label: "tab.vendors", render: () => <VendorsTab /> },
  { id: "log", label: "tab.staffAudit", render: () => <StaffAuditTab /> },
  { id: "medarbejdere", label: "tab.members", render: () => <MembersTab /> },
];

/**
 * The operator's staff: the console's main menu has "Sagsbehandling" where account holders have
 * Min konto; its tabs are the review queue, support, mail, vendors, the staff log and the staff themselves.
 */
export function Sagsbehandling({ tab }: { tab: string | undefined }) {
  const { s } = useStaffText();
  useTitle(s("staff.title"));
  const current = STAFF_TABS.find((x) => x.id === tab);
  const home = `${PATHS.account}/${STAFF_TABS[0]?.id ?? ""}`;
  return (
    <div>
      <nav aria-label={s("staff.menu")} className="navigation-menu">
        <ul className="nav-primary nobullet-list">
          <li>
            <a
              href={home}
              className="nav-link current"
              aria-current={current ? "page" : undefined}
              onClick={(e) => {
                e.preventDefault();
                navigate(home);
              }}
            >
              <span>{s("staff.title")}</span>
            </a>
          </li>
        </ul>
      </nav>
      <h1>{s("staff.title")}</h1>
      <Tabs
        label={s("staff.tabs")}
        tabs={STAFF_TABS.map((x) => ({ id: x.id, label: s(x.label) }))}
        current={(current ?? STAFF_TABS[0])?.id ?? ""}
        onSelect={(id) => navigate(`${PATHS.account}/${id}`)}
      >
        {(current ?? STAFF_TABS[0])?.render()}
      </Tabs>
    </div>
  );
}
