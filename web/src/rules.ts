// A form's own check of what a person typed, by the rules the API publishes in its OpenAPI document
// (src/api/rules.ts, generated from it): the same patterns and lengths, and the same messages, in Danish and
// English. The API checks everything again; this only spares a round trip and says it where the field is.
import type { Language } from "./i18n";

export interface FieldRule {
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  /** By language, then by rule: "required", "minLength", "maxLength", "pattern", … */
  messages: Record<string, Record<string, string>>;
}

export type FieldRules = Record<string, FieldRule>;

const compiled = new Map<string, RegExp | null>();

function patternOf(pattern: string): RegExp | null {
  if (!compiled.has(pattern)) {
    let found: RegExp | null;
    try {
      found = new RegExp(pattern, "u");
    } catch {
      found = null; // a pattern this browser cannot read: the API still checks it
    }
    compiled.set(pattern, found);
  }
  return compiled.get(pattern) ?? null;
}

/** The message for the first rule `value` breaks, or undefined when it keeps them all. */
export function breaks(value: string, rule: FieldRule, language: Language): string | undefined {
  const said = rule.messages[language] ?? rule.messages.en ?? {};
  const length = [...value].length;
  let broken: string | null = null;
  if (value === "") broken = "required";
  else if (rule.minLength !== undefined && length < rule.minLength) broken = "minLength";
  else if (rule.maxLength !== undefined && length > rule.maxLength) broken = "maxLength";
  else if (rule.pattern !== undefined && patternOf(rule.pattern)?.test(value) === false) broken = "pattern";
  if (broken === null) return undefined;
  return said[broken] ?? said.required ?? said.pattern;
}

/** Each field's message, by field name, for the fields that break a rule. */
export function checkFields(
  values: Record<string, string>,
  rules: FieldRules,
  language: Language,
): Record<string, string> {
  const found: Record<string, string> = {};
  for (const [field, value] of Object.entries(values)) {
    const rule = rules[field];
    const message = rule ? breaks(value, rule, language) : undefined;
    if (message !== undefined) found[field] = message;
  }
  return found;
}
