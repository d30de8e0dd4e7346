/**
 * What a management command loads at start, from the bundle `npm ci` builds (dist/): its own
 * bundle (dist/commands/<name>.js), none of the server's packages, and no network built-in
 * it does not call — the start-up budget of `provisio device list` is mostly what is loaded.
 * Run by the real `node bin/provisio.js`, with a preload that reports what was loaded.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "./run_cli.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const dir = mkdtempSync(join(tmpdir(), "provisio-startup-"));
const data = join(dir, "data");
const report = join(dir, "loaded.json");
const preload = join(dir, "report_loaded.cjs");

interface Loaded {
  readonly builtins: string[];
  readonly packages: string[];
  readonly bundles: string[];
}

/** Runs `provisio …args` from the bundle and says what the process loaded. */
async function loadedBy(...args: string[]): Promise<Loaded> {
  rmSync(report, { force: true });
  const result = await runCli([...args, "--data", data], {
    env: {
      ...process.env,
      PROVISIO_FROM_SOURCE: "0",
      NODE_OPTIONS: `--require ${preload}`,
    },
  });
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(readFileSync(report, "utf8")) as Loaded;
}

beforeAll(async () => {
  if (!existsSync(join(ROOT, "dist", "commands", "device.js"))) {
    throw new RangeError("dist/ has no per-command bundles: run `npm run build` (npm ci does)");
  }
  // Built-ins from Node's own list of loaded modules; packages from require's cache; which
  // bundle ran from the files the process opened for reading through fs.
  writeFileSync(
    preload,
    `const fs = require("node:fs");
const before = new Set(process.moduleLoadList);
const bundles = [];
const read = fs.readFileSync;
fs.readFileSync = function (file, ...rest) {
  if (typeof file === "string" && file.startsWith(${JSON.stringify(join(ROOT, "dist"))}) && file.endsWith(".js")) bundles.push(file);
  return read.call(this, file, ...rest);
};
process.on("exit", () => {
  const builtins = process.moduleLoadList
    .filter((m) => !before.has(m) && m.startsWith("NativeModule ") && !m.includes("internal/"))
    .map((m) => m.slice("NativeModule ".length));
  const packages = [...new Set(Object.keys(require.cache)
    .map((f) => /node_modules[\\\\/]((?:@[^\\\\/]+[\\\\/])?[^\\\\/]+)/.exec(f)?.[1])
    .filter((p) => p !== undefined))];
  fs.writeFileSync(${JSON.stringify(report)}, JSON.stringify({ builtins, packages, bundles }));
});
`,
  );
  await loadedBy("device", "list"); // initialises the installation
}, 120_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("a management command's start, from the bundle", () => {
  it("`device list` runs its own bundle and loads no server package or network module", async () => {
    const loaded = await loadedBy("device", "list");
    expect(loaded.bundles.map((f) => f.slice(ROOT.length + 1).replaceAll("\\", "/"))).toEqual([
      "dist/commands/device.js",
    ]);
    // The SQLite driver's compiled addon; its JavaScript is in the bundle.
    expect(loaded.packages).toEqual(["better-sqlite3"]);
    // Its output is written to the descriptor, so no stream is built for the piped stdout.
    for (const heavy of ["http", "https", "tls", "dgram", "child_process", "zlib", "net"]) {
      expect(loaded.builtins).not.toContain(heavy);
    }
  });

  it("a module loaded lazily still works when used (`token create` needs crypto)", async () => {
    const loaded = await loadedBy("token", "create", "--name", "startup-check");
    expect(loaded.builtins).toContain("crypto");
    expect(loaded.bundles.map((f) => f.slice(ROOT.length + 1).replaceAll("\\", "/"))).toEqual([
      "dist/commands/token.js",
    ]);
  });

  it("help, which names every command, runs the bundle with all of them", async () => {
    const loaded = await loadedBy("--help");
    expect(loaded.bundles.map((f) => f.slice(ROOT.length + 1).replaceAll("\\", "/"))).toEqual([
      "dist/main.js",
    ]);
  });
});
