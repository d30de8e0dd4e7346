/**
 * Push NOTIFY cost: N NOTIFYs, each challenged (401 Digest) and answered, against a
 * responder in a child process playing many units on one UDP port. Prints wall time and
 * the CPU seconds of this (the pushing) process from /proc/self/stat.
 *
 *   npx tsx bench/push_notify.ts [N=5000] [in-flight=64]
 */
import { fork } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { SipUdpClient } from "../src/sip/index.ts";

const RESPONDER = `
const dgram = require("node:dgram");
const s = dgram.createSocket("udp4");
s.on("message", (m, r) => {
  const t = m.toString("latin1");
  const head = t.split("\\r\\n");
  const pick = (n) => head.filter((l) => l.toLowerCase().startsWith(n + ":"));
  const auth = pick("authorization").length > 0;
  const lines = [auth ? "SIP/2.0 200 OK" : "SIP/2.0 401 Unauthorized", ...pick("via"), ...pick("from"),
    pick("to")[0] + ";tag=u", ...pick("call-id"), ...pick("cseq")];
  if (!auth) lines.push('WWW-Authenticate: Digest realm="unit", nonce="' + Math.random().toString(16).slice(2) + '", qop="auth", algorithm=MD5');
  lines.push("Content-Length: 0", "", "");
  s.send(lines.join("\\r\\n"), r.port, r.address);
});
s.bind(0, "127.0.0.1", () => process.send(s.address().port));
`;

function cpuSeconds(): number {
  const fields = readFileSync("/proc/self/stat", "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, clock ticks
}

const n = Number(process.argv[2] ?? 5000);
const inFlight = Number(process.argv[3] ?? 64);
const script = join(mkdtempSync(join(tmpdir(), "push-bench-")), "responder.cjs");
writeFileSync(script, RESPONDER);
const child = fork(script, [], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
const port = await new Promise<number>((resolve) =>
  child.once("message", (p) => resolve(p as number)),
);
const client = await SipUdpClient.open({ bindAddress: "127.0.0.1" });
const cpu0 = cpuSeconds();
const t0 = performance.now();
let next = 0;
const outcomes = new Map<string, number>();
let sent = 0;
await Promise.all(
  Array.from({ length: inFlight }, async () => {
    while (next < n) {
      next++;
      const r = await client.notify({
        contact: { host: "127.0.0.1", port },
        event: "check-sync",
        user: "4085550100",
        credentials: { username: "4085550100", password: "bench-secret" },
      });
      sent += r.transmissions;
      outcomes.set(r.outcome, (outcomes.get(r.outcome) ?? 0) + 1);
    }
  }),
);
const wall = (performance.now() - t0) / 1000;
const cpu = cpuSeconds() - cpu0;
await client.close();
child.kill();
console.log(
  JSON.stringify({
    notifies: n,
    inFlight,
    datagramsSent: sent,
    outcomes: Object.fromEntries(outcomes),
    wallSeconds: Number(wall.toFixed(2)),
    cpuSeconds: Number(cpu.toFixed(2)),
    cpuMsPerPush: Number(((cpu * 1000) / n).toFixed(3)),
    loadavg: loadavg().map((l) => Number(l.toFixed(2))),
  }),
);
