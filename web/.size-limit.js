// The size budget, checked by `npm run build` after Vite's build: it fails when a first visit's JavaScript
// (config/initial-scripts.js) weighs more than this, gzip-compressed, as served (docs/performance.md).
import { readFileSync } from "node:fs";

import { initialScripts } from "./config/initial-scripts.js";

export default [
  {
    name: "JavaScript of a first visit (the sign-in and Min konto's first tab), gzip",
    path: initialScripts(readFileSync("dist/index.html", "utf8")),
    gzip: true,
    limit: "100 kB",
  },
];
