/**
 * Time for the emulator (CONVENTIONS: inject a clock). The shape is the TFTP library's
 * clock plus an epoch, so one virtual clock can drive both, and `now()` doubles as the
 * device's wall time for the daily `Resync_At` (device local time = `now()` shifted by the
 * configured UTC offset).
 */
import type { TftpClock } from "../tftp/index.ts";
import { deviceError } from "./errors.ts";

export interface DeviceClock extends TftpClock {
  /** Milliseconds since the Unix epoch, never going backwards. */
  now(): number;
  /**
   * Work started by a timer callback (a resync) is handed here, so a virtual clock can
   * wait for it before firing the next timer. Real clocks ignore it.
   */
  track?(work: Promise<unknown>): void;
}

export const systemDeviceClock: DeviceClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

interface VirtualTimer {
  readonly id: number;
  readonly at: number;
  readonly fn: () => void;
}

/**
 * A clock that only moves when told. `advance` fires due timers in time order (ties in
 * creation order) and, after each instant, waits until every piece of tracked work has
 * settled — real socket I/O included — so a test can run a day of resyncs against a real
 * server in milliseconds and still see each request happen at its virtual time.
 */
export class VirtualClock implements DeviceClock {
  private current: number;
  private nextId = 1;
  private timers: VirtualTimer[] = [];
  private readonly work = new Set<Promise<unknown>>();

  constructor(startMs = Date.UTC(2026, 0, 1, 0, 0, 0)) {
    if (!Number.isFinite(startMs)) {
      throw deviceError("DEVICE_OPTION_INVALID", "a virtual clock needs a finite start time");
    }
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const delay = Number.isFinite(ms) && ms > 0 ? ms : 0;
    const timer = { id: this.nextId++, at: this.current + delay, fn };
    // Insert keeping (at, id) order; timers are few, a linear scan from the end is enough.
    let i = this.timers.length;
    while (i > 0 && this.timers[i - 1]!.at > timer.at) i--;
    this.timers.splice(i, 0, timer);
    return timer.id;
  }

  clearTimeout(handle: unknown): void {
    const i = this.timers.findIndex((t) => t.id === handle);
    if (i >= 0) this.timers.splice(i, 1);
  }

  track(work: Promise<unknown>): void {
    const tracked = work.then(
      () => undefined,
      () => undefined,
    );
    this.work.add(tracked);
    void tracked.then(() => this.work.delete(tracked));
  }

  /** Number of armed timers (for tests that check nothing is left behind). */
  get pendingTimers(): number {
    return this.timers.length;
  }

  /** When the earliest armed timer fires, or undefined. */
  nextTimerAt(): number | undefined {
    return this.timers[0]?.at;
  }

  /** Moves time forward by `ms`, firing every timer due on the way. */
  async advance(ms: number): Promise<void> {
    if (!Number.isFinite(ms) || ms < 0) {
      throw deviceError("DEVICE_OPTION_INVALID", "a virtual clock only moves forward");
    }
    await this.runUntil(this.current + ms);
  }

  /** Moves time to `epochMs` (not backwards), firing every timer due on the way. */
  async runUntil(epochMs: number): Promise<void> {
    await this.settle();
    for (;;) {
      const next = this.timers[0];
      if (next === undefined || next.at > epochMs) break;
      this.current = Math.max(this.current, next.at);
      // Every timer due at this instant fires before waiting, so work they start (many
      // units resyncing at the same moment) runs concurrently, as it would in real time.
      while (this.timers.length > 0 && this.timers[0]!.at === next.at) this.timers.shift()!.fn();
      await this.settle();
    }
    this.current = Math.max(this.current, epochMs);
    await this.settle();
  }

  /** Waits until tracked work (and the promise callbacks it queued) is done. */
  async settle(): Promise<void> {
    for (;;) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (this.work.size === 0) return;
      await Promise.all([...this.work]);
    }
  }
}
