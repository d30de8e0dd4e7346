/**
 * What a fleet run counts: every fetch the units make (wall-clock latency as the device
 * sees it, outcome, HTTP status of a refusal) and every resync (ok / failed, cause), in
 * totals and per virtual-time bucket for the report's charts. Pure bookkeeping.
 */

export type FetchOutcome = "ok" | "not-found" | "failed";

export interface FetchSample {
  /** Virtual time the answer came, epoch ms. */
  readonly at: number;
  readonly latencyMs: number;
  readonly outcome: FetchOutcome;
  /** HTTP status of a non-2xx answer (503, 429, 404…), when there was one. */
  readonly status?: number;
  readonly scheme: string;
}

export interface Bucket {
  /** Bucket start, ms since the run's start (virtual). */
  readonly startMs: number;
  fetches: number;
  fetchFailures: number;
  resyncsOk: number;
  resyncsFailed: number;
  overloaded: number;
  latencySumMs: number;
  latencyMaxMs: number;
  /** Latencies of this bucket, for its p99. */
  latencies: number[];
}

export interface LatencySummary {
  readonly count: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
  readonly mean: number;
}

/** The p-th percentile (0–100) of sorted values, nearest rank; 0 for none. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export function summarizeLatencies(values: Float64Array): LatencySummary {
  const sorted = values.slice().sort();
  let sum = 0;
  for (const v of sorted) sum += v;
  return {
    count: sorted.length,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted.length === 0 ? 0 : sorted[sorted.length - 1]!,
    mean: sorted.length === 0 ? 0 : sum / sorted.length,
  };
}

export class FleetStats {
  private latencies = new Float64Array(4096);
  private latencyCount = 0;
  readonly buckets: Bucket[] = [];
  readonly statuses = new Map<number, number>();
  readonly fetchOutcomes = new Map<FetchOutcome, number>();
  readonly resyncErrors = new Map<string, number>();
  readonly resyncCauses = new Map<string, number>();
  resyncsOk = 0;
  resyncsFailed = 0;
  fetches = 0;

  constructor(
    readonly startMs: number,
    readonly bucketMs: number,
  ) {}

  private bucket(at: number): Bucket {
    const index = Math.max(0, Math.floor((at - this.startMs) / this.bucketMs));
    while (this.buckets.length <= index) {
      this.buckets.push({
        startMs: this.buckets.length * this.bucketMs,
        fetches: 0,
        fetchFailures: 0,
        resyncsOk: 0,
        resyncsFailed: 0,
        overloaded: 0,
        latencySumMs: 0,
        latencyMaxMs: 0,
        latencies: [],
      });
    }
    return this.buckets[index]!;
  }

  addFetch(sample: FetchSample): void {
    this.fetches++;
    if (this.latencyCount === this.latencies.length) {
      const bigger = new Float64Array(this.latencies.length * 2);
      bigger.set(this.latencies);
      this.latencies = bigger;
    }
    this.latencies[this.latencyCount++] = sample.latencyMs;
    this.fetchOutcomes.set(sample.outcome, (this.fetchOutcomes.get(sample.outcome) ?? 0) + 1);
    if (sample.status !== undefined) {
      this.statuses.set(sample.status, (this.statuses.get(sample.status) ?? 0) + 1);
    }
    const b = this.bucket(sample.at);
    b.fetches++;
    if (sample.outcome !== "ok") b.fetchFailures++;
    if (sample.status === 503 || sample.status === 429) b.overloaded++;
    b.latencySumMs += sample.latencyMs;
    if (sample.latencyMs > b.latencyMaxMs) b.latencyMaxMs = sample.latencyMs;
    b.latencies.push(sample.latencyMs);
  }

  addResync(at: number, ok: boolean, cause: string, err: string): void {
    const b = this.bucket(at);
    if (ok) {
      this.resyncsOk++;
      b.resyncsOk++;
    } else {
      this.resyncsFailed++;
      b.resyncsFailed++;
      const key = err === "" ? "(no $ERR)" : err;
      this.resyncErrors.set(key, (this.resyncErrors.get(key) ?? 0) + 1);
    }
    this.resyncCauses.set(cause, (this.resyncCauses.get(cause) ?? 0) + 1);
  }

  latencySummary(): LatencySummary {
    return summarizeLatencies(this.latencies.subarray(0, this.latencyCount));
  }

  /** Per bucket p50/p99, then drops the per-bucket samples (the report needs only these). */
  bucketPercentiles(): { p50: number; p99: number }[] {
    return this.buckets.map((b) => {
      const sorted = Float64Array.from(b.latencies).sort();
      return { p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
    });
  }
}
