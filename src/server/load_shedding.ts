/**
 * Load shedding: when a device-plane process cannot keep up, new device requests are answered
 * at once with 503 + Retry-After (HTTP) or a TFTP error, before any lookup or rendering, so the
 * process spends its CPU on the requests it already holds instead of rendering answers whose
 * units gave up waiting.
 *
 * Why this helps a reboot storm: a unit treats a 503 (and a TFTP error) as a failed resync and
 * retries after its own `Resync_Error_Retry_Delay` (it does not read Retry-After; the header is
 * for other clients and for people). An answer that comes after the unit's timeout is just as
 * much a failure, but costs the server a whole render — and without the early answer every unit
 * waits its full timeout first. Refusing early spreads the storm over the units' retry schedule.
 *
 * Three measured signals, any of which refuses a new request:
 * - event-loop delay: a 50 ms timer lagging more than `maxEventLoopDelayMs` on each of its last
 *   three runs — the loop is saturated (thousands of sockets ready each turn, or no CPU for the
 *   process). One long turn (start-up work, a GC pause, a test's synchronous call) is not
 *   overload and refuses nothing;
 * - requests in flight in this process (`maxInFlight`) — store or render calls piling up;
 * - queue age: how long the oldest request in flight has been waiting (`maxQueueAgeMs`).
 * "In flight" is the process's own work on a request: from the moment its body is complete to
 * the moment its answer is written — not the time a client takes to send or read. A client
 * trickling a body or reading an answer slowly costs no CPU, and counting it would let one slow
 * connection (a firmware download on a thin line, or an attacker) make the process refuse
 * every unit.
 * All are per process (a primary and each device-plane worker decide for themselves).
 *
 * Observability: `provisio_load_shed_total{transport,reason}`, `provisio_load_shedding` (1 while
 * a process sheds), `provisio_requests_in_flight`; and one warning when shedding starts, one
 * summary line every `summaryMs` while it lasts and one when it ends — never a line per request
 * (a storm must not become a log flood).
 */
import type { ServerResponse } from "node:http";
import type { Logger } from "pino";
import { Counter, Gauge, type Registry } from "prom-client";
import type { LoadSheddingSettings } from "./load_shedding_settings.ts";

export { DEFAULT_LOAD_SHEDDING, type LoadSheddingSettings } from "./load_shedding_settings.ts";

export type ShedReason = "event-loop-delay" | "in-flight" | "queue-age";
type ShedTransport = "http" | "https" | "tftp";

export interface LoadShedderOptions {
  readonly settings: LoadSheddingSettings;
  readonly logger: Logger;
  /** Where the metrics go (the node's registry); none = not exported. */
  readonly registry?: Registry;
  /** Milliseconds between summary lines while shedding (default 10,000). */
  readonly summaryMs?: number;
  /** Event-loop sampling period (ms, default 50). */
  readonly sampleMs?: number;
  readonly now?: () => number;
}

/** Consecutive late samples that make the loop overloaded (and on-time ones that end it). */
const SUSTAINED_SAMPLES = 3;

/**
 * A request in flight: one object, linked in start order (the head is the oldest), taken out
 * in constant time when done — no map entry, token or closure per request.
 */
class Work {
  prev: Work | undefined;
  next: Work | undefined;
  #owner: InFlight | undefined;
  readonly start: number;

  constructor(owner: InFlight, start: number) {
    this.#owner = owner;
    this.start = start;
  }

  /** The request is answered (again: nothing). */
  done(): void {
    const owner = this.#owner;
    if (owner === undefined) return;
    this.#owner = undefined;
    owner.remove(this);
  }
}

/** The requests in flight, oldest first. */
class InFlight {
  head: Work | undefined;
  tail: Work | undefined;
  size = 0;

  add(start: number): Work {
    const work = new Work(this, start);
    work.prev = this.tail;
    if (this.tail === undefined) this.head = work;
    else this.tail.next = work;
    this.tail = work;
    this.size++;
    return work;
  }

  remove(work: Work): void {
    if (work.prev === undefined) this.head = work.next;
    else work.prev.next = work.next;
    if (work.next === undefined) this.tail = work.prev;
    else work.next.prev = work.prev;
    work.prev = work.next = undefined;
    this.size--;
  }
}

export class LoadShedder {
  readonly settings: LoadSheddingSettings;
  readonly #logger: Logger;
  readonly #now: () => number;
  readonly #summaryMs: number;
  readonly #sampleMs: number;
  /** Requests in flight, the oldest first. */
  readonly #inFlight = new InFlight();
  /** The smallest lag of the last SUSTAINED_SAMPLES samples: over the limit = every one was. */
  readonly #lags = new Float64Array(SUSTAINED_SAMPLES);
  #lagIndex = 0;
  #loopDelayMs = 0;
  #expected = 0;
  #timer: NodeJS.Timeout | undefined;
  /** Shed counts per "transport\0reason", exported at scrape time (no per-request label hashing). */
  readonly #tallies = new Map<
    string,
    { labels: { transport: string; reason: string }; n: number }
  >();
  /** Since shedding started (undefined = not shedding). */
  #episode: { start: number; refused: number; lastSummary: number; since: number } | undefined;
  readonly #retryAfter: string;

  constructor(options: LoadShedderOptions) {
    this.settings = options.settings;
    this.#logger = options.logger;
    this.#now = options.now ?? (() => performance.now());
    this.#summaryMs = options.summaryMs ?? 10_000;
    this.#sampleMs = options.sampleMs ?? 50;
    this.#retryAfter = String(this.settings.retryAfterSeconds);
    if (options.registry !== undefined) this.#register(options.registry);
    if (this.settings.enabled) this.#startSampling();
  }

  /** The event-loop delay the decisions use (ms): the smallest of the last three lags. */
  get eventLoopDelayMs(): number {
    return this.#loopDelayMs;
  }

  get inFlight(): number {
    return this.#inFlight.size;
  }

  /** Why a new request would be refused now, or undefined when it is admitted. */
  overload(): ShedReason | undefined {
    const s = this.settings;
    if (!s.enabled) return undefined;
    if (this.#inFlight.size >= s.maxInFlight) return "in-flight";
    if (this.#loopDelayMs > s.maxEventLoopDelayMs) return "event-loop-delay";
    const oldest = this.#inFlight.head;
    if (oldest !== undefined && this.#now() - oldest.start > s.maxQueueAgeMs) return "queue-age";
    return undefined;
  }

  /**
   * The HTTP(S) admission: true when the request was refused (answered 503 here, nothing else
   * to do); false when admitted — the caller then counts its own work on it with `begin()`.
   */
  refuse(transport: ShedTransport, res: ServerResponse): boolean {
    const reason = this.overload();
    if (reason === undefined) return false;
    this.#shed(transport, reason);
    const body = "server busy, retry later\n";
    res.shouldKeepAlive = false;
    res.writeHead(503, [
      "content-type",
      "text/plain; charset=utf-8",
      "content-length",
      String(body.length),
      "retry-after",
      this.#retryAfter,
      "connection",
      "close",
    ]);
    res.end(body);
    // The request body, if any, is not read: the connection closes after the answer.
    res.req.resume();
    return true;
  }

  /**
   * Admission for a transport without a response object (TFTP): undefined = admitted, call
   * `done()` when answered; else the reason it was refused (counted here).
   */
  admit(transport: ShedTransport): { done(): void } | ShedReason {
    const reason = this.overload();
    if (reason !== undefined) {
      this.#shed(transport, reason);
      return reason;
    }
    return this.begin();
  }

  /** Counts the process's work on an admitted request, until `done()` (call it once). */
  begin(): { done(): void } {
    return this.#inFlight.add(this.#now());
  }

  /** Stops sampling and ends a shedding episode with its summary. */
  close(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#endEpisode();
  }

  #shed(transport: ShedTransport, reason: ShedReason): void {
    const key = `${transport}\u0000${reason}`;
    const tally = this.#tallies.get(key);
    if (tally === undefined) this.#tallies.set(key, { labels: { transport, reason }, n: 1 });
    else tally.n++;
    const now = this.#now();
    if (this.#episode === undefined) {
      this.#episode = { start: now, refused: 0, lastSummary: now, since: 0 };
      this.#logger.warn(
        {
          security: "load-shed",
          reason,
          eventLoopDelayMs: Math.round(this.#loopDelayMs),
          inFlight: this.#inFlight.size,
          retryAfterSeconds: this.settings.retryAfterSeconds,
        },
        `device plane overloaded (${reason}): new requests are answered 503 / TFTP error until it recovers`,
      );
    }
    this.#episode.refused++;
    this.#episode.since++;
  }

  #startSampling(): void {
    this.#expected = this.#now() + this.#sampleMs;
    this.#timer = setInterval(() => this.#sample(), this.#sampleMs);
    this.#timer.unref();
  }

  #sample(): void {
    const now = this.#now();
    const lag = Math.max(0, now - this.#expected);
    this.#expected = now + this.#sampleMs;
    this.#lags[this.#lagIndex] = lag;
    this.#lagIndex = (this.#lagIndex + 1) % SUSTAINED_SAMPLES;
    let min = Number.POSITIVE_INFINITY;
    for (const l of this.#lags) if (l < min) min = l;
    this.#loopDelayMs = min;
    const episode = this.#episode;
    if (episode === undefined) return;
    if (this.overload() === undefined) {
      this.#endEpisode();
      return;
    }
    if (now - episode.lastSummary >= this.#summaryMs) {
      this.#logger.warn(
        {
          security: "load-shed",
          refused: episode.since,
          eventLoopDelayMs: Math.round(min),
          inFlight: this.#inFlight.size,
        },
        `still overloaded: ${episode.since} device requests refused in the last ${Math.round((now - episode.lastSummary) / 1000)} s`,
      );
      episode.lastSummary = now;
      episode.since = 0;
    }
  }

  #endEpisode(): void {
    const episode = this.#episode;
    if (episode === undefined) return;
    this.#episode = undefined;
    this.#logger.warn(
      {
        security: "load-shed",
        refused: episode.refused,
        seconds: Math.round((this.#now() - episode.start) / 100) / 10,
      },
      `device plane recovered: ${episode.refused} device requests were refused while overloaded`,
    );
  }

  #register(registry: Registry): void {
    const self = this;
    const registers = [registry];
    new Counter({
      name: "provisio_load_shed_total",
      help: "Device requests refused (503 / TFTP error) because the process was overloaded, by transport and signal",
      labelNames: ["transport", "reason"],
      registers,
      collect() {
        for (const tally of self.#tallies.values()) {
          if (tally.n === 0) continue;
          this.inc(tally.labels, tally.n);
          tally.n = 0;
        }
      },
    });
    new Gauge({
      name: "provisio_load_shedding",
      help: "Processes refusing new device requests because they are overloaded",
      registers,
      collect() {
        this.set(self.#episode === undefined ? 0 : 1);
      },
    });
    new Gauge({
      name: "provisio_requests_in_flight",
      help: "Device requests being answered (admitted, not yet closed)",
      registers,
      collect() {
        this.set(self.#inFlight.size);
      },
    });
  }
}
