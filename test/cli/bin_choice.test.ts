/**
 * Which code `bin/provisio.js` runs: the bundle in dist/ when it was built from the checkout's
 * commit (or no commit is known), the sources when there is no bundle, when the bundle was
 * built from another commit (a `git pull` without `npm ci`), or when PROVISIO_FROM_SOURCE=1.
 * Run on a copy of the bin in a scratch tree whose bundle and sources each say which they are.
 */
import { execFile } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");
const tree = mkdtempSync(join(tmpdir(), "provisio-bin-choice-"));
const A = "a".repeat(40);
const B = "b".repeat(40);

function ran(env: NodeJS.ProcessEnv = {}): Promise<string> {
  const clean: NodeJS.ProcessEnv = { ...process.env, ...env };
  if (!("PROVISIO_FROM_SOURCE" in env)) delete clean.PROVISIO_FROM_SOURCE;
  return new Promise((done, fail) => {
    execFile(
      process.execPath,
      [join(tree, "bin", "provisio.js"), "device", "list"],
      { env: clean, cwd: tree },
      (error, stdout, stderr) =>
        error ? fail(new Error(`${error.message}\n${stderr}`)) : done(stdout.trim()),
    );
  });
}

function built(commit: string | undefined): void {
  const stamp = join(tree, "dist", "BUILT");
  if (commit === undefined) rmSync(stamp, { force: true });
  else writeFileSync(stamp, `2026-01-01T00:00:00.000Z\n${commit}\n`);
}

beforeAll(() => {
  mkdirSync(join(tree, "bin"));
  cpSync(join(ROOT, "bin", "provisio.js"), join(tree, "bin", "provisio.js"));
  cpSync(join(ROOT, "bin", "package.json"), join(tree, "bin", "package.json"));
  symlinkSync(join(ROOT, "node_modules"), join(tree, "node_modules"));
  mkdirSync(join(tree, "dist", "commands"), { recursive: true });
  writeFileSync(join(tree, "dist", "package.json"), '{ "type": "commonjs" }\n');
  writeFileSync(
    join(tree, "dist", "commands", "device.js"),
    'exports.COMMAND_NAMES = ["device"];\nexports.main = async () => { process.stdout.write("bundle\\n"); return 0; };\n',
  );
  writeFileSync(join(tree, "package.json"), '{ "type": "module" }\n');
  mkdirSync(join(tree, "src", "cli"), { recursive: true });
  writeFileSync(
    join(tree, "src", "cli", "main.ts"),
    'export async function main(_argv: readonly string[]): Promise<number> {\n  process.stdout.write("source\\n");\n  return 0;\n}\n',
  );
  // A checkout on branch main at commit A, its ref packed (as after `git gc`).
  mkdirSync(join(tree, ".git"));
  writeFileSync(join(tree, ".git", "HEAD"), "ref: refs/heads/main\n");
  writeFileSync(
    join(tree, ".git", "packed-refs"),
    `# pack-refs with: peeled fully-peeled sorted\n${A} refs/heads/main\n`,
  );
});

afterAll(() => rmSync(tree, { recursive: true, force: true }));

describe("bin/provisio.js chooses the bundle or the sources", () => {
  it("runs the bundle built from the checkout's commit, the sources for another commit", async () => {
    built(A);
    expect(await ran()).toBe("bundle");
    built(B);
    expect(await ran()).toBe("source");
    // A loose ref wins over the packed one, as in git.
    mkdirSync(join(tree, ".git", "refs", "heads"), { recursive: true });
    writeFileSync(join(tree, ".git", "refs", "heads", "main"), `${B}\n`);
    expect(await ran()).toBe("bundle");
    rmSync(join(tree, ".git", "refs"), { recursive: true });
  });

  it("runs the sources without a bundle, the bundle when no commit is recorded", async () => {
    built(undefined);
    expect(await ran()).toBe("source");
    built("");
    expect(await ran()).toBe("bundle");
  });

  it("PROVISIO_FROM_SOURCE overrides the choice either way", async () => {
    built(A);
    expect(await ran({ PROVISIO_FROM_SOURCE: "1" })).toBe("source");
    built(B);
    expect(await ran({ PROVISIO_FROM_SOURCE: "0" })).toBe("bundle");
  });
});
