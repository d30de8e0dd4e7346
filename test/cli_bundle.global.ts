/**
 * Before any test file runs: when a source file is newer than the CLI bundle (dist/, built by
 * `npm ci` or `npm run build`), the CLI the tests start runs the sources, so a test never checks
 * stale code. `bin/provisio.js` itself does not look (walking src/ on every start is what a
 * management command's start cannot afford); a test that sets PROVISIO_FROM_SOURCE keeps it.
 */
import { readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const time = entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs;
    if (time > newest) newest = time;
  }
  return newest;
}

function builtAt(root: string): number | undefined {
  try {
    return statSync(join(root, "dist", "BUILT")).mtimeMs;
  } catch {
    return undefined;
  }
}

export default function setup(): void {
  const root = resolve(import.meta.dirname, "..");
  const built = builtAt(root);
  if (process.env.PROVISIO_FROM_SOURCE === undefined) {
    if (built === undefined || newestMtime(join(root, "src")) > built) {
      process.env.PROVISIO_FROM_SOURCE = "1";
    }
  }
}
