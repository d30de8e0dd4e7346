/**
 * Device-plane benchmark: `provisio serve` against nginx serving the same profiles as static
 * files, in the same run, on the same machine — and, with a baseline checkout, the server
 * before a change against the server after it, each next to its own nginx measurement.
 *
 *   npx tsx bench/server_http.ts [--devices 100000] [--active 20000] [--duration 10]
 *     [--rounds 1] [--connections 64] [--workers N] [--baseline DIR] [--quick]
 *     [--parameters 22]
 *
 * Scenario (the provider's): 100,000 devices imported in bulk into a fresh SQLite installation,
 * a tenant layer of 22 parameters of which 7 are templates over each device (every profile
 * differs, ~1.3 KB), nginx with `worker_processes auto` serving the same bytes as static files.
 * `--parameters N` (N > 22) pads the tenant layer with the SPA504G's own catalogue parameters at
 * their factory values up to N: a provider's full-size profile (~700 parameters, ~50 KB).
 *
 * For each server variant (the baseline's `provisio serve` from `--baseline DIR` or
 * `BENCH_BASELINE`, a git worktree with its node_modules; this tree with one worker; this tree
 * with `--workers N`, default the CPU count):
 * 1. cold, first fetch after start: every device in turn, once (device read, render);
 * 2. cold, first fetch after a tenant-wide change (a tenant layer edit through the store,
 *    which the server learns from its change feed): every profile renders again;
 * 3. warm HTTP keep-alive: `wrk -t1 -c64 --latency`, random MACs over the first 20,000
 *    devices, all warm; then nginx, same script;
 * 4. warm HTTPS keep-alive (no client certificate: wrk has none), then nginx.
 * Then the runtime's own floor, the same warm HTTP load on the same bytes from memory, one
 * process each (`bench/lib/bare_server.mjs`): bare `node:http`, and bare `net` sockets with
 * the request line split by hand and one prebuilt buffer written per answer — what Node's
 * HTTP layer costs a request, next to nginx's and ours.
 * Full mode adds HTTPS with device client certificates (keep-alive; a Node load generator,
 * one certificate per connection), the server with every resync written, and the RSS after
 * every device was fetched once, and mTLS full handshakes (`openssl s_time -new`, RSA-2048 device
 * certificates, the units' TLS 1.2 suites) against an nginx with `ssl_verify_client on`.
 *
 * `--skip-extras` leaves out the full mode's additions (client certificates, RSS after every
 * device, every resync written). `--skip-single` leaves out the one-worker variant.
 * Each warm HTTP round logs every process's CPU share of the round (primary, workers, nginx's
 * master and workers, wrk): where a round's time went when the ratio moves between runs.
 * `--quick` (CI, ~30 s): 3,000 devices, 1,000 active, 2-second runs, HTTP and HTTPS only,
 * this tree only. It prints, it asserts nothing.
 *
 * The servers run from esbuild bundles (what `npm start` runs after `npm ci`), as their own
 * processes; work files go to `.bench-out/` (git-ignored).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { Agent, request as httpsRequest } from "node:https";
import { availableParallelism, loadavg } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { issueDeviceCertificate } from "../src/crypto/index.ts";
import { dataPaths } from "../src/server/index.ts";
import { eachOnce } from "./lib/each_once.ts";
import { fetchProfiles } from "./lib/fetch_profiles.ts";
import { installDataDir } from "./lib/install_data.ts";
import { compareMtls, mtlsClients, startMtlsNginx } from "./lib/mtls_handshakes.ts";
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
  untilAnswerHas,
  writeDevicesCsv,
} from "./lib/server_process.ts";
import { modelCatalogue, providerLayer } from "./provider_layer.ts";

const { values: args } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    "skip-extras": { type: "boolean", default: false },
    "skip-single": { type: "boolean", default: false },
    devices: { type: "string" },
    active: { type: "string" },
    duration: { type: "string" },
    rounds: { type: "string", default: "1" },
    connections: { type: "string", default: "64" },
    workers: { type: "string", default: String(availableParallelism()) },
    baseline: { type: "string", default: process.env.BENCH_BASELINE ?? "" },
    "client-cert-connections": { type: "string", default: "16" },
    parameters: { type: "string", default: "22" },
  },
});
const QUICK = args.quick === true;
/** No client-certificate load, no RSS after every device, no every-resync-written run. */
const EXTRAS = !QUICK && args["skip-extras"] !== true;
const DEVICES = Number(args.devices ?? (QUICK ? 3_000 : 100_000));
const ACTIVE = Math.min(DEVICES, Number(args.active ?? (QUICK ? 1_000 : 20_000)));
const DURATION = Number(args.duration ?? (QUICK ? 2 : 10));
const CONNECTIONS = Number(args.connections);
const ROUNDS = Number(args.rounds);
const WORKERS = Number(args.workers);
const BASELINE = args.baseline ?? "";
const CERT_CONNECTIONS = Number(args["client-cert-connections"]);
const PARAMETERS = Number(args.parameters);
const ROOT = join(import.meta.dirname, "..");
const PORTS = { http: 18180, https: 18543, nginxHttp: 18280, nginxHttps: 18643 };

function rssOf(pids: number[]): { rssMb: number; peakMb: number } {
  let rss = 0;
  let peak = 0;
  for (const pid of pids) {
    let status: string;
    try {
      status = readFileSync(`/proc/${pid}/status`, "utf8");
    } catch {
      continue; // exited meanwhile
    }
    rss += Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    peak += Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  }
  return { rssMb: Math.round(rss / 102.4) / 10, peakMb: Math.round(peak / 102.4) / 10 };
}

interface Figures {
  readonly reqPerSec: number;
  /** Server CPU time (user + system, all its processes) per request, µs; robust to neighbours. */
  readonly cpuUs?: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly non2xx: number;
}

function parseWrk(out: string): Figures {
  const unit = (v: string, u: string): number =>
    Number(v) * (u === "us" ? 0.001 : u === "s" ? 1000 : u === "m" ? 60_000 : 1);
  const pct = (p: string): number => {
    const m = new RegExp(`\\s${p}%\\s+([\\d.]+)(us|ms|s|m)`).exec(out);
    return m ? Math.round(unit(m[1]!, m[2]!) * 1000) / 1000 : Number.NaN;
  };
  return {
    reqPerSec: Math.round(Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? 0)),
    p50Ms: pct("50"),
    p99Ms: pct("99"),
    non2xx: Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0),
  };
}

const TICK_US = 1e6 / 100;

async function wrk(
  url: string,
  script: string,
  seconds: number,
  pids: () => readonly number[] = () => [],
): Promise<Figures> {
  const measured = pids();
  const before = cpuTicks(measured);
  const each = measured.map((pid) => cpuTicks([pid]));
  const started = performance.now();
  const out = await sh("wrk", [
    "-t1",
    `-c${CONNECTIONS}`,
    `-d${seconds}s`,
    "--latency",
    "-s",
    script,
    url,
  ]);
  const figures = parseWrk(out);
  const requests = Number(/(\d+) requests in/.exec(out)?.[1] ?? 0);
  if (measured.length === 0 || requests === 0) return figures;
  const cpuUs = Math.round(((cpuTicks(measured) - before) * TICK_US) / requests);
  const wall = (performance.now() - started) / 1000;
  const shares = measured.map(
    (pid, i) => `${pid} ${Math.round((cpuTicks([pid]) - each[i]!) / wall)} %`,
  );
  process.stderr.write(
    `  ${url}: ${figures.reqPerSec} req/s, CPU of a core per process: ${shares.join(", ")}\n`,
  );
  return { ...figures, cpuUs };
}

/** Keep-alive HTTPS load with one client certificate per connection (Node; wrk has no --cert). */
async function certLoad(
  port: number,
  clients: ReadonlyArray<{ mac: string; cert: string; key: string }>,
  ca: string,
  seconds: number,
): Promise<Figures> {
  const latencies: number[] = [];
  let bad = 0;
  const until = performance.now() + seconds * 1000;
  await Promise.all(
    clients.map(async (c) => {
      const agent = new Agent({ keepAlive: true, maxSockets: 1, cert: c.cert, key: c.key, ca });
      while (performance.now() < until) {
        const start = performance.now();
        const status = await new Promise<number>((resolve, reject) => {
          const req = httpsRequest(
            {
              host: "127.0.0.1",
              port,
              path: `/profile/${c.mac}.xml`,
              agent,
              servername: "localhost",
            },
            (res) => {
              res.resume();
              res.on("end", () => resolve(res.statusCode ?? 0));
            },
          );
          req.on("error", reject);
          req.end();
        });
        latencies.push(performance.now() - start);
        if (status !== 200) bad++;
      }
      agent.destroy();
    }),
  );
  latencies.sort((a, b) => a - b);
  const at = (q: number): number =>
    Math.round(latencies[Math.floor(q * (latencies.length - 1))]! * 1000) / 1000;
  return {
    reqPerSec: Math.round(latencies.length / seconds),
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    non2xx: bad,
  };
}

function row(name: string, f: Figures, rss?: { rssMb: number; peakMb: number }): string {
  const mem = rss === undefined ? "" : `${rss.rssMb} (peak ${rss.peakMb})`;
  return `| ${name} | ${f.reqPerSec.toLocaleString("en")} | ${f.cpuUs ?? ""} | ${f.p50Ms} | ${f.p99Ms} | ${mem} | ${f.non2xx} |`;
}

/**
 * The tenant layer as `layer set` arguments: 22 parameters, 7 of them templates over the
 * device (bench/lib/server_process.ts), padded to PARAMETERS; `version` names its syslog server.
 */
function tenantLayer(version: string): string[] {
  const base = tenantLayerArgs(`syslog-${version}.example.com`);
  if (PARAMETERS <= base.length) return base;
  const named = new Set(base.map((a) => a.slice(0, a.indexOf(":"))));
  const padding = providerLayer({
    catalogue: modelCatalogue("SPA504G"),
    family: "spa",
    parameters: PARAMETERS * 2,
    templated: 0,
  }).filter((p) => !named.has(p.name));
  if (padding.length < PARAMETERS - base.length) {
    throw new RangeError(
      `the SPA504G catalogue has only ${base.length + padding.length} usable parameters`,
    );
  }
  return [
    ...base,
    ...padding.slice(0, PARAMETERS - base.length).map((p) => `${p.name}:${p.access}=${p.value}`),
  ];
}

interface Variant {
  readonly name: string;
  readonly runner: string;
  readonly args: readonly string[];
  readonly dataDir: string;
}

interface VariantResult {
  readonly name: string;
  readonly rows: string[];
  readonly summary: string[];
}

/**
 * mTLS full handshakes (bench/lib/mtls_handshakes.ts): `openssl s_time -new` with RSA-2048
 * device certificates on the units' TLS 1.2 suites, this server against an nginx of its own
 * (`ssl_verify_client on`, same certificate, CA and bytes); summary lines.
 */
async function mtlsSummary(
  work: string,
  dataDir: string,
  name: string,
  pids: () => readonly number[],
  log: (s: string) => void,
): Promise<string[]> {
  const paths = dataPaths(dataDir);
  const clients = await mtlsClients(
    join(work, "mtls-clients"),
    { cert: paths.deviceCaCert, key: paths.deviceCaKey },
    [1, 2, 3].map((i) => macOf(i * 991)),
  );
  const port = 18743;
  const nginx = await startMtlsNginx({
    work,
    port,
    root: join(work, "static"),
    serverCert: paths.serverCert,
    serverKey: paths.serverKey,
    deviceCaCert: paths.deviceCaCert,
  });
  try {
    return await compareMtls({
      ours: { name, port: PORTS.https, pids },
      nginx: { name: "nginx", port, pids: nginx.pids },
      clients,
      pathOf: (mac) => `/profile/${mac}.xml`,
      seconds: DURATION,
      rounds: ROUNDS,
      log,
    });
  } finally {
    nginx.stop();
  }
}

async function main(): Promise<void> {
  mkdirSync(join(ROOT, ".bench-out"), { recursive: true });
  const work = mkdtempSync(join(ROOT, ".bench-out", "server_http-"));
  const dataDir = join(work, "data");
  const log = (s: string): void => void process.stderr.write(`${s}\n`);
  log(`work dir ${work}`);

  // The servers run from esbuild bundles, as `npm start` does after `npm ci` (no tsx). A
  // baseline's bundle resolves its packages from this tree's node_modules (same lock file).
  const runner = await bundleCli(ROOT, join(work, "current"));
  const variants: Variant[] = [];
  if (BASELINE !== "" && !QUICK) {
    variants.push({
      name: "baseline",
      runner: await bundleCli(BASELINE, join(work, "baseline")),
      args: [],
      dataDir: join(work, "data-baseline"),
    });
  }
  if ((!QUICK && args["skip-single"] !== true) || WORKERS === 1)
    variants.push({ name: "1 worker", runner, args: ["--workers", "1"], dataDir });
  if (WORKERS > 1)
    variants.push({
      name: `${WORKERS} workers`,
      runner,
      args: ["--workers", String(WORKERS)],
      dataDir,
    });

  // 1. The installations (the baseline's schema may differ: each gets its own): bootstrap
  // by starting once, then devices and the tenant layer through the CLI, as an operator would.
  const csv = join(work, "devices.csv");
  writeDevicesCsv(csv, DEVICES);
  let layerVersion = 0;
  const editTenant = async (variant: Variant): Promise<string> => {
    const version = `v${++layerVersion}`;
    await setTenantLayer(variant.runner, variant.dataDir, tenantLayer(version));
    return version;
  };
  const installed = new Set<string>();
  for (const variant of variants) {
    if (installed.has(variant.dataDir)) continue;
    installed.add(variant.dataDir);
    await installDataDir(variant.runner, variant.dataDir);
    const t = performance.now();
    await importDevices(variant.runner, variant.dataDir, csv);
    log(
      `${variant.dataDir}: imported ${DEVICES} devices in ${Math.round(performance.now() - t)} ms`,
    );
    await editTenant(variant);
  }
  const paths = dataPaths(dataDir);

  const clientsOf = async (
    installation: string,
  ): Promise<Array<{ mac: string; cert: string; key: string }>> => {
    const own = dataPaths(installation);
    const ca = {
      certificatePem: readFileSync(own.deviceCaCert, "utf8"),
      privateKeyPem: readFileSync(own.deviceCaKey, "utf8"),
    };
    const clients: Array<{ mac: string; cert: string; key: string }> = [];
    for (let i = 0; i < CERT_CONNECTIONS; i++) {
      const mac = macOf(i * 997);
      const issued = await issueDeviceCertificate(ca, { mac, product: "SPA504G" });
      clients.push({ mac, cert: issued.certificatePem, key: issued.privateKeyPem });
    }
    return clients;
  };

  const startServer = (variant: Variant, env: Record<string, string> = {}): Promise<ChildProcess> =>
    startServe({
      runner: variant.runner,
      dataDir: variant.dataDir,
      args: ["--http-port", String(PORTS.http), "--https-port", String(PORTS.https)].concat([
        "--admin-port",
        "off",
        "--tftp-port",
        "off",
        ...variant.args,
      ]),
      env,
      log,
      // The last device is never part of a measured pass: probing it warms nothing measured.
      probe: `http://127.0.0.1:${PORTS.http}/profile/${macOf(DEVICES - 1)}.xml`,
      settleMs: 500,
    });
  const serverPids = (child: ChildProcess): number[] => [child.pid!, ...childPids(child.pid!)];

  // 2. The static copy for nginx, fetched once from this tree's server.
  const staticDir = join(work, "static", "profile");
  mkdirSync(staticDir, { recursive: true });
  {
    const first = await startServer(variants[variants.length - 1]!);
    const t = performance.now();
    let bytes = 0;
    await fetchProfiles(PORTS.http, DEVICES, (mac, body) => {
      bytes += body.length;
      writeFileSync(join(staticDir, `${mac}.xml`), body);
    });
    log(
      `fetched ${DEVICES} profiles (${Math.round(bytes / DEVICES)} B avg) in ${Math.round(performance.now() - t)} ms`,
    );
    await stopServe(first);
  }

  const nginxConf = writeNginxConf(
    work,
    `  server { listen 127.0.0.1:${PORTS.nginxHttp}; root ${work}/static; }
  server {
    listen 127.0.0.1:${PORTS.nginxHttps} ssl;
    root ${work}/static;
    ssl_certificate ${paths.serverCert};
    ssl_certificate_key ${paths.serverKey};
    ssl_client_certificate ${paths.deviceCaCert};
    ssl_verify_client optional;
  }
`,
  );
  const nginx = spawn("/usr/sbin/nginx", ["-c", nginxConf], { stdio: ["ignore", "pipe", "pipe"] });
  // A run that fails leaves no nginx behind to answer the next run's requests.
  process.once("exit", () => nginx.kill("SIGQUIT"));
  await new Promise((r) => setTimeout(r, 700));
  const nginxPids = (): number[] => [nginx.pid!, ...childPids(nginx.pid!)];

  const random = join(work, "random_mac.lua");
  writeFileSync(
    random,
    `math.randomseed(os.time())
request = function()
  return wrk.format("GET", string.format("/profile/000e08%06x.xml", math.random(0, ${ACTIVE - 1})))
end
`,
  );
  // Every device once, in order (bench/lib/each_once.ts): the pass ends with its last answer,
  // so req/s is the server's rate, not the devices over a fixed duration. The last device is
  // the start-up probe: never part of a pass.
  const coldPaths = Array.from({ length: DEVICES - 1 }, (_, i) => `/profile/${macOf(i)}.xml`);
  const cold = async (pids: () => readonly number[]): Promise<Figures> => {
    const measured = pids();
    const before = cpuTicks(measured);
    const r = await eachOnce(PORTS.http, coldPaths, CONNECTIONS);
    const cpuUs = Math.round(((cpuTicks(measured) - before) * TICK_US) / Math.max(1, r.requests));
    return { reqPerSec: r.reqPerSec, cpuUs, p50Ms: r.p50Ms, p99Ms: r.p99Ms, non2xx: r.non200 };
  };

  const best = (a: Figures | undefined, b: Figures): Figures =>
    a === undefined || b.reqPerSec > a.reqPerSec ? b : a;
  const compare = async (
    ours: () => Promise<Figures>,
    theirs: () => Promise<Figures>,
  ): Promise<[Figures, Figures]> => {
    let a: Figures | undefined;
    let b: Figures | undefined;
    for (let r = 0; r < ROUNDS; r++) {
      a = best(a, await ours());
      b = best(b, await theirs());
    }
    return [a!, b!];
  };
  // nginx answering nothing in a round (a loaded machine) leaves no ratio to state.
  const ratio = (a: Figures, b: Figures): string =>
    b.reqPerSec === 0 ? "n/a" : `${Math.round((a.reqPerSec / b.reqPerSec) * 100)} %`;
  const load = (): string => readFileSync("/proc/loadavg", "utf8").trim();

  const results: VariantResult[] = [];
  for (const variant of variants) {
    const rows: string[] = [];
    const summary: string[] = [];
    log(`${variant.name}: start`);
    let server = await startServer(variant);
    const http = `http://127.0.0.1:${PORTS.http}`;
    log(`${variant.name}: cold after start (load ${load()})`);
    const pids = (): number[] => serverPids(server);
    const coldStart = await cold(pids);
    rows.push(row(`${variant.name}: HTTP cold, first fetch after start`, coldStart));
    const version = await editTenant(variant);
    // Wait until the change reached the server (its change feed), on every worker.
    await untilAnswerHas(`${http}/profile/${macOf(DEVICES - 1)}.xml`, `syslog-${version}`);
    await new Promise((r) => setTimeout(r, 1500));
    log(`${variant.name}: cold after a tenant change (load ${load()})`);
    const coldChange = await cold(pids);
    rows.push(row(`${variant.name}: HTTP cold, first fetch after a tenant change`, coldChange));
    log(`${variant.name}: warm-up`);
    // Every active device several times over 16 connections: each worker caches its own.
    for (let r = 0; r < Math.max(2, WORKERS * 3); r++) {
      await fetchProfiles(PORTS.http, ACTIVE);
    }
    await wrk(http, random, QUICK ? 1 : 3);
    log(`${variant.name}: warm HTTP (load ${load()})`);
    const [ourHttp, ngHttp] = await compare(
      () => wrk(http, random, DURATION, pids),
      () => wrk(`http://127.0.0.1:${PORTS.nginxHttp}`, random, DURATION, nginxPids),
    );
    rows.push(row(`${variant.name}: HTTP warm, keep-alive`, ourHttp, rssOf(serverPids(server))));
    rows.push(row("nginx HTTP (static files)", ngHttp, rssOf(nginxPids())));
    // A first HTTPS run on each, unmeasured, as for HTTP: the TLS path's first requests (its code
    // compiled, sessions set up) are not the warm path. Each measured run still opens its
    // connections with full handshakes, which a short run spreads over fewer requests.
    await wrk(`https://127.0.0.1:${PORTS.https}`, random, QUICK ? 1 : 3);
    await wrk(`https://127.0.0.1:${PORTS.nginxHttps}`, random, 1);
    log(`${variant.name}: warm HTTPS (load ${load()})`);
    const [ourTls, ngTls] = await compare(
      () => wrk(`https://127.0.0.1:${PORTS.https}`, random, DURATION, pids),
      () => wrk(`https://127.0.0.1:${PORTS.nginxHttps}`, random, DURATION, nginxPids),
    );
    rows.push(row(`${variant.name}: HTTPS warm, keep-alive`, ourTls, rssOf(serverPids(server))));
    rows.push(row("nginx HTTPS, keep-alive", ngTls, rssOf(nginxPids())));
    summary.push(
      `${variant.name}: HTTP warm ${ratio(ourHttp, ngHttp)} of nginx (CPU ${ourHttp.cpuUs ?? "?"} µs/request vs nginx ${ngHttp.cpuUs ?? "?"}), HTTPS keep-alive ${ratio(ourTls, ngTls)}; cold ${coldStart.reqPerSec.toLocaleString("en")} req/s after start, ${coldChange.reqPerSec.toLocaleString("en")} req/s after a tenant change (load ${load()})`,
    );
    if (EXTRAS) {
      log(`${variant.name}: HTTPS with client certificates (load ${load()})`);
      const serverCa = readFileSync(dataPaths(variant.dataDir).serverCert, "utf8");
      const clients = await clientsOf(variant.dataDir);
      // nginx serves with this tree's installation (its server certificate and device CA),
      // which a baseline variant's clients would not trust or be trusted by.
      const nginxCa = readFileSync(paths.serverCert, "utf8");
      const nginxClients = variant.dataDir === dataDir ? clients : await clientsOf(dataDir);
      const [ourCert, ngCert] = await compare(
        () => certLoad(PORTS.https, clients, serverCa, DURATION),
        () => certLoad(PORTS.nginxHttps, nginxClients, nginxCa, DURATION),
      );
      rows.push(
        row(
          `${variant.name}: HTTPS + client cert, keep-alive (${CERT_CONNECTIONS} conn.)`,
          ourCert,
          rssOf(serverPids(server)),
        ),
      );
      rows.push(row("nginx HTTPS + client cert (static)", ngCert, rssOf(nginxPids())));
      summary.push(...(await mtlsSummary(work, variant.dataDir, variant.name, pids, log)));
      log(`${variant.name}: every device fetched once, for the RSS`);
      await fetchProfiles(PORTS.http, DEVICES);
      const full = rssOf(serverPids(server));
      summary.push(
        `${variant.name}: RSS with every one of the ${DEVICES.toLocaleString("en")} devices fetched once: ${full.rssMb} MB (peak ${full.peakMb} MB), all processes`,
      );
      // Every resync written (no repeat windows): the cost of a full event log under load.
      await stopServe(server);
      server = await startServer(variant, {
        PROVISIO_REPEAT_EVENT_WINDOW_MS: "0",
        PROVISIO_REPEAT_STATUS_WINDOW_MS: "0",
      });
      for (let r = 0; r < Math.max(2, WORKERS * 3); r++) {
        await fetchProfiles(PORTS.http, ACTIVE);
      }
      let all: Figures | undefined;
      for (let r = 0; r < ROUNDS; r++) all = best(all, await wrk(http, random, DURATION, pids));
      rows.push(row(`${variant.name}: HTTP warm, every resync written`, all!));
    }
    await stopServe(server);
    results.push({ name: variant.name, rows, summary });
    // As it goes: a long run on a busy machine still leaves its figures.
    log(`${rows.join("\n")}\n${summary.join("\n")}`);
  }
  // The runtime's floor: bare node:http and bare net answering the same files from memory.
  const floor: string[] = [];
  for (const [kind, name] of [
    ["http", "bare node:http from memory (1 process)"],
    ["net", "bare net, prebuilt answers (1 process)"],
    ["https", "bare node:https from memory, keep-alive (1 process)"],
  ] as const) {
    const port = kind === "https" ? PORTS.https : PORTS.http;
    const bare = spawn(
      process.execPath,
      [
        join(ROOT, "bench/lib/bare_server.mjs"),
        kind,
        String(port),
        join(work, "static"),
        paths.serverCert,
        paths.serverKey,
      ],
      { stdio: ["ignore", "ignore", "inherit", "ipc"] },
    );
    await new Promise((resolve, reject) => {
      bare.once("message", resolve);
      bare.once("exit", (code) => reject(new Error(`bare ${kind} server exited (${code})`)));
    });
    const url = `${kind === "https" ? "https" : "http"}://127.0.0.1:${port}`;
    await wrk(url, random, 1);
    log(`${name} (load ${load()})`);
    let f: Figures | undefined;
    for (let r = 0; r < ROUNDS; r++)
      f = best(f, await wrk(url, random, DURATION, () => [bare.pid!]));
    floor.push(row(name, f!));
    bare.removeAllListeners("exit");
    const exited = new Promise((r) => bare.once("exit", r));
    bare.kill("SIGTERM");
    await exited;
  }
  nginx.kill("SIGQUIT");

  const header =
    "| server | req/s | CPU µs/req | p50 ms | p99 ms | RSS MB | non-2xx |\n| --- | --: | --: | --: | --: | --: | --: |";
  const [l1, l5] = loadavg();
  process.stdout.write(
    `# Provisio device plane vs nginx — ${DEVICES.toLocaleString("en")} devices, random MACs over ${ACTIVE.toLocaleString("en")}${QUICK ? " (quick)" : ""}\n\n` +
      `Tenant layer of ${Math.max(22, PARAMETERS)} parameters, 7 templated per device; wrk -t1 -c${CONNECTIONS} -d${DURATION}s --latency; nginx worker_processes auto (${availableParallelism()} CPUs); best of ${ROUNDS} alternating round(s); cold = every device once, in order, ${CONNECTIONS} connections; ${new Date().toISOString()}; load average at the end ${l1?.toFixed(2)} ${l5?.toFixed(2)}\n\n` +
      `${header}\n${[...results.flatMap((r) => r.rows), ...floor].join("\n")}\n\n` +
      results.flatMap((r) => r.summary.map((line) => `- ${line}`)).join("\n") +
      "\n",
  );
}

await main();
