/**
 * Memory at scale: `provisio serve` with 100,000 or 1,000,000 imported devices — does it start,
 * serve, and how much memory (RSS) do all its processes hold?
 *
 *   npx tsx bench/device_scale.ts [--devices 1000000] [--sample 50000] [--workers N]
 *     [--data DIR] [--connections 16]
 *
 * Scenario: the devices are imported through the CLI (`provisio device import`, the path an
 * operator takes), the tenant layer is bench/server_http.ts's (22 parameters, 7 templated per
 * device); then the server starts with `--workers` device-plane processes (default: the CPU
 * count) and a random sample of devices is fetched over HTTP keep-alive (each a first fetch:
 * device read, render, profile cached), every answer checked for 200. RSS and peak RSS of every
 * process (primary and workers) are read from /proc after start and after the sample, with the
 * caches' own estimates from /metrics. `--data DIR` keeps the installation: a second run with
 * the same DIR and device count skips the import.
 *
 * The server runs from an esbuild bundle, as in bench/server_http.ts; work files go to
 * `.bench-out/` (git-ignored).
 */
import { execFile, spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { Agent, request } from "node:http";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { build } from "esbuild";
import { installDataDir } from "./lib/install_data.ts";

const { values: args } = parseArgs({
  options: {
    devices: { type: "string", default: "100000" },
    sample: { type: "string", default: "20000" },
    workers: { type: "string", default: String(availableParallelism()) },
    data: { type: "string" },
    connections: { type: "string", default: "16" },
  },
});
const DEVICES = Number(args.devices);
const SAMPLE = Math.min(DEVICES, Number(args.sample));
const WORKERS = Number(args.workers);
const CONNECTIONS = Number(args.connections);
const ROOT = join(import.meta.dirname, "..");
const PORTS = { http: 18190, admin: 18191 };
const macOf = (i: number): string => `000e08${i.toString(16).padStart(6, "0")}`;
const log = (s: string): void => void process.stderr.write(`${s}\n`);
const load = (): string => readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");

function sh(cmd: string, argv: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, argv, { maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${cmd} ${argv.join(" ")}: ${stderr || error.message}`));
      else resolve(stdout);
    });
  });
}

function processTree(pid: number): number[] {
  let children: number[] = [];
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8")
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    // exited
  }
  return [pid, ...children.flatMap(processTree)];
}

/** RSS and peak RSS (MB) of each process and in all. */
function memory(pid: number): { total: number; peak: number; each: number[] } {
  const each: number[] = [];
  let peak = 0;
  for (const p of processTree(pid)) {
    try {
      const status = readFileSync(`/proc/${p}/status`, "utf8");
      each.push(Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024));
      peak += Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
    } catch {
      // exited
    }
  }
  return { total: each.reduce((a, b) => a + b, 0), peak: Math.round(peak), each };
}

const LAYER = [
  "Resync_On_Reset:na=Yes",
  "Resync_Periodic:na=3600",
  "Resync_Error_Retry_Delay:na=1800,3600,7200,14400",
  "Profile_Rule:na=http://prov.example.com/profile/$MA.xml",
  "Upgrade_Enable:na=Yes",
  "Admin_Passwd:na=S3cret-Admin",
  "Proxy_1_:na=sip.example.com",
  "Outbound_Proxy_1_:na=sbc.example.com",
  "Line_Enable_1_:na=Yes",
  "Register_Expires_1_:na=3600",
  "Dial_Plan_1_:ro=(*xx|[3469]11|0|00|[2-9]xxxxxx|1xxx[2-9]xxxxxxS0|xxxxxxxxxxxx.)",
  "Primary_NTP_Server:na=ntp.example.com",
  "Time_Zone:rw=GMT+01:00",
  "Syslog_Server:na=syslog.example.com",
  "Voice_Mail_Number:na=*97",
  "Station_Name:rw=Phone {{ device.mac_upper }}",
  "User_ID_1_:na={{ device.serial }}",
  "Auth_ID_1_:na=auth-{{ device.serial }}",
  "Display_Name_1_:rw=Desk {{ device.mac | slice: 6, 6 }}",
  "Short_Name_1_:rw={{ device.mac | slice: 8, 4 }}",
  "Text_Logo:na={{ device.model }} {{ device.mac_upper }}",
  "Upgrade_Rule:na=http://fw.example.com/{{ device.model }}/{{ device.mac }}.bin",
];

async function fetchSample(macs: readonly string[]): Promise<{ ok: number; bad: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  let next = 0;
  let ok = 0;
  let bad = 0;
  const others = new Map<number, number>();
  const worker = async (): Promise<void> => {
    while (next < macs.length) {
      const mac = macs[next++]!;
      const status = await new Promise<number>((resolve, reject) => {
        request(
          { host: "127.0.0.1", port: PORTS.http, path: `/profile/${mac}.xml`, agent },
          (res) => {
            res.resume();
            res.on("end", () => resolve(res.statusCode ?? 0));
          },
        )
          .on("error", reject)
          .end();
      });
      if (status === 200) ok++;
      else {
        bad++;
        others.set(status, (others.get(status) ?? 0) + 1);
      }
    }
  };
  await Promise.all(Array.from({ length: CONNECTIONS }, worker));
  agent.destroy();
  if (others.size > 0)
    log(`answers other than 200: ${[...others].map(([s, n]) => `${n} × ${s}`).join(", ")}`);
  return { ok, bad };
}

async function main(): Promise<void> {
  mkdirSync(join(ROOT, ".bench-out"), { recursive: true });
  const work = args.data ?? join(ROOT, ".bench-out", `device_scale-${DEVICES}`);
  const dataDir = join(work, "data");
  mkdirSync(work, { recursive: true });
  log(`work dir ${work} (load ${load()})`);
  await build({
    entryPoints: { main: join(ROOT, "src/cli/main.ts") },
    bundle: true,
    splitting: true,
    platform: "node",
    format: "esm",
    target: "node20",
    // Inside the tree: the bundle resolves its packages from node_modules.
    outdir: join(ROOT, ".bench-out", "device_scale-dist", "dist"),
    packages: "external",
    logLevel: "warning",
  });
  const runner = join(ROOT, ".bench-out", "device_scale-dist", "run.mjs");
  writeFileSync(
    runner,
    'import { main } from "./dist/main.js";\nprocess.exitCode = await main(process.argv);\n',
  );

  const marker = join(work, `imported-${DEVICES}`);
  let importSeconds: number | undefined;
  if (!existsSync(marker)) {
    await installDataDir(runner, dataDir);
    const csv = join(work, "devices.csv");
    const lines = ["mac,model,serial"];
    for (let i = 0; i < DEVICES; i++) lines.push(`${macOf(i)},SPA504G,CCQ${1_000_000 + i}`);
    writeFileSync(csv, `${lines.join("\n")}\n`);
    const t = performance.now();
    await sh(process.execPath, [runner, "device", "import", csv, "--data", dataDir]);
    importSeconds = (performance.now() - t) / 1000;
    log(`imported ${DEVICES} devices in ${importSeconds.toFixed(0)} s (load ${load()})`);
    await sh(process.execPath, [
      runner,
      "layer",
      "set",
      "--tenant",
      "default",
      "--data",
      dataDir,
      ...LAYER,
    ]);
    writeFileSync(marker, "");
  }

  const t0 = performance.now();
  const server = spawn(
    process.execPath,
    [
      runner,
      "serve",
      "--data",
      dataDir,
      "--host",
      "127.0.0.1",
      "--http-port",
      String(PORTS.http),
      "--https-port",
      "off",
      "--admin-port",
      String(PORTS.admin),
      "--tftp-port",
      "off",
      // Warnings only: an access line per request would measure the log pipe, not the server.
      "--log-level",
      "warn",
      "--workers",
      String(WORKERS),
    ],
    // Load shedding off: on a busy shared machine it answers 503s (a refused sample is no
    // measure of memory).
    {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, PROVISIO_SHEDDING_ENABLED: "false" },
    },
  );
  process.once("exit", () => server.kill("SIGTERM"));
  let serverOutput = "";
  server.stderr?.on(
    "data",
    (d: Buffer) => (serverOutput = (serverOutput + d.toString()).slice(-4000)),
  );
  server.stdout?.resume();
  // Listening when a request gets any answer (the log says nothing below warnings).
  for (let i = 0; ; i++) {
    const code = await sh("curl", [
      "-s",
      "-o",
      "/dev/null",
      "-w",
      "%{http_code}",
      `http://127.0.0.1:${PORTS.http}/`,
    ]).catch(() => "000");
    if (code !== "000") break;
    if (server.exitCode !== null || i > 3000)
      throw new Error(`the server did not start: ${serverOutput}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const startSeconds = (performance.now() - t0) / 1000;
  await new Promise((r) => setTimeout(r, 2000));
  const started = memory(server.pid!);
  log(
    `started in ${startSeconds.toFixed(1)} s; RSS ${started.total} MB (${started.each.join(" + ")})`,
  );

  // A random sample, without repeats.
  const picked = new Set<number>();
  while (picked.size < SAMPLE) picked.add(Math.floor(Math.random() * DEVICES));
  const macs = [...picked].map(macOf);
  const t1 = performance.now();
  const { ok, bad } = await fetchSample(macs);
  const sampleSeconds = (performance.now() - t1) / 1000;
  const served = memory(server.pid!);
  let caches = "";
  try {
    const metrics = await sh("curl", ["-s", `http://127.0.0.1:${PORTS.admin}/metrics`]);
    caches = metrics
      .split("\n")
      .filter((l) => /^provisio_profile_cache_(entries|bytes) /.test(l))
      .join("; ");
  } catch {
    caches = "(metrics not read)";
  }
  server.kill("SIGTERM");
  await new Promise((r) => server.on("exit", r));

  process.stdout.write(
    `# provisio serve with ${DEVICES.toLocaleString("en")} imported devices, ${WORKERS} workers — ${new Date().toISOString()}\n\n` +
      (importSeconds === undefined ? "" : `- import (CLI): ${importSeconds.toFixed(0)} s\n`) +
      `- start to listening: ${startSeconds.toFixed(1)} s; RSS after start: ${started.total} MB in all (${started.each.join(" + ")} MB)\n` +
      `- ${SAMPLE.toLocaleString("en")} random devices fetched once each (first fetch: read, render, cache) over ${CONNECTIONS} keep-alive connections in ${sampleSeconds.toFixed(1)} s (${Math.round(SAMPLE / sampleSeconds).toLocaleString("en")} req/s): ${ok} × 200, ${bad} other\n` +
      `- RSS after the sample: ${served.total} MB in all (${served.each.join(" + ")} MB), peak ${served.peak} MB\n` +
      (caches === "" ? "" : `- caches: ${caches}\n`) +
      `- load average at the end: ${load()}\n`,
  );
  if (bad > 0) process.exitCode = 1;
}

await main();
