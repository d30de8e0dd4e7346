/**
 * Batched writes of device status, resync events and lifecycle states, so the request path
 * never waits on the database: a resync appends to an in-memory batch, and a timer flushes the
 * batch, all kinds in one transaction (one commit a flush). Status updates and lifecycle states
 * are coalesced per MAC (only the newest matters).
 *
 * If the database is unavailable (`STORE_UNAVAILABLE`), batches are kept and retried at the
 * next tick, up to `maxPending` events; beyond that the oldest events are dropped (and
 * counted) rather than letting memory grow without bound. Any other failure is retried twice
 * and then the batch is dropped (counted, reported), so one bad row cannot wedge the writer.
 * `close()` flushes what is left.
 */
import { isProvisioError } from "../errors.ts";
import type {
  DeviceLifecycleUpdate,
  DeviceStatusUpdate,
  MacAddress,
  ResyncEventInput,
} from "../store/index.ts";

/** One flush (`store.devices.recordActivity`). */
export interface StatusBatch {
  readonly statuses: readonly DeviceStatusUpdate[];
  readonly events: readonly ResyncEventInput[];
  readonly lifecycles: readonly DeviceLifecycleUpdate[];
}

export interface StatusSink {
  /** Writes the whole batch in one transaction, or nothing of it. */
  write(batch: StatusBatch): Promise<void>;
}

export interface StatusWriterOptions {
  readonly sink: StatusSink;
  /** Flush at least this often (ms). */
  readonly intervalMs: number;
  /** Flush early when this many events are waiting. */
  readonly maxBatch?: number;
  /** Most events kept while the sink fails. */
  readonly maxPending?: number;
  readonly onFlush?: (result: {
    ok: boolean;
    statuses: number;
    events: number;
    error?: unknown;
  }) => void;
  readonly setTimer?: (fn: () => void, ms: number) => { unref?: () => unknown };
  readonly clearTimer?: (timer: unknown) => void;
}

export class StatusWriter {
  readonly #sink: StatusSink;
  readonly #intervalMs: number;
  readonly #maxBatch: number;
  readonly #maxPending: number;
  readonly #onFlush: StatusWriterOptions["onFlush"];
  readonly #setTimer: NonNullable<StatusWriterOptions["setTimer"]>;
  readonly #clearTimer: NonNullable<StatusWriterOptions["clearTimer"]>;
  #statuses = new Map<MacAddress, DeviceStatusUpdate>();
  #lifecycles = new Map<MacAddress, DeviceLifecycleUpdate>();
  #lifecycleWaiters: { resolve: () => void; reject: (error: unknown) => void }[] = [];
  #events: ResyncEventInput[] = [];
  #timer: unknown;
  #flushing: Promise<void> | undefined;
  #closed = false;
  #failures = 0;
  /** Events dropped (overflow or a batch that kept failing). */
  dropped = 0;

  constructor(options: StatusWriterOptions) {
    this.#sink = options.sink;
    this.#intervalMs = options.intervalMs;
    this.#maxBatch = options.maxBatch ?? 5000;
    this.#maxPending = options.maxPending ?? 200_000;
    this.#onFlush = options.onFlush;
    this.#setTimer = options.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
    this.#clearTimer =
      options.clearTimer ?? ((t) => clearTimeout(t as ReturnType<typeof setTimeout>));
  }

  get pending(): { status: number; event: number } {
    return { status: this.#statuses.size, event: this.#events.length };
  }

  status(update: DeviceStatusUpdate): void {
    this.#statuses.set(update.mac, update);
    this.#schedule();
  }

  /**
   * Lifecycle states (`DeviceLifecycles`' batches), written with the next flush; per device the
   * newest wins. Resolves once written; rejects when that flush fails, and the states are not
   * kept here (their owner keeps and retries them).
   */
  lifecycle(updates: readonly DeviceLifecycleUpdate[]): Promise<void> {
    if (updates.length === 0) return Promise.resolve();
    for (const update of updates) this.#keepLifecycle(update);
    const written = new Promise<void>((resolve, reject) => {
      this.#lifecycleWaiters.push({ resolve, reject });
    });
    if (this.#closed) void this.flush();
    else this.#schedule();
    return written;
  }

  #keepLifecycle(update: DeviceLifecycleUpdate): void {
    const known = this.#lifecycles.get(update.mac);
    if (known === undefined || known.since.getTime() <= update.since.getTime())
      this.#lifecycles.set(update.mac, update);
  }

  event(event: ResyncEventInput): void {
    this.#events.push(event);
    if (this.#events.length > this.#maxPending) {
      const excess = this.#events.length - this.#maxPending;
      this.#events.splice(0, excess);
      this.dropped += excess;
    }
    if (this.#events.length >= this.#maxBatch && this.#flushing === undefined) {
      void this.flush();
      return;
    }
    this.#schedule();
  }

  #schedule(): void {
    if (this.#timer !== undefined || this.#closed) return;
    const timer = this.#setTimer(() => {
      this.#timer = undefined;
      void this.flush();
    }, this.#intervalMs);
    timer.unref?.();
    this.#timer = timer;
  }

  /** Writes everything pending now; resolves when written (or failed and re-queued). */
  async flush(): Promise<void> {
    while (this.#flushing !== undefined) await this.#flushing;
    if (this.#statuses.size === 0 && this.#events.length === 0 && this.#lifecycles.size === 0)
      return;
    const statuses = [...this.#statuses.values()];
    const lifecycles = [...this.#lifecycles.values()];
    const events = this.#events;
    const waiters = this.#lifecycleWaiters;
    this.#statuses = new Map();
    this.#lifecycles = new Map();
    this.#events = [];
    this.#lifecycleWaiters = [];
    this.#flushing = (async () => {
      try {
        await this.#sink.write({ statuses, events, lifecycles });
        for (const w of waiters) w.resolve();
        this.#failures = 0;
        this.#onFlush?.({ ok: true, statuses: statuses.length, events: events.length });
      } catch (error) {
        for (const w of waiters) w.reject(error);
        const transient = isProvisioError(error) && error.status === 503;
        this.#failures++;
        this.#onFlush?.({ ok: false, statuses: statuses.length, events: events.length, error });
        if (!transient && this.#failures >= 3) {
          this.dropped += events.length;
          this.#failures = 0;
          return;
        }
        // Keep them for the next attempt; newer statuses win over the ones we failed to write.
        for (const s of statuses) if (!this.#statuses.has(s.mac)) this.#statuses.set(s.mac, s);
        this.#events = events.concat(this.#events);
        if (!this.#closed) this.#schedule();
      } finally {
        this.#flushing = undefined;
      }
    })();
    await this.#flushing;
  }

  /** Stops the timer and flushes what is pending (once; a failure is reported, not thrown). */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer !== undefined) {
      this.#clearTimer(this.#timer);
      this.#timer = undefined;
    }
    await this.flush();
  }
}
