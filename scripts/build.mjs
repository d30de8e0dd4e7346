// Bundles the CLI (and everything it imports) into dist/ with esbuild, so the
// `provisio` command starts in ~50 ms instead of paying tsx's on-the-fly
// compilation (~160 ms) on every run. Runs on `npm ci` / `npm install` (prepare).
// bin/provisio.js falls back to the TypeScript sources when dist/ is older than
// any source file, so a stale bundle is never used.
import { rmSync, writeFileSync } from "node:fs";
import { build } from "esbuild";

rmSync(new URL("../dist", import.meta.url), { recursive: true, force: true });
await build({
  entryPoints: { main: "src/cli/main.ts" },
  bundle: true,
  splitting: true,
  platform: "node",
  format: "esm",
  target: "node20",
  outdir: "dist",
  packages: "external",
  sourcemap: "linked",
  logLevel: "warning",
});
writeFileSync(new URL("../dist/BUILT", import.meta.url), `${new Date().toISOString()}\n`);
// The TFTP fast path (optional native endpoint; see scripts/build_native.mjs).
await import("./build_native.mjs");
