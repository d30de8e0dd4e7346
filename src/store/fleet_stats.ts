/**
 * What the admin dashboard shows, each one grouped query over an index (migration 0014), so
 * its cost is one index scan of the rows it counts, never a read of whole device records:
 *
 * - devices per provisioning state: (tenant, state, MAC) or (state, MAC), index only;
 * - devices never seen: the partial index of the devices whose `seen` flag is 0 (kept by triggers
 *   on the status table, migration 0015) — never an anti-join over every device and status row;
 * - devices per lifecycle state: the (state, MAC) index, or a tenant's (tenant, state);
 * - firmware versions: the status rows by (firmware, MAC), or a tenant's (tenant, firmware) —
 *   the rows carry their device's tenant (triggers, migration 0015), so nothing is joined;
 * - resync activity: a tenant's (or every) event of the window by (tenant, at, result), index
 *   only, grouped per hour in SQL — bounded by the events of the window, not the table;
 * - refusals (security events): the newest `denied` / `rate-limited` events of the window, newest
 *   first, by the same index;
 * - rollouts not finished: the rollouts table (small), with their policies' names.
 */
import { type SqlBool, sql } from "kysely";
import type { Core } from "./core.ts";
import { toEvent } from "./events.ts";
import type { ResyncEvent } from "./types.ts";

/** Results a device plane writes for a request refused before any profile (security events). */
export const SECURITY_RESULTS = ["denied", "rate-limited"] as const;

export interface CountBy<K> {
  readonly key: K;
  readonly count: number;
}

export interface ActivityBucket {
  /** Start of the bucket (epoch ms, aligned to `bucketMs` in UTC). */
  readonly start: number;
  /** Event counts by result. */
  readonly results: Readonly<Record<string, number>>;
}

export interface ActiveRollout {
  readonly id: string;
  readonly policyName: string;
  readonly state: string;
  readonly wave: number;
  readonly waves: number;
}

export interface FleetStatsRepository {
  /** Devices per provisioning state, and how many the server never saw. */
  deviceStates(tenantId?: string): Promise<{
    readonly total: number;
    readonly byState: readonly CountBy<string>[];
    readonly neverSeen: number;
  }>;
  /** Devices per lifecycle state (states without devices absent; never seen not counted). */
  lifecycle(tenantId?: string): Promise<readonly CountBy<string>[]>;
  /** Devices per reported firmware version (null: none reported), most common first. */
  firmware(tenantId?: string): Promise<readonly CountBy<string | null>[]>;
  /** Events per `bucketMs` from `since` (aligned down) on, by result. */
  activity(since: number, bucketMs: number, tenantId?: string): Promise<readonly ActivityBucket[]>;
  /** The newest refusals since `since`, newest first. */
  refusals(since: number, limit: number, tenantId?: string): Promise<readonly ResyncEvent[]>;
  /** Rollouts running or halted, newest first. */
  activeRollouts(tenantId?: string): Promise<readonly ActiveRollout[]>;
}

export class FleetStats implements FleetStatsRepository {
  readonly #core: Core;

  constructor(core: Core) {
    this.#core = core;
  }

  async deviceStates(tenantId?: string) {
    const db = this.#core.db;
    let states = db
      .selectFrom("devices")
      .select((eb) => ["state", eb.fn.countAll<number>().as("n")])
      .groupBy("state");
    let unseen = db
      .selectFrom("devices")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where(sql<SqlBool>`seen = 0`);
    if (tenantId !== undefined) {
      states = states.where("tenant_id", "=", tenantId);
      unseen = unseen.where("tenant_id", "=", tenantId);
    }
    const [rows, never] = await this.#core.run(() =>
      Promise.all([states.execute(), unseen.executeTakeFirstOrThrow()]),
    );
    const byState = rows
      .map((r) => ({ key: r.state, count: Number(r.n) }))
      .sort((a, b) => b.count - a.count || (a.key < b.key ? -1 : 1));
    const total = byState.reduce((sum, r) => sum + r.count, 0);
    return { total, byState, neverSeen: Number(never.n) };
  }

  async lifecycle(tenantId?: string) {
    const rows = await this.#countBy("device_lifecycle", "state", tenantId);
    return rows.map((r) => ({ key: r.key ?? "", count: r.count }));
  }

  async firmware(tenantId?: string) {
    const rows = await this.#countBy("device_status", "firmware", tenantId);
    return rows.sort((a, b) => b.count - a.count || String(a.key).localeCompare(String(b.key)));
  }

  /**
   * Rows of a per-device table (one row per device, gone with it) counted by a column: across
   * tenants from the table's (column, MAC) index alone, a tenant's from its (tenant, column)
   * index — no join to devices.
   */
  async #countBy(
    table: "device_lifecycle" | "device_status",
    column: "state" | "firmware",
    tenantId: string | undefined,
  ): Promise<CountBy<string | null>[]> {
    const key = sql.ref(`x.${column}`);
    // The rows carry their device's tenant (kept by triggers, migration 0015).
    const tenant = tenantId === undefined ? sql`` : sql`where x.tenant_id = ${tenantId}`;
    const { rows } = await this.#core.run(() =>
      sql<{
        key: string | null;
        n: number | string;
      }>`select ${key} as key, count(*) as n from ${sql.table(table)} x ${tenant} group by ${key}`.execute(
        this.#core.db,
      ),
    );
    return rows.map((r) => ({ key: r.key, count: Number(r.n) }));
  }

  async activity(since: number, bucketMs: number, tenantId?: string) {
    const start = since - (since % bucketMs);
    let q = this.#core.db
      .selectFrom("events")
      .select((eb) => [
        sql<number>`(at - ${sql.lit(start)}) / ${sql.lit(bucketMs)}`.as("bucket"),
        "result",
        eb.fn.countAll<number>().as("n"),
      ])
      .where("at", ">=", start)
      .groupBy([sql`(at - ${sql.lit(start)}) / ${sql.lit(bucketMs)}`, "result"]);
    if (tenantId !== undefined) q = q.where("tenant_id", "=", tenantId);
    const rows = await this.#core.run(() => q.execute());
    const buckets = new Map<number, Record<string, number>>();
    for (const row of rows) {
      const index = Math.floor(Number(row.bucket));
      const results = buckets.get(index) ?? {};
      results[row.result] = (results[row.result] ?? 0) + Number(row.n);
      buckets.set(index, results);
    }
    const last = Math.floor((this.#core.now() - start) / bucketMs);
    const out: ActivityBucket[] = [];
    for (let i = 0; i <= Math.max(last, ...buckets.keys()); i++) {
      out.push({ start: start + i * bucketMs, results: buckets.get(i) ?? {} });
    }
    return out;
  }

  async refusals(since: number, limit: number, tenantId?: string) {
    let q = this.#core.db
      .selectFrom("events")
      .selectAll()
      .where("at", ">=", since)
      .where("result", "in", [...SECURITY_RESULTS]);
    if (tenantId !== undefined) q = q.where("tenant_id", "=", tenantId);
    const rows = await this.#core.run(() =>
      q.orderBy("at", "desc").orderBy("id", "desc").limit(limit).execute(),
    );
    return rows.map(toEvent);
  }

  async activeRollouts(tenantId?: string) {
    let q = this.#core.db
      .selectFrom("rollouts as r")
      .innerJoin("upgrade_policies as p", "p.id", "r.policy_id")
      .select(["r.id", "p.name", "r.state", "r.wave", "r.waves"])
      .where("r.state", "in", ["running", "halted"]);
    if (tenantId !== undefined) q = q.where("r.tenant_id", "=", tenantId);
    const rows = await this.#core.run(() => q.orderBy("r.created_at", "desc").execute());
    return rows.map((r) => ({
      id: r.id,
      policyName: r.name,
      state: r.state,
      wave: r.wave,
      waves: (JSON.parse(r.waves) as unknown[]).length,
    }));
  }
}
