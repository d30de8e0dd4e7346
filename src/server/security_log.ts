/**
 * The security log: one fail2ban-friendly warning per security event (`security: <reason>`
 * with the source address), summarised beyond a rate so an attack cannot flood the log, and
 * a metric per reason that is never summarised.
 *
 * The rate is a budget per source within a global cap, each per one-second window: one
 * flooding source (a spoofed TFTP storm) uses up its own budget, not everyone's, so the
 * others' events are still logged. A source is keyed as connections are counted
 * (`clientAddressKey`: an IPv6 client owns a /64, not a million addresses). What was left out
 * is summed up in one line when the window ends — on a timer, not at the next event, which
 * may never come.
 */
import type { Logger } from "pino";
import { clientAddressKey } from "./connection_limit.ts";
import type { ServerMetrics } from "./metrics.ts";

export interface SecurityEvent {
  readonly reason: string;
  readonly message: string;
  readonly remoteAddress: string;
  readonly transport: string;
  readonly path?: string | undefined;
  readonly mac?: string | null | undefined;
  readonly certSubject?: string | null | undefined;
  readonly userAgent?: string | null | undefined;
  /** Extra facts (counts, windows) for aggregated events. */
  readonly details?: Readonly<Record<string, unknown>>;
}

/** The timer the summary is flushed by (injected, so tests and the emulator need no sleep). */
export interface SummaryTimer {
  set(callback: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

const REAL_TIMER: SummaryTimer = {
  set: (callback, ms) => setTimeout(callback, ms).unref(),
  clear: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface SecurityLogOptions {
  readonly logger: Logger;
  readonly metrics: ServerMetrics;
  /** Lines per second over all sources (default 20). */
  readonly perSecond?: number;
  /** Lines per second for one source (default 5, at most `perSecond`). */
  readonly perSourcePerSecond?: number;
  /** Sources tracked per window (default 10,000); sources beyond share one budget. */
  readonly maxSources?: number;
  readonly timer?: SummaryTimer;
}

const WINDOW_MS = 1000;
/** The budget of sources beyond `maxSources` (not an address: cannot collide with one). */
const OTHER_SOURCES = "(other sources)";
/** Sources named in a summary line, the most suppressed first. */
const SUMMARY_SOURCES = 5;

export class SecurityLog {
  readonly #logger: Logger;
  readonly #metrics: ServerMetrics;
  readonly #perSecond: number;
  readonly #perSource: number;
  readonly #maxSources: number;
  readonly #timer: SummaryTimer;
  #start = Number.NEGATIVE_INFINITY;
  #logged = 0;
  /** Per source key: lines logged and events left out in this window. */
  #sources = new Map<string, { logged: number; suppressed: number }>();
  #suppressed = 0;
  #pending: unknown;

  constructor(options: SecurityLogOptions) {
    this.#logger = options.logger;
    this.#metrics = options.metrics;
    this.#perSecond = options.perSecond ?? 20;
    this.#perSource = Math.min(options.perSourcePerSecond ?? 5, this.#perSecond);
    this.#maxSources = options.maxSources ?? 10_000;
    this.#timer = options.timer ?? REAL_TIMER;
  }

  /** Logs (or counts as suppressed) one event; the metric always counts it. */
  report(event: SecurityEvent, now: number): void {
    this.#metrics.securityEvent(event.reason);
    if (now - this.#start >= WINDOW_MS || now < this.#start) {
      this.flush();
      this.#start = now;
    }
    const key = this.#sourceKey(event.remoteAddress);
    let source = this.#sources.get(key);
    if (source === undefined) {
      source = { logged: 0, suppressed: 0 };
      this.#sources.set(key, source);
    }
    if (source.logged >= this.#perSource || this.#logged >= this.#perSecond) {
      source.suppressed++;
      this.#suppressed++;
      // The summary is due when the window ends, whether or not another event comes.
      this.#pending ??= this.#timer.set(
        () => {
          this.#pending = undefined;
          this.flush();
        },
        Math.max(0, this.#start + WINDOW_MS - now),
      );
      return;
    }
    source.logged++;
    this.#logged++;
    this.#logger.warn(
      {
        security: event.reason,
        remoteAddress: event.remoteAddress,
        transport: event.transport,
        path: event.path?.slice(0, 256),
        mac: event.mac ?? null,
        certSubject: event.certSubject ?? null,
        userAgent: event.userAgent ?? null,
        ...event.details,
      },
      `security: ${event.message}`,
    );
  }

  /**
   * Ends the current window: writes the summary of what it left out (if anything) and starts
   * the budgets afresh. The timer calls it; call it on shutdown too.
   */
  flush(): void {
    if (this.#pending !== undefined) {
      this.#timer.clear(this.#pending);
      this.#pending = undefined;
    }
    if (this.#suppressed > 0) {
      const top = [...this.#sources]
        .filter(([, s]) => s.suppressed > 0)
        .sort(([, a], [, b]) => b.suppressed - a.suppressed);
      this.#logger.warn(
        {
          security: "suppressed",
          count: this.#suppressed,
          sourceCount: top.length,
          sources: Object.fromEntries(
            top.slice(0, SUMMARY_SOURCES).map(([key, s]) => [key, s.suppressed]),
          ),
        },
        `security: ${this.#suppressed} more security events not logged (from ${top.length} ${top.length === 1 ? "source" : "sources"})`,
      );
    }
    this.#sources = new Map();
    this.#logged = 0;
    this.#suppressed = 0;
    this.#start = Number.NEGATIVE_INFINITY;
  }

  #sourceKey(remoteAddress: string): string {
    const key = clientAddressKey(remoteAddress);
    if (this.#sources.has(key) || this.#sources.size < this.#maxSources) return key;
    return OTHER_SOURCES;
  }
}
