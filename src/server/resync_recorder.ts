/**
 * What a resync leaves behind: the device's status row and the event log, through the
 * batched writer.
 *
 * - A successful resync repeating the device's previous one (same result, transport, source
 *   and User-Agent) within the repeat windows is not written again.
 * - Refusals — not found, bad request, denied, rate-limited, whichever device they name —
 *   are aggregated: one row per (source, transport, status, tenant, security reason) per
 *   window, with the count, so a flood cannot grow the events table one row per request
 *   (nor one per MAC it names, nor one per address of an IPv6 /64: a source is keyed as
 *   connections are counted). A refusal alone in its window keeps its MAC. The number of
 *   keys is bounded; beyond it, refusals are folded into one `(other sources)` row.
 * - A scan (from the miss throttle) is one row.
 *
 * Every request also goes to the access log (one line each, floods summarised; see
 * `access_log.ts`).
 */
import type { MacAddress, ResyncEventInput } from "../store/index.ts";
import type { AccessLog } from "./access_log.ts";
import { clientAddressKey } from "./connection_limit.ts";
import type { ScanReport } from "./miss_throttle.ts";
import type { Outcome } from "./resync_outcome.ts";
import type { ResyncRequest } from "./resync_request.ts";
import type { StatusWriter } from "./status_writer.ts";
import type { UserAgentIdentity } from "./user_agent.ts";

export interface ResyncRecorderOptions {
  readonly writer: Pick<StatusWriter, "status" | "event">;
  /** Repeat window of the event row (0 writes every resync). */
  readonly repeatEventWindowMs: number;
  /** Repeat window of the status row. */
  readonly repeatStatusWindowMs: number;
  /** Aggregation window of refusals (default 60 s). */
  readonly refusalWindowMs?: number;
  /** (source, transport, status) keys aggregated at once (default 10,000). */
  readonly maxRefusalKeys?: number;
  /** One log line per request (none without). */
  readonly accessLog?: AccessLog | undefined;
}

/**
 * The last written resync of a device (references to strings the request already holds).
 * Updated in place: a repeat that writes finds its entry once, not again to replace it.
 */
export interface LastWrite {
  readonly mac: MacAddress;
  /** False once dropped from the recorder's table: a slot holding it must look again. */
  live: boolean;
  result: string;
  transport: string;
  remoteAddress: string;
  userAgent: string | null;
  eventAt: number;
  statusAt: number;
}

interface Aggregate {
  readonly first: ResyncEventInput;
  /** The source as connections are counted (`clientAddressKey`): the row's address when it sums up several. */
  readonly source: string;
  readonly start: number;
  count: number;
}

/**
 * Where a caller keeps the last write it was handed for a device (the pipeline: with the
 * request path), so that the next resync of that device finds it without a lookup by MAC.
 */
export interface LastWriteSlot {
  lastWrite: LastWrite | undefined;
}

/** Last writes held at most (the oldest dropped first). */
const MAX_LAST_WRITES = 500_000;
const OTHER_SOURCES = "(other sources)";
/** Last writes looked at in one `flush` (a few milliseconds). */
const SWEEP_STEP = 20_000;

export class ResyncRecorder {
  readonly #writer: ResyncRecorderOptions["writer"];
  readonly #eventWindow: number;
  readonly #statusWindow: number;
  readonly #refusalWindow: number;
  readonly #maxKeys: number;
  readonly #accessLog: AccessLog | undefined;
  readonly #lastWrite = new Map<MacAddress, LastWrite>();
  readonly #refusals = new Map<string, Aggregate>();
  /** When `flush` last began a pass over the last writes, forgetting expired ones. */
  #sweptAt = 0;
  /** That pass, continued a step at each `flush` until it reaches the end. */
  #sweep: MapIterator<[MacAddress, LastWrite]> | undefined;

  constructor(options: ResyncRecorderOptions) {
    this.#writer = options.writer;
    this.#eventWindow = options.repeatEventWindowMs;
    this.#statusWindow = options.repeatStatusWindowMs;
    this.#refusalWindow = options.refusalWindowMs ?? 60_000;
    this.#maxKeys = options.maxRefusalKeys ?? 10_000;
    this.#accessLog = options.accessLog;
  }

  /** Refusal rows waiting for their window to end. */
  get pendingRefusals(): number {
    return this.#refusals.size;
  }

  /** `slot`: where the device's last write was kept from a previous call, if anywhere. */
  record(
    request: ResyncRequest,
    ua: UserAgentIdentity | undefined,
    outcome: Outcome,
    seconds: number,
    now: number,
    slot?: LastWriteSlot,
  ): void {
    this.#accessLog?.request(request, outcome, seconds, now);
    const { response, mac } = outcome;
    const userAgent = request.userAgent === undefined ? null : request.userAgent.slice(0, 256);

    let writeEvent = true;
    // A refusal is not the device's resync: anyone can send one naming its MAC, and the status's
    // address is where pushes go and what report uploads are checked against.
    let writeStatus = mac !== undefined && outcome.tenantId !== undefined && !isRefusal(outcome);
    if (mac !== undefined && (response.result === "ok" || response.result === "not-modified")) {
      const kept = slot?.lastWrite;
      const last = kept?.live === true && kept.mac === mac ? kept : this.#lastWrite.get(mac);
      const same =
        last !== undefined &&
        last.result === response.result &&
        last.transport === request.transport &&
        last.remoteAddress === request.remoteAddress &&
        last.userAgent === userAgent;
      writeEvent = !(same && now - last.eventAt < this.#eventWindow);
      writeStatus &&= !(same && now - last.statusAt < this.#statusWindow);
      let current = last;
      if (current === undefined) {
        current = {
          mac,
          live: true,
          result: response.result,
          transport: request.transport,
          remoteAddress: request.remoteAddress,
          userAgent,
          eventAt: now,
          statusAt: now,
        };
        this.#remember(current);
      } else if (!same) {
        current.result = response.result;
        current.transport = request.transport;
        current.remoteAddress = request.remoteAddress;
        current.userAgent = userAgent;
        current.eventAt = now;
        current.statusAt = now;
      } else {
        if (writeEvent) current.eventAt = now;
        if (writeStatus) current.statusAt = now;
      }
      if (slot !== undefined) slot.lastWrite = current;
    } else if (mac !== undefined) {
      this.#forget(mac);
    }
    if (!writeEvent && !writeStatus) return;
    const at = new Date(now);
    if (writeStatus && mac !== undefined) {
      this.#writer.status({
        mac,
        at,
        remoteAddress: request.remoteAddress,
        userAgent,
        firmware: ua?.firmware ?? null,
        result: response.result,
        transport: request.transport,
      });
    }
    if (!writeEvent) return;
    const event: ResyncEventInput = {
      mac: mac ?? null,
      tenantId: outcome.tenantId ?? null,
      at,
      transport: request.transport,
      result: response.result,
      statusCode: response.status,
      path: request.path.slice(0, 512),
      bytes: response.status === 200 ? (response.body?.byteLength ?? 0) : null,
      durationMs: Math.round(seconds * 1e6) / 1e3,
      remoteAddress: request.remoteAddress,
      userAgent,
      message: outcome.logReason ?? response.reason ?? null,
    };
    if (isRefusal(outcome)) this.#aggregate(event, outcome.security, now);
    else this.#writer.event(event);
  }

  /** One row for a scan the miss throttle reported. */
  recordScan(scan: ScanReport): void {
    const seconds = Math.max(1, Math.round((scan.lastAt - scan.firstAt) / 1000));
    this.#writer.event({
      mac: null,
      tenantId: null,
      at: new Date(scan.firstAt),
      transport: scan.transport,
      result: "rate-limited",
      statusCode: 429,
      path: null,
      bytes: null,
      durationMs: null,
      remoteAddress: scan.source.slice(0, 64),
      userAgent: null,
      message: `scan: ${scan.count} throttled requests from ${scan.source} in ${seconds} s`,
    });
  }

  /**
   * Writes the aggregated refusals whose window has ended (all of them with `force`); at most
   * once a window, forgets the last writes whose windows are both over.
   */
  flush(now: number, force = false): void {
    this.#accessLog?.flush(now, force);
    if (
      this.#sweep === undefined &&
      now - this.#sweptAt >= Math.max(this.#eventWindow, this.#statusWindow, 10_000)
    ) {
      this.#sweptAt = now;
      this.#sweep = this.#lastWrite.entries();
    }
    if (this.#sweep !== undefined) this.#forgetExpired(this.#sweep, now);
    for (const [key, agg] of this.#refusals) {
      if (!force && now - agg.start < this.#refusalWindow) continue;
      this.#refusals.delete(key);
      const { first, count } = agg;
      const seconds = Math.max(1, Math.round(this.#refusalWindow / 1000));
      this.#writer.event({
        ...first,
        at: new Date(agg.start),
        mac: count === 1 ? first.mac : null,
        remoteAddress: count === 1 ? first.remoteAddress : agg.source,
        bytes: null,
        durationMs: count === 1 ? first.durationMs : null,
        message:
          count === 1
            ? first.message
            : `${count} × ${first.message ?? first.result} (aggregated over ${seconds} s)`,
      });
    }
  }

  /**
   * A last write both windows are over for decides nothing any more: the next resync writes
   * its event and status as a device's first one does. Dropping it keeps this memory to the
   * devices seen within the last windows instead of up to its bound (each process holds its
   * own: at a million devices, half a million entries a worker). A step at a time: a whole
   * pass over half a million entries is a quarter of a second of the event loop.
   */
  #forgetExpired(sweep: MapIterator<[MacAddress, LastWrite]>, now: number): void {
    for (let i = 0; i < SWEEP_STEP; i++) {
      const next = sweep.next();
      if (next.done === true) {
        this.#sweep = undefined;
        return;
      }
      const [mac, last] = next.value;
      if (now - last.eventAt >= this.#eventWindow && now - last.statusAt >= this.#statusWindow) {
        last.live = false;
        this.#lastWrite.delete(mac);
      }
    }
  }

  /** A device's first last write (bounded: the oldest is dropped). */
  #remember(last: LastWrite): void {
    if (this.#lastWrite.size >= MAX_LAST_WRITES) {
      const oldest = this.#lastWrite.keys().next();
      if (oldest.done !== true) this.#forget(oldest.value);
    }
    this.#lastWrite.set(last.mac, last);
  }

  #forget(mac: MacAddress): void {
    const last = this.#lastWrite.get(mac);
    if (last === undefined) return;
    last.live = false;
    this.#lastWrite.delete(mac);
  }

  /** Last writes held (bench and tests). */
  get lastWrites(): number {
    return this.#lastWrite.size;
  }

  #aggregate(event: ResyncEventInput, security: string | undefined, now: number): void {
    // Keyed like connections, so one IPv6 client (a /64 of addresses) cannot fill the table
    // with a key per address and push everyone else into "(other sources)".
    const source = clientAddressKey(event.remoteAddress ?? undefined);
    let key = `${source}\u0000${event.transport}\u0000${event.statusCode}\u0000${event.tenantId ?? ""}\u0000${security ?? ""}`;
    let agg = this.#refusals.get(key);
    if (agg === undefined && this.#refusals.size >= this.#maxKeys) {
      key = `${OTHER_SOURCES}\u0000${event.statusCode}`;
      agg = this.#refusals.get(key);
      if (agg === undefined) {
        agg = {
          first: { ...event, remoteAddress: OTHER_SOURCES, path: null },
          source: OTHER_SOURCES,
          start: now,
          count: 0,
        };
        this.#refusals.set(key, agg);
      }
    }
    if (agg === undefined) {
      agg = { first: event, source, start: now, count: 0 };
      this.#refusals.set(key, agg);
    }
    agg.count++;
  }
}

/** Refusals (owned by a tenant or not): aggregated instead of a row each. */
function isRefusal(outcome: Outcome): boolean {
  const { result } = outcome.response;
  return (
    result === "not-found" ||
    result === "bad-request" ||
    result === "rate-limited" ||
    result === "denied"
  );
}
