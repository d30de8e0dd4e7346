/**
 * What users read — every command's help through the real CLI, README.md and docs/*.md —
 * speaks in the project's own words: no section numbers (`§6.4`), issue numbers or appendix
 * references of documents a user does not have.
 */
import { execFile } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");

/** Citations of documents outside the project. */
const CITATIONS: readonly RegExp[] = [
  /§/,
  /\b[Ii]ssue \d+/,
  /\bAppendix [A-Z]\b/,
  /provisioning-spec/,
  /\(C\d{1,2}\)|\[conflict C\d/,
];

function offending(text: string): string[] {
  return text
    .split("\n")
    .map((line, i) => `${i + 1}: ${line}`)
    .filter((line) => CITATIONS.some((re) => re.test(line)));
}

function cli(args: readonly string[]): Promise<string> {
  return new Promise((done, fail) => {
    const env: Record<string, string> = { NO_COLOR: "1" };
    for (const [k, v] of Object.entries(process.env)) {
      if (v !== undefined && !k.startsWith("PROVISIO_")) env[k] = v;
    }
    execFile(
      process.execPath,
      [resolve(ROOT, "bin/provisio.js"), ...args],
      { cwd: ROOT, env, encoding: "utf8", timeout: 60_000 },
      (error, stdout, stderr) => {
        if (error !== null)
          fail(new Error(`provisio ${args.join(" ")}: ${stderr || error.message}`));
        else done(stdout);
      },
    );
  });
}

/** The sub-command names listed under "Commands:" in a help text (`help` itself left out). */
function subcommands(help: string): string[] {
  const block = help.split(/\nCommands:\n/)[1];
  if (block === undefined) return [];
  const names: string[] = [];
  for (const line of block.split("\n")) {
    const match = /^ {2}([a-z][\w-]*)/.exec(line);
    if (match !== null && match[1] !== "help") names.push(match[1]!);
  }
  return names;
}

describe("user-facing text cites no outside document", () => {
  it("README.md and docs/*.md", () => {
    const files = ["README.md", ...readdirSync(resolve(ROOT, "docs")).map((f) => `docs/${f}`)];
    const found: string[] = [];
    for (const file of files.filter((f) => f.endsWith(".md"))) {
      const text = readFileSync(resolve(ROOT, file), "utf8");
      for (const line of offending(text)) found.push(`${file}:${line}`);
      if (/\bspec\/|copy it into the project/.test(text)) found.push(`${file}: names spec/`);
    }
    expect(found).toEqual([]);
  });

  it("the help of every command, through the real CLI", async () => {
    const found: string[] = [];
    const seen: string[] = [];
    let level: string[][] = [[]];
    while (level.length > 0) {
      const next: string[][] = [];
      // Two at a time: a busy two-core machine.
      for (let i = 0; i < level.length; i += 2) {
        const batch = level.slice(i, i + 2);
        const helps = await Promise.all(batch.map((path) => cli([...path, "--help"])));
        batch.forEach((path, j) => {
          const help = helps[j]!;
          seen.push(path.join(" ") || "(top)");
          for (const line of offending(help))
            found.push(`provisio ${path.join(" ")} --help:${line}`);
          for (const name of subcommands(help)) next.push([...path, name]);
        });
      }
      level = next;
    }
    // The walk found the commands (a broken parser would find none and pass).
    expect(seen).toEqual(
      expect.arrayContaining(["(top)", "serve", "device", "device add", "layer set"]),
    );
    expect(found).toEqual([]);
  }, 300_000);
});
