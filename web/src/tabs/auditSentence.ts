// An audit entry as a sentence a person reads: who did what to whom, by the names the entry kept when it
// was written ("Mette Søndergård oprettede en kode til Karen Blixen"). Never an id: an entry written before
// names were kept says "en tidligere bruger", and one about nobody in particular leaves the subject out.
import type { Translate } from "../i18n";

export interface TrailEntry {
  action: string;
  actor: { kind: string; id: string; name?: string | null };
  names?: Record<string, string>;
  details: Record<string, unknown>;
}

function actorName(entry: TrailEntry, t: Translate): string {
  if (entry.actor.name) return entry.actor.name;
  switch (entry.actor.kind) {
    case "anonymous":
      return t("trail.applicant");
    case "staff":
      return t("trail.someStaff");
    case "operator":
      return t("trail.operator");
    default:
      return t("trail.formerUser");
  }
}

function text(value: unknown): string | undefined {
  return typeof value === "string" && value.trim() ? value : undefined;
}

function placeholders(entry: TrailEntry, t: Translate, what: string): Record<string, string> {
  const names = entry.names ?? {};
  return {
    actor: actorName(entry, t),
    representative: names.representative ?? t("trail.someRepresentative"),
    organisation: names.organisation ?? t("trail.theOrganisation"),
    // Entries about a colleague's login kept their name in the details before names had a place of their own.
    user: names.user ?? text(entry.details.name) ?? text(entry.details.removed_name) ?? t("trail.someUser"),
    what,
  };
}

function capitalised(sentence: string): string {
  return sentence.charAt(0).toLocaleUpperCase("da") + sentence.slice(1);
}

/** The entry in words; `what` names an action the sentences do not know yet (the console's older words). */
export function auditSentence(entry: TrailEntry, t: Translate, what: string): string {
  const key = `trail.${entry.action}`;
  // Keys built from an API value: an action the words do not have yet has none.
  const pattern = (t as (k: string) => string | undefined)(key) ?? t("trail.other");
  const values = placeholders(entry, t, what);
  return capitalised(pattern.replace(/\{(\w+)\}/g, (_, name: string) => values[name] ?? ""));
}
