/**
 * Miss throttling and scan detection, per source address.
 *
 * A miss is a request that found no profile (unknown MAC, no profile at this path). Each
 * source has a token bucket of misses (`perMinute` tokens, refilled continuously, at most
 * `perMinute` held). A source with an empty bucket is *throttled*: every request from it is
 * answered 429 before any lookup — hits included, since answering hits while refusing misses
 * would still tell a scanner which MACs exist.
 *
 * A scan is the run of throttled requests from one source; it ends after `scanIdleMs`
 * without a miss (or after `maxScanMs`, so a never-ending scan is still reported). Each ended
 * scan is reported once with its source, count and window; the caller turns that into one
 * security event. Memory is bounded: at most `maxSources` sources are tracked (least recently
 * seen dropped first; an open scan is reported when its source is dropped).
 *
 * A source is keyed as connections are counted (`clientAddressKey`): an IPv6 client owns a
 * whole /64, so rotating addresses within it is one source, not 2^64 fresh budgets.
 */
import { clientAddressKey } from "./connection_limit.ts";

export interface MissThrottleOptions {
  /** Misses a source may make per minute (and in one burst); 0 turns throttling off. */
  readonly perMinute: number;
  /** A scan ends after this long without a miss from its source (default 60 s). */
  readonly scanIdleMs?: number;
  /** A scan is reported (and a new one begins) after at most this long (default 10 min). */
  readonly maxScanMs?: number;
  /** Sources tracked at once (default 10,000). */
  readonly maxSources?: number;
}

/** One scan: `count` misses (throttled requests included) from `source` in [firstAt, lastAt]. */
export interface ScanReport {
  readonly source: string;
  readonly transport: string;
  readonly count: number;
  readonly firstAt: number;
  readonly lastAt: number;
}

/** Scan reports kept between two sweeps; more are folded into one (spoofed sources). */
const MAX_PENDING_REPORTS = 1000;

interface SourceState {
  tokens: number;
  refilledAt: number;
  lastMissAt: number;
  scan: { transport: string; count: number; firstAt: number } | undefined;
}

export class MissThrottle {
  readonly #perMinute: number;
  readonly #scanIdleMs: number;
  readonly #maxScanMs: number;
  readonly #maxSources: number;
  readonly #sources = new Map<string, SourceState>();
  #ended: ScanReport[] = [];
  /** Scans ended beyond `MAX_PENDING_REPORTS` between sweeps, folded into one report. */
  #overflow: { count: number; scans: number; firstAt: number; lastAt: number } | undefined;

  constructor(options: MissThrottleOptions) {
    this.#perMinute = options.perMinute;
    this.#scanIdleMs = options.scanIdleMs ?? 60_000;
    this.#maxScanMs = options.maxScanMs ?? 600_000;
    this.#maxSources = options.maxSources ?? 10_000;
  }

  get enabled(): boolean {
    return this.#perMinute > 0;
  }

  /** Sources tracked now (bounded by `maxSources`). */
  get size(): number {
    return this.#sources.size;
  }

  /**
   * False when `source` is throttled: the request is counted as part of its scan and must be
   * answered without any lookup.
   */
  admit(address: string, transport: string, now: number): boolean {
    if (!this.enabled) return true;
    const source = clientAddressKey(address);
    const state = this.#sources.get(source);
    if (state === undefined) return true;
    this.#refill(state, now);
    if (state.tokens >= 1) return true;
    state.lastMissAt = now;
    if (state.scan === undefined) state.scan = { transport, count: 0, firstAt: now };
    state.scan.count++;
    return false;
  }

  /** Counts a miss from `source` (one token). */
  miss(address: string, transport: string, now: number): void {
    if (!this.enabled) return;
    const source = clientAddressKey(address);
    let state = this.#sources.get(source);
    if (state === undefined) {
      state = { tokens: this.#perMinute, refilledAt: now, lastMissAt: now, scan: undefined };
      this.#track(source, state);
    } else {
      // Most recently seen last, so eviction drops the quietest source.
      this.#sources.delete(source);
      this.#sources.set(source, state);
      this.#refill(state, now);
    }
    state.tokens = Math.max(0, state.tokens - 1);
    state.lastMissAt = now;
    if (state.tokens < 1 && state.scan === undefined) {
      state.scan = { transport, count: 1, firstAt: now };
    } else if (state.scan !== undefined) {
      state.scan.count++;
    }
  }

  /**
   * Ends idle (and over-long) scans and forgets quiet sources; returns the scans ended since
   * the last call. Call it every few seconds.
   */
  sweep(now: number): ScanReport[] {
    for (const [source, state] of this.#sources) {
      const scan = state.scan;
      if (scan !== undefined) {
        const idle = now - state.lastMissAt >= this.#scanIdleMs;
        if (idle || now - scan.firstAt >= this.#maxScanMs) {
          this.#report(source, state);
          if (!idle) state.scan = { transport: scan.transport, count: 0, firstAt: now };
        }
      }
      if (state.scan === undefined) {
        this.#refill(state, now);
        if (state.tokens >= this.#perMinute) this.#sources.delete(source);
      }
    }
    return this.#drain();
  }

  /** Reports every open scan (shutdown). */
  close(): ScanReport[] {
    for (const [source, state] of this.#sources)
      if (state.scan !== undefined) this.#report(source, state);
    this.#sources.clear();
    return this.#drain();
  }

  #drain(): ScanReport[] {
    const ended = this.#ended;
    const overflow = this.#overflow;
    if (overflow !== undefined) {
      ended.push({
        source: `(${overflow.scans} more sources)`,
        transport: "any",
        count: overflow.count,
        firstAt: overflow.firstAt,
        lastAt: overflow.lastAt,
      });
    }
    this.#ended = [];
    this.#overflow = undefined;
    return ended;
  }

  #report(source: string, state: SourceState): void {
    const scan = state.scan;
    if (scan === undefined) return;
    if (scan.count > 0 && this.#ended.length >= MAX_PENDING_REPORTS) {
      this.#overflow ??= { count: 0, scans: 0, firstAt: scan.firstAt, lastAt: 0 };
      const o = this.#overflow;
      o.count += scan.count;
      o.scans++;
      o.firstAt = Math.min(o.firstAt, scan.firstAt);
      o.lastAt = Math.max(o.lastAt, state.lastMissAt);
    } else if (scan.count > 0) {
      this.#ended.push({
        source,
        transport: scan.transport,
        count: scan.count,
        firstAt: scan.firstAt,
        lastAt: state.lastMissAt,
      });
    }
    state.scan = undefined;
  }

  #track(source: string, state: SourceState): void {
    if (this.#sources.size >= this.#maxSources) {
      const oldest = this.#sources.entries().next();
      if (oldest.done !== true) {
        const [key, dropped] = oldest.value;
        this.#report(key, dropped);
        this.#sources.delete(key);
      }
    }
    this.#sources.set(source, state);
  }

  #refill(state: SourceState, now: number): void {
    if (now <= state.refilledAt) return;
    const earned = ((now - state.refilledAt) * this.#perMinute) / 60_000;
    state.tokens = Math.min(this.#perMinute, state.tokens + earned);
    state.refilledAt = now;
  }
}
