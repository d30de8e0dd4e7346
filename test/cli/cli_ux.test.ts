import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { BIN, macFor, provisio, tempDir } from "./helpers.ts";

// How the command line talks to people: a closed pipe ends it quietly, an error is one line
// and a hint (not the whole help), a misspelt flag gets "did you mean", `help CMD SUB` works.

/** Runs `provisio ARGS | head -1` through a real shell pipe; the exit status is provisio's. */
function pipedToHead(args: readonly string[]): Promise<{ status: string; stderr: string }> {
  const quoted = [process.execPath, BIN, ...args].map((a) => `'${a.replaceAll("'", "'\\''")}'`);
  const script = `${quoted.join(" ")} | head -1 >/dev/null; echo "\${PIPESTATUS[0]}"`;
  return new Promise((resolve, reject) => {
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) {
      if (v !== undefined && (!k.startsWith("PROVISIO_") || k === "PROVISIO_FROM_SOURCE"))
        env[k] = v;
    }
    const child = spawn("bash", ["-c", script], { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      stderr += d;
    });
    child.on("error", reject);
    child.on("close", () => resolve({ status: stdout.trim(), stderr }));
  });
}

describe("provisio command-line manners", () => {
  const dir = tempDir("ux");
  const data = join(dir, "data");

  beforeAll(async () => {
    // Enough devices that the listing is several times a pipe's buffer.
    const lines = ["mac,model"];
    for (let i = 0; i < 3000; i++) lines.push(`${macFor(i)},SPA112`);
    const file = join(dir, "devices.csv");
    writeFileSync(file, `${lines.join("\n")}\n`);
    const imported = await provisio(["device", "import", file, "-d", data]);
    expect(imported.code, imported.stderr).toBe(0);
  }, 120_000);

  it("`device list | head -1` ends quietly with status 0 (table and JSON lines)", {
    timeout: 60_000,
  }, async () => {
    const table = await pipedToHead(["device", "list", "-d", data]);
    expect(table.stderr).toBe("");
    expect(table.status).toBe("0");
    const json = await pipedToHead(["device", "list", "--json", "-d", data]);
    expect(json.stderr).toBe("");
    expect(json.status).toBe("0");
  });

  it("a misspelt required flag says so and suggests the flag, in two lines without the help", {
    timeout: 30_000,
  }, async () => {
    const r = await provisio([
      "device",
      "add",
      "--mac",
      macFor(9999),
      "--modle",
      "SPA112",
      "-d",
      data,
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      "error: unknown option '--modle' (Did you mean --model?)\nsee provisio device add --help\n",
    );
  });

  it("other usage errors are one line and a hint", { timeout: 120_000 }, async () => {
    const missing = await provisio(["device", "show", "-d", data]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(
      "error: missing required argument 'mac'\nsee provisio device show --help\n",
    );
    const unknown = await provisio(["device", "lst"]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).not.toContain("Usage:");
    expect(unknown.stderr).toContain("(Did you mean list?)");
    expect(unknown.stderr.trimEnd().split("\n").at(-1)).toBe("see provisio device --help");
  });

  it("`help device add` prints that subcommand's help", { timeout: 120_000 }, async () => {
    const r = await provisio(["help", "device", "add"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Usage: provisio device add [options]");
    expect(r.stdout).toContain("--model <pn>");
  });

  it("`help` with an unknown command says so and fails, as the unknown command itself does", {
    timeout: 120_000,
  }, async () => {
    for (const [args, word, hint] of [
      [["help", "nosuch", "sub"], "nosuch", "see provisio --help"],
      [["help", "device", "nosuch"], "nosuch", "see provisio device --help"],
    ] as const) {
      const r = await provisio(args);
      expect(r.code, args.join(" ")).toBe(1);
      expect(r.stdout).toBe("");
      expect(r.stderr).toContain(`error: unknown command '${word}'`);
      expect(r.stderr.trimEnd().split("\n").at(-1)).toBe(hint);
    }
    const typo = await provisio(["help", "devce"]);
    expect(typo.code).toBe(1);
    expect(typo.stderr).toContain("(Did you mean device?)");
  });
});
