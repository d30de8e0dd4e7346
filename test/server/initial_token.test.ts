/**
 * Issue 10, finding 11: the first admin token never reaches the log stream (stdout, which
 * journald and Docker keep). On a terminal it is shown on stderr; without one it goes to a
 * 0600 file (test/cli/first_start.test.ts covers that case through `npm start`).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { curl, tempDir } from "./helpers.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const dir = tempDir("initial-token");
const data = join(dir, "data");
const logFile = join(dir, "stdout.log");
let serverPid: number | undefined;
let scriptChild: ChildProcess | undefined;

afterAll(() => {
  scriptChild?.kill("SIGKILL");
  if (serverPid !== undefined) {
    try {
      process.kill(serverPid, "SIGKILL");
    } catch {
      // already gone
    }
  }
});

function logLines(): Record<string, unknown>[] {
  if (!existsSync(logFile)) return [];
  return readFileSync(logFile, "utf8")
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe("the first admin token on a terminal", () => {
  it("is shown on stderr (the terminal), never on stdout, and no token file is written", async () => {
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) {
      if (v !== undefined && !k.startsWith("PROVISIO_") && !k.startsWith("npm_")) env[k] = v;
    }
    // `script` gives the server a terminal; stdout goes to a file, as under a service manager.
    const command =
      `umask 022; exec '${process.execPath}' bin/provisio.js serve --data '${data}' ` +
      "--host 127.0.0.1 --http-port 0 --https-port 0 --admin-port 0 --tftp-port off --workers 1 " +
      `> '${logFile}'`;
    const child = spawn("script", ["-qfec", `sh -c "${command}"`, "/dev/null"], {
      cwd: ROOT,
      env: { ...env, PROVISIO_FROM_SOURCE: "1" },
      stdio: ["pipe", "pipe", "pipe"],
    });
    scriptChild = child;
    let terminal = "";
    child.stdout.on("data", (d: Buffer) => {
      terminal += d.toString();
    });
    const exited = new Promise<void>((r) => child.once("exit", () => r()));
    let listening: Record<string, unknown> | undefined;
    for (let i = 0; i < 600 && listening === undefined; i++) {
      await new Promise((r) => setTimeout(r, 100));
      listening = logLines().find((l) => l.msg === "provisio listening");
      if (child.exitCode !== null) break;
    }
    expect(listening, terminal).toBeDefined();
    serverPid = Number(listening!.pid);
    for (let i = 0; i < 100 && !/pvo_\S+/.test(terminal); i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    const token = /(pvo_[A-Za-z0-9_-]+)/.exec(terminal)?.[1];
    expect(token, terminal).toBeDefined();
    expect(readFileSync(logFile, "utf8")).not.toContain(token!);
    expect(existsSync(join(data, "initial-admin-token"))).toBe(false);
    const who = await curl([
      "-H",
      `Authorization: Bearer ${token}`,
      `${String(listening!.admin)}/api/v1/whoami`,
    ]);
    expect(who.status).toBe(200);
    process.kill(serverPid, "SIGTERM");
    await exited;
    serverPid = undefined;
  });
});
