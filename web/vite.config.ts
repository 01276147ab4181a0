import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";

// The same build runs locally and in AWS: where the API and the user pool are comes from /config.json,
// fetched at start-up, never from the build.
export default defineConfig({
  plugins: [react()],
  build: {
    outDir: "dist",
    sourcemap: true,
    // No inline scripts or styles, so the hosting can send a strict Content-Security-Policy.
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 1500,
  },
  test: {
    include: ["tests/**/*.test.ts", "tests/**/*.test.tsx"],
    environment: "jsdom",
  },
});
