/**
 * What knowing a device's lifecycle costs a warm resync. Scenario: 10,000 devices already in
 * SP-CUST on a SQLite store (a fresh temp database); each "resync" asks for one device's
 * state. Side by side, in one run:
 *
 * - memory: `DeviceLifecycles.observe(device, own-profile)` — what the pipeline's `served`
 *   hook does on every warm resync (no transition: a map lookup and the transition table);
 * - database: one `SELECT` of the device's lifecycle row per resync — the per-request query
 *   the design avoids.
 *
 *   npx tsx bench/lifecycle_observe.ts [resyncs]      (default 200,000 memory / 20,000 database)
 */
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { DeviceLifecycles } from "../src/server/index.ts";
import { type Device, openStore, parseMac } from "../src/store/index.ts";
import { testSealer } from "../test/store/dialects.ts";

const resyncs = Number(process.argv[2] ?? 200_000);
const DEVICES = 10_000;
const dir = mkdtempSync(join(tmpdir(), "provisio-bench-lifecycle-"));
const store = await openStore({ kind: "sqlite", file: join(dir, "db") }, { sealer: testSealer() });
try {
  const macs = Array.from({ length: DEVICES }, (_, i) =>
    parseMac(`02${i.toString(16).padStart(10, "0")}`),
  );
  await store.devices.bulkUpsert(macs.map((mac) => ({ mac, modelPn: "SPA112" })));
  const since = new Date();
  await store.lifecycle.recordBatch(
    macs.map((mac) => ({ mac, state: "sp-cust", since, cause: "bench" })),
  );
  const devices: Device[] = [...(await store.devices.findMany(macs)).values()];

  const lifecycles = new DeviceLifecycles({
    events: { event: () => undefined },
    record: async () => undefined,
  });
  const context = { transport: "http", path: "/profile/x.xml", remoteAddress: "192.0.2.1" };
  const seen = { kind: "own-profile", path: "/profile/x.xml" } as const;
  let t = performance.now();
  let transitions = 0;
  for (let i = 0; i < resyncs; i++) {
    if (lifecycles.observe(devices[i % DEVICES]!, seen, context) !== undefined) transitions++;
  }
  const memoryNs = ((performance.now() - t) * 1e6) / resyncs;

  const dbResyncs = Math.max(1, Math.floor(resyncs / 10));
  t = performance.now();
  for (let i = 0; i < dbResyncs; i++) await store.devices.findByMac(macs[i % DEVICES]!);
  const dbNs = ((performance.now() - t) * 1e6) / dbResyncs;

  console.log(
    JSON.stringify({
      scenario: `${DEVICES} devices in SP-CUST, SQLite, one lookup per warm resync`,
      memoryObserveNsPerResync: Math.round(memoryNs),
      databaseLookupNsPerResync: Math.round(dbNs),
      ratio: Math.round(dbNs / memoryNs),
      transitions,
      loadavg: loadavg()
        .map((l) => l.toFixed(2))
        .join(" "),
    }),
  );
} finally {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
