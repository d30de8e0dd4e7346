/**
 * A reboot storm: every unit of a large fleet powers on at the same instant (power back
 * after an outage) against a local `provisio serve` (own processes, bundled build, SQLite),
 * in real time (`--speed 1`), so the server meets the real arrival rate: each unit's boot
 * resync falls in the Resync_Random_Delay window (factory 2 → 40 s), i.e. ~2,500 fetches/s
 * for 100,000 units. Units the server turns away retry on the schedule its profile would
 * give them (`--set Resync_Error_Retry_Delay=30,60,120,240`, as a provider's factory file
 * would), so the run also shows how the server recovers.
 *
 *   npx tsx bench/fleet_storm.ts [--devices 100000] [--minutes 5] [--concurrency 2000]
 *                                [--source-addresses 1000] [--wall-limit-minutes 8]
 *
 * A fleet that cannot keep up with real time (a loaded machine: every unit's first resync
 * decodes and applies a full profile) falls behind; after `--wall-limit-minutes` it is
 * interrupted and the summary says how far it got.
 *
 * Prints the fleet's summary (device-side latency, refusals by HTTP status, failures by
 * $ERR, per-interval series) and the server's own counters and peak RSS.
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
    devices: { type: "string", default: "100000" },
    minutes: { type: "string", default: "5" },
    "cpu-prof": { type: "string" },
    // The server's HTTP port; its admin port is the next one.
    port: { type: "string", default: "18480" },
    concurrency: { type: "string", default: "2000" },
    // Phones in the field each have their own address; 1 = everything from 127.0.0.1 (a
    // whole site behind one NAT address).
    "source-addresses": { type: "string", default: "1000" },
    "wall-limit-minutes": { type: "string", default: "8" },
  },
});
const DEVICES = Number(args.devices);

const inst = await prepareInstallation(
  "fleet_storm",
  DEVICES,
  [
    { name: "Resync_Periodic", value: "3600", access: "na" },
    { name: "Resync_Error_Retry_Delay", value: "30,60,120,240", access: "na" },
    { name: "Voice_Mail_Number", value: "*98", access: "rw" },
    { name: "Proxy_1_", value: "sip.example.com", access: "na" },
  ],
  profilingArgs(args["cpu-prof"]),
);
const server = await startServer(inst, { http: Number(args.port), admin: Number(args.port) + 1 });
const serverRss = rssSampler(server.child.pid!);
const loadAtStart = loadavg()
  .map((l) => l.toFixed(1))
  .join(" ");
try {
  log(`storm: ${DEVICES} devices power on at once, ${args.minutes} min real time`);
  const run = await runFleet(
    inst,
    [
      "--devices",
      String(DEVICES),
      "--model",
      "SPA962",
      "--profile-rule",
      `${server.http}/profile/$MA.xml`,
      "--set",
      "Resync_Error_Retry_Delay=30,60,120,240",
      "--reboot-storm",
      "--duration",
      `${args.minutes}m`,
      "--speed",
      "1",
      "--concurrency",
      args.concurrency,
      "--source-addresses",
      args["source-addresses"],
      "--report",
      `${inst.work}/fleet_storm.html`,
    ],
    // 100,000 units take more than V8's default old space on small machines.
    { NODE_OPTIONS: "--max-old-space-size=6144" },
    Number(args["wall-limit-minutes"]) * 60_000,
  );
  const s = run.summary as Record<string, unknown> & {
    series: { t: number[]; resyncsOk: number[]; resyncsFailed: number[]; overloaded: number[] };
  };
  const counts = await serverResyncCounts(server.admin);
  // Load shedding: the server's refusals by transport and signal (load_shedding.ts).
  const metricsText = await (await fetch(`${server.admin}/metrics`)).text();
  const shed: Record<string, number> = {};
  for (const m of metricsText.matchAll(/^provisio_load_shed_total\{([^}]*)\} (\d+)/gm)) {
    shed[m[1]!] = (shed[m[1]!] ?? 0) + Number(m[2]);
  }
  // The first two minutes in 10 s steps: what the storm looked like from the devices.
  const steps: string[] = [];
  const { t, resyncsOk, resyncsFailed, overloaded } = s.series;
  for (let i = 0; i < t.length; i++) {
    steps.push(`${t[i]}s ok ${resyncsOk[i]} failed ${resyncsFailed[i]} 503/429 ${overloaded[i]}`);
  }
  // Each unit's first successful resync provisions it (the next is an hour later): the
  // storm is over when the running total of successes reaches the fleet.
  let total = 0;
  let allProvisionedAtS: number | null = null;
  for (let i = 0; i < t.length && allProvisionedAtS === null; i++) {
    total += resyncsOk[i]!;
    if (total >= DEVICES) allProvisionedAtS = t[i]!;
  }
  const { series: _series, ...rest } = s;
  process.stdout.write(
    `${JSON.stringify(
      {
        scenario: `${DEVICES} × SPA962 reboot storm, ${args.minutes} min real time (speed 1), fleet concurrency ${args.concurrency}, ${args["source-addresses"]} source addresses`,
        wallSeconds: Math.round(run.wallMs / 1000),
        loadAverage: {
          start: loadAtStart,
          end: loadavg()
            .map((l) => l.toFixed(1))
            .join(" "),
        },
        interruptedAtWallLimit: run.interrupted,
        fleetPeakRssMb: run.rssPeakMb,
        fleetCpuSeconds: run.cpuSeconds,
        serverPeakRssMb: serverRss.peakMb(),
        serverCpuSeconds: serverRss.cpuSeconds(),
        serverResyncs: counts,
        serverLoadShed: shed,
        allProvisionedAtSeconds: allProvisionedAtS,
        serverResyncDuration: await serverDurationPercentiles(server.admin),
        serverLog: serverLogSummary(server.logFile),
        summary: rest,
        perInterval: steps,
      },
      null,
      2,
    )}\n`,
  );
  log(`report: ${inst.work}/fleet_storm.html`);
} finally {
  serverRss.stop();
  await server.stop();
}
