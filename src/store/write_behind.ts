import type { DeviceStatusUpdate, Store } from "./store.ts";
import type { ResyncEventInput } from "./types.ts";

/** Runs `fn` every `ms`; returns the cancel function. Injected so tests drive time. */
export type Every = (ms: number, fn: () => void) => () => void;

const realEvery: Every = (ms, fn) => {
  const timer = setInterval(fn, ms);
  timer.unref();
  return () => clearInterval(timer);
};

export interface WriteBehindOptions {
  /** Flush period; default 250 ms. */
  readonly flushIntervalMs?: number;
  /** Flush as soon as this many events are pending; default 1,000. */
  readonly maxBatch?: number;
  /**
   * Pending events kept while the database is unreachable; beyond it the oldest are dropped
   * (and counted). Statuses are coalesced per device, so they are bounded by the fleet.
   * Default 100,000.
   */
  readonly maxPending?: number;
  readonly every?: Every;
  /** A flush failed (the rows stay queued and are retried on the next flush). */
  readonly onError?: (error: unknown) => void;
}

export interface WriteBehindStats {
  readonly pendingEvents: number;
  readonly pendingStatuses: number;
  readonly writtenEvents: number;
  readonly writtenStatuses: number;
  readonly droppedEvents: number;
  readonly failedFlushes: number;
}

/**
 * The server's write path for resync outcomes: `record()` only queues (no I/O on the request
 * path); a timer flushes events (`events.appendBatch`) and last-resync statuses
 * (`devices.recordStatusBatch`, newest per device) in one batch each. Neither bumps the
 * configuration revision. A failed flush keeps the rows and retries.
 */
export class WriteBehind {
  readonly #store: Pick<Store, "events" | "devices">;
  readonly #maxBatch: number;
  readonly #maxPending: number;
  readonly #onError: ((error: unknown) => void) | undefined;
  readonly #cancel: () => void;
  #events: ResyncEventInput[] = [];
  #statuses = new Map<string, DeviceStatusUpdate>();
  #flushing: Promise<void> | undefined;
  #closed = false;
  #written = { events: 0, statuses: 0 };
  #dropped = 0;
  #failures = 0;

  constructor(store: Pick<Store, "events" | "devices">, options: WriteBehindOptions = {}) {
    this.#store = store;
    this.#maxBatch = options.maxBatch ?? 1_000;
    this.#maxPending = options.maxPending ?? 100_000;
    this.#onError = options.onError;
    this.#cancel = (options.every ?? realEvery)(options.flushIntervalMs ?? 250, () => {
      void this.flush();
    });
  }

  /** Queues one resync's event and (when the device is known) its status. No I/O. */
  record(event: ResyncEventInput | null, status?: DeviceStatusUpdate): void {
    if (this.#closed) return;
    if (event !== null) {
      this.#events.push(event);
      if (this.#events.length > this.#maxPending) {
        const excess = this.#events.length - this.#maxPending;
        this.#events.splice(0, excess);
        this.#dropped += excess;
      }
    }
    if (status !== undefined) this.#keepNewest(status);
    if (this.#events.length >= this.#maxBatch && this.#flushing === undefined) void this.flush();
  }

  get stats(): WriteBehindStats {
    return {
      pendingEvents: this.#events.length,
      pendingStatuses: this.#statuses.size,
      writtenEvents: this.#written.events,
      writtenStatuses: this.#written.statuses,
      droppedEvents: this.#dropped,
      failedFlushes: this.#failures,
    };
  }

  /** Writes everything queued so far (waits for a flush in progress first). */
  async flush(): Promise<void> {
    while (this.#flushing !== undefined) await this.#flushing;
    if (this.#events.length === 0 && this.#statuses.size === 0) return;
    this.#flushing = this.#flushOnce().finally(() => {
      this.#flushing = undefined;
    });
    await this.#flushing;
  }

  /** Stops the timer and writes what is queued. */
  async close(): Promise<void> {
    this.#cancel();
    await this.flush();
    this.#closed = true;
  }

  async #flushOnce(): Promise<void> {
    const events = this.#events;
    const statuses = [...this.#statuses.values()];
    this.#events = [];
    this.#statuses = new Map();
    try {
      if (events.length > 0) {
        await this.#store.events.appendBatch(events);
        this.#written.events += events.length;
        events.length = 0;
      }
      if (statuses.length > 0) {
        await this.#store.devices.recordStatusBatch(statuses);
        this.#written.statuses += statuses.length;
        statuses.length = 0;
      }
    } catch (error) {
      this.#failures += 1;
      // Put back what was not written, ahead of what arrived meanwhile.
      this.#events = [...events, ...this.#events];
      for (const status of statuses) this.#keepNewest(status, true);
      this.#onError?.(error);
    }
  }

  /** Keeps the newest status per device (on a tie, the later arrival unless re-queued). */
  #keepNewest(status: DeviceStatusUpdate, requeued = false): void {
    const current = this.#statuses.get(status.mac);
    const at = status.at.getTime();
    if (
      current === undefined ||
      current.at.getTime() < at ||
      (!requeued && current.at.getTime() === at)
    ) {
      this.#statuses.set(status.mac, status);
    }
  }
}
