// Parts of the console that are not on its first screen (the staff's pages, the public forms besides the
// sign-in, the enrolment with its QR code, Min konto's other tabs and the wizard) come in chunks of their own,
// fetched when first shown, so that the first visit fetches only what the sign-in and Min konto's first tab
// need (docs/performance.md).
import { Component, lazy, Suspense, type ComponentType, type ReactNode } from "react";

import { designSystem } from "../design-system";
import { useI18n } from "../i18n";
import { Notice } from "./Notice";

/** A chunk that could not be fetched: the network, or a release that replaced the files of this page's. */
class NotFetched extends Error {
  constructor(cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause));
    this.name = "NotFetched";
  }
}

/** `load` names the module and its component; the component is fetched the first time it is rendered. */
export function onDemand<P extends object>(load: () => Promise<ComponentType<P>>): ComponentType<P> {
  return lazy(() =>
    load().then(
      (component) => ({ default: component }),
      (error: unknown) => {
        throw new NotFetched(error);
      },
    ),
  );
}

function NotFetchedNotice() {
  const { t } = useI18n();
  return (
    <Notice kind="error">
      <p className="alert-text">{t("common.notFetched")}</p>
      <button type="button" className="button button-secondary" onClick={() => window.location.reload()}>
        {t("common.reload")}
      </button>
    </Notice>
  );
}

/** Stands in for a chunk that failed; any other error goes on up, as without it. */
class FetchBoundary extends Component<{ children: ReactNode }, { error: unknown }> {
  override state: { error: unknown } = { error: null };

  static getDerivedStateFromError(error: unknown): { error: unknown } {
    return { error };
  }

  override render() {
    const { error } = this.state;
    if (error instanceof NotFetched) return <NotFetchedNotice />;
    if (error) throw error;
    return this.props.children;
  }
}

function Fetching() {
  const { t } = useI18n();
  return <p role="status">{t("common.loading")}</p>;
}

/** Where on-demand parts render: "Henter …" while their chunk comes, a way to reload if it cannot. */
export function OnDemand({ children }: { children: ReactNode }) {
  return (
    <FetchBoundary>
      <Suspense fallback={<Fetching />}>{children}</Suspense>
    </FetchBoundary>
  );
}

function Children({ children }: { children: ReactNode }) {
  return children;
}

/**
 * Renders its children once the design system's whole stylesheet is on the page (inside `OnDemand`, which says
 * "Henter …" meanwhile): index.html's first stylesheet styles the sign-in screen only.
 */
export const WithDesignSystem = onDemand(() => designSystem().then(() => Children));
