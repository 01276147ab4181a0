// A small router over the History API: the hosting falls back to index.html for every path.
import { useEffect, useSyncExternalStore } from "react";

const listeners = new Set<() => void>();

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  window.addEventListener("popstate", listener);
  return () => {
    listeners.delete(listener);
    window.removeEventListener("popstate", listener);
  };
}

export function navigate(path: string, replace = false): void {
  if (path === window.location.pathname) return;
  if (replace) window.history.replaceState(null, "", path);
  else window.history.pushState(null, "", path);
  for (const listener of listeners) listener();
  window.scrollTo?.(0, 0);
}

export function usePath(): string {
  return useSyncExternalStore(subscribe, () => window.location.pathname);
}

export const PATHS = {
  signIn: "/",
  apply: "/ansoeg",
  activate: "/aktiver",
  invitation: "/invitation",
  forgotPassword: "/glemt-adgangskode",
  support: "/kontakt-support",
  renewalRequest: "/anmodning",
  hostedCheck: "/kontrol",
  account: "/min-konto",
  password: "/min-konto/skift-adgangskode",
  accessibility: "/tilgaengelighed",
  privacy: "/privatliv",
  cookies: "/cookies",
  apiReference: "/docs",
} as const;

/** The pages anyone may read, signed in or not: the footer's. */
export const INFO_PATHS: readonly string[] = [PATHS.accessibility, PATHS.privacy, PATHS.cookies, PATHS.apiReference];

/** The paths the console has a page for (Min konto's tabs under its own); any other is "Siden findes ikke". */
export function isKnownPath(path: string): boolean {
  const known: readonly string[] = [
    PATHS.signIn,
    PATHS.apply,
    PATHS.activate,
    PATHS.invitation,
    PATHS.forgotPassword,
    PATHS.support,
    PATHS.renewalRequest,
    PATHS.hostedCheck,
    ...INFO_PATHS,
  ];
  return known.includes(path) || path === PATHS.account || path.startsWith(PATHS.account + "/");
}

/** The window's title while a page is shown: "<page> – Godkend", as a tab or a screen reader names it. A page
 * whose title is not its own yet (null) leaves it to the page inside it. */
export function useTitle(page: string | null): void {
  useEffect(() => {
    if (page) document.title = `${page} – Godkend`;
  }, [page]);
}
