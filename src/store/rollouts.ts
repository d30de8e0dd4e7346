/**
 * Staged rollouts of an upgrade policy and their members. A rollout's state (running, halted,
 * aborted, completed) and current wave are configuration: every change bumps the revision, so
 * every node learns at once that it must stop (or start) offering the upgrade. A member's
 * outcome (offered, upgraded, failed) is status: written in batches without a revision, like
 * a device's last-resync row, and counted by whichever node decides about the wave.
 */
import { randomUUID } from "node:crypto";
import { type Selectable, sql } from "kysely";
import type { MacAddress } from "../mac_address.ts";
import { type Core, chunks } from "./core.ts";
import { invalid, notFound } from "./errors.ts";
import type { RolloutMemberTable, RolloutTable } from "./schema.ts";
import type { WriteOptions } from "./store.ts";
import * as v from "./validate.ts";

export type RolloutState = "running" | "halted" | "aborted" | "completed";
export const ROLLOUT_STATES: readonly RolloutState[] = [
  "running",
  "halted",
  "aborted",
  "completed",
];

/** waiting: not offered yet; offered: the rule went out; upgraded / failed: settled; unreached: never resynced while its wave ran. */
export type MemberStatus = "waiting" | "offered" | "upgraded" | "failed" | "unreached";
export const MEMBER_STATUSES: readonly MemberStatus[] = [
  "waiting",
  "offered",
  "upgraded",
  "failed",
  "unreached",
];

export interface Rollout {
  readonly id: string;
  readonly tenantId: string;
  readonly policyId: string;
  /** Cumulative percentages of the eligible units, ascending, the last 100. */
  readonly waves: readonly number[];
  /** Percent of a wave that may fail before the rollout halts itself. */
  readonly failureThreshold: number;
  /** An offered unit silent this long counts as failed (it stopped resyncing). */
  readonly silenceMs: number;
  readonly state: RolloutState;
  /** Current wave, 0-based. */
  readonly wave: number;
  readonly reason: string | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly waveStartedAt: Date;
}

export interface RolloutMember {
  readonly rolloutId: string;
  readonly mac: MacAddress;
  readonly wave: number;
  readonly status: MemberStatus;
  readonly fromVersion: string | null;
  readonly reportedVersion: string | null;
  readonly error: string | null;
  readonly offeredAt: Date | null;
  readonly updatedAt: Date;
}

export interface RolloutInput {
  readonly policyId: string;
  readonly waves: readonly number[];
  readonly failureThreshold: number;
  readonly silenceMs: number;
  readonly members: readonly {
    readonly mac: MacAddress;
    readonly wave: number;
    readonly fromVersion: string | null;
  }[];
}

export interface WaveProgress {
  readonly wave: number;
  readonly size: number;
  readonly counts: Readonly<Record<MemberStatus, number>>;
}

export interface MemberOutcome {
  readonly rolloutId: string;
  readonly mac: MacAddress;
  readonly status: MemberStatus;
  readonly reportedVersion: string | null;
  readonly error: string | null;
  readonly offeredAt: number | null;
  readonly at: number;
}

/** A unit a policy could move: its model, group and the version it last reported. */
export interface EligibleUnit {
  readonly mac: MacAddress;
  readonly modelPn: string | null;
  readonly groupId: string | null;
  readonly firmware: string | null;
}

export interface RolloutRepository {
  create(input: RolloutInput, options?: WriteOptions): Promise<Rollout>;
  list(query?: { tenantId?: string; policyId?: string }): Promise<Rollout[]>;
  get(id: string): Promise<Rollout>;
  /**
   * Moves the rollout from `from` (state and wave as read) to `to`; null when another node or
   * user moved it first. Audited as `actor`.
   */
  transition(
    id: string,
    from: { readonly state: RolloutState; readonly wave: number },
    to: { readonly state: RolloutState; readonly wave: number; readonly reason: string | null },
    options?: WriteOptions & { readonly retryFailed?: boolean },
  ): Promise<Rollout | null>;
  members(
    id: string,
    query?: { wave?: number; status?: MemberStatus; limit?: number },
  ): Promise<RolloutMember[]>;
  progress(id: string): Promise<WaveProgress[]>;
  /** Writes members' outcomes (status, no revision): one transaction per call. */
  recordOutcomes(outcomes: readonly MemberOutcome[]): Promise<void>;
  /** The tenant's units with their last reported firmware, for choosing members. */
  eligibleUnits(tenantId: string): Promise<EligibleUnit[]>;
  /**
   * Settles the silent units of a wave: offered and not heard of since `silentBefore` ▸
   * failed (they stopped resyncing); still waiting when the wave started before
   * `silentBefore` ▸ unreached. Returns how many changed.
   */
  settleSilent(id: string, wave: number, silentBefore: number, now: number): Promise<number>;
  /**
   * `progress` of several rollouts in one query (their waves as given): what a node's
   * rollout watch counts, whatever the number of open rollouts.
   */
  progressOf(
    rollouts: readonly Pick<Rollout, "id" | "waves">[],
  ): Promise<Map<string, WaveProgress[]>>;
  /**
   * `settleSilent` for the current wave of every running rollout, each with its own silence
   * time, in two statements. Returns how many changed.
   */
  settleSilentAll(now: number): Promise<number>;
}

export const MAX_WAVES = 20;

function toRollout(row: Selectable<RolloutTable>): Rollout {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    policyId: row.policy_id,
    waves: JSON.parse(row.waves) as number[],
    failureThreshold: Number(row.failure_threshold),
    silenceMs: Number(row.silence_ms),
    state: row.state as RolloutState,
    wave: Number(row.wave),
    reason: row.reason,
    createdAt: new Date(Number(row.created_at)),
    updatedAt: new Date(Number(row.updated_at)),
    waveStartedAt: new Date(Number(row.wave_started_at)),
  };
}

function toMember(row: Selectable<RolloutMemberTable>): RolloutMember {
  return {
    rolloutId: row.rollout_id,
    mac: row.mac as MacAddress,
    wave: Number(row.wave),
    status: row.status as MemberStatus,
    fromVersion: row.from_version,
    reportedVersion: row.reported_version,
    error: row.error,
    offeredAt: row.offered_at === null ? null : new Date(Number(row.offered_at)),
    updatedAt: new Date(Number(row.updated_at)),
  };
}

/** Cumulative percentages: ascending, each 1–100, the last 100. */
export function validWaves(waves: unknown): number[] {
  if (!Array.isArray(waves) || waves.length === 0 || waves.length > MAX_WAVES) {
    throw invalid(`waves must list 1 to ${MAX_WAVES} cumulative percentages`, { field: "waves" });
  }
  let last = 0;
  for (const w of waves) {
    if (typeof w !== "number" || !Number.isInteger(w) || w <= last || w > 100) {
      throw invalid("waves must be ascending whole percentages from 1 to 100", {
        field: "waves",
      });
    }
    last = w;
  }
  if (last !== 100)
    throw invalid("the last wave must be 100 (the whole fleet)", { field: "waves" });
  return waves as number[];
}

/** Per-wave counts from `(wave, status, count)` rows. */
function countWaves(
  waves: number,
  rows: readonly { wave: number | string; status: string; n: number | string }[],
): WaveProgress[] {
  return Array.from({ length: waves }, (_, wave) => {
    const counts = Object.fromEntries(MEMBER_STATUSES.map((s) => [s, 0])) as Record<
      MemberStatus,
      number
    >;
    for (const r of rows) {
      if (Number(r.wave) === wave && (MEMBER_STATUSES as string[]).includes(r.status)) {
        counts[r.status as MemberStatus] += Number(r.n);
      }
    }
    const size = Object.values(counts).reduce((a, b) => a + b, 0);
    return { wave, size, counts };
  });
}

export class Rollouts implements RolloutRepository {
  readonly #core: Core;

  constructor(core: Core) {
    this.#core = core;
  }

  async create(input: RolloutInput, options?: WriteOptions): Promise<Rollout> {
    const waves = validWaves(input.waves);
    const threshold = v.integer(input.failureThreshold, "failureThreshold", 1, 100);
    const silenceMs = v.integer(input.silenceMs, "silenceMs", 1_000, 30 * 24 * 3600_000);
    for (const m of input.members) {
      if (!Number.isInteger(m.wave) || m.wave < 0 || m.wave >= waves.length) {
        throw invalid("a member's wave is outside the rollout's waves", { field: "members" });
      }
    }
    return this.#core.change(options, async (ctx) => {
      const policy = await ctx.conn
        .selectFrom("upgrade_policies")
        .select(["id", "tenant_id"])
        .where("id", "=", input.policyId)
        .executeTakeFirst();
      if (policy === undefined) throw notFound("upgrade policy", input.policyId);
      const open = await ctx.conn
        .selectFrom("rollouts")
        .select("id")
        .where("policy_id", "=", input.policyId)
        .where("state", "in", ["running", "halted"])
        .executeTakeFirst();
      if (open !== undefined) {
        throw invalid(`the policy has a rollout in progress (${open.id}); abort it first`, {
          field: "policyId",
        });
      }
      const row: RolloutTable = {
        id: randomUUID(),
        tenant_id: policy.tenant_id,
        policy_id: policy.id,
        waves: JSON.stringify(waves),
        failure_threshold: threshold,
        silence_ms: silenceMs,
        state: "running",
        wave: 0,
        reason: null,
        created_at: ctx.now,
        updated_at: ctx.now,
        wave_started_at: ctx.now,
      };
      await ctx.conn.insertInto("rollouts").values(row).execute();
      for (const part of chunks(input.members, 500)) {
        await ctx.conn
          .insertInto("rollout_members")
          .values(
            part.map((m) => ({
              rollout_id: row.id,
              mac: m.mac,
              wave: m.wave,
              status: "waiting",
              from_version: m.fromVersion,
              reported_version: m.fromVersion,
              error: null,
              offered_at: null,
              updated_at: ctx.now,
            })),
          )
          .execute();
      }
      const rollout = toRollout(row);
      ctx.touch("firmware", [row.id]);
      ctx.audit({
        action: "rollout.start",
        entity: "rollout",
        key: row.id,
        tenantId: row.tenant_id,
        after: { ...rollout, members: input.members.length },
      });
      return rollout;
    });
  }

  async list(query: { tenantId?: string; policyId?: string } = {}): Promise<Rollout[]> {
    let q = this.#core.db.selectFrom("rollouts").selectAll();
    if (query.tenantId !== undefined) q = q.where("tenant_id", "=", query.tenantId);
    if (query.policyId !== undefined) q = q.where("policy_id", "=", query.policyId);
    const rows = await q.orderBy("created_at").orderBy("id").limit(10_000).execute();
    return rows.map(toRollout);
  }

  async get(id: string): Promise<Rollout> {
    const row = await this.#core.db
      .selectFrom("rollouts")
      .selectAll()
      .where("id", "=", id)
      .executeTakeFirst();
    if (row === undefined) throw notFound("rollout", id);
    return toRollout(row);
  }

  async transition(
    id: string,
    from: { readonly state: RolloutState; readonly wave: number },
    to: { readonly state: RolloutState; readonly wave: number; readonly reason: string | null },
    options?: WriteOptions & { readonly retryFailed?: boolean },
  ): Promise<Rollout | null> {
    return this.#core.change(options, async (ctx) => {
      const done = await ctx.conn
        .updateTable("rollouts")
        .set({
          state: to.state,
          wave: to.wave,
          reason: to.reason,
          updated_at: ctx.now,
          ...(to.wave === from.wave && options?.retryFailed !== true
            ? {}
            : { wave_started_at: ctx.now }),
        })
        .where("id", "=", id)
        .where("state", "=", from.state)
        .where("wave", "=", from.wave)
        .returningAll()
        .execute();
      const row = done[0];
      if (row === undefined) return null;
      if (options?.retryFailed === true) {
        // A resumed wave counts afresh: its failed and silent units get the offer again.
        await ctx.conn
          .updateTable("rollout_members")
          .set({ status: "waiting", error: null, updated_at: ctx.now })
          .where("rollout_id", "=", id)
          .where("wave", "=", to.wave)
          .where("status", "in", ["failed", "unreached"])
          .execute();
      }
      const rollout = toRollout(row);
      ctx.touch("firmware", [id]);
      ctx.audit({
        action: `rollout.${to.state === from.state ? "advance" : to.state}`,
        entity: "rollout",
        key: id,
        tenantId: row.tenant_id,
        before: from,
        after: { state: to.state, wave: to.wave, reason: to.reason },
      });
      return rollout;
    });
  }

  async members(
    id: string,
    query: { wave?: number; status?: MemberStatus; limit?: number } = {},
  ): Promise<RolloutMember[]> {
    let q = this.#core.db.selectFrom("rollout_members").selectAll().where("rollout_id", "=", id);
    if (query.wave !== undefined) q = q.where("wave", "=", query.wave);
    if (query.status !== undefined) q = q.where("status", "=", query.status);
    const rows = await q
      .orderBy("wave")
      .orderBy("mac")
      .limit(v.limit(query.limit, 100_000, 1_000_000))
      .execute();
    return rows.map(toMember);
  }

  async progress(id: string): Promise<WaveProgress[]> {
    const rollout = await this.get(id);
    const rows = await this.#core.db
      .selectFrom("rollout_members")
      .select(["wave", "status", sql<number>`count(*)`.as("n")])
      .where("rollout_id", "=", id)
      .groupBy(["wave", "status"])
      .execute();
    return countWaves(rollout.waves.length, rows);
  }

  async progressOf(
    rollouts: readonly Pick<Rollout, "id" | "waves">[],
  ): Promise<Map<string, WaveProgress[]>> {
    const out = new Map<string, WaveProgress[]>();
    if (rollouts.length === 0) return out;
    const rows: { rollout_id: string; wave: number; status: string; n: number }[] = [];
    for (const part of chunks(rollouts, 500)) {
      rows.push(
        ...(await this.#core.db
          .selectFrom("rollout_members")
          .select(["rollout_id", "wave", "status", sql<number>`count(*)`.as("n")])
          .where(
            "rollout_id",
            "in",
            part.map((r) => r.id),
          )
          .groupBy(["rollout_id", "wave", "status"])
          .execute()),
      );
    }
    const byRollout = new Map<string, typeof rows>();
    for (const r of rows) {
      const list = byRollout.get(r.rollout_id) ?? [];
      list.push(r);
      byRollout.set(r.rollout_id, list);
    }
    for (const rollout of rollouts) {
      out.set(rollout.id, countWaves(rollout.waves.length, byRollout.get(rollout.id) ?? []));
    }
    return out;
  }

  async settleSilentAll(now: number): Promise<number> {
    const failed = await this.#settleInRunningWave(
      "offered",
      { status: "failed", error: "stopped resyncing after the upgrade was offered" },
      "rollout_members.updated_at",
      now,
    );
    const unreached = await this.#settleInRunningWave(
      "waiting",
      { status: "unreached" },
      "rollouts.wave_started_at",
      now,
    );
    return failed + unreached;
  }

  /**
   * Members still `from` in their rollout's running wave whose `since` is older than the
   * rollout's silence: set to `to`, in one statement for every running rollout.
   */
  async #settleInRunningWave(
    from: "offered" | "waiting",
    to: { status: "failed" | "unreached"; error?: string },
    since: "rollout_members.updated_at" | "rollouts.wave_started_at",
    now: number,
  ): Promise<number> {
    const result = await this.#core.db
      .updateTable("rollout_members")
      .set({ ...to, updated_at: now })
      .where("status", "=", from)
      .where(({ exists, selectFrom }) =>
        exists(
          selectFrom("rollouts")
            .select(sql<number>`1`.as("one"))
            .whereRef("rollouts.id", "=", "rollout_members.rollout_id")
            .where("rollouts.state", "=", "running")
            .whereRef("rollouts.wave", "=", "rollout_members.wave")
            .where(sql<boolean>`${sql.ref(since)} < ${now} - rollouts.silence_ms`),
        ),
      )
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  async recordOutcomes(outcomes: readonly MemberOutcome[]): Promise<void> {
    if (outcomes.length === 0) return;
    await this.#core.db.transaction().execute(async (trx) => {
      for (const o of outcomes) {
        await trx
          .updateTable("rollout_members")
          .set({
            status: o.status,
            reported_version: o.reportedVersion,
            error: o.error,
            offered_at: o.offeredAt,
            updated_at: o.at,
          })
          .where("rollout_id", "=", o.rolloutId)
          .where("mac", "=", o.mac)
          .execute();
      }
    });
  }

  async settleSilent(id: string, wave: number, silentBefore: number, now: number) {
    const rollout = await this.get(id);
    const failed = await this.#core.db
      .updateTable("rollout_members")
      .set({
        status: "failed",
        error: "stopped resyncing after the upgrade was offered",
        updated_at: now,
      })
      .where("rollout_id", "=", id)
      .where("wave", "=", wave)
      .where("status", "=", "offered")
      .where("updated_at", "<", silentBefore)
      .executeTakeFirst();
    let unreached = 0n;
    if (rollout.waveStartedAt.getTime() < silentBefore) {
      const r = await this.#core.db
        .updateTable("rollout_members")
        .set({ status: "unreached", updated_at: now })
        .where("rollout_id", "=", id)
        .where("wave", "=", wave)
        .where("status", "=", "waiting")
        .executeTakeFirst();
      unreached = r.numUpdatedRows;
    }
    return Number(failed.numUpdatedRows + unreached);
  }

  async eligibleUnits(tenantId: string): Promise<EligibleUnit[]> {
    const rows = await this.#core.db
      .selectFrom("devices")
      .leftJoin("device_status", "device_status.mac", "devices.mac")
      .select([
        "devices.mac as mac",
        "devices.model_pn as model_pn",
        "devices.group_id as group_id",
        "device_status.firmware as firmware",
      ])
      .where("devices.tenant_id", "=", tenantId)
      .orderBy("devices.mac")
      .execute();
    return rows.map((r) => ({
      mac: r.mac as MacAddress,
      modelPn: r.model_pn,
      groupId: r.group_id,
      firmware: r.firmware,
    }));
  }
}
