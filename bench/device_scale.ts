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
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { Agent, request } from "node:http";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { installDataDir } from "./lib/install_data.ts";
import {
  bundleCli,
  importDevices,
  macOf,
  processTree,
  setTenantLayer,
  sh,
  spawnServe,
  stopServe,
  tenantLayerArgs,
  writeDevicesCsv,
} from "./lib/server_process.ts";

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
const log = (s: string): void => void process.stderr.write(`${s}\n`);
const load = (): string => readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");

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
  // Inside the tree: the bundle resolves its packages from node_modules.
  const runner = await bundleCli(ROOT, join(ROOT, ".bench-out", "device_scale-dist"));

  const marker = join(work, `imported-${DEVICES}`);
  let importSeconds: number | undefined;
  if (!existsSync(marker)) {
    await installDataDir(runner, dataDir);
    const csv = join(work, "devices.csv");
    writeDevicesCsv(csv, DEVICES, 1_000_000);
    const t = performance.now();
    await importDevices(runner, dataDir, csv);
    importSeconds = (performance.now() - t) / 1000;
    log(`imported ${DEVICES} devices in ${importSeconds.toFixed(0)} s (load ${load()})`);
    await setTenantLayer(runner, dataDir, tenantLayerArgs());
    writeFileSync(marker, "");
  }

  const t0 = performance.now();
  const { child: server, output } = spawnServe({
    runner,
    dataDir,
    args: ["--http-port", String(PORTS.http), "--https-port", "off"].concat([
      "--admin-port",
      String(PORTS.admin),
      "--tftp-port",
      "off",
      "--workers",
      String(WORKERS),
    ]),
  });
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
      throw new Error(`the server did not start: ${output()}`);
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
  await stopServe(server);

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
