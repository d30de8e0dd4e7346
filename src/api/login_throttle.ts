/**
 * Failed sign-ins, counted per source address and per user name in a fixed window: past
 * `maxFailures` in `windowMs` a key is refused (429 with Retry-After) until its window ends.
 * An attempt counts as a failure when it starts and is forgiven when it succeeds, so a burst of
 * parallel guesses cannot slip past the count while the hashes run. Memory is bounded: at most
 * `maxKeys` keys are kept; past that, expired windows go first, then those with the fewest
 * failures. Sources are keyed as the device plane keys them (`clientAddressKey`: an IPv4
 * address, or an IPv6 /64), by the caller.
 *
 * Password hashing is also bounded: `PasswordGate` runs at most `concurrency` scrypt hashes at
 * once (each takes 32 MiB and a fraction of a CPU second) and queues at most `queue` more.
 */
import { apiError } from "../admin/index.ts";

export interface LoginThrottleOptions {
  /** Failures a key may have in a window (default 10). */
  readonly maxFailures?: number;
  /** Window length (default 10 minutes). */
  readonly windowMs?: number;
  /** Keys kept at most (default 10,000). */
  readonly maxKeys?: number;
  readonly now?: () => number;
}

interface Window {
  start: number;
  failures: number;
}

export class LoginThrottle {
  readonly #max: number;
  readonly #windowMs: number;
  readonly #maxKeys: number;
  readonly #now: () => number;
  readonly #keys = new Map<string, Window>();

  constructor(options: LoginThrottleOptions = {}) {
    this.#max = options.maxFailures ?? 10;
    this.#windowMs = options.windowMs ?? 600_000;
    this.#maxKeys = options.maxKeys ?? 10_000;
    this.#now = options.now ?? Date.now;
  }

  /** Keys tracked now (for tests of the bound). */
  get size(): number {
    return this.#keys.size;
  }

  /**
   * Starts an attempt: throws `API_TOO_MANY_ATTEMPTS` (Retry-After in its details) when a key
   * is over its failures, else counts the attempt as a failure against every key.
   */
  begin(keys: readonly string[]): void {
    const now = this.#now();
    let wait = 0;
    for (const key of keys) {
      const window = this.#live(key, now);
      if (window !== undefined && window.failures >= this.#max) {
        wait = Math.max(wait, window.start + this.#windowMs - now);
      }
    }
    if (wait > 0) {
      const retryAfter = Math.max(1, Math.ceil(wait / 1000));
      throw apiError(
        "API_TOO_MANY_ATTEMPTS",
        `too many failed sign-ins; try again in ${retryAfter} s`,
        { details: { retryAfter } },
      );
    }
    for (const key of keys) {
      const window = this.#live(key, now);
      if (window !== undefined) window.failures++;
      else this.#add(key, { start: now, failures: 1 });
    }
  }

  /** The attempt succeeded: it is not a failure, and the named keys start afresh. */
  succeed(keys: readonly string[], reset: readonly string[] = []): void {
    for (const key of keys) {
      const window = this.#keys.get(key);
      if (window !== undefined && window.failures > 0) window.failures--;
    }
    for (const key of reset) this.#keys.delete(key);
  }

  #live(key: string, now: number): Window | undefined {
    const window = this.#keys.get(key);
    if (window === undefined) return undefined;
    if (now - window.start >= this.#windowMs) {
      this.#keys.delete(key);
      return undefined;
    }
    return window;
  }

  #add(key: string, window: Window): void {
    if (this.#keys.size >= this.#maxKeys) this.#makeRoom();
    this.#keys.set(key, window);
  }

  /**
   * Expired windows go; if more than half the bound is left, the windows with the fewest
   * failures go (the oldest first among equals) down to half. Dropping the oldest instead let
   * a flood of fresh names from fresh addresses wipe the count of a user name under attack.
   */
  #makeRoom(): void {
    const now = this.#now();
    for (const [k, w] of this.#keys) {
      if (now - w.start >= this.#windowMs) this.#keys.delete(k);
    }
    const excess = this.#keys.size - Math.floor(this.#maxKeys / 2);
    if (excess <= 0) return;
    // A stable sort: Map order (insertion order) stays among equal counts.
    const fewest = [...this.#keys].sort((a, b) => a[1].failures - b[1].failures);
    for (const [k] of fewest.slice(0, excess)) this.#keys.delete(k);
  }
}

/** Runs at most `concurrency` password hashes at once, queueing at most `queue` more. */
export class PasswordGate {
  readonly #concurrency: number;
  readonly #queue: number;
  #running = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(concurrency = 2, queue = 64) {
    this.#concurrency = concurrency;
    this.#queue = queue;
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.#running >= this.#concurrency) {
      if (this.#waiting.length >= this.#queue) {
        throw apiError("API_TOO_MANY_ATTEMPTS", "too many sign-ins at once; try again shortly", {
          details: { retryAfter: 1 },
        });
      }
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    } else {
      this.#running++;
    }
    try {
      return await work();
    } finally {
      const next = this.#waiting.shift();
      if (next !== undefined) next();
      else this.#running--;
    }
  }
}
