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
 * The resync counters and the duration histogram are counted in plain numbers on the request
 * path and handed to prom-client when scraped (its per-call label hashing cost more than the
 * rest of a warm resync's bookkeeping).
 */
import {
  Counter,
  collectDefaultMetrics,
  Gauge,
  Histogram,
  type LabelValues,
  type MetricValueWithName,
  Registry,
} from "prom-client";

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

const DURATION_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

const DURATION_HELP = "Time from request to response handed to the transport";

/** One transport's durations: counts per bucket (not cumulative), sum, count. */
interface DurationTally {
  readonly buckets: Float64Array;
  sum: number;
  count: number;
}

/** Resyncs of one (transport, result) not yet handed to prom-client. */
interface ResyncTally {
  readonly labels: { transport: Transport; result: ResyncResult };
  pending: number;
}

/**
 * `provisio_resync_duration_seconds`, observed into plain arrays (see {@link ServerMetrics})
 * and exported in prom-client's format when scraped or merged.
 */
class DurationHistogram extends Histogram<"transport"> {
  readonly tallies = new Map<Transport, DurationTally>();

  tally(transport: Transport): DurationTally {
    let t = this.tallies.get(transport);
    if (t === undefined) {
      t = { buckets: new Float64Array(DURATION_BUCKETS.length), sum: 0, count: 0 };
      this.tallies.set(transport, t);
    }
    return t;
  }

  /**
   * What prom-client's `get` (JSON, cluster merge) and text export read: the tallies in its
   * histogram format (cumulative buckets, `+Inf`, sum, count).
   */
  async getForPromString(): Promise<{
    name: string;
    help: string;
    type: "histogram";
    aggregator: "sum";
    values: MetricValueWithName<"transport">[];
  }> {
    const values: MetricValueWithName<"transport">[] = [];
    // prom-client's shape: own labels (`le`) and shared ones (the metric's labels) apart.
    const value = (
      own: Record<string, string | number>,
      transport: Transport,
      v: number,
      suffix: string,
    ) =>
      values.push({
        labels: own as LabelValues<"transport">,
        sharedLabels: { transport },
        value: v,
        metricName: `${METRIC_NAMES.resyncDuration}${suffix}`,
      } as MetricValueWithName<"transport">);
    for (const [transport, t] of this.tallies) {
      let cumulative = 0;
      DURATION_BUCKETS.forEach((le, i) => {
        cumulative += t.buckets[i]!;
        value({ le }, transport, cumulative, "_bucket");
      });
      value({ le: "+Inf" }, transport, t.count, "_bucket");
      value({}, transport, t.sum, "_sum");
      value({}, transport, t.count, "_count");
    }
    return {
      name: METRIC_NAMES.resyncDuration,
      help: DURATION_HELP,
      type: "histogram",
      aggregator: "sum",
      values,
    };
  }

  override reset(): void {
    // Also called by prom-client's constructor, before this class's fields exist.
    (this.tallies as Map<Transport, DurationTally> | undefined)?.clear();
    super.reset();
  }
}

export class ServerMetrics {
  readonly registry: Registry;
  readonly #duration: DurationHistogram;
  readonly #security: Counter<"reason">;
  readonly #throttled: Counter<"transport">;
  readonly #scans: Counter;
  readonly #flushes: Counter<"result">;
  readonly #tftpTransfers: Counter<"kind" | "outcome">;
  readonly #tftpBytes: Counter<"kind">;
  readonly #tftpRetransmits: Counter;
  readonly #tftpQueue: Histogram;
  #tftpCurrent: () => { active: number; queued: number } = () => ({ active: 0, queued: 0 });
  readonly #resyncTallies = new Map<Transport, Map<ResyncResult, ResyncTally>>();
  #hits = 0;
  #misses = 0;
  #hitsExported = 0;
  #missesExported = 0;
  #cacheSize: () => number = () => 0;
  #cacheBytes: () => number = () => 0;
  #pending: () => { status: number; event: number } = () => ({ status: 0, event: 0 });

  constructor(options: { registry?: Registry; defaultMetrics?: boolean } = {}) {
    this.registry = options.registry ?? new Registry();
    // prom-client samples the event-loop delay every 10 ms by default: 100 wake-ups a second
    // per idle process, each a context switch on a busy machine (D44). 100 ms is plenty for a
    // lag histogram; load shedding has its own sampler.
    if (options.defaultMetrics !== false)
      collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: 100 });
    const registers = [this.registry];
    const self = this;
    new Counter({
      name: METRIC_NAMES.resyncs,
      help: "Resync requests answered, by transport and result",
      labelNames: ["transport", "result"],
      registers,
      collect() {
        for (const byResult of self.#resyncTallies.values()) {
          for (const tally of byResult.values()) {
            if (tally.pending === 0) continue;
            this.inc(tally.labels, tally.pending);
            tally.pending = 0;
          }
        }
      },
    });
    this.#duration = new DurationHistogram({
      name: METRIC_NAMES.resyncDuration,
      help: DURATION_HELP,
      labelNames: ["transport"],
      buckets: DURATION_BUCKETS,
      registers,
    });
    new Counter({
      name: METRIC_NAMES.cacheRequests,
      help: "Rendered-profile cache lookups, by result",
      labelNames: ["result"],
      registers,
      collect() {
        if (self.#hits > self.#hitsExported)
          this.inc({ result: "hit" }, self.#hits - self.#hitsExported);
        if (self.#misses > self.#missesExported)
          this.inc({ result: "miss" }, self.#misses - self.#missesExported);
        self.#hitsExported = self.#hits;
        self.#missesExported = self.#misses;
      },
    });
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
    let byResult = this.#resyncTallies.get(transport);
    if (byResult === undefined) {
      byResult = new Map();
      this.#resyncTallies.set(transport, byResult);
    }
    let tally = byResult.get(result);
    if (tally === undefined) {
      tally = { labels: { transport, result }, pending: 0 };
      byResult.set(result, tally);
    }
    tally.pending++;
    const duration = this.#duration.tally(transport);
    let i = 0;
    while (i < DURATION_BUCKETS.length && seconds > DURATION_BUCKETS[i]!) i++;
    if (i < DURATION_BUCKETS.length) duration.buckets[i]!++;
    duration.sum += seconds;
    duration.count++;
  }

  cacheLookup(hit: boolean): void {
    if (hit) this.#hits++;
    else this.#misses++;
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
