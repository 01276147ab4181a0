import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";

import { unwrap, type Schemas } from "../api/client";
import { asProblem } from "../problems";
import { Select } from "../components/Field";
import { Notice } from "../components/Notice";
import { ListState } from "../components/ListState";
import { Pager, useCursorPages } from "../components/Pager";
import { Table } from "../components/Table";
import { useServices } from "../context";
import { formatDateTime } from "../format";
import { ConfirmDialog } from "./ConfirmDialog";
import { useStaffText, type StaffKey } from "./messages";
import { problemMessage, refresh } from "./problem";

type Status = "pending_review" | "approved" | "rejected" | "suspended";
const STATUSES: Status[] = ["pending_review", "approved", "rejected", "suspended"];
type Decision = "approve" | "reject" | "suspend" | "approveName" | "refuseName";

interface ReviewCompany {
  cvr: string;
  name: string;
  legal_name?: string | null;
  register_name?: string | null;
  proof?: string;
  proven_by?: string | null;
}

/** What the review list gives; the companies, names and applicant only where the API gives them. */
export type ReviewOrganisation = Schemas["StaffOrganisation"] & {
  legal_name?: string | null;
  requested_name?: string | null;
  applicant?: { first_name: string; last_name: string; email: string } | null;
  companies?: ReviewCompany[];
};

const DECISIONS: Record<Decision, { label: StaffKey; title: StaffKey; text: StaffKey; done: StaffKey; reason: boolean }> = {
  approve: { label: "review.approve", title: "review.approveTitle", text: "review.approveText", done: "review.approved.done", reason: false },
  reject: { label: "review.reject", title: "review.rejectTitle", text: "review.rejectText", done: "review.rejected.done", reason: true },
  suspend: { label: "review.suspend", title: "review.suspendTitle", text: "review.suspendText", done: "review.suspended.done", reason: true },
  approveName: { label: "review.approveName", title: "review.approveNameTitle", text: "review.approveNameText", done: "review.nameApproved.done", reason: false },
  refuseName: { label: "review.refuseName", title: "review.refuseNameTitle", text: "review.refuseNameText", done: "review.nameRefused.done", reason: true },
};

/** The organisation's decisions, then a waiting display name's. */
export function decisionsFor(status: string, requestedName?: string | null): Decision[] {
  return [...statusDecisions(status), ...(requestedName ? (["approveName", "refuseName"] as Decision[]) : [])];
}

function statusDecisions(status: string): Decision[] {
  if (status === "pending_review") return ["approve", "reject"];
  if (status === "approved") return ["suspend"];
  return ["approve"]; // rejected and suspended may be approved after all
}

function Companies({ organisation }: { organisation: ReviewOrganisation }) {
  const { s, sv } = useStaffText();
  const companies = organisation.companies as ReviewCompany[] | undefined;
  if (!companies) return <p className="form-hint">{s("review.noCompanies")}</p>;
  return (
    <Table
      captionVisible
      caption={<>{s("review.companies")}: {organisation.name}</>}
      columns={[s("review.cvr"), s("review.typedName"), s("review.registerName"), s("review.proof")]}
    >
      {companies.map((c) => (
        <tr key={c.cvr}>
          <td>{c.cvr}</td>
          <td>{c.name}</td>
          <td>{c.register_name ?? c.legal_name ?? "–"}</td>
          <td>
            {c.proof ? sv("review.proof", c.proof) : "–"}
            {c.proven_by ? ` (${sv("review.provenBy", c.proven_by)})` : ""}
          </td>
        </tr>
      ))}
    </Table>
  );
}

/** The tab "Til godkendelse": organisations by status, oldest first, and staff's decisions on them. */
export function ReviewTab() {
  const { api, session } = useServices();
  const { s, sv, t, language } = useStaffText();
  const queryClient = useQueryClient();
  const pages = useCursorPages();
  const [status, setStatus] = useState<Status>("pending_review");
  const [asking, setAsking] = useState<{ decision: Decision; organisation: ReviewOrganisation } | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [stale, setStale] = useState<string | null>(null);

  const list = useQuery({
    queryKey: ["staff-organisations", status, pages.cursor],
    queryFn: () =>
      unwrap(session, () =>
        api.GET("/v1/staff/organisations", {
          params: { query: { status, limit: 25, ...(pages.cursor ? { cursor: pages.cursor } : {}) } },
        }),
      ),
  });
  const decide = useMutation({
    mutationFn: ({ decision, organisation, reason }: { decision: Decision; organisation: ReviewOrganisation; reason: string }) => {
      // The decision is on the organisation as staff saw it: if it changed since, the API answers 412.
      const path = { params: { path: { org_id: organisation.org_id }, header: { "If-Match": organisation.etag } } };
      if (decision === "approve") return unwrap(session, () => api.POST("/v1/staff/organisations/{org_id}/approve", path));
      if (decision === "approveName")
        return unwrap(session, () => api.POST("/v1/staff/organisations/{org_id}/name/approve", path));
      if (decision === "refuseName")
        return unwrap(session, () => api.POST("/v1/staff/organisations/{org_id}/name/refuse", { ...path, body: { reason } }));
      if (decision === "reject")
        return unwrap(session, () => api.POST("/v1/staff/organisations/{org_id}/reject", { ...path, body: { reason } }));
      return unwrap(session, () => api.POST("/v1/staff/organisations/{org_id}/suspend", { ...path, body: { reason } }));
    },
    onSuccess: (decided, { decision }) => {
      setAsking(null);
      setMessage(`${decided.name} ${s(DECISIONS[decision].done)}`);
      void refresh(queryClient, ["staff-organisations"]);
      void refresh(queryClient, ["staff-audit"]);
    },
    onError: async (error, { decision, organisation }) => {
      if (asProblem(error).status !== 412) return;
      // It changed since it was opened: show it as it is now, and ask again about that.
      await refresh(queryClient, ["staff-organisations"]);
      const fresh = queryClient
        .getQueriesData<{ items: ReviewOrganisation[] }>({ queryKey: ["staff-organisations"] })
        .flatMap(([, data]) => data?.items ?? [])
        .find((o) => o.org_id === organisation.org_id);
      if (fresh && decisionsFor(fresh.status, fresh.requested_name).includes(decision)) {
        // Unless the dialog was closed meanwhile.
        setAsking((current) => (current ? { decision, organisation: fresh } : null));
        return;
      }
      // The decision no longer applies (decided meanwhile, or the request withdrawn): the list shows why.
      setAsking(null);
      setMessage(null);
      setStale(s("review.changed"));
    },
  });

  const decisionError = (error: unknown): string => {
    const status = asProblem(error).status;
    if (status === 412) return s("review.changed");
    if (status === 428) return s("review.versionMissing");
    return problemMessage(error, language, t("common.networkError"));
  };

  const items = (list.data?.items ?? []) as ReviewOrganisation[];
  const spec = asking ? DECISIONS[asking.decision] : null;
  return (
    <section aria-labelledby="review-heading">
      <h2 id="review-heading">{s("review.title")}</h2>
      {message ? (
        <Notice kind="success">
          <p className="alert-text">{message}</p>
        </Notice>
      ) : null}
      {stale ? (
        <Notice kind="warning">
          <p className="alert-text">{stale}</p>
        </Notice>
      ) : null}
      <Select
        id="review-status"
        label={s("review.show")}
        value={status}
        onChange={(value) => {
          setStatus(value as Status);
          pages.reset();
        }}
        options={STATUSES.map((x) => ({ value: x, label: s(`review.${x}` as StaffKey) }))}
      />
      <ListState query={list} empty={s("review.empty")}>
      <ul className="nobullet-list review-list">
        {items.map((organisation) => (
          <li key={organisation.org_id}>
            <article aria-labelledby={`org-${organisation.org_id}`} className="review-item">
              <h3 id={`org-${organisation.org_id}`}>{organisation.name}</h3>
              <dl className="review-facts">
                <dt>{s("review.primaryCvr")}</dt>
                <dd>{organisation.primary_cvr}</dd>
                <dt>{s("review.handle")}</dt>
                <dd>{organisation.handle}</dd>
                {organisation.legal_name ? (
                  <>
                    <dt>{s("review.legalName")}</dt>
                    <dd>{organisation.legal_name}</dd>
                  </>
                ) : null}
                {organisation.requested_name ? (
                  <>
                    <dt>{s("review.requestedName")}</dt>
                    <dd>{organisation.requested_name}</dd>
                  </>
                ) : null}
                {organisation.applicant ? (
                  <>
                    <dt>{s("review.applicant")}</dt>
                    <dd>
                      {organisation.applicant.first_name} {organisation.applicant.last_name} ({organisation.applicant.email})
                    </dd>
                  </>
                ) : null}
                <dt>{s("review.applied")}</dt>
                <dd>{formatDateTime(organisation.created_at, language)}</dd>
                {organisation.approved_at ? (
                  <>
                    <dt>{s("review.approvedAt")}</dt>
                    <dd>{formatDateTime(organisation.approved_at, language)}</dd>
                  </>
                ) : null}
                {organisation.status_reason ? (
                  <>
                    <dt>{s("review.reason")}</dt>
                    <dd>{organisation.status_reason}</dd>
                  </>
                ) : null}
                <dt>{s("review.status")}</dt>
                <dd>{sv("status", organisation.status)}</dd>
              </dl>
              <Companies organisation={organisation} />
              <div className="review-actions">
                {decisionsFor(organisation.status, organisation.requested_name).map((decision) => (
                  <span key={decision}>
                  <button
                    type="button"
                    className={`button ${decision === "approve" || decision === "approveName" ? "button-primary" : "button-secondary"}`}
                    aria-label={`${s(DECISIONS[decision].label)}: ${organisation.name}`}
                    onClick={() => {
                      decide.reset();
                      setMessage(null);
                      setStale(null);
                      setAsking({ decision, organisation });
                    }}
                  >
                    {s(DECISIONS[decision].label)}
                  </button>{" "}
                  </span>
                ))}
              </div>
            </article>
          </li>
        ))}
      </ul>
      </ListState>
      <Pager pages={pages} nextCursor={list.data?.next_cursor} />
      {asking && spec ? (
        <ConfirmDialog
          title={s(spec.title)}
          confirmLabel={s(spec.label)}
          busy={decide.isPending}
          error={decide.isError ? decisionError(decide.error) : null}
          warning={asking.decision !== "approve" && asking.decision !== "approveName"}
          {...(spec.reason ? { reasonLabel: s("review.reasonLabel") } : {})}
          onClose={() => setAsking(null)}
          onConfirm={(reason) => decide.mutate({ ...asking, reason })}
        >
          <p>
            <strong>{asking.organisation.name}</strong> ({asking.organisation.primary_cvr})
          </p>
          {asking.decision === "approveName" || asking.decision === "refuseName" ? (
            <p>
              {s("review.requestedName")}: <strong>{asking.organisation.requested_name}</strong>
            </p>
          ) : null}
          <p>{s(spec.text)}</p>
        </ConfirmDialog>
      ) : null}
    </section>
  );
}
