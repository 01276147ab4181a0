// A build step for the design system's fonts. DKFDS's stylesheet lists, for the regular weight, an .eot, then
// the .woff before the .woff2 (and a .ttf last); a browser takes the first source it can read, so Chromium
// fetched the .woff, 40% larger than the .woff2. Every browser the console supports reads .woff2: each
// @font-face here lists it first, keeps the .woff after it for any other, and drops the rest (which the
// build then no longer copies into dist/).
import type { Plugin } from "postcss";

/** Splits a `src` list at its top-level commas (a quoted name may hold one). */
function sources(value: string): string[] {
  const found: string[] = [];
  let depth = 0;
  let quote: string | null = null;
  let start = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (quote) {
      if (c === quote) quote = null;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === "(") depth++;
    else if (c === ")") depth--;
    else if (c === "," && depth === 0) {
      found.push(value.slice(start, i).trim());
      start = i + 1;
    }
  }
  found.push(value.slice(start).trim());
  return found.filter(Boolean);
}

function kind(source: string): "woff2" | "woff" | "other" {
  if (/\.woff2\b|format\(\s*["']?woff2/i.test(source)) return "woff2";
  if (/\.woff\b|format\(\s*["']?woff["')]/i.test(source)) return "woff";
  return "other";
}

/** A @font-face `src` with .woff2 first, then .woff, and nothing else; a list without either as it was. */
export function woff2First(src: string): string {
  const listed = sources(src);
  const woff2 = listed.filter((s) => kind(s) === "woff2");
  const woff = listed.filter((s) => kind(s) === "woff");
  return woff2.length + woff.length === 0 ? src : [...woff2, ...woff].join(",");
}

export function woff2FirstPlugin(): Plugin {
  return {
    postcssPlugin: "godkend-woff2-first",
    AtRule: {
      "font-face": (rule) => {
        rule.walkDecls("src", (decl) => {
          decl.value = woff2First(decl.value);
        });
      },
    },
  };
}
