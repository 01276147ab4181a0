import { describe, expect, it } from "vitest";

import { translator } from "../src/i18n";
import { auditSentence, type TrailEntry } from "../src/tabs/auditSentence";

const da = translator("da");

function entry(action: string, actor: TrailEntry["actor"], names: Record<string, string> = {}, details = {}): TrailEntry {
  return { action, actor, names, details };
}

describe("the audit trail in words", () => {
  it("names who did what for whom, as the entry kept them", () => {
    const created = entry("code.created", { kind: "user", id: "adm-1", name: "Mette Søndergård" }, { representative: "Karen Blixen" });
    expect(auditSentence(created, da, "")).toBe("Mette Søndergård oprettede en kode til Karen Blixen");
  });

  it("never shows an id: a login since gone is a former user, an applicant is an applicant", () => {
    const old = entry("user.disabled", { kind: "user", id: "adm-v1cq7t7f" });
    expect(auditSentence(old, da, "")).toBe("En tidligere bruger deaktiverede en bruger");
    const applied = entry("application.submitted", { kind: "anonymous", id: "anonymous" });
    expect(auditSentence(applied, da, "")).toBe("En ansøger sendte en ansøgning");
    expect(auditSentence(old, da, "")).not.toContain("adm-");
  });

  it("says an action it has no sentence for in the console's older words", () => {
    const unknown = entry("something.new", { kind: "staff", id: "s-1", name: "Sara Holm" });
    expect(auditSentence(unknown, da, "Noget nyt")).toBe("Sara Holm: Noget nyt");
  });
});
