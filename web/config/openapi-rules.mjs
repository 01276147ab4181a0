// Writes src/api/rules.ts from openapi.json: for each schema of the API, the rules of its text fields
// (pattern, lengths) with the messages the API publishes for them (`x-messages`, in Danish and English).
// A form checks what a person typed with these before it sends anything, so it says what the API would
// say, from the same document: there is no second copy of a rule to drift apart.
import { readFileSync, writeFileSync } from "node:fs";
import { URL } from "node:url";

const document = JSON.parse(readFileSync(new URL("../openapi.json", import.meta.url), "utf8"));
const KEPT = ["pattern", "minLength", "maxLength"];

function ruleOf(schema) {
  // An optional field is `anyOf: [the field, null]`: its rules are the field's.
  const options = (schema.anyOf ?? []).filter((option) => option.type !== "null");
  const field = options.length === 1 ? { ...options[0], "x-messages": schema["x-messages"] ?? options[0]["x-messages"] } : schema;
  if (field.type !== "string" || !field["x-messages"]) return null;
  const rule = Object.fromEntries(KEPT.filter((key) => key in field).map((key) => [key, field[key]]));
  return { ...rule, messages: field["x-messages"] };
}

const lines = [
  "// Generated from openapi.json by config/openapi-rules.mjs (`npm run api`): never edited by hand.",
  'import type { FieldRules } from "../rules";',
  "",
];
for (const [name, schema] of Object.entries(document.components.schemas).sort(([a], [b]) => a.localeCompare(b))) {
  const fields = Object.entries(schema.properties ?? {})
    .map(([field, property]) => [field, ruleOf(property)])
    .filter(([, rule]) => rule !== null);
  if (fields.length === 0) continue;
  lines.push(`export const ${name}: FieldRules = ${JSON.stringify(Object.fromEntries(fields), null, 2)};`, "");
}
writeFileSync(new URL("../src/api/rules.ts", import.meta.url), lines.join("\n"));
