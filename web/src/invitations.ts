// An invitation refused because too many have been sent today, in the console's words: the three forms that
// invite (a colleague of the organisation, an invitation sent again, a vendor's colleague) say it alike.
import { formatDateTime } from "./format";
import type { Language, Translate } from "./i18n";
import { asProblem } from "./problems";

/**
 * The API bounds the invitations one person, and one organisation or vendor, sends in a sliding day, and
 * answers 429 with Retry-After beyond a bound: that refusal in the console's words, with when the next one
 * can go; null for any other answer. The gateway's own throttling answers 429 too, but without Retry-After:
 * a moment's wait is all that one needs, so it keeps the generic "too many tries" words.
 */
export function invitationRefusal(error: unknown, language: Language, t: Translate, now: Date = new Date()): string | null {
  const problem = asProblem(error);
  const wait = problem.retryAfterSeconds;
  if (problem.status !== 429 || problem.slug !== "too-many-requests" || wait === null) return null;
  const when = formatDateTime(new Date(now.getTime() + wait * 1000).toISOString(), language);
  return [t("invitations.tooMany"), t("invitations.tryAgainAfter").replace("{time}", when), t("invitations.askSupport")].join(" ");
}
