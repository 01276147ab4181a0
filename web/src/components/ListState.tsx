import type { UseQueryResult } from "@tanstack/react-query";
import type { ReactNode } from "react";

import { useI18n } from "../i18n";
import { asProblem } from "../problems";

interface ListStateProps {
  /** The list's query: its state decides what shows. */
  query: Pick<UseQueryResult<{ items: unknown[] }>, "data" | "error" | "isError" | "isFetching" | "isPending" | "refetch">;
  /** What to do when the list is empty, in words. */
  empty: ReactNode;
  /** The list itself, shown once it has items. */
  children: ReactNode;
}

/**
 * The three states every list has besides its rows, alike everywhere: while it is fetched a spinner that a
 * screen reader announces; when it could not be fetched what went wrong in the console's own words (never the
 * server's) and *Prøv igen*, which fetches it again; when it is empty, what to do.
 */
export function ListState({ query, empty, children }: ListStateProps) {
  const { t } = useI18n();
  if (query.isPending || (query.isError && query.isFetching)) {
    return (
      <div className="list-state list-loading" role="status">
        <span className="spinner spinner-small" aria-hidden="true" /> <span>{t("common.loading")}</span>
      </div>
    );
  }
  if (query.isError) {
    const offline = asProblem(query.error).status === 0;
    return (
      <div className="alert alert-error list-state" role="alert">
        <div className="alert-body">
          <p className="alert-heading">{t("list.failed")}</p>
          <p className="alert-text">{offline ? t("common.networkError") : t("list.failedText")}</p>
          <button type="button" className="button button-secondary" onClick={() => void query.refetch()}>
            {t("list.retry")}
          </button>
        </div>
      </div>
    );
  }
  if ((query.data?.items ?? []).length === 0) return <p className="list-state list-empty">{empty}</p>;
  return <>{children}</>;
}
