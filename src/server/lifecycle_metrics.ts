/**
 * Lifecycle metrics: `provisio_lifecycle_transitions_total{from,to}` (counted as they happen)
 * and `provisio_devices{lifecycle}` (devices per state, read from the database at scrape time,
 * at most once per `maxAgeMs`; devices the server never saw are `lifecycle="none"`).
 */
import { Counter, Gauge, type Registry } from "prom-client";
import { LIFECYCLE_STATES, type LifecycleState } from "../store/index.ts";

export const LIFECYCLE_METRIC_NAMES = {
  transitions: "provisio_lifecycle_transitions_total",
  devices: "provisio_devices",
} as const;

export interface LifecycleCounts {
  /** Devices per state (states with none may be missing). */
  perState(): Promise<ReadonlyMap<LifecycleState, number>>;
  /** Every device. */
  total(): Promise<number>;
}

/** Counts transitions; returns the `onTransition` callback of `DeviceLifecycles`. */
export function lifecycleTransitionCounter(
  registry: Registry,
): (from: LifecycleState | null, to: LifecycleState) => void {
  const existing = registry.getSingleMetric(LIFECYCLE_METRIC_NAMES.transitions);
  const counter =
    (existing as Counter<"from" | "to"> | undefined) ??
    new Counter({
      name: LIFECYCLE_METRIC_NAMES.transitions,
      help: "Device lifecycle transitions the server recorded, by state before and after",
      labelNames: ["from", "to"],
      registers: [registry],
    });
  return (from, to) => counter.labels(from ?? "none", to).inc();
}

/** Registers the devices-per-state gauge (once per registry). */
export function registerLifecycleGauge(
  registry: Registry,
  counts: LifecycleCounts,
  maxAgeMs = 5_000,
  now: () => number = Date.now,
): void {
  if (registry.getSingleMetric(LIFECYCLE_METRIC_NAMES.devices) !== undefined) return;
  let cached: { at: number; values: Map<string, number> } | undefined;
  new Gauge({
    name: LIFECYCLE_METRIC_NAMES.devices,
    help: "Devices per lifecycle state (none: never seen by the server)",
    labelNames: ["lifecycle"],
    registers: [registry],
    async collect() {
      const t = now();
      if (cached === undefined || t - cached.at >= maxAgeMs) {
        // A scrape must not fail because the store cannot answer (closing, unreachable): the
        // gauge keeps its last values (none before the first answer).
        const answer = await Promise.all([counts.perState(), counts.total()]).catch(() => null);
        if (answer === null) {
          for (const [state, n] of cached?.values ?? []) this.labels(state).set(n);
          return;
        }
        const [perState, total] = answer;
        const values = new Map<string, number>();
        let seen = 0;
        for (const state of LIFECYCLE_STATES) {
          const n = perState.get(state) ?? 0;
          seen += n;
          values.set(state, n);
        }
        values.set("none", Math.max(0, total - seen));
        cached = { at: t, values };
      }
      for (const [state, n] of cached.values) this.labels(state).set(n);
    },
  });
}
