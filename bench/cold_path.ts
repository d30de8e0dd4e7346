/**
 * The device plane's cold path alone: the server's CPU per first fetch, after start and after a
 * tenant-wide layer change, on the same installation, server bundles alternating.
 *
 *   npx tsx bench/cold_path.ts [--devices 5000] [--rounds 3] [--workers 1] [--connections 64]
 *     [--baseline DIR] [--candidate DIR] [--fresh] [--write-every] [--cpu-prof DIR] [--perf DIR]
 *
 * Each variant (this tree or `--candidate DIR`; with `--baseline DIR` also that checkout, its
 * node_modules linked) gets an installation of its own built through its CLI: the devices imported, a tenant layer of
 * 22 parameters, 7 of them templated (bench/server_http.ts's scenario), and every device fetched
 * once ("seen": each has its status and lifecycle rows, as a fleet that rebooted has). Every
 * round starts each variant in turn on a fresh copy of its installation (`--fresh`: of the
 * installation no device ever fetched — the first fetch inserts the rows) and measures:
 * 1. every device once (bench/lib/each_once.ts) right after start: device and layers read,
 *    render, status, event and lifecycle rows written;
 * 2. a tenant layer edit through the CLI, the change seen by the server, every device once
 *    again: render again (the repeat windows leave out the status and event rows unless
 *    `--write-every` sets them to 0, as a fleet whose last resync is older than a minute);
 * 3. every device once more, its profile cached: the warm path over the same connections, what
 *    the cold passes cost beyond it is theirs.
 * The CPU is user + system of every server process from /proc/<pid>/stat, per answer.
 * `--perf DIR`: each pass under `perf record -e cpu-clock -g` of the server processes (on-CPU
 * samples, unlike `--cpu-prof`'s wall time), Node started with `--perf-basic-prof` so the
 * JavaScript frames have names: `DIR/<round>-<variant>-<pass>.data`, for `perf report -i`.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { eachOnce } from "./lib/each_once.ts";
import { installDataDir } from "./lib/install_data.ts";
import {
  bundleCli,
  childPids,
  cpuTicks,
  importDevices,
  macOf,
  setTenantLayer,
  startServe,
  stopServe,
  tenantLayerArgs,
  untilAnswerHas,
  writeDevicesCsv,
} from "./lib/server_process.ts";

const { values: args } = parseArgs({
  options: {
    devices: { type: "string", default: "5000" },
    rounds: { type: "string", default: "3" },
    workers: { type: "string", default: "1" },
    connections: { type: "string", default: "64" },
    baseline: { type: "string", default: "" },
    candidate: { type: "string", default: "" },
    fresh: { type: "boolean", default: false },
    "write-every": { type: "boolean", default: false },
    "cpu-prof": { type: "string", default: "" },
    perf: { type: "string", default: "" },
  },
});
const DEVICES = Number(args.devices);
const ROUNDS = Number(args.rounds);
const CONNECTIONS = Number(args.connections);
const ROOT = join(import.meta.dirname, "..");
const PORT = 18397;
const log = (s: string): void => void process.stderr.write(`${s}\n`);
const load = (): string => readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");

interface Variant {
  readonly name: string;
  readonly runner: string;
  /** Installations: every device seen once, and none ever seen. */
  readonly seen: string;
  readonly pristine: string;
}

let versions = 0;
async function editTenant(runner: string, dataDir: string): Promise<string> {
  const version = `v${++versions}`;
  await setTenantLayer(runner, dataDir, tenantLayerArgs(`syslog-${version}.example.com`));
  return version;
}

function startServer(
  runner: string,
  dataDir: string,
  env: Record<string, string>,
): Promise<ChildProcess> {
  const profDir = args["cpu-prof"] ?? "";
  const nodeArgs = profDir === "" ? [] : ["--cpu-prof", "--cpu-prof-dir", profDir];
  if (args.perf !== "") nodeArgs.push("--perf-basic-prof");
  return startServe({
    runner,
    dataDir,
    args: ["--http-port", String(PORT), "--https-port", "off", "--admin-port", "off"].concat([
      "--tftp-port",
      "off",
      "--workers",
      args.workers ?? "1",
    ]),
    env,
    nodeArgs,
    // The last device is the probe: never part of a measured pass.
    probe: `http://127.0.0.1:${PORT}/profile/${macOf(DEVICES - 1)}.xml`,
    settleMs: 300,
  });
}

const paths = Array.from({ length: DEVICES - 1 }, (_, i) => `/profile/${macOf(i)}.xml`);

interface Pass {
  readonly cpuUs: number;
  readonly reqPerSec: number;
  readonly non200: number;
  readonly load: string;
}

/** `perf record` of `pids` until the returned function is called (nothing without `--perf`). */
async function perfRecord(pids: readonly number[], name: string): Promise<() => Promise<void>> {
  if (args.perf === undefined || args.perf === "") return async () => {};
  mkdirSync(args.perf, { recursive: true });
  const perf = spawn(
    "perf",
    ["record", "-e", "cpu-clock", "-g", "-q", "-o", join(args.perf, `${name}.data`)].concat([
      "-p",
      pids.join(","),
    ]),
    { stdio: "ignore" },
  );
  await new Promise((r) => setTimeout(r, 300));
  return async () => {
    const exited = new Promise((r) => perf.once("exit", r));
    perf.kill("SIGINT");
    await exited;
  };
}

async function pass(pids: readonly number[], label: string): Promise<Pass> {
  const stopPerf = await perfRecord(pids, label);
  const before = cpuTicks(pids);
  const from = process.hrtime.bigint() / 1000n;
  const r = await eachOnce(PORT, paths, CONNECTIONS);
  // The pass's window on the monotonic clock V8's profiles use (µs), to read a profile by pass.
  if (args["cpu-prof"] !== "") log(`pass ${label} ${from} ${process.hrtime.bigint() / 1000n}`);
  // Let the last flush (≤ 250 ms) land inside the measurement.
  await new Promise((resolve) => setTimeout(resolve, 600));
  const cpuUs = Math.round(((cpuTicks(pids) - before) * 10_000) / Math.max(1, r.requests));
  await stopPerf();
  return { cpuUs, reqPerSec: r.reqPerSec, non200: r.non200, load: load() };
}

async function prepare(name: string, root: string, work: string): Promise<Variant> {
  const runner = await bundleCli(root, join(work, name));
  const pristine = join(work, `${name}-pristine`);
  await installDataDir(runner, pristine);
  const csv = join(work, "devices.csv");
  writeDevicesCsv(csv, DEVICES);
  await importDevices(runner, pristine, csv);
  await editTenant(runner, pristine);
  const seen = join(work, `${name}-seen`);
  cpSync(pristine, seen, { recursive: true });
  const server = await startServer(runner, seen, {});
  await eachOnce(PORT, paths, CONNECTIONS);
  await stopServe(server);
  return { name, runner, seen, pristine };
}

async function main(): Promise<void> {
  mkdirSync(join(ROOT, ".bench-out"), { recursive: true });
  const work = mkdtempSync(join(ROOT, ".bench-out", "cold_path-"));
  log(`work dir ${work}`);
  const variants: Variant[] = [];
  if (args.baseline !== undefined && args.baseline !== "") {
    variants.push(await prepare("baseline", args.baseline, work));
  }
  const candidate = args.candidate === undefined || args.candidate === "" ? ROOT : args.candidate;
  variants.push(await prepare("current", candidate, work));
  const env: Record<string, string> =
    args["write-every"] === true
      ? { PROVISIO_REPEAT_EVENT_WINDOW_MS: "0", PROVISIO_REPEAT_STATUS_WINDOW_MS: "0" }
      : {};
  const lines: string[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    for (const variant of variants) {
      const dataDir = join(work, "run");
      rmSync(dataDir, { recursive: true, force: true });
      cpSync(args.fresh === true ? variant.pristine : variant.seen, dataDir, { recursive: true });
      const server = await startServer(variant.runner, dataDir, env);
      const pids = [server.pid!, ...childPids(server.pid!)];
      const tag = `${round}-${variant.name}`;
      const start = await pass(pids, `${tag}-start`);
      const version = await editTenant(variant.runner, dataDir);
      await untilAnswerHas(
        `http://127.0.0.1:${PORT}/profile/${macOf(DEVICES - 1)}.xml`,
        `syslog-${version}`,
      );
      await new Promise((r) => setTimeout(r, 1000));
      const change = await pass(pids, `${tag}-change`);
      const warm = await pass(pids, `${tag}-warm`);
      await stopServe(server);
      const line = `| ${round} | ${variant.name} | ${start.cpuUs} | ${start.reqPerSec} | ${start.load} | ${change.cpuUs} | ${change.reqPerSec} | ${change.load} | ${warm.cpuUs} | ${warm.reqPerSec} | ${start.non200 + change.non200 + warm.non200} |`;
      log(line);
      lines.push(line);
    }
  }
  process.stdout.write(
    `${DEVICES - 1} devices once each, ${CONNECTIONS} connections, --workers ${args.workers}, ${args.fresh === true ? "never-seen installation" : "every device seen before"}${args["write-every"] === true ? ", repeat windows 0" : ""}; ${new Date().toISOString()}\n\n` +
      "| round | server | after start: CPU µs | req/s | load | after a tenant change: CPU µs | req/s | load | warm: CPU µs | req/s | non-200 |\n| --: | --- | --: | --: | --- | --: | --: | --- | --: | --: | --: |\n" +
      `${lines.join("\n")}\n`,
  );
}

await main();
