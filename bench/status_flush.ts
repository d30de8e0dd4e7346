/**
 * The server's batched status, event and lifecycle writes alone: CPU and wall time per row of a
 * flush, on SQLite (`synchronous=FULL`, a file) and PostgreSQL.
 *
 *   npx tsx bench/status_flush.ts [--devices 20000] [--batch 500] [--no-postgres]
 *
 * `--devices` devices a way of flushing (imported), then flushes of about `--batch` devices each
 * (sizes varying as the server's do): every device's first
 * resync (its status and lifecycle rows inserted: the triggers keeping `devices.seen` and the
 * rows' tenant fire), then every device again (the rows updated), each flush as the server's
 * writer makes it (statuses, events, lifecycle states of the same devices). With `--drop-triggers`
 * the SQLite store's triggers are dropped first, to see what they cost.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import BetterSqlite3 from "better-sqlite3";
import pg from "pg";
import {
  DEFAULT_TENANT_ID,
  type DeviceLifecycleUpdate,
  type DeviceStatusUpdate,
  type MacAddress,
  openStore,
  parseMac,
  type ResyncEventInput,
  type Store,
  type StoreOptions,
} from "../src/store/index.ts";
import { macFor, testSealer } from "../test/store/dialects.ts";

const { values: args } = parseArgs({
  options: {
    devices: { type: "string", default: "20000" },
    batch: { type: "string", default: "500" },
    "no-postgres": { type: "boolean", default: false },
    "drop-triggers": { type: "boolean", default: false },
  },
});
const DEVICES = Number(args.devices);
const BATCH = Number(args.batch);
const PG_URL = process.env.PROVISIO_TEST_PG ?? "postgres://postgres@127.0.0.1:5432/test";
const load = (): string =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");

interface Rows {
  readonly statuses: DeviceStatusUpdate[];
  readonly events: ResyncEventInput[];
  readonly lifecycles: DeviceLifecycleUpdate[];
}

function rowsFor(macs: readonly MacAddress[], at: number): Rows {
  const date = new Date(at);
  return {
    statuses: macs.map((mac) => ({
      mac,
      at: date,
      remoteAddress: "10.1.2.3",
      userAgent: "Cisco/SPA504G-7.6.2c (88755A000000)(CCQ100000)",
      firmware: "7.6.2c",
      result: "ok",
      transport: "http",
    })),
    events: macs.map((mac) => ({
      mac,
      tenantId: DEFAULT_TENANT_ID,
      at: date,
      transport: "http",
      result: "ok",
      statusCode: 200,
      path: `/profile/${mac}.xml`,
      bytes: 1300,
      durationMs: 0.4,
      remoteAddress: "10.1.2.3",
      userAgent: "Cisco/SPA504G-7.6.2c (88755A000000)(CCQ100000)",
      message: null,
    })),
    lifecycles: macs.map((mac) => ({
      mac,
      state: "sp-cust" as const,
      since: date,
      cause: `fetched its own profile /profile/${mac}.xml`,
    })),
  };
}

/** How the server writes one flush: what this tree offers. */
type Flush = (store: Store, rows: Rows) => Promise<void>;

const separate: Flush = async (store, rows) => {
  await store.lifecycle.recordBatch(rows.lifecycles);
  await store.devices.recordStatusBatch(rows.statuses);
  await store.events.appendBatch(rows.events);
};

/** One call for the flush, where the tree has it (a baseline checkout may not). */
const together: Flush = async (store, rows) => {
  const devices = store.devices as Partial<{ recordActivity(batch: Rows): Promise<void> }>;
  await devices.recordActivity?.(rows);
};

/** Flushes over devices [first, first + DEVICES), as the server makes them. */
async function measure(
  name: string,
  store: Store,
  flush: Flush,
  first: number,
  at: number,
): Promise<void> {
  let cpu = 0;
  let wall = 0;
  let flushes = 0;
  for (let start = 0; start < DEVICES; flushes++) {
    // Flushes vary in size, as the server's do (a multi-row statement's text varies with them).
    const size = BATCH - (flushes % 7);
    const macs: MacAddress[] = [];
    for (let i = start; i < Math.min(DEVICES, start + size); i++)
      macs.push(parseMac(macFor(first + i)));
    start += size;
    const rows = rowsFor(macs, at);
    const t = performance.now();
    const c = process.cpuUsage();
    await flush(store, rows);
    const used = process.cpuUsage(c);
    cpu += used.user + used.system;
    wall += performance.now() - t;
  }
  console.log(
    `  ${name.padEnd(40)} CPU ${(cpu / DEVICES).toFixed(1)} µs a device (${(cpu / flushes / 1000).toFixed(1)} ms a flush), wall ${((wall * 1000) / DEVICES).toFixed(1)} µs a device (load ${load()})`,
  );
}

async function run(name: string, options: StoreOptions, file?: string): Promise<void> {
  console.log(
    `${name}: ${DEVICES} devices, flushes of ${BATCH} devices (status, event, lifecycle)`,
  );
  const store = await openStore(options, { sealer: testSealer() });
  try {
    await store.devices.bulkUpsert(
      (function* () {
        for (let i = 0; i < DEVICES * 2; i++)
          yield { mac: parseMac(macFor(i)), tenantId: DEFAULT_TENANT_ID, modelPn: "SPA504G" };
      })(),
    );
    if (file !== undefined && args["drop-triggers"] === true) {
      const raw = new BetterSqlite3(file);
      for (const { name: trigger } of raw
        .prepare("select name from sqlite_master where type = 'trigger'")
        .all() as { name: string }[])
        raw.exec(`drop trigger ${trigger}`);
      raw.close();
    }
    const flushes: Array<[string, Flush]> = [["separate calls", separate]];
    if ("recordActivity" in store.devices) flushes.push(["one call (recordActivity)", together]);
    const at = Date.now();
    for (const [n, [label, flush]] of flushes.entries()) {
      await measure(`${label}, first resync`, store, flush, n * DEVICES, at);
      await measure(`${label}, again`, store, flush, n * DEVICES, at + 1);
    }
  } finally {
    await store.close();
  }
}

const keepAlive = setInterval(() => undefined, 1_000);
const dir = mkdtempSync(join(tmpdir(), "provisio-bench-flush-"));
const schema = `bench_flush_${process.pid}`;
try {
  const file = join(dir, "full.db");
  await run("sqlite (synchronous=FULL)", { kind: "sqlite", file }, file);
  if (args["no-postgres"] !== true)
    await run("postgres", { kind: "postgres", connectionString: PG_URL, schema });
} finally {
  rmSync(dir, { recursive: true, force: true });
  if (args["no-postgres"] !== true) {
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    await client.query(`drop schema if exists ${schema} cascade`);
    await client.end();
  }
  clearInterval(keepAlive);
}
