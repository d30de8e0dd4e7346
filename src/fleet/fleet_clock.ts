/**
 * One clock for a whole fleet. The device's `VirtualClock` waits for every instant's work
 * before the next instant — exact, but serial, so a fleet would run one resync at a time.
 * This clock keeps up to `concurrency` pieces of device work (resyncs, upgrades) in flight
 * and, while below that bound, moves on to the next timer:
 *
 * - `speed: X` — virtual time runs X times faster than wall time (1 = real time); a timer
 *   fires when its wall-clock moment comes (or as soon as the concurrency bound allows).
 * - `speed: "max"` — no pacing: time jumps to the next timer as fast as the server answers.
 *   A piece of work takes no simulated time; to overlap work, the clock may run ahead of the
 *   oldest work in flight by at most `maxSkewMs`, so whatever a unit schedules when its
 *   resync ends (next periodic, retry) lands at most that late. Without the bound a small
 *   fleet would see hours pass during one fetch.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { type DeviceClock, deviceError } from "../device/index.ts";
import { TimerQueue } from "./timer_queue.ts";

export type FleetSpeed = number | "max";

export interface FleetClockOptions {
  /** Virtual start, epoch ms; default 2026-01-01T00:00Z. */
  readonly startMs?: number;
  readonly speed: FleetSpeed;
  /** Device work in flight at most (default 64). */
  readonly concurrency?: number;
  /** `max` speed: how far time may run ahead of the oldest work in flight (default 10 s). */
  readonly maxSkewMs?: number;
}

/** Timers fired back to back before the loop yields to I/O (keeps sockets served). */
const BATCH = 256;

export class FleetClock implements DeviceClock {
  private current: number;
  private readonly startVirtual: number;
  private startWall = 0;
  private readonly queue = new TimerQueue();
  /** Work in flight ▸ the virtual time it started. */
  private readonly work = new Map<Promise<void>, number>();
  private readonly maxSkewMs: number;
  private readonly speed: FleetSpeed;
  private readonly concurrency: number;
  private settledWaiters: (() => void)[] = [];
  private stopped = false;
  private peak = 0;

  constructor(options: FleetClockOptions) {
    const start = options.startMs ?? Date.UTC(2026, 0, 1, 0, 0, 0);
    if (!Number.isFinite(start)) {
      throw deviceError("DEVICE_OPTION_INVALID", "the fleet clock needs a finite start time");
    }
    if (options.speed !== "max" && !(Number.isFinite(options.speed) && options.speed > 0)) {
      throw deviceError("DEVICE_OPTION_INVALID", "speed must be a positive number or max");
    }
    const concurrency = options.concurrency ?? 64;
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw deviceError("DEVICE_OPTION_INVALID", "concurrency must be a whole number ≥ 1");
    }
    this.current = start;
    this.startVirtual = start;
    this.speed = options.speed;
    this.concurrency = concurrency;
    this.maxSkewMs = options.maxSkewMs ?? 10_000;
    if (!Number.isFinite(this.maxSkewMs) || this.maxSkewMs < 0) {
      throw deviceError("DEVICE_OPTION_INVALID", "the clock skew bound must be ≥ 0");
    }
  }

  now(): number {
    if (this.speed === "max" || this.startWall === 0) return this.current;
    // Between timers, paced time follows the wall clock (a fetch's end is stamped when it
    // happens), never ahead of the next timer so timers stay in order.
    const paced = this.startVirtual + (performance.now() - this.startWall) * this.speed;
    const next = this.queue.peek()?.at;
    return Math.max(this.current, next === undefined ? paced : Math.min(paced, next));
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const delay = Number.isFinite(ms) && ms > 0 ? ms : 0;
    return this.queue.add(this.now() + delay, fn);
  }

  clearTimeout(handle: unknown): void {
    if (typeof handle === "number") this.queue.cancel(handle);
  }

  track(work: Promise<unknown>): void {
    const done = () => {
      this.work.delete(tracked);
      // Wake the run loop (one waiter list, rather than a Promise.race over every piece of
      // work in flight each time, which would pile a reaction onto each of them).
      const waiting = this.settledWaiters;
      this.settledWaiters = [];
      for (const wake of waiting) wake();
    };
    const tracked: Promise<void> = work.then(done, done);
    this.work.set(tracked, this.now());
    if (this.work.size > this.peak) this.peak = this.work.size;
  }

  /** Work in flight now, and the most seen at once. */
  get inFlight(): number {
    return this.work.size;
  }

  get peakInFlight(): number {
    return this.peak;
  }

  get pendingTimers(): number {
    return this.queue.size;
  }

  /** Ends `run` early (Ctrl-C): it returns after the work in flight settles. */
  stop(): void {
    this.stopped = true;
  }

  /**
   * Runs the fleet until virtual `epochMs`: fires every timer due on the way, keeping at
   * most `concurrency` pieces of work in flight, then waits for the last work to settle.
   */
  async runUntil(epochMs: number): Promise<void> {
    if (this.startWall === 0) this.startWall = performance.now();
    let fired = 0;
    while (!this.stopped) {
      const next = this.queue.peek();
      if (next === undefined || next.at > epochMs) break;
      if (this.work.size >= this.concurrency || this.tooFarAhead(next.at)) {
        await new Promise<void>((wake) => this.settledWaiters.push(wake));
        continue;
      }
      if (this.speed !== "max") {
        const wait =
          this.startWall + (next.at - this.startVirtual) / this.speed - performance.now();
        if (wait > 1) {
          await sleep(Math.min(wait, 1000));
          continue; // a stop, or an earlier timer, may have come meanwhile
        }
      }
      const timer = this.queue.pop()!;
      this.current = Math.max(this.current, timer.at);
      timer.fn();
      if (++fired % BATCH === 0) await new Promise<void>((r) => setImmediate(r));
    }
    await this.drain();
    if (!this.stopped) this.current = Math.max(this.current, epochMs);
  }

  /** Waits until no device work is in flight. */
  async drain(): Promise<void> {
    while (this.work.size > 0) await Promise.all([...this.work.keys()]);
  }

  /** `max` speed: firing at `at` would put time too far past the oldest work in flight. */
  private tooFarAhead(at: number): boolean {
    if (this.speed !== "max" || this.work.size === 0) return false;
    let oldest = Number.POSITIVE_INFINITY;
    for (const started of this.work.values()) if (started < oldest) oldest = started;
    return at > oldest + this.maxSkewMs;
  }
}
