// What a first visit fetches of the console's JavaScript: the scripts the built index.html names (its module
// script and the chunks it preloads), i.e. the sign-in page's and Min konto's first tab's, never the chunks
// fetched on demand. The size budget (.size-limit.js) weighs these.

/** The `dist/`-relative paths of the scripts in `html` (a built index.html). */
export function initialScripts(html) {
  const found = [];
  for (const [tag] of html.matchAll(/<(?:script|link)\b[^>]*>/g)) {
    const isModule = /^<script\b/.test(tag) && /\btype="module"/.test(tag);
    const isPreload = /^<link\b/.test(tag) && /\brel="modulepreload"/.test(tag);
    const url = tag.match(/\b(?:src|href)="\/?([^"]+\.js)"/)?.[1];
    if ((isModule || isPreload) && url) found.push(`dist/${url}`);
  }
  if (found.length === 0) throw new Error("dist/index.html names no script: is the build there?");
  return found;
}
