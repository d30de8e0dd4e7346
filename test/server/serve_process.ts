/**
 * `provisio serve` as its own process, as an operator starts it: the real binary, the usual
 * umask (022), stdout and stderr kept apart (stdout is the log stream journald or Docker keep).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "../..");

export interface ServeProcess {
  readonly child: ChildProcess;
  /** Everything written so far. */
  stdout(): string;
  stderr(): string;
  /** The `provisio listening` log line's addresses. */
  readonly http: string;
  readonly https: string;
  readonly admin: string;
  /** Log lines (parsed JSON) written to stdout so far. */
  logLines(): Record<string, unknown>[];
  /** SIGTERM, then waits for the exit (SIGKILL after 10 s). */
  stop(): Promise<void>;
}

function cleanEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !k.startsWith("PROVISIO_") && !k.startsWith("npm_")) env[k] = v;
  }
  return env;
}

function parseLines(text: string): Record<string, unknown>[] {
  const lines: Record<string, unknown>[] = [];
  for (const line of text.split("\n")) {
    if (!line.startsWith("{")) continue;
    try {
      lines.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      // a partial last line
    }
  }
  return lines;
}

/** Starts `provisio serve --data DATA` on free loopback ports (TFTP off) under `umask 022`. */
export async function startServeProcess(
  data: string,
  extraArgs: readonly string[] = [],
  env: Record<string, string> = {},
): Promise<ServeProcess> {
  const args = [
    resolve(ROOT, "bin/provisio.js"),
    "serve",
    "--data",
    data,
    "--host",
    "127.0.0.1",
    "--http-port",
    "0",
    "--https-port",
    "0",
    "--admin-port",
    "0",
    "--tftp-port",
    "off",
    // One process unless the test is about workers: three processes starting from the
    // TypeScript sources take a busy machine much longer.
    ...(extraArgs.includes("--workers") ? [] : ["--workers", "1"]),
    ...extraArgs,
  ];
  const quoted = [process.execPath, ...args].map((a) => `'${a.replaceAll("'", "'\\''")}'`);
  const child = spawn("sh", ["-c", `umask 022; exec ${quoted.join(" ")}`], {
    cwd: ROOT,
    env: { ...cleanEnv(), PROVISIO_FROM_SOURCE: "1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout!.on("data", (d: Buffer) => {
    out += d.toString();
  });
  child.stderr!.on("data", (d: Buffer) => {
    err += d.toString();
  });
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    await exited;
    clearTimeout(timer);
  };
  const deadline = Date.now() + 150_000;
  while (Date.now() < deadline) {
    const listening = parseLines(out).find((l) => l.msg === "provisio listening");
    if (listening !== undefined) {
      return {
        child,
        stdout: () => out,
        stderr: () => err,
        http: String(listening.http),
        https: String(listening.https),
        admin: String(listening.admin),
        logLines: () => parseLines(out),
        stop,
      };
    }
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  await stop();
  throw new Error(`provisio serve did not start:\n${out}\n${err}`);
}
