// What a link from a mail or letter carries after `#` (`/invitation#kode=...`, `/aktiver#brugernavn=...`):
// browsers never send a URL's fragment to a server, so a code may travel there and nowhere else.
import { problemText, useI18n, type Language, type MessageKey } from "../i18n";
import { asProblem } from "../problems";

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

/**
 * For a page whose link carries a capability as its whole fragment (`/anmodning#…`, `/kontrol#…`): a function
 * that reads it the first time, forgets it from the address bar and history, and answers the same value for
 * the page's life (a second render, or React running an initialiser twice, finds the address already clean).
 */
export function fragmentTakenOnce(): () => string {
  let taken: string | null = null;
  return () => {
    if (taken === null) {
      taken = window.location.hash.replace(/^#/, "");
      forgetFragment();
    }
    return taken;
  };
}

/** What went wrong on such a page, in words: no connection, a link that no longer works (404), too many
 * tries (429), or the API's own problem. */
export function linkProblemText(
  failure: unknown,
  words: { network: string; unusable: string; tooMany: string },
  language: Language,
): string {
  const problem = asProblem(failure);
  if (problem.status === 0) return words.network;
  if (problem.status === 404) return words.unusable;
  if (problem.status === 429) return words.tooMany;
  return problemText(language, problem.slug, problem.problem.detail);
}

/** For such a page: `linkProblemText` in the page's language, with its own words for a link that no longer
 * works and for too many tries, and the console's for no connection. */
export function useLinkProblemText(unusable: MessageKey, tooMany: MessageKey): (failure: unknown) => string {
  const { t, language } = useI18n();
  return (failure) =>
    linkProblemText(failure, { network: t("common.networkError"), unusable: t(unusable), tooMany: t(tooMany) }, language);
}
