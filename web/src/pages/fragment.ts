// What a link from a mail or letter carries after `#` (`/invitation#kode=...`, `/aktiver#brugernavn=...`):
// browsers never send a URL's fragment to a server, so a code may travel there and nowhere else.

/** The value of `name` in the address's fragment, or "" when it has none. */
export function fromFragment(name: string): string {
  const value = new URLSearchParams(window.location.hash.replace(/^#/, "")).get(name);
  return value ? value.trim() : "";
}

/** The address without its fragment, replacing the history entry, so a code is not left in history. */
export function forgetFragment(): void {
  if (!window.location.hash) return;
  window.history.replaceState(window.history.state, "", window.location.pathname + window.location.search);
}
