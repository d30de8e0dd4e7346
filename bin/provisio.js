#!/usr/bin/env node
// Starts the CLI from the esbuild bundle in dist/ (built by `npm ci`), or from the
// TypeScript sources through tsx when the bundle is missing or older than any
// source file — so a developer never runs stale code and a user never waits for
// on-the-fly compilation.
import { readdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const time = entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs;
    if (time > newest) newest = time;
  }
  return newest;
}

function bundleIsFresh() {
  try {
    return statSync(join(root, "dist", "BUILT")).mtimeMs >= newestMtime(join(root, "src"));
  } catch {
    return false;
  }
}

// PROVISIO_FROM_SOURCE=1 forces the sources; PROVISIO_FROM_SOURCE=0 forces the bundle
// (benchmarks, while someone edits src/).
const mode = process.env.PROVISIO_FROM_SOURCE;
let main;
if (mode === "0" || (mode !== "1" && bundleIsFresh())) {
  ({ main } = await import("../dist/main.js"));
} else {
  const { register } = await import("tsx/esm/api");
  register();
  ({ main } = await import("../src/cli/main.ts"));
}
process.exitCode = await main(process.argv);
