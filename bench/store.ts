// Benchmark: the store on both dialects — bulk import, the reads the server's cache misses make,
// and cross-process change-feed latency.
// Run: npx tsx bench/store.ts [devices]   (PostgreSQL at PROVISIO_TEST_PG or 127.0.0.1:5432/test)
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import {
  DEFAULT_TENANT_ID,
  type LayerTarget,
  openStore,
  parseMac,
  type Store,
  type StoreOptions,
} from "../src/store/index.ts";
import { macFor, testSealer } from "../test/store/dialects.ts";

const COUNT = Number(process.argv[2] ?? 100_000);
const PG_URL = process.env.PROVISIO_TEST_PG ?? "postgres://postgres@127.0.0.1:5432/test";
const sealer = testSealer();

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!;
}

async function timeReads(label: string, n: number, read: (i: number) => Promise<unknown>) {
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const start = performance.now();
    await read(i);
    samples.push(performance.now() - start);
  }
  console.log(
    `  ${label.padEnd(34)} p50 ${percentile(samples, 50).toFixed(3)} ms  p99 ${percentile(samples, 99).toFixed(3)} ms`,
  );
}

async function run(name: string, options: StoreOptions): Promise<void> {
  console.log(`${name}`);
  const store: Store = await openStore(options, { sealer });
  const group = await store.groups.create({ name: "bench" });
  let start = performance.now();
  await store.devices.bulkUpsert(
    (function* () {
      for (let i = 0; i < COUNT; i++) {
        yield {
          mac: parseMac(macFor(i)),
          tenantId: DEFAULT_TENANT_ID,
          groupId: group.id,
          modelPn: "SPA112",
          serial: `S${i}`,
          deviceKey: `k${i}`,
        };
      }
    })(),
  );
  const seconds = (performance.now() - start) / 1_000;
  console.log(
    `  bulkUpsert ${COUNT} devices: ${seconds.toFixed(2)} s = ${Math.round(COUNT / seconds)} rows/s`,
  );

  const mac = (i: number) => parseMac(macFor((i * 7919) % COUNT));
  await store.layers.set({ scope: "tenant", tenantId: DEFAULT_TENANT_ID }, [
    { name: "A", value: "1", access: null },
  ]);
  await store.layers.set({ scope: "group", groupId: group.id }, [
    { name: "B", value: "2", access: "ro" },
  ]);
  await timeReads("devices.findByMac", 5_000, (i) => store.devices.findByMac(mac(i)));
  await timeReads("layers.listForTargets (5 targets)", 5_000, (i) => {
    const targets: LayerTarget[] = [
      { scope: "tenant", tenantId: DEFAULT_TENANT_ID },
      { scope: "model", tenantId: DEFAULT_TENANT_ID, pn: "SPA112" },
      { scope: "group", groupId: group.id },
      { scope: "account", accountId: "none" },
      { scope: "device", mac: mac(i) },
    ];
    return store.layers.listForTargets(targets);
  });

  const other = await openStore(options, { sealer });
  const latencies: number[] = [];
  for (let i = 0; i < 20; i++) {
    const seen = new Promise<void>((resolve) => {
      const off = other.changes.subscribe(() => {
        off();
        resolve();
      });
    });
    start = performance.now();
    await store.devices.update(mac(i), { label: `l${i}` });
    await seen;
    latencies.push(performance.now() - start);
  }
  console.log(
    `  change seen by a 2nd Store          p50 ${percentile(latencies, 50).toFixed(1)} ms  max ${Math.max(...latencies).toFixed(1)} ms`,
  );
  await other.close();
  await store.close();
}

// The store's timers are unref'd (a server's sockets keep it alive); keep this script alive.
const keepAlive = setInterval(() => undefined, 1_000);
const dir = mkdtempSync(join(tmpdir(), "provisio-bench-store-"));
const schema = `bench_${process.pid}`;
try {
  await run("sqlite (synchronous=FULL)", { kind: "sqlite", file: join(dir, "full.db") });
  await run("sqlite (synchronous=NORMAL)", {
    kind: "sqlite",
    file: join(dir, "normal.db"),
    synchronous: "normal",
  });
  await run("postgres", { kind: "postgres", connectionString: PG_URL, schema });
} finally {
  rmSync(dir, { recursive: true, force: true });
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  await client.query(`drop schema if exists ${schema} cascade`);
  await client.end();
  clearInterval(keepAlive);
}
