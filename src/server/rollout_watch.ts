/**
 * Staged rollouts as a node runs them: which units a rollout admits (the gate the upgrade
 * flow asks on every resync), what each unit's resyncs and downloads say about its upgrade,
 * and the controller that counts a wave's outcomes and halts, advances or completes the
 * rollout.
 *
 * Outcome of a unit, from what the server sees:
 * - it reports the target version (User-Agent) ▸ upgraded;
 * - it downloaded the offered image (the download names it, from the address it resyncs
 *   from) and then resyncs still on the old version ▸ failed (the unit refused or could not
 *   install the image; with `Resync_After_Upgrade_Attempt`, which the rule sets, the unit
 *   resyncs right after each attempt);
 * - the server cannot offer its hop (no image for its model, below its downgrade limit) ▸ failed;
 * - it stops resyncing after the offer for the rollout's silence time ▸ failed;
 * - it never resyncs while its wave runs that long ▸ unreached (not counted as a failure).
 *
 * Every node watches its own requests and writes outcomes in batches (status, no revision);
 * the node that wrote outcomes then reads the counts of the rollouts it wrote to (one query)
 * and moves a rollout by a conditional update, so one node wins and the change feed tells
 * the others. A failure is only ever counted after a write, so the wave that crosses its
 * threshold halts right after the write that crossed it, whichever node made it. What time
 * alone settles (silent and unreached units) is swept every `sweepMs` for all running
 * rollouts at once (two statements), followed by one count of every open rollout — so a
 * node's queries do not grow with the number of open rollouts (docs/decisions.md, D33).
 */
import type { Logger } from "pino";
import { Gauge, type Registry } from "prom-client";
import type {
  MacAddress,
  MemberOutcome,
  MemberStatus,
  Rollout,
  Store,
  UpgradePolicy,
  WaveProgress,
} from "../store/index.ts";
import type { FirmwareDownload } from "./firmware_flow.ts";
import { decideWave } from "./rollout_waves.ts";
import { AT_TARGET, type UpgradePlan } from "./upgrade_plan.ts";

export const ROLLOUT_METRIC_NAMES = {
  units: "provisio_rollout_units",
  state: "provisio_rollout_wave",
} as const;

interface MemberState {
  readonly rolloutId: string;
  readonly wave: number;
  status: MemberStatus;
  /** The version the unit reported when the current hop was offered. */
  offerVersion: string | null;
  reported: string | null;
  error: string | null;
  offeredAt: number | null;
  lastAddress: string | undefined;
  downloadedAt: number | undefined;
  /** Offered the whole chain (no version reported): judged by its downloads. */
  chained: boolean;
  /** Files it downloaded since the offer (chained units). */
  downloads: string[];
  writtenAt: number;
}

export interface RolloutWatchOptions {
  readonly store: Store;
  readonly logger: Logger;
  readonly now?: () => number;
  /**
   * How often queued outcomes are written, and the rollouts written to decided (default 1 s;
   * 0: only `tick()`). Nothing is read when nothing was written.
   */
  readonly tickMs?: number;
  /**
   * How often silent and unreached units are settled and every open rollout counted
   * (default 10 s; 0: only `sweep()`). Bounds how late a silence is noticed.
   */
  readonly sweepMs?: number;
  readonly registry?: Registry;
}

const ACTOR = "system:rollout";

export class RolloutWatch {
  readonly #o: RolloutWatchOptions;
  readonly #now: () => number;
  #rollouts = new Map<string, Rollout>();
  /** The newest rollout of each policy. */
  #latest = new Map<string, Rollout>();
  /** `rolloutId mac` ▸ the unit's state, for rollouts running or halted. */
  readonly #members = new Map<string, MemberState>();
  readonly #pending = new Map<string, MemberOutcome>();
  readonly #progress = new Map<string, WaveProgress[]>();
  #loading: Promise<void> | undefined;
  /** Serialises writes, decisions and sweeps (one at a time per node). */
  #working: Promise<void> = Promise.resolve();
  readonly #timer: ReturnType<typeof setInterval> | undefined;
  readonly #sweepTimer: ReturnType<typeof setInterval> | undefined;
  readonly #unsubscribe: () => void;

  constructor(options: RolloutWatchOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
    this.#unsubscribe = options.store.changes.subscribe((notice) => {
      if (notice.entity === "firmware" || notice.entity === "all" || notice.entity === "tenant") {
        void this.reload();
      }
    });
    const tickMs = options.tickMs ?? 1_000;
    if (tickMs > 0) {
      this.#timer = setInterval(() => void this.tick(), tickMs);
      this.#timer.unref();
    }
    const sweepMs = options.sweepMs ?? 10_000;
    if (sweepMs > 0) {
      this.#sweepTimer = setInterval(() => void this.sweep(), sweepMs);
      this.#sweepTimer.unref();
    }
    if (options.registry !== undefined) this.#registerMetrics(options.registry);
  }

  reload(): Promise<void> {
    const run = (this.#loading ?? Promise.resolve()).then(async () => {
      const rollouts = await this.#o.store.rollouts.list();
      this.#rollouts = new Map(rollouts.map((r) => [r.id, r]));
      const latest = new Map<string, Rollout>();
      for (const r of rollouts) latest.set(r.policyId, r); // listed oldest first
      this.#latest = latest;
      for (const r of rollouts) {
        if (r.state !== "running" && r.state !== "halted") continue;
        // Read again at every change: a resume resets a wave's failures in the store.
        for (const m of await this.#o.store.rollouts.members(r.id)) {
          const key = `${r.id} ${m.mac}`;
          if (this.#pending.has(key)) continue; // ours is newer than the store's
          const known = this.#members.get(key);
          this.#members.set(key, {
            rolloutId: r.id,
            wave: m.wave,
            status: m.status,
            offerVersion:
              known?.offerVersion ?? (m.status === "offered" ? m.reportedVersion : null),
            reported: m.reportedVersion,
            error: m.error,
            offeredAt: m.offeredAt?.getTime() ?? null,
            lastAddress: known?.lastAddress,
            downloadedAt: m.status === "offered" ? known?.downloadedAt : undefined,
            chained: known?.chained ?? false,
            downloads: known?.downloads ?? [],
            writtenAt: m.updatedAt.getTime(),
          });
        }
      }
    });
    this.#loading = run.catch((error: unknown) =>
      this.#o.logger.error({ err: error }, "rollouts could not be loaded"),
    );
    return run;
  }

  rollout(id: string): Rollout | undefined {
    return this.#rollouts.get(id);
  }

  /**
   * Whether the policy's upgrade may be offered to this unit now: a policy without rollout
   * applies to all its units unless it is staged; a running rollout admits the units of its
   * waves so far; a halted or aborted one nobody; a completed one everybody.
   */
  admits(policy: UpgradePolicy, mac: MacAddress): boolean {
    const r = this.#latest.get(policy.id);
    if (r === undefined) return !policy.staged;
    if (r.state === "completed") return true;
    if (r.state !== "running") return false;
    const m = this.#members.get(`${r.id} ${mac}`);
    return m !== undefined && m.wave <= r.wave;
  }

  /** A word for the profile cache key: changes whenever `admits` may change its answer. */
  gateKey(policy: UpgradePolicy): string {
    const r = this.#latest.get(policy.id);
    return r === undefined ? "none" : `${r.id}:${r.state}:${r.wave}`;
  }

  /** A unit of the policy resynced: what it reports, and what the server planned for it. */
  observe(
    policy: UpgradePolicy,
    mac: MacAddress,
    reported: string | undefined,
    plan: UpgradePlan,
    remoteAddress: string,
    now: number,
  ): void {
    const r = this.#latest.get(policy.id);
    if (r === undefined || (r.state !== "running" && r.state !== "halted")) return;
    const m = this.#members.get(`${r.id} ${mac}`);
    if (m === undefined || m.wave > r.wave) return;
    m.lastAddress = remoteAddress;
    const version = reported ?? null;
    const before = { status: m.status, reported: m.reported };
    if (plan.kind === "none" && plan.reason === AT_TARGET) {
      m.status = "upgraded";
      m.error = null;
    } else if (plan.kind === "refused") {
      m.status = "failed";
      m.error = plan.reason;
    } else if (plan.kind === "hop" && plan.chained === true) {
      // No version to read: the unit is judged by what it downloaded from its own address.
      m.chained = true;
      if (m.status === "waiting") {
        m.status = "offered";
        m.offeredAt = now;
        m.downloads = [];
      } else if (
        m.status === "offered" &&
        m.downloadedAt !== undefined &&
        m.downloads.at(-1) === plan.image.fileName
      ) {
        m.status = "upgraded";
        m.error = null;
      }
    } else if (plan.kind === "hop") {
      if (m.status === "waiting" || m.offerVersion !== version) {
        // Offered for the first time, or the unit moved one hop on: a new attempt.
        if (m.status !== "failed" || m.offerVersion !== version) m.status = "offered";
        m.offerVersion = version;
        m.offeredAt = now;
        m.downloadedAt = undefined;
      } else if (m.status === "offered" && m.downloadedAt !== undefined) {
        m.status = "failed";
        m.error = `still reports ${version ?? "no version"} after downloading ${plan.image.fileName}`;
      }
    }
    m.reported = version;
    const changed = before.status !== m.status || before.reported !== m.reported;
    // An offered unit that keeps resyncing is written now and then, so its silence is measured
    // from its last resync, not from the offer.
    const heartbeat = m.status === "offered" && now - m.writtenAt >= r.silenceMs / 4;
    if (changed || heartbeat) this.#queue(m, mac, now);
  }

  /**
   * Input from the report flow (`report_flow.ts`, helper-owned there): the unit itself said its
   * last upgrade attempt failed (`$UPGST` 2, `$UPGERR`), from its own certificate or proven
   * address. A unit offered its hop that attempted since the offer has failed; a report that
   * cannot be placed in time (`attemptedAt` undefined) or predates the offer counts nothing.
   */
  upgradeFailed(
    mac: MacAddress,
    error: string,
    attemptedAt: number | undefined,
    now: number,
  ): void {
    if (attemptedAt === undefined) return;
    for (const r of this.#latest.values()) {
      if (r.state !== "running" && r.state !== "halted") continue;
      const m = this.#members.get(`${r.id} ${mac}`);
      if (m === undefined || m.wave > r.wave || m.status !== "offered") continue;
      if (m.offeredAt === null || attemptedAt < m.offeredAt) continue;
      m.status = "failed";
      m.error = `the unit reports: ${error}`;
      this.#queue(m, mac, now);
    }
  }

  /** A download that names a unit: counted when it comes from where the unit resyncs from. */
  downloaded(d: FirmwareDownload): void {
    for (const r of this.#latest.values()) {
      if (r.state !== "running" && r.state !== "halted") continue;
      const m = this.#members.get(`${r.id} ${d.mac}`);
      if (m === undefined || m.status !== "offered") continue;
      if (m.lastAddress === undefined || m.lastAddress !== d.remoteAddress) continue;
      m.downloadedAt = d.at;
      if (!m.chained) continue;
      if (m.downloads.includes(d.fileName)) {
        // The unit asks for the same image again: its previous attempt failed.
        m.status = "failed";
        m.error = `downloaded ${d.fileName} again (the previous attempt failed)`;
        this.#queue(m, d.mac, d.at);
      }
      if (m.downloads.length < 32) m.downloads.push(d.fileName);
    }
  }

  #queue(m: MemberState, mac: MacAddress, now: number): void {
    m.writtenAt = now;
    this.#pending.set(`${m.rolloutId} ${mac}`, {
      rolloutId: m.rolloutId,
      mac,
      status: m.status,
      reportedVersion: m.reported,
      error: m.error,
      offeredAt: m.offeredAt,
      at: now,
    });
  }

  /** Writes queued outcomes, then lets the rollouts written to decide (nothing to write: no query). */
  tick(): Promise<void> {
    return this.#serial(async () => {
      if (this.#pending.size === 0) return;
      const batch = [...this.#pending.values()];
      this.#pending.clear();
      await this.#o.store.rollouts.recordOutcomes(batch);
      const written = new Set(batch.map((o) => o.rolloutId));
      await this.#decide([...this.#rollouts.values()].filter((r) => written.has(r.id)));
    });
  }

  /**
   * Settles what time alone decides — offered units silent for their rollout's silence time
   * (failed), units of a wave that ran that long without a resync (unreached) — for every
   * running rollout at once, then counts and decides every open rollout.
   */
  sweep(): Promise<void> {
    return this.#serial(async () => {
      const open = [...this.#rollouts.values()].filter(
        (r) => r.state === "running" || r.state === "halted",
      );
      if (open.length === 0) return;
      if (open.some((r) => r.state === "running")) {
        await this.#o.store.rollouts.settleSilentAll(this.#now());
      }
      await this.#decide(open);
    });
  }

  #serial(work: () => Promise<void>): Promise<void> {
    const run = this.#working.then(async () => {
      try {
        await work();
      } catch (error) {
        this.#o.logger.error({ err: error }, "rollout watch failed (retried at the next tick)");
      }
    });
    this.#working = run;
    return run;
  }

  /** Counts the rollouts (one query) and moves each running one its current wave decides. */
  async #decide(rollouts: readonly Rollout[]): Promise<void> {
    const open = rollouts.filter((r) => r.state === "running" || r.state === "halted");
    if (open.length === 0) return;
    const store = this.#o.store;
    const counted = await store.rollouts.progressOf(open);
    for (const r of open) {
      const progress = counted.get(r.id) ?? [];
      this.#progress.set(r.id, progress);
      if (r.state !== "running") continue;
      const decision = decideWave(r.wave, r.waves.length, r.failureThreshold, progress[r.wave]);
      if (decision.action === "wait") continue;
      const to =
        decision.action === "halt"
          ? { state: "halted" as const, wave: r.wave, reason: decision.reason }
          : decision.action === "complete"
            ? { state: "completed" as const, wave: r.wave, reason: null }
            : { state: "running" as const, wave: decision.wave, reason: null };
      const moved = await store.rollouts.transition(r.id, { state: r.state, wave: r.wave }, to, {
        actor: ACTOR,
      });
      if (moved === null) continue;
      this.#rollouts.set(moved.id, moved);
      if (this.#latest.get(moved.policyId)?.id === moved.id) {
        this.#latest.set(moved.policyId, moved);
      }
      const log = { rollout: moved.id, wave: moved.wave + 1, state: moved.state };
      if (decision.action === "halt") {
        this.#o.logger.warn({ ...log, reason: decision.reason }, "rollout halted");
      } else {
        this.#o.logger.info(
          log,
          decision.action === "complete" ? "rollout completed" : "rollout wave started",
        );
      }
    }
  }

  /** The last counted progress of a rollout (metrics). */
  progressOf(id: string): readonly WaveProgress[] | undefined {
    return this.#progress.get(id);
  }

  #registerMetrics(registry: Registry): void {
    if (registry.getSingleMetric(ROLLOUT_METRIC_NAMES.units) !== undefined) return;
    const watch = this;
    new Gauge({
      name: ROLLOUT_METRIC_NAMES.units,
      help: "Units of each open rollout by wave and outcome (waiting, offered, upgraded, failed, unreached)",
      labelNames: ["rollout", "wave", "status"],
      registers: [registry],
      collect() {
        this.reset();
        for (const [id, progress] of watch.#progress) {
          for (const w of progress) {
            for (const [status, n] of Object.entries(w.counts)) {
              this.labels(id, String(w.wave + 1), status).set(n);
            }
          }
        }
      },
    });
    new Gauge({
      name: ROLLOUT_METRIC_NAMES.state,
      help: "Current wave (1-based) of each rollout, labelled with its state",
      labelNames: ["rollout", "state"],
      registers: [registry],
      collect() {
        this.reset();
        for (const r of watch.#rollouts.values()) this.labels(r.id, r.state).set(r.wave + 1);
      },
    });
  }

  async close(): Promise<void> {
    this.#unsubscribe();
    if (this.#timer !== undefined) clearInterval(this.#timer);
    if (this.#sweepTimer !== undefined) clearInterval(this.#sweepTimer);
    await this.tick();
  }
}
