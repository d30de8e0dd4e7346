/**
 * The units' transport, measured: wraps a `ProfileFetcher` and hands each fetch's wall-clock
 * latency, outcome and refusal status to the fleet's statistics.
 */
import type { FetchRequest, FetchResult, ProfileFetcher } from "../device/index.ts";
import type { FetchSample } from "./fleet_stats.ts";

/** The HTTP status in a failure's detail (`HTTP 503 from …`, `404 from …`). */
export function statusOf(result: FetchResult): number | undefined {
  if (result.kind === "ok") return undefined;
  const m = /(?:^|HTTP )(\d{3}) from /.exec(result.detail);
  return m === null ? undefined : Number(m[1]);
}

export function measuringFetcher(
  inner: ProfileFetcher,
  now: () => number,
  record: (sample: FetchSample) => void,
): ProfileFetcher {
  const measure = async (
    request: FetchRequest,
    run: () => Promise<FetchResult>,
  ): Promise<FetchResult> => {
    const started = performance.now();
    const result = await run();
    const status = statusOf(result);
    record({
      at: now(),
      latencyMs: performance.now() - started,
      outcome: result.kind,
      scheme: request.scheme,
      ...(status === undefined ? {} : { status }),
    });
    return result;
  };
  return {
    resolve: (host) => inner.resolve(host),
    fetch: (request) => measure(request, () => inner.fetch(request)),
    put: (request, data) => measure(request, () => inner.put(request, data)),
  };
}
