/**
 * Before any test file runs: the admin UI and the activation page are built when a file in
 * ui/ is newer than the last build — once, not in each browser test file at the same time.
 */
import { execFileSync } from "node:child_process";
import { resolve } from "node:path";

export default function setup(): void {
  const root = resolve(import.meta.dirname, "..");
  execFileSync(process.execPath, [resolve(root, "scripts/build_ui.mjs"), "--if-stale"], {
    cwd: root,
    stdio: ["ignore", "ignore", "inherit"],
  });
}
