import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";

// The lint step that keeps "a module is imported only through its index.ts" true
// (scripts/check_imports.mjs, run by `npm run lint`), run as CI runs it.
const root = fileURLToPath(new URL("../..", import.meta.url));
const script = join(root, "scripts", "check_imports.mjs");

function check(at: string): { status: number | null; stderr: string } {
  const r = spawnSync(process.execPath, [script, "--root", at], { encoding: "utf8" });
  return { status: r.status, stderr: r.stderr };
}

let tree: string | undefined;
afterEach(() => {
  if (tree !== undefined) rmSync(tree, { recursive: true, force: true });
  tree = undefined;
});

function write(files: Record<string, string>): string {
  tree = mkdtempSync(join(tmpdir(), "provisio-imports-"));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(tree, path)), { recursive: true });
    writeFileSync(join(tree, path), text);
  }
  return tree;
}

const server = {
  "src/server/index.ts": 'export { startNode } from "./node.ts";\n',
  "src/server/node.ts": "export function startNode(): void {}\n",
  "src/errors.ts": "export class ProvisioError extends Error {}\n",
};

describe("the import rule", () => {
  it("fails on a deep import into another module, naming the file, line and import", () => {
    const at = write({
      ...server,
      "src/cli/serve_command.ts":
        'import { ProvisioError } from "../errors.ts";\nimport { startNode } from "../server/node.ts";\n',
    });
    const { status, stderr } = check(at);
    expect(status).toBe(1);
    expect(stderr).toContain('src/cli/serve_command.ts:2: imports "../server/node.ts"');
    expect(stderr).toContain("src/server/index.ts");
  });

  it("catches dynamic imports and re-exports too, from nested folders", () => {
    const at = write({
      ...server,
      "src/api/routes/x.ts": 'export { startNode } from "../../server/node.ts";\n',
      "src/cli/y.ts": 'export const load = () => import("../server/node.ts");\n',
    });
    const { status, stderr } = check(at);
    expect(status).toBe(1);
    expect(stderr).toContain("src/api/routes/x.ts:1");
    expect(stderr).toContain("src/cli/y.ts:1");
    expect(stderr).toContain("2 deep import(s)");
  });

  it("accepts the index, the kernel and a module's own files", () => {
    const at = write({
      ...server,
      "src/cli/serve_command.ts":
        'import { ProvisioError } from "../errors.ts";\nimport { startNode } from "../server/index.ts";\nimport { x } from "./cli_io.ts";\n',
      "src/cli/cli_io.ts": "export const x = 1;\n",
    });
    expect(check(at)).toEqual({ status: 0, stderr: "" });
  });

  it("passes on this repository's sources", () => {
    expect(check(root)).toEqual({ status: 0, stderr: "" });
  });
});
