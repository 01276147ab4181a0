// The design system's whole stylesheet. index.html's first one holds only what the sign-in screen uses
// (config/first-screen.ts), so that the first paint does not wait for 214 kB of rules; this fetches the
// rest once the script runs, and every other screen waits for it (OnDemand.tsx's WithDesignSystem).

let loading: Promise<unknown> | undefined;

/** The whole stylesheet on the page: fetched the first time this is called, the same promise after. */
export function designSystem(): Promise<unknown> {
  loading ??= import("./design-system.css");
  return loading;
}
