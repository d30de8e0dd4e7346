/**
 * sipp (Debian sip-tester) as a unit's SIP side for push tests: test/fixtures/sipp/notify_digest_uas.xml
 * expects a NOTIFY with the given Event, challenges it, verifies the Digest answer against the
 * line's user and password, and answers 200 (403 for wrong credentials, 489 for another event).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createSocket } from "node:dgram";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freeUdpPort } from "../device/helpers.ts";

const SCENARIO = new URL("../fixtures/sipp/notify_digest_uas.xml", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "provisio-sipp-uas-"));

export interface Uas {
  readonly port: number;
  readonly exit: Promise<{ code: number | null; output: string }>;
  readonly process: ChildProcess;
}

/** Starts sipp as the unit; resolves once it listens (its first screen is printed). */
export async function startUas(event: string, user: string, password: string): Promise<Uas> {
  const port = await freeUdpPort();
  const inf = join(dir, `line-${port}.csv`);
  writeFileSync(inf, `SEQUENTIAL\n${event};${user};${password};\n`);
  const child = spawn(
    "sipp",
    ["-sf", SCENARIO, "-inf", inf, "-i", "127.0.0.1", "-p", String(port), "-m", "1"].concat([
      "-timeout",
      "20s",
      "-nostdin",
      "-trace_err",
      "-error_file",
      join(dir, `err-${port}.log`),
    ]),
    { cwd: dir, stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  child.stdout.on("data", (b: Buffer) => (output += b.toString()));
  child.stderr.on("data", (b: Buffer) => (output += b.toString()));
  const exit = new Promise<{ code: number | null; output: string }>((resolve) =>
    child.on("exit", (code) => resolve({ code, output })),
  );
  // sipp prints nothing until it ends when stdout is not a terminal: wait until its port is taken.
  let ended = false;
  void exit.then(() => (ended = true));
  while (!ended && !(await portTaken(port))) await new Promise((r) => setTimeout(r, 50));
  return { port, exit, process: child };
}

export async function portTaken(port: number): Promise<boolean> {
  const s = createSocket("udp4");
  return new Promise((resolve) => {
    s.once("error", () => {
      s.close();
      resolve(true);
    });
    s.bind(port, "127.0.0.1", () => s.close(() => resolve(false)));
  });
}
