/** The load-shedding settings and their defaults, apart from the shedder so reading the configuration loads no metrics library. */
export interface LoadSheddingSettings {
  /** `shedding.enabled` (default true). */
  readonly enabled: boolean;
  /** Refuse while the event loop lags more than this (ms; default 1,000), three samples running. */
  readonly maxEventLoopDelayMs: number;
  /** Refuse while this many requests are in flight in the process (default 1,000). */
  readonly maxInFlight: number;
  /** Refuse while the oldest request in flight is older than this (ms; default 5,000). */
  readonly maxQueueAgeMs: number;
  /** Retry-After of the 503 (seconds; default 60). */
  readonly retryAfterSeconds: number;
}

export const DEFAULT_LOAD_SHEDDING: LoadSheddingSettings = {
  enabled: true,
  maxEventLoopDelayMs: 1_000,
  maxInFlight: 1_000,
  maxQueueAgeMs: 5_000,
  retryAfterSeconds: 60,
};
