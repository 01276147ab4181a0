import { fileURLToPath } from "node:url";

import { compression } from "vite-plugin-compression2";
import { defineConfig } from "vitest/config";

import { FIRST_SCREEN, firstScreenPlugin } from "./config/first-screen";
import { woff2FirstPlugin } from "./config/woff2-first";

// The same build runs locally and in AWS: where the API and the user pool are comes from /config.json,
// fetched at start-up, never from the build.
export default defineConfig({
  // The source is written against React's API and renders with Preact's compatibility layer: the same
  // components, hooks, Suspense and lazy, in about 5 kB instead of React's 58 kB (docs/performance.md).
  // TanStack Query's "react" comes here too. The specific entries go first: Vite takes the first that matches.
  resolve: {
    alias: [
      { find: /^react\/jsx-runtime$/, replacement: "preact/compat/jsx-runtime" },
      { find: /^react\/jsx-dev-runtime$/, replacement: "preact/compat/jsx-dev-runtime" },
      { find: /^react-dom\/client$/, replacement: "preact/compat/client" },
      { find: /^react-dom$/, replacement: "preact/compat" },
      { find: /^react$/, replacement: "preact/compat" },
    ],
  },
  plugins: [
    // Every text file also as .gz and .br beside it, compressed once here at the highest levels (the plugin's
    // defaults), for the local console server to send as they are (infra/local/console.py).
    compression({ algorithms: ["gzip", "brotliCompress"], logLevel: "silent" }),
  ],
  css: {
    postcss: { plugins: [woff2FirstPlugin(), firstScreenPlugin("/src/first-screen.css", FIRST_SCREEN.map((file) => fileURLToPath(new URL(file, import.meta.url))))] },
  },
  build: {
    outDir: "dist",
    // No source maps: nothing collects the console's errors from browsers, so a map would only publish the
    // source with its comments to every visitor. `npx vite` serves them while developing.
    sourcemap: false,
    // No inline scripts or styles, so the hosting can send a strict Content-Security-Policy.
    assetsInlineLimit: 0,
    rollupOptions: {
      // TanStack Query marks its modules "use client" for React's server components, which the console has none of.
      onwarn(warning, warn) {
        if (warning.code !== "MODULE_LEVEL_DIRECTIVE") warn(warning);
      },
    },
  },
  test: {
    include: ["tests/**/*.test.ts", "tests/**/*.test.tsx"],
    environment: "jsdom",
  },
});
