/**
 * Shared by the fleet benchmarks: a bundled build (what `npm start` runs), a fresh SQLite
 * installation with `devices` SPA962 units at the fleet's default MACs, `provisio serve` as
 * its own process on loopback, and `provisio fleet` as another — each sampled for RSS.
 */

import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { build } from "esbuild";
import { fleetMac } from "../src/fleet/index.ts";
import { dataPaths, readMasterKey, sealerFor } from "../src/server/index.ts";
import { type DeviceInput, openStore, parseMac } from "../src/store/index.ts";
import { waitForLog } from "./lib/wait_for_log.ts";
import { modelCatalogue, providerLayer } from "./provider_layer.ts";

const ROOT = join(import.meta.dirname, "..");
export const log = (s: string): void => void process.stderr.write(`${s}\n`);

export interface BenchInstallation {
  readonly work: string;
  readonly runner: string;
  readonly dataDir: string;
  /** Node flags for the server and fleet processes (e.g. `--cpu-prof`). */
  readonly nodeArgs: readonly string[];
}

/**
 * `--cpu-prof DIR` on a fleet benchmark: both processes write V8 CPU profiles there
 * (NODE_OPTIONS may not carry `--cpu-prof`).
 */
export function profilingArgs(dir: string | undefined): string[] {
  if (dir === undefined) return [];
  mkdirSync(dir, { recursive: true });
  return ["--cpu-prof", `--cpu-prof-dir=${dir}`];
}

/**
 * Peak RSS and CPU time (user + system, seconds) of a process and its children (a server's
 * workers), sampled from /proc every 200 ms until `stop()`: RSS summed over the processes at
 * each sample, CPU summed over every process seen. CPU seconds say what a run costs on a
 * shared, loaded machine, where wall time says mostly how loaded it was.
 */
export function rssSampler(pid: number): {
  peakMb: () => number;
  cpuSeconds: () => number;
  stop: () => void;
} {
  let peak = 0;
  const cpuByPid = new Map<number, number>();
  const ticks = 100; // USER_HZ on Linux
  const tree = (root: number): number[] => {
    const out = [root];
    for (let i = 0; i < out.length; i++) {
      try {
        const kids = readFileSync(`/proc/${out[i]}/task/${out[i]}/children`, "utf8");
        for (const k of kids.trim().split(/\s+/)) if (k !== "") out.push(Number(k));
      } catch {
        // exited
      }
    }
    return out;
  };
  const read = () => {
    let kb = 0;
    for (const p of tree(pid)) {
      try {
        const status = readFileSync(`/proc/${p}/status`, "utf8");
        kb += Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
        const stat = readFileSync(`/proc/${p}/stat`, "utf8");
        const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
        cpuByPid.set(p, (Number(fields[11]) + Number(fields[12])) / ticks);
      } catch {
        // exited
      }
    }
    peak = Math.max(peak, kb / 1024);
  };
  const timer = setInterval(read, 200);
  return {
    peakMb: () => Math.round(peak),
    cpuSeconds: () => Math.round([...cpuByPid.values()].reduce((a, b) => a + b, 0) * 100) / 100,
    stop: () => clearInterval(timer),
  };
}

/** Parameters of the provider-size tenant layer every fleet benchmark serves. */
const PROVIDER_PARAMETERS = 1_500;

/** Bundle + installation with `devices` units and the tenant layer every unit receives. */
export async function prepareInstallation(
  name: string,
  devices: number,
  layer: readonly { name: string; value: string; access: "na" | "ro" | "rw" }[],
  nodeArgs: readonly string[] = [],
): Promise<BenchInstallation> {
  mkdirSync(join(ROOT, ".bench-out"), { recursive: true });
  const work = mkdtempSync(join(ROOT, ".bench-out", `${name}-`));
  const dataDir = join(work, "data");
  log(`work dir ${work}`);
  await build({
    entryPoints: { main: join(ROOT, "src/cli/main.ts") },
    bundle: true,
    splitting: true,
    platform: "node",
    format: "esm",
    target: "node20",
    outdir: join(work, "dist"),
    packages: "external",
    logLevel: "warning",
  });
  const runner = join(work, "run.mjs");
  writeFileSync(
    runner,
    'import { main } from "./dist/main.js";\nprocess.exitCode = await main(process.argv);\n',
  );
  const boot = spawn(
    process.execPath,
    [runner, "serve", "--data", dataDir, "--http-port", "off", "--https-port", "off"].concat([
      "--admin-port",
      "off",
      "--tftp-port",
      "off",
    ]),
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  await waitForLog(boot, "provisio listening", 120_000);
  boot.kill("SIGTERM");
  await new Promise((r) => boot.on("exit", r));

  const paths = dataPaths(dataDir);
  const store = await openStore(
    { kind: "sqlite", file: paths.database },
    { sealer: sealerFor(readMasterKey(paths.masterKey)) },
  );
  await store.models.upsert({ pn: "SPA962", psn: "962", family: "spa", lines: 6 });
  await store.tenants.update("default", { settings: { profilePaths: ["/profile/$MA.xml"] } });
  const t = performance.now();
  await store.devices.bulkUpsert(
    (function* (): Generator<DeviceInput> {
      for (let i = 0; i < devices; i++) {
        yield { mac: parseMac(fleetMac(i)), modelPn: "SPA962", serial: `CCQ${100000 + i}` };
      }
    })(),
    { batchSize: 5000 },
  );
  log(`imported ${devices} devices in ${Math.round(performance.now() - t)} ms`);
  // A provider-size profile (the SPA962's own parameters, 20 templated per device) under the
  // benchmark's own provisioning settings, which win.
  const own = new Set(layer.map((p) => p.name));
  const provider = providerLayer({
    catalogue: modelCatalogue("SPA962"),
    family: "spa",
    parameters: PROVIDER_PARAMETERS,
    templated: 20,
  }).filter((p) => !own.has(p.name));
  await store.layers.set({ scope: "tenant", tenantId: "default" }, [...provider, ...layer]);
  log(`tenant layer: ${provider.length + layer.length} parameters (20 templated)`);
  await store.close();
  return { work, runner, dataDir, nodeArgs };
}

export interface RunningServer {
  readonly http: string;
  readonly child: ChildProcess;
  readonly admin: string;
  /** The server's own log (JSON lines: access log, warnings). */
  readonly logFile: string;
  stop(): Promise<void>;
}

/** Resolves when `file` contains `text`. */
async function waitForFileText(file: string, text: string, ms: number): Promise<void> {
  const deadline = performance.now() + ms;
  for (;;) {
    const content = readFileSync(file, "utf8");
    if (content.includes(text)) return;
    if (performance.now() > deadline) throw new Error(`no "${text}" within ${ms} ms:\n${content}`);
    await sleep(100);
  }
}

/**
 * `provisio serve` at log level info (its access log: one line per request, as a provider
 * runs it), writing to a file as in production — not to a pipe the benchmark would have to
 * keep reading.
 */
export async function startServer(
  inst: BenchInstallation,
  ports: { http: number; admin: number },
  options: { workers?: number; env?: Record<string, string> } = {},
): Promise<RunningServer> {
  const logFile = join(inst.work, "server.log");
  const out = openSync(logFile, "w");
  const child = spawn(
    process.execPath,
    [...inst.nodeArgs, inst.runner, "serve", "--data", inst.dataDir, "--host", "127.0.0.1"]
      .concat(["--http-port", String(ports.http), "--https-port", "off"])
      .concat(["--admin-port", String(ports.admin), "--tftp-port", "off", "--log-level", "info"])
      .concat(options.workers === undefined ? [] : ["--workers", String(options.workers)]),
    { stdio: ["ignore", out, out], env: { ...process.env, ...options.env } },
  );
  closeSync(out);
  await waitForFileText(logFile, "provisio listening", 120_000);
  return {
    http: `http://127.0.0.1:${ports.http}`,
    admin: `http://127.0.0.1:${ports.admin}`,
    logFile,
    child,
    stop: async () => {
      child.kill("SIGTERM");
      await new Promise((r) => child.on("exit", r));
    },
  };
}

/**
 * Runs `provisio fleet … --json` from the bundle; resolves with its summary and peak RSS.
 * With `wallLimitMs`, the fleet is interrupted (SIGINT, as Ctrl-C) when that much wall time
 * has passed: its summary then covers what happened until then (`interrupted` says so).
 */
export async function runFleet(
  inst: BenchInstallation,
  args: readonly string[],
  env: Record<string, string> = {},
  wallLimitMs?: number,
): Promise<{
  summary: Record<string, unknown>;
  rssPeakMb: number;
  cpuSeconds: number;
  wallMs: number;
  interrupted: boolean;
}> {
  const started = performance.now();
  const child = spawn(
    process.execPath,
    [...inst.nodeArgs, inst.runner, "fleet", ...args, "--json"],
    {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, ...env },
    },
  );
  const rss = rssSampler(child.pid!);
  let out = "";
  let err = "";
  child.stdout.on("data", (d: Buffer) => {
    out += d.toString();
  });
  child.stderr.on("data", (d: Buffer) => {
    err += d.toString();
  });
  let interrupted = false;
  const limit =
    wallLimitMs === undefined
      ? undefined
      : setTimeout(() => {
          interrupted = true;
          child.kill("SIGINT");
        }, wallLimitMs);
  const code = await new Promise<number | null>((r) => child.on("exit", r));
  clearTimeout(limit);
  rss.stop();
  if (out.trim() === "") throw new Error(`provisio fleet exited ${code}:\n${err}`);
  return {
    summary: JSON.parse(out) as Record<string, unknown>,
    rssPeakMb: rss.peakMb(),
    cpuSeconds: rss.cpuSeconds(),
    wallMs: performance.now() - started,
    interrupted,
  };
}

/**
 * The server's log at the end of a run: access lines by status, and its warnings and errors
 * by message (first 100 characters), most frequent first.
 */
export function serverLogSummary(logFile: string): {
  accessByStatus: Record<string, number>;
  warningsAndErrors: Record<string, number>;
} {
  const byStatus = new Map<string, number>();
  const problems = new Map<string, number>();
  for (const line of readFileSync(logFile, "utf8").split("\n")) {
    if (!line.startsWith("{")) continue;
    let entry: { level?: number; access?: string; status?: number; msg?: string };
    try {
      entry = JSON.parse(line) as typeof entry;
    } catch {
      continue;
    }
    if (entry.access !== undefined) {
      const k = String(entry.status);
      byStatus.set(k, (byStatus.get(k) ?? 0) + 1);
    } else if ((entry.level ?? 0) >= 40) {
      const k = `${entry.level === 40 ? "warn" : "error"}: ${(entry.msg ?? "").slice(0, 100)}`;
      problems.set(k, (problems.get(k) ?? 0) + 1);
    }
  }
  const sorted = (m: Map<string, number>) =>
    Object.fromEntries([...m].sort((a, b) => b[1] - a[1]).slice(0, 20));
  return { accessByStatus: sorted(byStatus), warningsAndErrors: sorted(problems) };
}

/**
 * The server's own counters (admin /metrics): resyncs by transport and result, and its
 * rendered-profile cache lookups by result (a miss renders the profile).
 */
export async function serverResyncCounts(admin: string): Promise<Record<string, number>> {
  const text = await (await fetch(`${admin}/metrics`)).text();
  const out: Record<string, number> = {};
  const re = /^provisio_(resyncs_total|profile_cache_requests_total)\{([^}]*)\} (\d+)/gm;
  for (const m of text.matchAll(re)) {
    const key = m[1] === "resyncs_total" ? m[2]! : `profile_cache,${m[2]}`;
    out[key] = (out[key] ?? 0) + Number(m[3]);
  }
  return out;
}

/**
 * The server's own resync duration (its histogram on /metrics), for one transport: the
 * bucket bounds holding the median and the 99th percentile, in ms.
 */
export async function serverDurationPercentiles(
  admin: string,
  transport = "http",
): Promise<{ count: number; p50UpToMs: number; p99UpToMs: number }> {
  const text = await (await fetch(`${admin}/metrics`)).text();
  const buckets: { le: number; n: number }[] = [];
  const re = /^provisio_resync_duration_seconds_bucket\{([^}]*)\} (\d+)/gm;
  for (const m of text.matchAll(re)) {
    const labels = m[1]!;
    if (!labels.includes(`transport="${transport}"`)) continue;
    const le = /le="([^"]+)"/.exec(labels)?.[1] ?? "+Inf";
    buckets.push({ le: le === "+Inf" ? Number.POSITIVE_INFINITY : Number(le), n: Number(m[2]) });
  }
  buckets.sort((a, b) => a.le - b.le);
  const count = buckets.at(-1)?.n ?? 0;
  const upTo = (p: number) => (buckets.find((b) => b.n >= p * count)?.le ?? 0) * 1000;
  return { count, p50UpToMs: upTo(0.5), p99UpToMs: upTo(0.99) };
}
