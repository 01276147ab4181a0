// Times for people: Danish time (Europe/Copenhagen) the Danish way, "30. januar 2027 kl. 22:34".
// The API speaks ISO 8601 UTC; only the console turns it into local time.
import type { Language } from "./i18n";

export const TIME_ZONE = "Europe/Copenhagen";

function parts(iso: string, language: Language): Record<string, string> {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) throw new RangeError(`not a time: ${iso}`);
  const formatter = new Intl.DateTimeFormat(language === "da" ? "da-DK" : "en-GB", {
    timeZone: TIME_ZONE,
    day: "numeric",
    month: "long",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  });
  const found: Record<string, string> = {};
  for (const part of formatter.formatToParts(date)) found[part.type] = part.value;
  return found;
}

/** "30. januar 2027 kl. 22:34" (da) or "30 January 2027 at 22:34" (en), in Danish time. */
export function formatDateTime(iso: string, language: Language = "da"): string {
  const p = parts(iso, language);
  const time = `${p.hour}:${p.minute}`;
  return language === "da"
    ? `${p.day}. ${p.month} ${p.year} kl. ${time}`
    : `${p.day} ${p.month} ${p.year} at ${time}`;
}

/** "30. januar 2027" (da) or "30 January 2027" (en), the day in Danish time. */
export function formatDate(iso: string, language: Language = "da"): string {
  const p = parts(iso, language);
  return language === "da" ? `${p.day}. ${p.month} ${p.year}` : `${p.day} ${p.month} ${p.year}`;
}
