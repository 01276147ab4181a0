// A build step for the first stylesheet. The design system's stylesheet is 214 kB (32 kB gzip-compressed), and a
// stylesheet in index.html holds up the first paint until it has come. `src/first-screen.css` is the same
// stylesheet (DKFDS, then the console's own) cut down here to the rules whose classes and elements the first
// screen names: index.html's frame, the header and the sign-in form with its errors and notices. It is what
// index.html links; the script then fetches the whole stylesheet (src/design-system.ts), and everything
// else waits for it. The cut keeps the rules in their order and drops none the first screen uses, so the
// whole stylesheet, coming after it, changes nothing on that screen: each of its rules is there again later.
//
// Without @font-face: the web fonts (170 kB) would be fetched at the first paint, alongside the script and
// slowing it down. They come with the whole stylesheet and replace the fallback font then, as
// `font-display: swap` already did before they arrived.
import { defaultOptions, PurgeCSS, standardizeSafelist } from "purgecss";
import type { Plugin, Root } from "postcss";

/** The files whose class and element names the first screen uses, relative to web/. */
export const FIRST_SCREEN = [
  "index.html",
  "src/App.tsx",
  "src/components/ErrorSummary.tsx",
  "src/components/Footer.tsx",
  "src/components/Field.tsx",
  "src/components/Notice.tsx",
  "src/components/OnDemand.tsx",
  "src/pages/OneTimeCodeField.tsx",
  "src/pages/SignIn.tsx",
];

/** Only the rules whose selectors name something `content` (files, or raw text) holds; no @font-face. */
export async function cutToFirstScreen(root: Root, content: { files?: string[]; raw?: string[] }): Promise<void> {
  const purge = new PurgeCSS();
  // Notice's classes are built from its kind (`alert-${kind}`): every kind stays.
  purge.options = { ...defaultOptions, safelist: standardizeSafelist([/^alert-/]) };
  const extractors = purge.options.extractors;
  const fromFiles = await purge.extractSelectorsFromFiles(content.files ?? [], extractors);
  const fromRaw = await purge.extractSelectorsFromString(
    (content.raw ?? []).map((raw) => ({ raw, extension: "html" })),
    extractors,
  );
  fromFiles.merge(fromRaw);
  purge.walkThroughCSS(root, fromFiles);
  root.walkAtRules("font-face", (rule) => {
    rule.remove();
  });
}

/** Cuts the stylesheets whose file name ends in `fileName`, and no other. */
export function firstScreenPlugin(fileName: string, files: string[]): Plugin {
  return {
    postcssPlugin: "godkend-first-screen",
    async Once(root) {
      if (root.source?.input.file?.endsWith(fileName)) await cutToFirstScreen(root, { files });
    },
  };
}
