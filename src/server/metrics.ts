/**
 * Prometheus metrics of the device plane, in one prom-client `Registry` the admin listener
 * exposes at `/metrics`.
 *
 * | name | type | labels |
 * | --- | --- | --- |
 * | `provisio_resyncs_total` | counter | `transport` (tftp/http/https), `result` |
 * | `provisio_resync_duration_seconds` | histogram | `transport` |
 * | `provisio_profile_cache_requests_total` | counter | `result` (hit/miss) |
 * | `provisio_profile_cache_hit_ratio` | gauge (computed at scrape) | — |
 * | `provisio_profile_cache_entries` | gauge | — |
 * | `provisio_profile_cache_bytes` | gauge | — (memory the cached profiles take, estimated) |
 * | `provisio_pending_writes` | gauge | `kind` (status/event) |
 * | `provisio_write_flushes_total` | counter | `result` (ok/error) |
 * | `provisio_security_events_total` | counter | `reason` |
 * | `provisio_throttled_requests_total` | counter | `transport` (answered 429 by the miss throttle) |
 * | `provisio_scans_total` | counter | — (scans detected: one per throttled source and run) |
 * | `provisio_tftp_transfers_total` | counter | `kind` (read/write), `outcome` |
 * | `provisio_tftp_bytes_total` | counter | `kind` |
 * | `provisio_tftp_retransmits_total` | counter | — |
 * | `provisio_tftp_queue_seconds` | histogram | — (wait for admission, read transfers) |
 * | `provisio_tftp_transfers` | gauge (computed at scrape) | `state` (active/queued) |
 *
 * Plus prom-client's default process metrics (`process_*`, `nodejs_*`).
 * Hot-path children are resolved once per label set and reused, so counting a resync is a
 * map lookup and an add.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

export type Transport = "tftp" | "http" | "https";

/** Results a resync can have (the `result` label, also written to the event log). */
export type ResyncResult =
  | "ok"
  | "not-modified"
  | "not-found"
  | "denied"
  | "bad-request"
  | "rate-limited"
  | "error";

export const METRIC_NAMES = {
  resyncs: "provisio_resyncs_total",
  resyncDuration: "provisio_resync_duration_seconds",
  cacheRequests: "provisio_profile_cache_requests_total",
  cacheHitRatio: "provisio_profile_cache_hit_ratio",
  cacheEntries: "provisio_profile_cache_entries",
  cacheBytes: "provisio_profile_cache_bytes",
  pendingWrites: "provisio_pending_writes",
  writeFlushes: "provisio_write_flushes_total",
  securityEvents: "provisio_security_events_total",
  throttled: "provisio_throttled_requests_total",
  scans: "provisio_scans_total",
  tftpTransfers: "provisio_tftp_transfers_total",
  tftpBytes: "provisio_tftp_bytes_total",
  tftpRetransmits: "provisio_tftp_retransmits_total",
  tftpQueue: "provisio_tftp_queue_seconds",
  tftpCurrent: "provisio_tftp_transfers",
} as const;

/** What a finished TFTP transfer reports to the metrics (a TftpTransferStats fits). */
export interface TftpTransferMetrics {
  readonly kind: "read" | "write";
  readonly outcome: string;
  readonly bytes: number;
  readonly retransmits: number;
}

interface CounterChild {
  inc(value?: number): void;
}
interface HistogramChild {
  observe(value: number): void;
}

export class ServerMetrics {
  readonly registry: Registry;
  readonly #resyncs: Counter<"transport" | "result">;
  readonly #duration: Histogram<"transport">;
  readonly #cache: Counter<"result">;
  readonly #security: Counter<"reason">;
  readonly #throttled: Counter<"transport">;
  readonly #scans: Counter;
  readonly #flushes: Counter<"result">;
  readonly #tftpTransfers: Counter<"kind" | "outcome">;
  readonly #tftpBytes: Counter<"kind">;
  readonly #tftpRetransmits: Counter;
  readonly #tftpQueue: Histogram;
  #tftpCurrent: () => { active: number; queued: number } = () => ({ active: 0, queued: 0 });
  readonly #resyncChildren = new Map<string, CounterChild>();
  readonly #durationChildren = new Map<string, HistogramChild>();
  readonly #cacheHit: CounterChild;
  readonly #cacheMiss: CounterChild;
  #hits = 0;
  #misses = 0;
  #cacheSize: () => number = () => 0;
  #cacheBytes: () => number = () => 0;
  #pending: () => { status: number; event: number } = () => ({ status: 0, event: 0 });

  constructor(options: { registry?: Registry; defaultMetrics?: boolean } = {}) {
    this.registry = options.registry ?? new Registry();
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry });
    const registers = [this.registry];
    this.#resyncs = new Counter({
      name: METRIC_NAMES.resyncs,
      help: "Resync requests answered, by transport and result",
      labelNames: ["transport", "result"],
      registers,
    });
    this.#duration = new Histogram({
      name: METRIC_NAMES.resyncDuration,
      help: "Time from request to response handed to the transport",
      labelNames: ["transport"],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
    this.#cache = new Counter({
      name: METRIC_NAMES.cacheRequests,
      help: "Rendered-profile cache lookups, by result",
      labelNames: ["result"],
      registers,
    });
    this.#cacheHit = this.#cache.labels("hit");
    this.#cacheMiss = this.#cache.labels("miss");
    const self = this;
    new Gauge({
      name: METRIC_NAMES.cacheHitRatio,
      help: "Share of rendered-profile cache lookups that hit, since start",
      registers,
      // Merged over worker processes (device_workers.ts): a ratio averages, it does not add up.
      aggregator: "average",
      collect() {
        const total = self.#hits + self.#misses;
        this.set(total === 0 ? 0 : self.#hits / total);
      },
    });
    new Gauge({
      name: METRIC_NAMES.cacheEntries,
      help: "Rendered profiles held in memory",
      registers,
      collect() {
        this.set(self.#cacheSize());
      },
    });
    new Gauge({
      name: METRIC_NAMES.cacheBytes,
      help: "Memory the rendered profiles held take (estimated; bounded by cache.profile_mb)",
      registers,
      collect() {
        this.set(self.#cacheBytes());
      },
    });
    new Gauge({
      name: METRIC_NAMES.pendingWrites,
      help: "Status and event writes waiting for the next batch",
      labelNames: ["kind"],
      registers,
      collect() {
        const p = self.#pending();
        this.labels("status").set(p.status);
        this.labels("event").set(p.event);
      },
    });
    this.#flushes = new Counter({
      name: METRIC_NAMES.writeFlushes,
      help: "Batched status/event flushes, by result",
      labelNames: ["result"],
      registers,
    });
    this.#tftpTransfers = new Counter({
      name: METRIC_NAMES.tftpTransfers,
      help: "TFTP transfers ended, by kind (read/write) and outcome",
      labelNames: ["kind", "outcome"],
      registers,
    });
    this.#tftpBytes = new Counter({
      name: METRIC_NAMES.tftpBytes,
      help: "TFTP payload bytes sent (read) or received (write)",
      labelNames: ["kind"],
      registers,
    });
    this.#tftpRetransmits = new Counter({
      name: METRIC_NAMES.tftpRetransmits,
      help: "TFTP packets sent again (timeouts, go-backs)",
      registers,
    });
    this.#tftpQueue = new Histogram({
      name: METRIC_NAMES.tftpQueue,
      help: "Time a TFTP read request waited for admission (saturated server)",
      buckets: [0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 3],
      registers,
    });
    new Gauge({
      name: METRIC_NAMES.tftpCurrent,
      help: "TFTP transfers now: active (started) and queued (waiting for admission)",
      labelNames: ["state"],
      registers,
      collect() {
        const c = self.#tftpCurrent();
        this.labels("active").set(c.active);
        this.labels("queued").set(c.queued);
      },
    });
    this.#security = new Counter({
      name: METRIC_NAMES.securityEvents,
      help: "Requests refused for security reasons (certificate mismatch, missing certificate, …)",
      labelNames: ["reason"],
      registers,
    });
    this.#throttled = new Counter({
      name: METRIC_NAMES.throttled,
      help: "Requests answered 429 without a lookup: their source made too many misses",
      labelNames: ["transport"],
      registers,
    });
    this.#scans = new Counter({
      name: METRIC_NAMES.scans,
      help: "Scans detected (a source throttled for its misses), counted when each scan ends",
      registers,
    });
  }

  /** A request from a throttled source (answered without a lookup). */
  throttled(transport: Transport): void {
    this.#throttled.labels(transport).inc();
  }

  /** A scan ended (reported once). */
  scan(): void {
    this.#scans.inc();
  }

  resync(transport: Transport, result: ResyncResult, seconds: number): void {
    const key = `${transport}|${result}`;
    let counter = this.#resyncChildren.get(key);
    if (counter === undefined) {
      counter = this.#resyncs.labels(transport, result);
      this.#resyncChildren.set(key, counter);
    }
    counter.inc();
    let histogram = this.#durationChildren.get(transport);
    if (histogram === undefined) {
      histogram = this.#duration.labels(transport);
      this.#durationChildren.set(transport, histogram);
    }
    histogram.observe(seconds);
  }

  cacheLookup(hit: boolean): void {
    if (hit) {
      this.#hits++;
      this.#cacheHit.inc();
    } else {
      this.#misses++;
      this.#cacheMiss.inc();
    }
  }

  securityEvent(reason: string): void {
    this.#security.labels(reason).inc();
  }

  flush(ok: boolean): void {
    this.#flushes.labels(ok ? "ok" : "error").inc();
  }

  /** A TFTP transfer started after waiting `queuedMs` for admission. */
  tftpStarted(queuedMs: number): void {
    this.#tftpQueue.observe(queuedMs / 1000);
  }

  tftpEnded(t: TftpTransferMetrics): void {
    this.#tftpTransfers.labels(t.kind, t.outcome).inc();
    this.#tftpBytes.labels(t.kind).inc(t.bytes);
    if (t.retransmits > 0) this.#tftpRetransmits.inc(t.retransmits);
  }

  /** Wires the gauges that read live state at scrape time. */
  observe(sources: {
    cacheSize?: () => number;
    cacheBytes?: () => number;
    pendingWrites?: () => { status: number; event: number };
    tftpTransfers?: () => { active: number; queued: number };
  }): void {
    if (sources.cacheSize) this.#cacheSize = sources.cacheSize;
    if (sources.cacheBytes) this.#cacheBytes = sources.cacheBytes;
    if (sources.pendingWrites) this.#pending = sources.pendingWrites;
    if (sources.tftpTransfers) this.#tftpCurrent = sources.tftpTransfers;
  }
}
