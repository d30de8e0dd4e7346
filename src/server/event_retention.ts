/**
 * Event retention: the resync event log keeps `horizonDays` days. A prune runs shortly after
 * start and then every `intervalMs`; `events.prune` deletes in short slices, so a prune never
 * holds the database for long. One prune at a time; a failed prune is logged and retried at
 * the next interval. With several nodes on one database each prunes: the deletes are
 * idempotent.
 */
import type { Logger } from "pino";

export interface PrunableEvents {
  prune(olderThan: Date): Promise<number>;
}

export interface EventRetentionOptions {
  readonly events: PrunableEvents;
  /** Days of events kept; 0 keeps them for ever (no pruning). */
  readonly horizonDays: number;
  readonly logger: Logger;
  /** Between prunes (default 1 h). */
  readonly intervalMs?: number;
  /** Before the first prune (default 60 s, so start-up is not slowed). */
  readonly firstDelayMs?: number;
  readonly now?: () => number;
}

export class EventRetention {
  readonly #o: EventRetentionOptions;
  readonly #now: () => number;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #running: Promise<number> | undefined;
  #stopped = false;

  constructor(options: EventRetentionOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
  }

  get enabled(): boolean {
    return this.#o.horizonDays > 0;
  }

  /** Schedules the prunes (no-op when retention is off). */
  start(): void {
    if (!this.enabled || this.#stopped) return;
    this.#schedule(this.#o.firstDelayMs ?? 60_000);
  }

  /** Prunes now; resolves with the number of events deleted (0 when off or failed). */
  pruneNow(): Promise<number> {
    if (!this.enabled) return Promise.resolve(0);
    this.#running ??= (async () => {
      const cutoff = new Date(this.#now() - this.#o.horizonDays * 86_400_000);
      try {
        const deleted = await this.#o.events.prune(cutoff);
        if (deleted > 0) {
          this.#o.logger.info({ deleted, olderThan: cutoff.toISOString() }, "events pruned");
        }
        return deleted;
      } catch (error) {
        this.#o.logger.warn({ err: error }, "event retention failed; will retry");
        return 0;
      } finally {
        this.#running = undefined;
      }
    })();
    return this.#running;
  }

  /** Stops scheduling and waits for a prune in progress. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }

  #schedule(delayMs: number): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.pruneNow().then(() => this.#schedule(this.#o.intervalMs ?? 3_600_000));
    }, delayMs);
    this.#timer.unref();
  }
}
