/**
 * A day in the life of 10,000 phones: `provisio fleet` with 10,000 SPA962 units (MACs
 * 000e08000000 + i, as imported) for a simulated 24 h at max speed against a local
 * `provisio serve` (own processes, bundled build, SQLite). The units power on over the
 * first hour; the server's profile sets `Resync_Periodic` 3600, so each unit resyncs at
 * boot and then hourly — about 250,000 HTTP fetches.
 *
 *   npx tsx bench/fleet_day.ts [--devices 10000] [--hours 24] [--concurrency 64]
 *
 * Target: under 5 minutes wall clock and under 1 GB RSS for the fleet process. Prints the
 * fleet's summary, wall time, both processes' peak RSS and the server's own resync count.
 */
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import {
  log,
  prepareInstallation,
  profilingArgs,
  rssSampler,
  runFleet,
  serverDurationPercentiles,
  serverLogSummary,
  serverResyncCounts,
  startServer,
} from "./fleet_server.ts";

const { values: args } = parseArgs({
  options: {
    devices: { type: "string", default: "10000" },
    hours: { type: "string", default: "24" },
    "cpu-prof": { type: "string" },
    // The server's HTTP port; its admin port is the next one.
    port: { type: "string", default: "18380" },
    concurrency: { type: "string", default: "64" },
    // The server's device-plane processes. One by default: on a 2-core box the fleet takes
    // the other core, and workers would each render and cache every unit's profile and add
    // the primary's connection handoff (docs/decisions.md, the fleet section).
    "server-workers": { type: "string", default: "1" },
    // Rendered-profile cache per server process. The default 256 MB holds ~4,700 of these
    // 52 kB profiles: with 10,000 units cycling hourly, least-recently-used eviction then
    // misses on every request. Default here: enough for every unit (64 kB each).
    "profile-cache-mb": { type: "string" },
    // Interrupt the fleet after this much wall time (its summary covers what was done).
    "wall-limit-minutes": { type: "string" },
  },
});
const DEVICES = Number(args.devices);

const inst = await prepareInstallation(
  "fleet_day",
  DEVICES,
  [
    { name: "Resync_On_Reset", value: "Yes", access: "na" },
    { name: "Resync_Periodic", value: "3600", access: "na" },
    { name: "Resync_Error_Retry_Delay", value: "30,60,120,300,600", access: "na" },
    { name: "Voice_Mail_Number", value: "*98", access: "rw" },
    { name: "Proxy_1_", value: "sip.example.com", access: "na" },
    {
      name: "Dial_Plan_1_",
      value: "(*xx|[3469]11|0|00|[2-9]xxxxxx|1xxx[2-9]xxxxxxS0)",
      access: "ro",
    },
  ],
  profilingArgs(args["cpu-prof"]),
);
const cacheMb = args["profile-cache-mb"] ?? String(Math.max(256, Math.ceil((DEVICES * 64) / 1024)));
const server = await startServer(
  inst,
  { http: Number(args.port), admin: Number(args.port) + 1 },
  { workers: Number(args["server-workers"]), env: { PROVISIO_CACHE_PROFILE_MB: cacheMb } },
);
const serverRss = rssSampler(server.child.pid!);
const loadAtStart = loadavg()
  .map((l) => l.toFixed(1))
  .join(" ");
try {
  log(`fleet: ${DEVICES} devices, ${args.hours} h simulated, speed max`);
  const run = await runFleet(
    inst,
    [
      "--devices",
      String(DEVICES),
      "--model",
      "SPA962",
      "--profile-rule",
      `${server.http}/profile/$MA.xml`,
      "--duration",
      `${args.hours}h`,
      "--ramp",
      "1h",
      "--speed",
      "max",
      "--concurrency",
      args.concurrency,
      "--report",
      `${inst.work}/fleet_day.html`,
    ],
    {},
    args["wall-limit-minutes"] === undefined
      ? undefined
      : Number(args["wall-limit-minutes"]) * 60_000,
  );
  const s = run.summary as Record<string, unknown> & { series?: unknown };
  delete s.series;
  const counts = await serverResyncCounts(server.admin);
  process.stdout.write(
    `${JSON.stringify(
      {
        scenario: `${DEVICES} × SPA962, ${args.hours} h simulated, speed max, concurrency ${args.concurrency}, server workers ${args["server-workers"]}, profile cache ${cacheMb} MB`,
        wallSeconds: Math.round(run.wallMs / 1000),
        interruptedAtWallLimit: run.interrupted,
        cpuMsPerResync: {
          fleet:
            Math.round(
              (run.cpuSeconds * 1e5) /
                Math.max(
                  1,
                  Number(run.summary.resyncsOk ?? 0) + Number(run.summary.resyncsFailed ?? 0),
                ),
            ) / 100,
          server:
            Math.round(
              (serverRss.cpuSeconds() * 1e5) / Math.max(1, Number(run.summary.fetches ?? 0)),
            ) / 100,
        },
        loadAverage: {
          start: loadAtStart,
          end: loadavg()
            .map((l) => l.toFixed(1))
            .join(" "),
        },
        fleetPeakRssMb: run.rssPeakMb,
        fleetCpuSeconds: run.cpuSeconds,
        serverPeakRssMb: serverRss.peakMb(),
        serverCpuSeconds: serverRss.cpuSeconds(),
        serverResyncs: counts,
        serverResyncDuration: await serverDurationPercentiles(server.admin),
        serverLog: serverLogSummary(server.logFile),
        summary: s,
      },
      null,
      2,
    )}\n`,
  );
  log(`report: ${inst.work}/fleet_day.html`);
} finally {
  serverRss.stop();
  await server.stop();
}
