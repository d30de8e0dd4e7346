/**
 * The admin UI's device search and dashboard at scale: server-side time per query type on
 * SQLite and PostgreSQL.
 *
 *   npx tsx bench/device_search.ts [--devices 100000] [--runs 30] [--dialect sqlite|postgres|both]
 *     [--scopes all,default,small] [--only REGEX] [--keep]
 *
 * `--keep` keeps the seeded databases (`.bench-out/device_search-N.db`, PostgreSQL schema
 * `bench_device_search_N`) and reuses them on the next run with the same N (migrating them
 * first). Scenario: a store (a temp SQLite file; a fresh schema in PostgreSQL at
 * PROVISIO_TEST_PG or 127.0.0.1:5432/test) gets `--devices` devices through the store's bulk
 * import, 90 % in the default tenant and 10 % in a second one; 1 account per 20 devices
 * (references `ACC-n`), six models, four states, serials for all, labels for 1 in 10; 85 % have a
 * last resync spread over 30 days (more of them recent) reporting one of six firmware versions,
 * the rest were never seen; 80 % have a lifecycle state; two events per seen device over the last
 * 7 days (one in 20 a failure, one in 50 a refusal). Then the admin app listens on loopback and
 * each query type runs `--runs` times with varied arguments (PostgreSQL analysed first, as
 * autovacuum would have) in three scopes: `all` (an installation-wide token, no tenant: an API
 * client's list), `default` (the same token with `tenant=default`, as the admin UI always sends
 * it: the large tenant) and `small` (a token scoped to the small tenant).
 *
 * Columns: the server's own time (Fastify's elapsed time of the request, from its log line:
 * routing, auth, queries, serialisation), p50 and p95 in ms; CPU ms per request, p50 and p95, of
 * this process (server and client: SQLite runs in it) plus, on PostgreSQL, of the backends
 * serving its connections (from /proc/<pid>/schedstat) — the figure the load does not inflate;
 * on PostgreSQL the EXPLAIN ANALYZE (timing off) execution time of the request's statements,
 * summed (median of 3, after the timed runs); and the load average. The machine is shared, so
 * read wall times as an upper bound on an idle machine's.
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
    scopes: { type: "string", default: "all,default,small" },
    only: { type: "string" },
  },
});
const SCOPES = args.scopes.split(",");
const ONLY = args.only === undefined ? undefined : new RegExp(args.only);
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
}

function queries(cursorFor: Map<string, string>, account: () => string): QueryType[] {
  const random = seededRandom(7);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const iso = (ms: number) => new Date(ms).toISOString();
  const fragment = () => macOf(Math.floor(random() * DEVICES)).slice(4, 10);
  const devices = (query: string) => `/api/v1/devices?limit=50${query}`;
  return [
    { name: "list (mac order)", url: () => devices("") },
    { name: "q = MAC fragment (6 hex)", url: () => devices(`&q=${fragment()}`) },
    {
      name: "q = MAC fragment (colons)",
      url: () => devices(`&q=${fragment().replace(/(..)(?=.)/g, "$1:")}`),
    },
    {
      name: "q = account reference",
      url: () => devices(`&q=ACC-${100000 + Math.floor(random() * (DEVICES / 20))}`),
    },
    { name: "q = label word", url: () => devices("&q=lobby") },
    { name: "q = label, no match", url: () => devices("&q=nowhere") },
    { name: "account", url: () => devices(`&account=${account()}`) },
    { name: "firmware", url: () => devices(`&firmware=${encodeURIComponent(pick(FIRMWARE))}`) },
    { name: "seen_after (1 h)", url: () => devices(`&seen_after=${iso(NOW - DAY / 24)}`) },
    { name: "seen_after (24 h)", url: () => devices(`&seen_after=${iso(NOW - DAY)}`) },
    { name: "seen_before (7 d)", url: () => devices(`&seen_before=${iso(NOW - 7 * DAY)}`) },
    { name: "never_seen", url: () => devices("&never_seen=true") },
    {
      name: "never_seen + sort last_seen desc",
      url: () => devices("&never_seen=true&sort=last_seen&order=desc"),
    },
    { name: "state", url: () => devices(`&state=${pick(STATES)}`) },
    { name: "model", url: () => devices(`&model=${pick(MODELS)}`) },
    { name: "lifecycle", url: () => devices("&lifecycle=SP-CUST") },
    { name: "lifecycle none", url: () => devices("&lifecycle=none") },
    { name: "sort last_seen desc", url: () => devices("&sort=last_seen&order=desc") },
    {
      name: "sort last_seen desc, page 2",
      url: () => devices(`&sort=last_seen&order=desc&cursor=${cursorFor.get("last_seen") ?? ""}`),
    },
    { name: "sort model", url: () => devices("&sort=model") },
    { name: "sort state", url: () => devices("&sort=state") },
    {
      name: "firmware + sort last_seen desc",
      url: () =>
        devices(`&firmware=${encodeURIComponent(pick(FIRMWARE))}&sort=last_seen&order=desc`),
    },
    {
      name: "q label + state + sort model",
      url: () => devices(`&q=office&state=${pick(STATES)}&sort=model`),
    },
    { name: "dashboard summary", url: () => "/api/v1/dashboard/summary" },
    { name: "dashboard activity", url: () => "/api/v1/dashboard/activity" },
    { name: "dashboard security", url: () => "/api/v1/dashboard/security?limit=8" },
  ];
}

/** The SQL statements a request sent to PostgreSQL (text and parameters), in order. */
interface Captured {
  readonly text: string;
  readonly values: readonly unknown[];
}
const captured: Captured[] = [];
/** Sum of the EXPLAIN ANALYZE execution times of a request's statements (PostgreSQL). */
let explainMs = async (_sql: readonly Captured[]): Promise<number> => 0;

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
  const rows: string[] = [];
  for (const scope of SCOPES) {
    // The UI always names the tenant it works in (`tenant=`); "all" is an API client's
    // installation-wide list, "small" a token scoped to the small tenant.
    const token = scope === "small" ? scoped.secret : admin.secret;
    const withScope = (path: string) =>
      scope === "default" ? `${path}${path.includes("?") ? "&" : "?"}tenant=default` : path;
    const cursors = new Map<string, string>();
    const first = await get(withScope("/api/v1/devices?limit=50&sort=last_seen&order=desc"), token);
    cursors.set("last_seen", first.cursor ?? "");
    const random = seededRandom(11);
    const account = () => {
      // Accounts n with n % 10 = 9 are the small tenant's.
      const n = Math.floor(random() * (DEVICES / 200)) * 10 + (scope === "small" ? 9 : 3);
      return `ACC-${100000 + n}`;
    };
    for (const q of queries(cursors, account)) {
      if (ONLY !== undefined && !ONLY.test(q.name)) continue;
      const times: number[] = [];
      const cpus: number[] = [];
      let sqlOf: readonly Captured[] = [];
      for (let r = 0; r < RUNS; r++) {
        elapsed.length = 0;
        captured.length = 0;
        try {
          const backend = await backendCpuMs();
          const own = process.cpuUsage();
          await get(withScope(q.url(r)), token);
          const used = process.cpuUsage(own);
          cpus.push((used.user + used.system) / 1000 + ((await backendCpuMs()) - backend));
        } catch (error) {
          log(`  ${q.name}: ${String(error).slice(0, 200)}`);
          break;
        }
        if (r === 0) sqlOf = [...captured];
        await new Promise((resolve) => setTimeout(resolve, 1));
        times.push(elapsed.at(-1) ?? Number.NaN);
      }
      times.sort((x, y) => x - y);
      cpus.sort((x, y) => x - y);
      if (times.length === 0) continue;
      const exec = sqlOf.length === 0 ? " – |" : ` ${(await explainMs(sqlOf)).toFixed(1)} |`;
      rows.push(
        `| ${name} | ${scope} | ${q.name} | ${percentile(times, 50).toFixed(1)} | ${percentile(times, 95).toFixed(1)} | ${percentile(cpus, 50).toFixed(1)} | ${percentile(cpus, 95).toFixed(1)} |${exec} ${load()} |`,
      );
      log(rows.at(-1)!);
    }
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
      // One statement per query: VACUUM refuses to run in a multi-statement query's transaction.
      for (const statement of query.split(";")) await c.query(statement);
    } finally {
      await c.end();
    }
  };
  await admin(`create schema if not exists ${schema}`);
  // CPU of the PostgreSQL backends serving the bench's connections, in ms, from
  // /proc/<pid>/schedstat (ns on a CPU; the server runs on this machine).
  const APP = `bench_${process.pid}`;
  const monitor = new pg.Client({ connectionString: PG_URL });
  await monitor.connect();
  const explainer = new pg.Client({
    connectionString: PG_URL,
    options: `-c search_path=${schema}`,
  });
  await explainer.connect();
  monitorClose = async () => {
    await monitor.end();
    await explainer.end();
  };
  const backendCpu = async (): Promise<number> => {
    const { rows } = await monitor.query<{ pid: number }>(
      "select pid from pg_stat_activity where application_name = $1",
      [APP],
    );
    let ns = 0;
    for (const { pid } of rows) {
      try {
        ns += Number(readFileSync(`/proc/${pid}/schedstat`, "utf8").split(" ")[0]);
      } catch {
        // The backend ended between the query and the read.
      }
    }
    return ns / 1e6;
  };
  // Every statement the store's connections send, kept for EXPLAIN ANALYZE after the timed
  // runs (the pool's clients are pg.Client; the monitor and the explainer are not captured).
  const query = pg.Client.prototype.query;
  pg.Client.prototype.query = function (this: pg.Client, ...params: unknown[]) {
    const [first, second] = params;
    const text = typeof first === "string" ? first : (first as { text?: unknown })?.text;
    if (this !== monitor && this !== explainer && typeof text === "string") {
      if (/^\s*(select|with)\b/i.test(text)) {
        captured.push({ text, values: Array.isArray(second) ? second : [] });
      }
    }
    return (query as (...p: unknown[]) => unknown).apply(this, params);
  } as typeof query;
  // Execution time as PostgreSQL reports it (the median of 3), summed over the statements.
  explainMs = async (statements) => {
    let total = 0;
    for (const { text, values } of statements) {
      const times: number[] = [];
      for (let i = 0; i < 3; i++) {
        const { rows } = await explainer.query<{ "QUERY PLAN": [{ "Execution Time": number }] }>(
          `explain (analyze, timing off, format json) ${text}`,
          [...values],
        );
        times.push(rows[0]!["QUERY PLAN"][0]["Execution Time"]);
      }
      total += times.sort((x, y) => x - y)[1]!;
    }
    return total;
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
      () => admin(`set search_path = ${schema}; vacuum analyze`),
      backendCpu,
    )),
  );
}
await monitorClose();
process.stdout.write(
  `devices ${DEVICES}, ${RUNS} runs per query, load average at the end ${load()}\n` +
    "| dialect | scope | query | wall p50 | wall p95 | CPU p50 | CPU p95 | PG exec ms | load |\n" +
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n" +
    `${results.join("\n")}\n`,
);
