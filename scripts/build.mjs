// Bundles the CLI (and everything it imports) into dist/ with esbuild, so the
// `provisio` command does not pay tsx's on-the-fly compilation on every run (D1).
// Runs on `npm ci` / `npm install` (prepare). bin/provisio.js falls back to the
// TypeScript sources when dist/ is older than any source file, so a stale bundle
// is never used.
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { directIndexImports } from "./esbuild_barrels.mjs";

// Bundled rather than loaded from node_modules: pure-JS ESM packages made of many
// small files, whose module loading would dominate a management command's start (D1).
const BUNDLED = new Set(["commander", "kysely"]);
const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
const external = Object.keys(pkg.dependencies).filter((name) => !BUNDLED.has(name));

// Provisio's own files have no import-time side effects, and the bundler is told so: a
// re-export from a module's index.ts then costs nothing unless it is used, and a command's
// chunk loads only the files — and the external packages — it calls (`device list` loads
// the store, not LiquidJS, pino or the x509 stack).
const SRC = fileURLToPath(new URL("../src/", import.meta.url));
const sideEffectFreeSources = {
  name: "side-effect-free-sources",
  setup(builder) {
    builder.onResolve({ filter: /^\.\.?\// }, (args) => {
      if (args.kind === "entry-point" || !`${args.resolveDir}${sep}`.startsWith(SRC)) return undefined;
      return { path: resolve(args.resolveDir, args.path), sideEffects: false };
    });
  },
};

rmSync(new URL("../dist", import.meta.url), { recursive: true, force: true });
await build({
  entryPoints: { main: "src/cli/main.ts" },
  bundle: true,
  splitting: true,
  platform: "node",
  format: "esm",
  target: "node20",
  outdir: "dist",
  external,
  plugins: [sideEffectFreeSources, directIndexImports(SRC)],
  // CommonJS packages bundled into ESM chunks call require() for Node's built-ins.
  banner: {
    js: 'import { createRequire as __provisioRequire } from "node:module"; const require = __provisioRequire(import.meta.url);',
  },
  sourcemap: "linked",
  logLevel: "warning",
});
writeFileSync(new URL("../dist/BUILT", import.meta.url), `${new Date().toISOString()}\n`);
// The TFTP fast path (optional native endpoint; see scripts/build_native.mjs).
await import("./build_native.mjs");
