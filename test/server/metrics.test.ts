/**
 * The device plane's resync metrics are counted in plain numbers and exported when scraped:
 * what a scrape (and the cluster merge) sees equals what prom-client's own counter and
 * histogram give for the same requests.
 */
import { AggregatorRegistry, Counter, Histogram, Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { METRIC_NAMES, ServerMetrics } from "../../src/server/index.ts";

const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
const REQUESTS = [
  ["http", "ok", 0.0002],
  ["http", "ok", 0.0005],
  ["http", "not-modified", 0.003],
  ["https", "ok", 0.07],
  ["http", "not-found", 4],
  ["tftp", "ok", 1],
] as const;

async function values(registry: Registry, name: string) {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  return (metric?.values ?? [])
    .map((v) => {
      const metricName = (v as { metricName?: string }).metricName ?? name;
      return JSON.stringify([metricName, v.labels, v.value]);
    })
    .sort();
}

function reference(): Registry {
  const registry = new Registry();
  const counter = new Counter({
    name: METRIC_NAMES.resyncs,
    help: "h",
    labelNames: ["transport", "result"],
    registers: [registry],
  });
  const histogram = new Histogram({
    name: METRIC_NAMES.resyncDuration,
    help: "h",
    labelNames: ["transport"],
    buckets: BUCKETS,
    registers: [registry],
  });
  for (const [transport, result, seconds] of REQUESTS) {
    counter.labels(transport, result).inc();
    histogram.labels(transport).observe(seconds);
  }
  return registry;
}

describe("resync metrics", () => {
  it("export what prom-client's counter and histogram export for the same requests", async () => {
    const metrics = new ServerMetrics({ defaultMetrics: false });
    for (const [transport, result, seconds] of REQUESTS) metrics.resync(transport, result, seconds);
    const expected = reference();
    for (const name of [METRIC_NAMES.resyncs, METRIC_NAMES.resyncDuration]) {
      expect(await values(metrics.registry, name)).toEqual(await values(expected, name));
    }
    // A second scrape does not count the same requests twice.
    metrics.resync("http", "ok", 0.0001);
    const text = await metrics.registry.metrics();
    expect(text).toContain('provisio_resyncs_total{transport="http",result="ok"} 3');
    expect(text).toContain('provisio_resync_duration_seconds_count{transport="http"} 5');
  });

  it("merge across processes into sums", async () => {
    const a = new ServerMetrics({ defaultMetrics: false });
    const b = new ServerMetrics({ defaultMetrics: false });
    a.resync("http", "ok", 0.002);
    b.resync("http", "ok", 0.02);
    b.cacheLookup(true);
    const merged = AggregatorRegistry.aggregate([
      await a.registry.getMetricsAsJSON(),
      await b.registry.getMetricsAsJSON(),
    ]);
    const text = await merged.metrics();
    expect(text).toContain('provisio_resyncs_total{transport="http",result="ok"} 2');
    expect(text).toContain(
      'provisio_resync_duration_seconds_bucket{le="0.0025",transport="http"} 1',
    );
    expect(text).toContain(
      'provisio_resync_duration_seconds_bucket{le="0.025",transport="http"} 2',
    );
    expect(text).toContain('provisio_profile_cache_requests_total{result="hit"} 1');
  });
});
