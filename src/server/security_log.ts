/**
 * The security log: one fail2ban-friendly warning per security event (`security: <reason>`
 * with the source address), summarised beyond a rate so an attack cannot flood the log, and
 * a metric per reason that is never summarised.
 */
import type { Logger } from "pino";
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

export class SecurityLog {
  readonly #logger: Logger;
  readonly #metrics: ServerMetrics;
  readonly #perSecond: number;
  #window = { start: 0, logged: 0, suppressed: 0 };

  constructor(options: { logger: Logger; metrics: ServerMetrics; perSecond?: number }) {
    this.#logger = options.logger;
    this.#metrics = options.metrics;
    this.#perSecond = options.perSecond ?? 20;
  }

  /** Logs (or counts as suppressed) one event; the metric always counts it. */
  report(event: SecurityEvent, now: number): void {
    this.#metrics.securityEvent(event.reason);
    if (now - this.#window.start >= 1000) {
      if (this.#window.suppressed > 0) {
        this.#logger.warn(
          { security: "suppressed", count: this.#window.suppressed },
          `security: ${this.#window.suppressed} more security events not logged`,
        );
      }
      this.#window = { start: now, logged: 0, suppressed: 0 };
    }
    if (this.#window.logged >= this.#perSecond) {
      this.#window.suppressed++;
      return;
    }
    this.#window.logged++;
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
}
