// What is behind the sign-in and asks the API: TanStack Query's cache, who am I, then the enrolment,
// Sagsbehandling or Min konto with its first tab. A chunk of its own, fetched while the sign-in is shown
// (main.tsx), so that a first visit's script is the sign-in's (docs/performance.md).
import { QueryClient, QueryClientProvider, useQuery } from "@tanstack/react-query";
import { useEffect, type ReactNode } from "react";

import { unwrap } from "../api/client";
import { Notice } from "../components/Notice";
import { onDemand } from "../components/OnDemand";
import { useServices, useSignedIn } from "../context";
import { problemText, useI18n } from "../i18n";
import { asProblem } from "../problems";
import { useTitle } from "../router";
import { MinKonto } from "./MinKonto";

const Enrol = onDemand(() => import("./Enrol").then((m) => m.Enrol));
const Sagsbehandling = onDemand(() => import("../staff/Sagsbehandling").then((m) => m.Sagsbehandling));
const Leverandor = onDemand(() => import("../vendor/Leverandor").then((m) => m.Leverandor));

const queryClient = new QueryClient({ defaultOptions: { queries: { retry: 1, staleTime: 10_000 } } });

/**
 * The server state, for every screen but the sign-in. A new person (or the same one again) starts from fresh
 * server state: signing in marks everything stale, and signing out, or leaving for the sign-in, forgets it.
 */
export function Queries({ children }: { children: ReactNode }) {
  const { signedIn, expired } = useSignedIn();
  useEffect(() => {
    if (signedIn) void queryClient.invalidateQueries();
    else if (!expired) queryClient.clear();
  }, [signedIn, expired]);
  useEffect(() => () => queryClient.clear(), []);
  return <QueryClientProvider client={queryClient}>{children}</QueryClientProvider>;
}

/** Signed in: who am I, then the authenticator's enrolment, Sagsbehandling for staff, Leverandør for a vendor's
 * person, or Min konto. */
export function Account({ tab, onEnrolled }: { tab: string | undefined; onEnrolled: (signInAfterMs: number) => void }) {
  const { api, session } = useServices();
  const { t, language } = useI18n();
  const me = useQuery({ queryKey: ["me"], queryFn: () => unwrap(session, () => api.GET("/v1/me")), retry: false });
  // Sagsbehandling and Leverandør name their own pages (staff/Sagsbehandling.tsx, vendor/Leverandor.tsx).
  const ownTitle = me.data?.roles.includes("staff") || me.data?.roles.includes("vendor");
  useTitle(ownTitle ? null : t("minkonto.title"));
  if (me.isPending) return <p>{t("common.loading")}</p>;
  if (me.isError) {
    const problem = asProblem(me.error);
    if (problem.slug === "second-factor-required")
      return <Enrol cognitoStep={null} onDone={(_, signInAfterMs) => onEnrolled(signInAfterMs ?? 0)} />;
    return (
      <Notice kind="error">
        <p className="alert-text">
          {problem.status === 0 ? t("common.networkError") : problemText(language, problem.slug, problem.problem.detail)}
        </p>
      </Notice>
    );
  }
  if (me.data.roles.includes("staff")) return <Sagsbehandling tab={tab} />;
  // A vendor's person: the vendor console, never an organisation's Min konto.
  if (me.data.roles.includes("vendor") && me.data.vendor) return <Leverandor vendorName={me.data.vendor.name} />;
  return <MinKonto me={me.data} tab={tab} />;
}
