/**
 * Time is injected (CONVENTIONS: "inject a clock"), so tests and the fleet simulator can
 * run TFTP on a virtual clock and never sleep.
 */
export interface TftpClock {
  /** Milliseconds, monotonic. */
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: TftpClock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/**
 * A re-armable deadline. Re-arming later only moves a number (no timer churn per packet):
 * the underlying timer, when it fires early, sleeps again for the remainder. Re-arming
 * earlier than the timer is set for replaces the timer.
 */
export class Deadline {
  private handle: unknown;
  private pending = false;
  private at = 0;
  /** When the underlying timer is due. */
  private timerAt = 0;

  constructor(
    private readonly clock: TftpClock,
    private readonly onExpire: () => void,
  ) {}

  arm(ms: number): void {
    const now = this.clock.now();
    this.at = now + ms;
    if (this.pending && this.at >= this.timerAt) return;
    if (this.pending) this.clock.clearTimeout(this.handle);
    this.pending = true;
    this.timerAt = this.at;
    this.handle = this.clock.setTimeout(this.fire, ms);
  }

  cancel(): void {
    if (this.pending) {
      this.pending = false;
      this.clock.clearTimeout(this.handle);
      this.handle = undefined;
    }
  }

  private readonly fire = (): void => {
    if (!this.pending) return;
    const remaining = this.at - this.clock.now();
    if (remaining > 0.5) {
      this.timerAt = this.at;
      this.handle = this.clock.setTimeout(this.fire, remaining);
      return;
    }
    this.pending = false;
    this.handle = undefined;
    this.onExpire();
  };
}
