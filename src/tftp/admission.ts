/**
 * Admission of read transfers while the event loop is saturated.
 *
 * Why: a TFTP transfer is a ping-pong. When the server's CPU is the bottleneck (many
 * clients on the same host: the fleet simulator, the bench's 200 local clients), serving
 * every transfer at once interleaves them so finely that each client process and each
 * transfer's state is cold in cache at every packet; measured with 200 lock-step tftp-hpa
 * clients on 2 cores: client CPU +31 %, 10 % of the machine idle, 4.5 s, against 3.4 s
 * with 8–16 transfers active and the rest queued. On a real network the RTT, not the CPU,
 * bounds a transfer and the loop is rarely saturated, so nothing waits there.
 *
 * Rule: `minActive` transfers start at once. Past that, a request waits in a FIFO queue
 * and is admitted by a periodic check (every `checkMs`) only if the loop was not saturated
 * (utilisation < `saturatedAt`) over the last interval, growing the active set by half
 * per check; a transfer ending admits the next while under `minActive`. Nobody waits more
 * than `maxQueueMs` (clients give up after a few seconds), after which it starts anyway.
 */
import { availableParallelism } from "node:os";
import { performance } from "node:perf_hooks";
import type { TftpClock } from "./clock.ts";

export interface AdmissionOptions {
  /** Transfers admitted at once whatever the load. Default 4 per CPU (measured on 2
   * cores: 8 and 16 best, 4 and 24+ slower); 0 disables the whole mechanism. */
  readonly minActive?: number;
  /** Event-loop utilisation (0–1) counted as saturated. Default 0.95. */
  readonly saturatedAt?: number;
  /** Longest wait before a request starts regardless. Default 3000 ms. */
  readonly maxQueueMs?: number;
  /** How often the queue is reconsidered. Default 50 ms. */
  readonly checkMs?: number;
  /** Utilisation of this thread's event loop since the previous call (tests inject one). */
  readonly utilization?: () => number;
}

export interface AdmissionTicket {
  /** Gives the place back (an admitted transfer ended) or leaves the queue. */
  release(): void;
}

interface Waiter {
  readonly since: number;
  readonly start: (queuedMs: number) => void;
  /** Out of the queue: admitted (holds a place) or dropped (released, closed). */
  done: boolean;
  admitted: boolean;
}

/** Utilisation of the calling thread's event loop since the previous call. */
export function eventLoopUtilization(): () => number {
  let last = performance.eventLoopUtilization();
  return () => {
    const now = performance.eventLoopUtilization();
    const u = performance.eventLoopUtilization(now, last).utilization;
    last = now;
    return u;
  };
}

export class Admission {
  private active = 0;
  private readonly queue: Waiter[] = [];
  private timer: unknown;
  private readonly minActive: number;
  private readonly saturatedAt: number;
  private readonly maxQueueMs: number;
  private readonly checkMs: number;
  private readonly utilization: () => number;

  constructor(
    o: AdmissionOptions,
    private readonly clock: TftpClock,
  ) {
    this.minActive = o.minActive ?? 4 * availableParallelism();
    this.saturatedAt = o.saturatedAt ?? 0.95;
    this.maxQueueMs = o.maxQueueMs ?? 3000;
    this.checkMs = o.checkMs ?? 50;
    this.utilization = o.utilization ?? eventLoopUtilization();
  }

  /** Transfers started and not yet released. */
  get running(): number {
    return this.active;
  }

  /** Requests waiting. */
  get waiting(): number {
    return this.queue.length;
  }

  /** Calls `start` now or once admitted (with the time spent waiting). A ticket released
   * while still queued calls `start` at once without taking a place, so the caller's
   * continuation runs and sees that its transfer is gone. */
  admit(start: (queuedMs: number) => void): AdmissionTicket {
    if (this.minActive <= 0 || (this.active < this.minActive && this.queue.length === 0)) {
      this.active++;
      start(0);
      return this.ticket(undefined);
    }
    const waiter: Waiter = { since: this.clock.now(), start, done: false, admitted: false };
    this.queue.push(waiter);
    this.arm();
    return this.ticket(waiter);
  }

  /** Drops every waiter (server shutdown): each `start` runs so its caller can finish. */
  close(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    for (const w of this.queue.splice(0)) {
      w.done = true;
      w.start(0);
    }
  }

  private ticket(waiter: Waiter | undefined): AdmissionTicket {
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        if (waiter && !waiter.done) {
          waiter.done = true;
          this.queue.splice(this.queue.indexOf(waiter), 1);
          waiter.start(this.clock.now() - waiter.since);
          return;
        }
        if (waiter && !waiter.admitted) return; // dropped at close: never held a place
        this.active--;
        while (this.active < this.minActive && this.queue.length > 0) this.startNext();
      },
    };
  }

  private startNext(): void {
    const w = this.queue.shift()!;
    w.done = true;
    w.admitted = true;
    this.active++;
    w.start(this.clock.now() - w.since);
  }

  private arm(): void {
    if (this.timer !== undefined) return;
    this.utilization(); // a fresh interval starts now
    this.timer = this.clock.setTimeout(this.check, this.checkMs);
  }

  private readonly check = (): void => {
    this.timer = undefined;
    const now = this.clock.now();
    // Overdue requests first: a client will not wait for ever.
    while (this.queue.length > 0 && now - this.queue[0]!.since >= this.maxQueueMs) {
      this.startNext();
    }
    if (this.queue.length > 0 && this.utilization() < this.saturatedAt) {
      let grant = Math.max(1, Math.ceil(this.active / 2));
      while (grant-- > 0 && this.queue.length > 0) this.startNext();
    }
    while (this.active < this.minActive && this.queue.length > 0) this.startNext();
    if (this.queue.length > 0) this.arm();
  };
}
