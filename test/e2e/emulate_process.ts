/** `provisio emulate` as its own process (from the sources), its JSON log lines read back. */
import { spawn } from "node:child_process";
import { join, resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "../..");

export interface EmulateProcess {
  /** The log lines written so far, parsed. */
  lines(): Record<string, unknown>[];
  /** Waits (at most a minute) until a log line has this `msg`. */
  waitFor(msg: string): Promise<void>;
  /** Ctrl-C; the exit code. */
  interrupt(): Promise<number | null>;
}

export function startEmulate(args: readonly string[]): EmulateProcess {
  const child = spawn(process.execPath, [join(ROOT, "bin/provisio.js"), "emulate", ...args], {
    cwd: ROOT,
    env: { ...process.env, PROVISIO_FROM_SOURCE: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout.on("data", (d: Buffer) => {
    out += d.toString();
  });
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  const lines = () =>
    out
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  return {
    lines,
    async waitFor(msg) {
      const deadline = Date.now() + 60_000;
      while (Date.now() < deadline && !lines().some((l) => l.msg === msg)) {
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    interrupt() {
      child.kill("SIGINT");
      return exited;
    },
  };
}
