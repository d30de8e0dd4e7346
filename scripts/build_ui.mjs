// Builds the browser applications in ui/ (each folder with a vite.config.ts) into
// dist/ui/<name>/: the admin UI the admin listener serves at `/`, and the customer's
// activation page the device-facing listener serves. Runs on `npm ci` after build.mjs.
//
//   node scripts/build_ui.mjs              build every application
//   node scripts/build_ui.mjs --if-stale   only when a file in ui/ is newer than the build
//
// Vite is a dev dependency: an install without them (`npm ci --omit=dev`) keeps the
// applications built before, or the server answers that the UI is not built.
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const UI = join(ROOT, "ui");
const OUT = join(ROOT, "dist", "ui");
const STAMP = join(OUT, "BUILT");

function newest(dir) {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === "node_modules") continue;
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

const apps = readdirSync(UI, { withFileTypes: true })
  .filter((e) => e.isDirectory() && existsSync(join(UI, e.name, "vite.config.ts")))
  .map((e) => e.name);

if (process.argv.includes("--if-stale") && existsSync(STAMP)) {
  const sources = Math.max(newest(UI), statSync(join(ROOT, "package-lock.json")).mtimeMs);
  if (statSync(STAMP).mtimeMs >= sources) process.exit(0);
}

let vite;
try {
  vite = await import("vite");
} catch {
  console.warn("build_ui: vite is not installed (dev dependencies omitted); the UI is not rebuilt");
  process.exit(0);
}
for (const app of apps) {
  const started = Date.now();
  await vite.build({
    configFile: join(UI, app, "vite.config.ts"),
    root: join(UI, app),
    logLevel: "warn",
    build: { outDir: join(OUT, app), emptyOutDir: true },
  });
  console.log(`build_ui: ${app} built in ${Date.now() - started} ms`);
}
mkdirSync(OUT, { recursive: true });
writeFileSync(STAMP, `${new Date().toISOString()}\n`);
