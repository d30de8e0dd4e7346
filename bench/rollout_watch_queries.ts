// Count (not time): the SQL statements one node's rollout watch sends about rollouts, per
// second of (virtual) time, with N open rollouts — idle (no unit resyncs), and with one unit
// outcome per second. Statements are counted at the driver (better-sqlite3 statements run,
// pg queries sent) when their text names a rollout table; the store's own change-feed polling
// is not the watch's and is left out. Time is driven by hand: the watch's timers are off and
// its periodic work is called as its timers would call it over 60 virtual seconds.
// Run: npx tsx bench/rollout_watch_queries.ts [N...]   (default 1 10 100)
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import pg from "pg";
import pino from "pino";
import { RolloutWatch } from "../src/server/index.ts";
import {
  DEFAULT_TENANT_ID,
  type MacAddress,
  openStore,
  parseMac,
  type StoreOptions,
  type UpgradePolicy,
} from "../src/store/index.ts";
import { macFor, testSealer } from "../test/store/dialects.ts";

const SIZES = process.argv.slice(2).map(Number);
const NS = SIZES.length > 0 ? SIZES : [1, 10, 100];
const PG_URL = process.env.PROVISIO_TEST_PG ?? "postgres://postgres@127.0.0.1:5432/test";
const SECONDS = 60;
/** Members per rollout: more than the outcomes of the run, so no rollout completes in it. */
const MEMBERS = 100;

let counting = false;
let count = 0;
const counted = (text: unknown) => {
  if (counting && typeof text === "string" && /rollout/i.test(text)) count++;
};

// better-sqlite3: every statement run goes through these methods of the Statement prototype.
{
  const probe = new BetterSqlite3(":memory:");
  const proto = Object.getPrototypeOf(probe.prepare("select 1")) as Record<string, unknown>;
  for (const method of ["run", "get", "all", "iterate"]) {
    const original = proto[method] as (...args: unknown[]) => unknown;
    proto[method] = function (this: { source: string }, ...args: unknown[]) {
      counted(this.source);
      return original.apply(this, args);
    };
  }
  probe.close();
}
// pg: every query a pooled client sends.
{
  const proto = pg.Client.prototype as unknown as Record<string, unknown>;
  const original = proto.query as (...args: unknown[]) => unknown;
  proto.query = function (this: unknown, ...args: unknown[]) {
    const q = args[0];
    counted(typeof q === "string" ? q : (q as { text?: string } | undefined)?.text);
    return original.apply(this, args);
  };
}

async function measure(options: StoreOptions, n: number, traffic: boolean): Promise<number> {
  const store = await openStore(options, { sealer: testSealer(), pollIntervalMs: 60_000 });
  try {
    const policies: UpgradePolicy[] = [];
    const members: MacAddress[][] = [];
    for (let r = 0; r < n; r++) {
      const policy = await store.firmware.setPolicy({
        tenantId: DEFAULT_TENANT_ID,
        name: `p${r}`,
        target: "7.6.2",
        staged: true,
      });
      const macs = Array.from({ length: MEMBERS }, (_, i) => parseMac(macFor(r * MEMBERS + i + 1)));
      await store.rollouts.create({
        policyId: policy.id,
        waves: [100],
        failureThreshold: 100,
        silenceMs: 3_600_000,
        members: macs.map((mac) => ({ mac, wave: 0, fromVersion: "7.5.5" })),
      });
      policies.push(policy);
      members.push(macs);
    }
    let now = Date.now();
    const watch = new RolloutWatch({
      store,
      logger: pino({ level: "silent" }),
      now: () => now,
      tickMs: 0,
      ...({ sweepMs: 0 } as object),
    });
    await watch.reload();
    const sweep = (watch as unknown as { sweep?: () => Promise<void> }).sweep;
    const sweepEvery = 10;
    count = 0;
    counting = true;
    for (let s = 0; s < SECONDS; s++) {
      now += 1000;
      if (traffic) {
        // One unit of one rollout resyncs and reports the target: one outcome to write.
        const r = s % n;
        const mac = members[r]![Math.floor(s / n) % MEMBERS]!;
        watch.observe(
          policies[r]!,
          mac,
          "7.6.2",
          { kind: "none", reason: "at or above the target" } as never,
          "127.0.0.1",
          now,
        );
      }
      await watch.tick();
      if (sweep !== undefined && (s + 1) % sweepEvery === 0) await sweep.call(watch);
    }
    counting = false;
    await watch.close();
    return count / SECONDS;
  } finally {
    await store.close();
  }
}

const dir = mkdtempSync(join(tmpdir(), "provisio-rollout-q-"));
const schema = `b_${randomUUID().replaceAll("-", "").slice(0, 12)}`;
try {
  for (const n of NS) {
    for (const traffic of [false, true]) {
      const sqlite = await measure(
        { kind: "sqlite", file: join(dir, `${n}-${traffic}.db`) },
        n,
        traffic,
      );
      const postgres = await measure(
        { kind: "postgres", connectionString: PG_URL, schema: `${schema}_${n}_${traffic ? 1 : 0}` },
        n,
        traffic,
      );
      console.log(
        `N=${String(n).padStart(3)} ${traffic ? "1 outcome/s" : "idle       "}  statements/s per node: sqlite ${sqlite.toFixed(2)}  postgres ${postgres.toFixed(2)}`,
      );
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  for (const n of NS) {
    for (const t of [0, 1]) await client.query(`drop schema if exists ${schema}_${n}_${t} cascade`);
  }
  await client.end();
}
