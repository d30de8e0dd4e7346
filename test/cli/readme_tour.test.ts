/**
 * The README's quick tour, end to end on a fresh data directory: its commands are read from
 * README.md (not copied here), so a change to the README that stops them working fails this
 * test. The server is started the README's way (`node bin/provisio.js serve`, from the set-up
 * section) on free ports, in a scratch directory standing in for the clone (its `bin/` links to
 * this one); the README's ports in the tour's URLs are replaced by the ones it got. Every other
 * command runs as written, in order, in one bash (so `TOKEN=$(…)` carries over), with the
 * tour's own alias. Then: the tour exited 0, each profile a curl fetched is a profile, the
 * imported device's profile carries its account, the API listed the devices, and the server
 * stops on SIGTERM.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync, symlinkSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { tempDir } from "./helpers.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const README = readFileSync(join(ROOT, "README.md"), "utf8");

/** The first ```sh block after a heading. */
function codeBlock(heading: string): string {
  const at = README.indexOf(`\n## ${heading}\n`);
  if (at < 0) throw new Error(`README has no section "${heading}"`);
  const match = /```sh\n([\s\S]*?)```/.exec(README.slice(at));
  if (match === null) throw new Error(`README section "${heading}" has no sh block`);
  return match[1]!;
}

/**
 * The block's commands, one per entry: comments dropped, `\`-continued lines joined, quotes
 * (and the newlines in them) kept.
 */
function shellCommands(block: string): string[] {
  const commands: string[] = [];
  let current = "";
  let quote: "'" | '"' | null = null;
  let wordStart = true;
  for (let i = 0; i < block.length; i++) {
    const c = block[i]!;
    if (quote !== null) {
      if (quote === '"' && c === "\\" && i + 1 < block.length) {
        current += c + block[++i];
        continue;
      }
      if (c === quote) quote = null;
      current += c;
      continue;
    }
    if (c === "\\" && block[i + 1] === "\n") {
      current += " ";
      i++;
      wordStart = true;
      continue;
    }
    if (c === "\\" && i + 1 < block.length) {
      current += c + block[++i];
      wordStart = false;
      continue;
    }
    if (c === "#" && wordStart) {
      while (i + 1 < block.length && block[i + 1] !== "\n") i++;
      continue;
    }
    if (c === "\n") {
      if (current.trim() !== "") commands.push(current.trim());
      current = "";
      wordStart = true;
      continue;
    }
    if (c === "'" || c === '"') quote = c;
    current += c;
    wordStart = /\s/.test(c);
  }
  if (current.trim() !== "") commands.push(current.trim());
  return commands;
}

const dir = tempDir("readme-tour");
symlinkSync(join(ROOT, "bin"), join(dir, "bin"));
let server: ChildProcess | undefined;
let serverOutput = "";

afterAll(async () => {
  if (server !== undefined && server.exitCode === null) {
    server.kill("SIGKILL");
  }
});

function cleanEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !k.startsWith("PROVISIO_") && !k.startsWith("npm_")) env[k] = v;
  }
  return env;
}

/** Starts the set-up section's serve command on free ports; resolves to its listeners' URLs. */
async function startServer(): Promise<{ http: string; https: string; admin: string }> {
  const setUp = shellCommands(codeBlock("Set up"));
  const serve = setUp
    .flatMap((c) => c.split("&&").map((part) => part.trim()))
    .find((c) => / serve$/.test(c));
  expect(serve, "the set-up section starts the server").toBe("node bin/provisio.js serve");
  const [command, ...args] = serve!.split(" ");
  server = spawn(
    command === "node" ? process.execPath : command!,
    [
      ...args,
      "--host",
      "127.0.0.1",
      "--http-port",
      "0",
      "--https-port",
      "0",
      "--admin-port",
      "0",
      "--tftp-port",
      "0",
    ],
    { cwd: dir, env: cleanEnv(), stdio: ["ignore", "pipe", "pipe"] },
  );
  server.stdout!.on("data", (d: Buffer) => (serverOutput += d.toString()));
  server.stderr!.on("data", (d: Buffer) => (serverOutput += d.toString()));
  for (;;) {
    for (const line of serverOutput.split("\n")) {
      if (!line.startsWith("{")) continue;
      const entry = JSON.parse(line) as Record<string, string>;
      if (entry.msg === "provisio listening") {
        return { http: entry.http!, https: entry.https!, admin: entry.admin! };
      }
    }
    if (server.exitCode !== null) throw new Error(`the server exited:\n${serverOutput}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

interface Step {
  readonly command: string;
  readonly stdout: string;
}

/** Runs the commands in one bash, in order, stopping at the first failure. */
function runTour(
  commands: readonly string[],
): Promise<{ code: number | null; steps: Step[]; stderr: string }> {
  const marker = "@@provisio-readme-step";
  const script = [
    "set -euo pipefail",
    "shopt -s expand_aliases",
    ...commands.flatMap((command, i) => [`printf '\\n${marker} %d\\n' ${i}`, command]),
  ].join("\n");
  return new Promise((resolvePromise, reject) => {
    const child = spawn("bash", ["-c", script], {
      cwd: dir,
      env: cleanEnv(),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      const steps: Step[] = [];
      for (const part of stdout.split(`\n${marker} `).slice(1)) {
        const newline = part.indexOf("\n");
        const index = Number(part.slice(0, newline));
        steps.push({ command: commands[index]!, stdout: part.slice(newline + 1) });
      }
      resolvePromise({ code, steps, stderr });
    });
  });
}

describe("the README's quick tour", () => {
  it("runs end to end on a fresh data directory", { timeout: 600_000 }, async () => {
    const tour = shellCommands(codeBlock("A quick tour of the CLI"));
    expect(tour[0], "the tour defines provisio first").toMatch(
      /^alias provisio="node bin\/provisio\.js"$/,
    );
    // The server runs beside the tour, as in another terminal.
    expect(tour.filter((c) => c === "provisio serve")).toHaveLength(1);
    const urls = await startServer();
    const ports: [string, string][] = [
      ["http://127.0.0.1:8080", urls.http],
      ["https://127.0.0.1:8443", urls.https],
      ["http://127.0.0.1:8081", urls.admin],
    ];
    for (const [readme] of ports) expect(README, `the tour uses ${readme}`).toContain(readme);
    const commands = tour
      .filter((c) => c !== "provisio serve")
      .map((c) => ports.reduce((text, [from, to]) => text.split(from).join(to), c));

    const result = await runTour(commands);
    const failed = result.steps.at(-1);
    expect(result.code, `stopped at: ${failed?.command}\n${result.stderr.slice(-3000)}`).toBe(0);
    expect(result.steps.map((s) => s.command)).toEqual(commands);

    // Every profile a curl fetched (HTTP, and HTTPS with the device certificate) is one.
    const fetches = result.steps.filter((s) => /^curl .*\/profile\//.test(s.command));
    expect(fetches.length).toBeGreaterThanOrEqual(3);
    for (const fetch of fetches) {
      expect(fetch.stdout, fetch.command).toMatch(/^<flat-profile>/);
    }
    const profile = (mac: string) =>
      fetches.find(
        (s) =>
          s.command.includes(`/profile/${mac}.xml`) && s.command.startsWith(`curl ${urls.http}`),
      );
    // The device's layer beats the tenant's; the imported device registers with its account.
    expect(profile("000e08012345")?.stdout).toMatch(/<Resync_Periodic[^>]*>7200</);
    expect(profile("000e08012345")?.stdout).toMatch(/<Station_Name ua="rw">Lobby</);
    expect(profile("000e08012346")?.stdout).toMatch(/<User_ID_1_[^>]*>1001</);
    expect(profile("000e08012346")?.stdout).toMatch(/<Proxy_1_[^>]*>sip\.example\.com</);

    const api = result.steps.find((s) => s.command.includes(`${urls.admin}/api/v1/devices`));
    const listed = (JSON.parse(api!.stdout) as { items: { mac: string }[] }).items.map(
      (d) => d.mac,
    );
    expect(listed.sort()).toEqual(["000e08012345", "000e08012346"]);

    const decrypted = result.steps.find((s) => s.command.startsWith("openssl enc -d"));
    expect(decrypted?.stdout).toMatch(/<Proxy_1_[^>]*>sip\.example\.com</);
    const decoded = result.steps.find((s) => s.command.startsWith("provisio decode"));
    expect(decoded?.stdout).toContain("sip.example.com");
    const help = result.steps.find((s) => s.command.startsWith("provisio --help"));
    expect(help?.stdout).toContain("Usage: provisio");

    // `node bin/provisio.js serve` takes SIGTERM itself (no npm in between) and says so.
    const exited = new Promise((r) => server!.once("exit", r));
    server!.kill("SIGTERM");
    await exited;
    expect(serverOutput).toContain('"msg":"stopped"');
  });
});
