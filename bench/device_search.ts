/**
 * The admin UI's device search and dashboard at scale: server-side time per query type on
 * SQLite and PostgreSQL.
 *
 *   npx tsx bench/device_search.ts [--devices 100000] [--runs 30] [--dialect sqlite|postgres|both]
 *     [--keep]
 *
 * `--keep` keeps the seeded databases (`.bench-out/device_search-N.db`, PostgreSQL schema
 * `bench_device_search_N`) and reuses them on the next run with the same N.
 * Scenario: a store (a temp SQLite file; a fresh schema in PostgreSQL at PROVISIO_TEST_PG or
 * 127.0.0.1:5432/test) gets `--devices` devices through the store's bulk import, 90 % in the
 * default tenant and 10 % in a second one; 1 account per 20 devices (references `ACC-n`),
 * six models, four states, serials for all, labels for 1 in 10; 85 % have a last resync spread
 * over 30 days (more of them recent) reporting one of six firmware versions, the rest were never
 * seen; 80 % have a lifecycle state; two events per seen device over the last 7 days (one in 20
 * a failure, one in 50 a refusal). Then the admin app listens on loopback and each query type
 * runs `--runs` times with varied arguments (PostgreSQL analysed after the load first, as
 * autovacuum would have) (an installation-wide admin token; the
 * "tenant" rows use a token scoped to the small tenant). The time reported is the server's own
 * (Fastify's elapsed time of the request, from its log line: routing, auth, queries,
 * serialisation), p50 and p95 in ms, with the load average: the machine is shared, so read
 * the figures as an upper bound on an idle machine's. "CPU ms" is the mean CPU time per
 * request of this process (server and client: SQLite runs in it) plus, on PostgreSQL, of the
 * backends serving its connections (read from /proc): the figure the load does not inflate.
 */
import { randomUUID } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { parseArgs } from "node:util";
import pg from "pg";
import pino from "pino";
import { Registry } from "prom-client";
import { createAdminApp } from "../src/api/index.ts";
import { seededRandom } from "../src/device/index.ts";
import {
  type DeviceInput,
  type MacAddress,
  openStore,
  parseMac,
  type Store,
  type StoreOptions,
} from "../src/store/index.ts";
import { testSealer } from "../test/store/dialects.ts";

const { values: args } = parseArgs({
  options: {
    devices: { type: "string", default: "100000" },
    runs: { type: "string", default: "30" },
    dialect: { type: "string", default: "both" },
    keep: { type: "boolean", default: false },
  },
});
const DEVICES = Number(args.devices);
const RUNS = Number(args.runs);
const PG_URL = process.env.PROVISIO_TEST_PG ?? "postgres://postgres@127.0.0.1:5432/test";
const DAY = 86_400_000;
const NOW = Date.now();
const MODELS = ["SPA112", "SPA122", "CP-7841-3PCC", "CP-6851-3PCC", "SPA504G", "CP-8851-3PCC"];
const FIRMWARE = ["1.4.1", "1.4.1 SR5", "11.3.7", "11.3.6", "12.0.1", "7.6.2"];
const STATES = ["active", "active", "active", "provisioned", "disabled", "new"];
const LIFECYCLE = ["mfg-reset", "sp-cust", "sec-prv-1", "sec-prv-2"] as const;
const log = (s: string): void => void process.stderr.write(`${s}\n`);
const load = (): string => readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");

const macOf = (i: number): MacAddress =>
  parseMac(
    `00${((i * 2654435761) >>> 0).toString(16).padStart(8, "0")}${(i & 0xff).toString(16).padStart(2, "0")}`,
  );

async function seed(store: Store): Promise<{ small: string }> {
  const random = seededRandom(42);
  const small = await store.tenants.create({ slug: "small", name: "Small" });
  const accounts: string[] = [];
  const accountCount = Math.ceil(DEVICES / 20);
  for (let i = 0; i < accountCount; i++) {
    const tenantId = i % 10 === 9 ? small.id : "default";
    const a = await store.accounts.create(
      { tenantId, reference: `ACC-${100000 + i}`, name: `Customer ${i}` },
      { actor: "bench" },
    );
    accounts.push(a.id);
  }
  log(`  ${accountCount} accounts (${load()})`);
  const inputs: DeviceInput[] = [];
  for (let i = 0; i < DEVICES; i++) {
    const a = Math.floor(i / 20);
    inputs.push({
      mac: macOf(i),
      tenantId: a % 10 === 9 ? small.id : "default",
      accountId: accounts[a]!,
      modelPn: MODELS[Math.floor(random() * MODELS.length)]!,
      state: STATES[Math.floor(random() * STATES.length)]!,
      serial: `CBT${(1_000_000 + i).toString()}`,
      label: i % 10 === 0 ? `Room ${i % 997} ${i % 3 === 0 ? "lobby" : "office"}` : null,
    });
  }
  await store.devices.bulkUpsert(inputs, { batchSize: 5_000, actor: "bench" });
  log(`  ${DEVICES} devices (${load()})`);
  const statuses = [];
  const lifecycles = [];
  const events = [];
  for (let i = 0; i < DEVICES; i++) {
    const mac = macOf(i);
    if (random() < 0.8) {
      lifecycles.push({ mac, state: LIFECYCLE[i % 4]!, since: new Date(NOW - DAY), cause: null });
    }
    if (random() >= 0.85) continue;
    // More devices seen recently: the square skews ages towards 0.
    const age = Math.floor(random() ** 2 * 30 * DAY);
    const firmware = FIRMWARE[Math.floor(random() * FIRMWARE.length)]!;
    statuses.push({
      mac,
      at: new Date(NOW - age),
      remoteAddress: "198.51.100.7",
      userAgent: `Cisco/SPA112-${firmware} (${mac})`,
      firmware,
      result: "ok",
      transport: "http",
    });
    for (let e = 0; e < 2; e++) {
      const r = random();
      events.push({
        mac,
        tenantId: Math.floor(i / 20) % 10 === 9 ? small.id : "default",
        at: new Date(NOW - Math.floor(random() * 7 * DAY)),
        transport: "http",
        result: r < 0.05 ? "error" : r < 0.07 ? "denied" : "ok",
        statusCode: r < 0.05 ? 500 : r < 0.07 ? 403 : 200,
        path: `/profile/${mac}.xml`,
        bytes: 4096,
        durationMs: 2,
        remoteAddress: "198.51.100.7",
        userAgent: null,
        message: r < 0.07 && r >= 0.05 ? "certificate-untrusted" : null,
      });
    }
  }
  for (let i = 0; i < statuses.length; i += 5_000) {
    await store.devices.recordStatusBatch(statuses.slice(i, i + 5_000));
  }
  for (let i = 0; i < lifecycles.length; i += 5_000) {
    await store.lifecycle.recordBatch(lifecycles.slice(i, i + 5_000));
  }
  for (let i = 0; i < events.length; i += 5_000) {
    await store.events.appendBatch(events.slice(i, i + 5_000));
  }
  log(
    `  ${statuses.length} statuses, ${lifecycles.length} lifecycles, ${events.length} events (${load()})`,
  );
  return { small: small.id };
}

interface QueryType {
  readonly name: string;
  readonly url: (run: number) => string;
  readonly scoped?: boolean;
}

function queries(cursorFor: Map<string, string>): QueryType[] {
  const random = seededRandom(7);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const iso = (ms: number) => new Date(ms).toISOString();
  const fragment = () => macOf(Math.floor(random() * DEVICES)).slice(4, 10);
  return [
    { name: "list (mac order)", url: () => "/api/v1/devices?limit=50" },
    { name: "q = MAC fragment (6 hex)", url: () => `/api/v1/devices?limit=50&q=${fragment()}` },
    {
      name: "q = MAC fragment (colons)",
      url: () => `/api/v1/devices?limit=50&q=${fragment().replace(/(..)(?=.)/g, "$1:")}`,
    },
    {
      name: "q = account reference",
      url: () => `/api/v1/devices?limit=50&q=ACC-${100000 + Math.floor(random() * (DEVICES / 20))}`,
    },
    { name: "q = label word", url: () => `/api/v1/devices?limit=50&q=lobby` },
    {
      name: "firmware",
      url: () => `/api/v1/devices?limit=50&firmware=${encodeURIComponent(pick(FIRMWARE))}`,
    },
    {
      name: "seen_after (24 h)",
      url: () => `/api/v1/devices?limit=50&seen_after=${iso(NOW - DAY)}`,
    },
    {
      name: "seen_before (7 d)",
      url: () => `/api/v1/devices?limit=50&seen_before=${iso(NOW - 7 * DAY)}`,
    },
    { name: "never_seen", url: () => "/api/v1/devices?limit=50&never_seen=true" },
    { name: "state", url: () => `/api/v1/devices?limit=50&state=${pick(STATES)}` },
    { name: "model", url: () => `/api/v1/devices?limit=50&model=${pick(MODELS)}` },
    { name: "lifecycle", url: () => `/api/v1/devices?limit=50&lifecycle=SP-CUST` },
    {
      name: "sort last_seen desc",
      url: () => "/api/v1/devices?limit=50&sort=last_seen&order=desc",
    },
    {
      name: "sort last_seen desc, page 2",
      url: () =>
        `/api/v1/devices?limit=50&sort=last_seen&order=desc&cursor=${cursorFor.get("last_seen") ?? ""}`,
    },
    { name: "sort model", url: () => "/api/v1/devices?limit=50&sort=model" },
    { name: "sort state desc", url: () => "/api/v1/devices?limit=50&sort=state&order=desc" },
    {
      name: "firmware + sort last_seen desc",
      url: () =>
        `/api/v1/devices?limit=50&firmware=${encodeURIComponent(pick(FIRMWARE))}&sort=last_seen&order=desc`,
    },
    {
      name: "tenant token: sort last_seen desc",
      url: () => "/api/v1/devices?limit=50&sort=last_seen&order=desc",
      scoped: true,
    },
    {
      name: "tenant token: q fragment",
      url: () => `/api/v1/devices?limit=50&q=${fragment()}`,
      scoped: true,
    },
    { name: "dashboard summary", url: () => "/api/v1/dashboard/summary" },
    { name: "dashboard activity", url: () => "/api/v1/dashboard/activity" },
    {
      name: "dashboard summary (tenant token)",
      url: () => "/api/v1/dashboard/summary",
      scoped: true,
    },
    {
      name: "dashboard activity (tenant token)",
      url: () => "/api/v1/dashboard/activity",
      scoped: true,
    },
  ];
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!;
}

async function run(
  name: string,
  options: StoreOptions,
  dispose: () => Promise<void>,
  analyze: () => Promise<void> = async () => {},
  backendCpuMs: () => Promise<number> = async () => 0,
) {
  log(`${name}: seeding ${DEVICES} devices (load ${load()})`);
  const store = await openStore(options, { sealer: testSealer(), pollIntervalMs: 60_000 });
  const started = Date.now();
  const existing = await store.tenants.findBySlug("small");
  const { small } =
    existing !== null && (await store.devices.count()) === DEVICES
      ? { small: existing.id }
      : await seed(store);
  await analyze();
  log(`  seeded in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  const admin = await store.tokens.issue({ name: "bench", role: "read-only" });
  const scoped = await store.tokens.issue({ name: "small", role: "read-only", tenantId: small });
  const elapsed: number[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split("\n")) {
        if (line.includes('"ms":')) elapsed.push(JSON.parse(line).ms as number);
      }
      done();
    },
  });
  const dir = mkdtempSync(join(tmpdir(), "provisio-bench-"));
  const app = await createAdminApp({
    store,
    registry: new Registry(),
    logger: pino({ level: "info" }, sink),
    dataDir: dir,
  });
  const url = await app.listen({ port: 0, host: "127.0.0.1" });
  const get = async (path: string, token: string) => {
    const res = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${token}` } });
    const body = (await res.json()) as { cursor?: string | null };
    if (res.status !== 200) throw new Error(`${path}: ${res.status} ${JSON.stringify(body)}`);
    await new Promise((resolve) => setImmediate(resolve));
    return body;
  };
  const cursors = new Map<string, string>();
  const first = await get("/api/v1/devices?limit=50&sort=last_seen&order=desc", admin.secret);
  cursors.set("last_seen", first.cursor ?? "");
  const rows: string[] = [];
  for (const q of queries(cursors)) {
    const times: number[] = [];
    let cpu = 0;
    for (let r = 0; r < RUNS; r++) {
      elapsed.length = 0;
      try {
        const backend = await backendCpuMs();
        const own = process.cpuUsage();
        await get(q.url(r), q.scoped === true ? scoped.secret : admin.secret);
        const used = process.cpuUsage(own);
        cpu += (used.user + used.system) / 1000 + ((await backendCpuMs()) - backend);
      } catch (error) {
        log(`  ${q.name}: ${String(error).slice(0, 200)}`);
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 1));
      times.push(elapsed.at(-1) ?? Number.NaN);
    }
    times.sort((a, b) => a - b);
    if (times.length === 0) continue;
    rows.push(
      `| ${name} | ${q.name} | ${percentile(times, 50).toFixed(1)} | ${percentile(times, 95).toFixed(1)} | ${(cpu / times.length).toFixed(1)} |`,
    );
    log(rows.at(-1)!);
  }
  await app.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  await dispose();
  return rows;
}

let monitorClose = async (): Promise<void> => {};
const results: string[] = [];
if (args.dialect === "sqlite" || args.dialect === "both") {
  const dir = args.keep
    ? join(import.meta.dirname, "..", ".bench-out")
    : mkdtempSync(join(tmpdir(), "provisio-bench-db-"));
  mkdirSync(dir, { recursive: true });
  results.push(
    ...(await run(
      "sqlite",
      { kind: "sqlite", file: join(dir, `device_search-${DEVICES}.db`) },
      async () => {
        if (!args.keep) rmSync(dir, { recursive: true, force: true });
      },
    )),
  );
}
if (args.dialect === "postgres" || args.dialect === "both") {
  const schema = args.keep
    ? `bench_device_search_${DEVICES}`
    : `bench_${randomUUID().replaceAll("-", "").slice(0, 12)}`;
  const admin = async (query: string) => {
    const c = new pg.Client({ connectionString: PG_URL });
    await c.connect();
    try {
      await c.query(query);
    } finally {
      await c.end();
    }
  };
  await admin(`create schema if not exists ${schema}`);
  // CPU of the PostgreSQL backends serving the bench's connections (from /proc: the server
  // runs on this machine), in ms; ticks of 10 ms, so read as a mean over the runs.
  const APP = `bench_${process.pid}`;
  const monitor = new pg.Client({ connectionString: PG_URL });
  await monitor.connect();
  monitorClose = () => monitor.end();
  const backendCpu = async (): Promise<number> => {
    const { rows } = await monitor.query<{ pid: number }>(
      "select pid from pg_stat_activity where application_name = $1",
      [APP],
    );
    let ticks = 0;
    for (const { pid } of rows) {
      try {
        const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
        ticks += Number(fields[11]) + Number(fields[12]);
      } catch {
        // The backend ended between the query and the read.
      }
    }
    return ticks * 10;
  };
  results.push(
    ...(await run(
      "postgres",
      {
        kind: "postgres",
        connectionString: `${PG_URL}${PG_URL.includes("?") ? "&" : "?"}application_name=${APP}`,
        schema,
        maxConnections: 4,
      },
      async () => {
        if (!args.keep) await admin(`drop schema ${schema} cascade`);
      },
      // Statistics as autovacuum keeps them in a running installation (a bulk load leaves
      // none until its next pass).
      () => admin(`set search_path = ${schema}; analyze`),
      backendCpu,
    )),
  );
}
await monitorClose();
process.stdout.write(
  `devices ${DEVICES}, ${RUNS} runs per query, load average at the end ${load()}\n` +
    "| dialect | query | p50 ms | p95 ms | CPU ms |\n| --- | --- | --- | --- | --- |\n" +
    `${results.join("\n")}\n`,
);
