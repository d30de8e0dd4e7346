/**
 * The device plane's warm HTTP path alone, several server bundles side by side: the server's
 * CPU per warm request in the provider's scenario, rounds alternating between the variants
 * (and nginx) so every variant sees the same neighbours.
 *
 *   npx tsx bench/warm_path.ts [--variant NAME=DIR]... [--rounds 5] [--duration 5] [--workers 2]
 *     [--nginx] [--quiet-status] [--fetch-all] [--perf NAME] [--work DIR]
 *
 * Scenario (bench/server_http.ts's): 100,000 devices imported, the 22-parameter tenant layer
 * with 7 templates, `wrk -t1 -c64` keep-alive over random MACs of the first 20,000 devices,
 * every one fetched six times over 16 connections before (each worker caches its own). One
 * installation is built with the last variant's CLI (the variants must share its schema) and
 * copied for each variant; every variant's server runs from its own bundle on its own port for
 * the whole run. Without `--variant`, this tree alone. `--nginx` adds nginx serving the same
 * bytes as static files (`worker_processes auto`). `--fetch-all` fetches every device once before
 * (as server_http.ts's cold passes leave the caches: 100,000 profiles held, not 20,000).
 *
 * The device's status row is written again at most every 10 s per device and worker (the
 * default repeat window): a cost per second, not per request, which a variant pays again at
 * the start of each of its rounds after idling through the others'. `--quiet-status` sets the
 * status and event repeat windows to an hour, leaving the per-request work alone.
 * `--perf NAME`: that variant's processes under `perf record -e cpu-clock -g` over the measured
 * rounds, Node started with `--perf-basic-prof` (`WORK/perf-NAME.data`).
 * The CPU is user + system of every server process from /proc/<pid>/stat, per answer.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { fetchProfiles } from "./lib/fetch_profiles.ts";
import { installDataDir } from "./lib/install_data.ts";
import { writeNginxConf } from "./lib/nginx_conf.ts";
import {
  bundleCli,
  childPids,
  cpuTicks,
  importDevices,
  macOf,
  setTenantLayer,
  sh,
  startServe,
  stopServe,
  tenantLayerArgs,
  writeDevicesCsv,
} from "./lib/server_process.ts";

const ROOT = join(import.meta.dirname, "..");
const { values: args } = parseArgs({
  options: {
    variant: { type: "string", multiple: true, default: [] },
    rounds: { type: "string", default: "5" },
    duration: { type: "string", default: "5" },
    workers: { type: "string", default: "2" },
    nginx: { type: "boolean", default: false },
    "quiet-status": { type: "boolean", default: false },
    "fetch-all": { type: "boolean", default: false },
    perf: { type: "string", default: "" },
    work: { type: "string", default: join(ROOT, ".bench-out", "warm_path") },
  },
});
const DEVICES = 100_000;
const ACTIVE = 20_000;
const NGINX_PORT = 18290;
// Absolute: nginx resolves a relative root against its own prefix, not this directory.
const work = resolve(args.work);
mkdirSync(work, { recursive: true });
const log = (s: string): void =>
  void process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${s}\n`);
const load = (): string => readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");

const variants = (args.variant.length === 0 ? [`this=${ROOT}`] : args.variant).map((v, i) => {
  const eq = v.indexOf("=");
  return { name: v.slice(0, eq), root: v.slice(eq + 1), port: 18190 + i };
});
const runners: string[] = [];
for (const v of variants) runners.push(await bundleCli(v.root, join(work, `bundle-${v.name}`)));

const installation = join(work, "data");
if (!existsSync(join(work, "installed"))) {
  const runner = runners[runners.length - 1]!;
  await installDataDir(runner, installation);
  const csv = join(work, "devices.csv");
  writeDevicesCsv(csv, DEVICES);
  await importDevices(runner, installation, csv);
  await setTenantLayer(runner, installation, tenantLayerArgs());
  writeFileSync(join(work, "installed"), "");
  log(`installed ${DEVICES} devices`);
}

const quiet: Record<string, string> = args["quiet-status"]
  ? { PROVISIO_REPEAT_STATUS_WINDOW_MS: "3600000", PROVISIO_REPEAT_EVENT_WINDOW_MS: "3600000" }
  : {};
const servers: ChildProcess[] = [];
for (const [i, v] of variants.entries()) {
  const dataDir = join(work, `data-${v.name}`);
  cpSync(installation, dataDir, { recursive: true });
  servers.push(
    await startServe({
      runner: runners[i]!,
      dataDir,
      args: ["--http-port", String(v.port), "--workers", args.workers].concat(
        ["--https-port", "--admin-port", "--tftp-port"].flatMap((f) => [f, "off"]),
      ),
      env: quiet,
      nodeArgs: args.perf === v.name ? ["--perf-basic-prof"] : [],
      log,
      probe: `http://127.0.0.1:${v.port}/profile/${macOf(DEVICES - 1)}.xml`,
      settleMs: 500,
    }),
  );
}
const staticDir = join(work, "static", "profile");
mkdirSync(staticDir, { recursive: true });
for (const [i, v] of variants.entries()) {
  // The last device is the start-up probe.
  if (args["fetch-all"]) await fetchProfiles(v.port, DEVICES - 1);
  for (let r = 0; r < 6; r++) {
    const keep =
      r === 0 && i === 0 && args.nginx
        ? (mac: string, body: Buffer) => writeFileSync(join(staticDir, `${mac}.xml`), body)
        : undefined;
    await fetchProfiles(v.port, ACTIVE, keep);
  }
  log(`${v.name}: warm`);
}

const script = join(work, "random_mac.lua");
writeFileSync(
  script,
  `math.randomseed(os.time())
request = function()
  return wrk.format("GET", string.format("/profile/000e08%06x.xml", math.random(0, ${ACTIVE - 1})))
end
`,
);
let nginx: ChildProcess | undefined;
if (args.nginx) {
  const conf = writeNginxConf(
    work,
    `  server { listen 127.0.0.1:${NGINX_PORT}; root ${work}/static; }
`,
  );
  const started = spawn("/usr/sbin/nginx", ["-c", conf], { stdio: "ignore" });
  nginx = started;
  process.once("exit", () => started.kill("SIGQUIT"));
  await new Promise((r) => setTimeout(r, 700));
}

const pidsOf = (child: ChildProcess) => (): number[] => [child.pid!, ...childPids(child.pid!)];
const targets = variants.map((v, i) => ({
  name: v.name,
  url: `http://127.0.0.1:${v.port}`,
  pids: pidsOf(servers[i]!),
}));
if (nginx !== undefined) {
  targets.push({ name: "nginx", url: `http://127.0.0.1:${NGINX_PORT}`, pids: pidsOf(nginx) });
}

async function wrk(url: string, seconds: number, pids: readonly number[]) {
  const before = cpuTicks(pids);
  const out = await sh("wrk", ["-t1", "-c64", `-d${seconds}s`, "-s", script, url]);
  const requests = Number(/(\d+) requests in/.exec(out)?.[1] ?? 0);
  return {
    reqPerSec: Math.round(Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? 0)),
    cpuUs: Math.round(((cpuTicks(pids) - before) * 10_000) / Math.max(1, requests)),
    non2xx: Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0),
  };
}

// An unmeasured run each first: the path compiled, the connections' first requests.
for (const t of targets) await wrk(t.url, 3, []);
let perf: ChildProcess | undefined;
if (args.perf !== "") {
  const profiled = targets.find((t) => t.name === args.perf);
  if (profiled === undefined) throw new RangeError(`no variant ${args.perf}`);
  perf = spawn(
    "perf",
    ["record", "-e", "cpu-clock", "-F", "2000", "-g", "-p", profiled.pids().join(",")].concat([
      "-o",
      join(work, `perf-${args.perf}.data`),
    ]),
    { stdio: "inherit" },
  );
  await new Promise((r) => setTimeout(r, 500));
}
const figures = new Map<string, Array<{ reqPerSec: number; cpuUs: number }>>();
for (let round = 1; round <= Number(args.rounds); round++) {
  for (const t of targets) {
    const f = await wrk(t.url, Number(args.duration), t.pids());
    figures.set(t.name, [...(figures.get(t.name) ?? []), f]);
    log(
      `round ${round} ${t.name}: ${f.reqPerSec} req/s, ${f.cpuUs} µs CPU/request, non-2xx ${f.non2xx} (load ${load()})`,
    );
  }
}
if (perf !== undefined) {
  const stopped = new Promise((r) => perf.once("exit", r));
  perf.kill("SIGINT");
  await stopped;
}
for (const s of servers) await stopServe(s);
nginx?.kill("SIGQUIT");
const median = (xs: number[]): number => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
for (const [name, fs] of figures) {
  console.log(
    `${name}: CPU µs/request ${fs.map((f) => f.cpuUs).join(" · ")} (median ${median(fs.map((f) => f.cpuUs))}); req/s ${fs.map((f) => f.reqPerSec).join(" · ")}`,
  );
}
