/**
 * The access log: one info line per device request — transport, MAC, path, status, result,
 * bytes, milliseconds, source, User-Agent — as top-level fields of the JSON line, so a log
 * shipper needs no parsing rule (on a terminal, pino-pretty shows the same fields).
 *
 * Floods stay readable: refusals naming no device anyone owns (unknown MACs, bad requests,
 * throttled sources) are logged once per (source, transport, status) and window; the repeats
 * are counted, and one summary line when the window closes says how many were left out. At
 * most `maxKeys` such keys are tracked per window; refusals beyond are only counted, in the
 * one summary line the window ends with.
 */
import type { Logger } from "pino";
import { clientAddressKey } from "./connection_limit.ts";
import type { Outcome } from "./resync_outcome.ts";
import type { ResyncRequest } from "./resync_request.ts";

export interface AccessLogOptions {
  readonly logger: Logger;
  /** `log.access`: false writes no access lines (default true). */
  readonly enabled?: boolean;
  /** Window in which a repeated unowned refusal is logged once (default 60 s). */
  readonly windowMs?: number;
  /** (source, transport, status) keys tracked per window (default 10,000). */
  readonly maxKeys?: number;
}

export class AccessLog {
  readonly #logger: Logger;
  readonly #enabled: boolean;
  readonly #windowMs: number;
  readonly #maxKeys: number;
  /** Repeats left out in the current window, per key (0 = the key's line was written). */
  #repeats = new Map<string, number>();
  #windowStart = -Infinity;
  /** Refusals not logged because the key table was full. */
  #overflow = 0;

  constructor(options: AccessLogOptions) {
    this.#logger = options.logger;
    this.#enabled = options.enabled ?? true;
    this.#windowMs = options.windowMs ?? 60_000;
    this.#maxKeys = options.maxKeys ?? 10_000;
  }

  /** Logs a device request (or counts it, when it repeats an unowned refusal). */
  request(request: ResyncRequest, outcome: Outcome, seconds: number, now: number): void {
    if (!this.#enabled || !this.#logger.isLevelEnabled("info")) return;
    this.flush(now);
    const { response } = outcome;
    if (isUnownedRefusal(outcome)) {
      // Keyed as connections are counted: an IPv6 host owns its /64, so rotating addresses
      // inside it is one source, not one log line per address.
      const key = `${clientAddressKey(request.remoteAddress)}\u0000${request.transport}\u0000${response.status}`;
      const seen = this.#repeats.get(key);
      if (seen !== undefined) {
        this.#repeats.set(key, seen + 1);
        return;
      }
      if (this.#repeats.size >= this.#maxKeys) {
        this.#overflow++;
        return;
      }
      this.#repeats.set(key, 0);
    }
    const ms = Math.round(seconds * 1e6) / 1e3;
    const bytes = response.body?.byteLength ?? 0;
    this.#logger.info(
      {
        access: request.transport,
        method: request.method,
        mac: outcome.mac ?? null,
        path: request.path.slice(0, 512),
        status: response.status,
        result: response.result,
        bytes,
        ms,
        src: request.remoteAddress,
        ua: request.userAgent === undefined ? null : request.userAgent.slice(0, 256),
        ...(response.reason === undefined ? {} : { reason: response.reason }),
      },
      `${request.transport} ${request.method} ${request.path.slice(0, 128)} ${response.status} ${response.result} ${bytes} B ${ms} ms`,
    );
  }

  /** Closes the window when it is over (or now, `force`): one summary line for what it left out. */
  flush(now: number, force = false): void {
    if (!force && now - this.#windowStart < this.#windowMs) return;
    let repeats = 0;
    let sources = 0;
    for (const n of this.#repeats.values()) {
      repeats += n;
      if (n > 0) sources++;
    }
    if (repeats > 0 || this.#overflow > 0) {
      this.#logger.info(
        {
          access: "summary",
          repeated: repeats,
          sources,
          ...(this.#overflow > 0 ? { untracked: this.#overflow } : {}),
        },
        `${repeats + this.#overflow} repeated refusals for no known device not logged in the last ${Math.round(this.#windowMs / 1000)} s`,
      );
    }
    this.#repeats = new Map();
    this.#overflow = 0;
    this.#windowStart = now;
  }
}

/** Refusals that name no device anyone owns: logged once per source and window. */
function isUnownedRefusal(outcome: Outcome): boolean {
  if (outcome.tenantId !== undefined) return false;
  const { result } = outcome.response;
  return result === "not-found" || result === "bad-request" || result === "rate-limited";
}
