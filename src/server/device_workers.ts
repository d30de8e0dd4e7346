/**
 * Device-plane workers: `provisio serve` on every core.
 *
 * With `workers` > 1 the process started by the operator becomes the primary: it bootstraps
 * the data directory, opens the store (migrations), runs the admin listener, TFTP and event
 * retention, and forks the workers through `node:cluster`. Each worker is a device-plane node
 * of its own — HTTP and HTTPS on the shared listening sockets (the primary accepts and hands
 * connections out round-robin), its own store connection, caches and change feed (the store
 * keeps several processes in sync: SQLite's revision poll, PostgreSQL's LISTEN/NOTIFY), and
 * its own batched status writes. `/metrics` on the admin listener merges every process's
 * metrics (prom-client's cluster aggregation). A worker that dies is forked again; the others
 * keep serving meanwhile, so the node never stops answering.
 *
 * Messages between the processes carry a `provisio` field naming their kind.
 */
import cluster, { type Worker } from "node:cluster";
import type { AddressInfo } from "node:net";
import type { Logger } from "pino";
import { AggregatorRegistry, Registry } from "prom-client";
import { serverError } from "./errors.ts";

/** A worker's addresses, sent once it listens. */
export interface WorkerReady {
  readonly provisio: "ready";
  readonly http: AddressInfo | undefined;
  readonly https: AddressInfo | undefined;
}

interface WorkerFailed {
  readonly provisio: "failed";
  readonly code: string;
  readonly message: string;
}

interface MetricsRequest {
  readonly provisio: "metrics";
  readonly id: number;
}

interface MetricsReply {
  readonly provisio: "metrics";
  readonly id: number;
  readonly metrics: MetricsJson;
}

/** One process's metrics, as `Registry#getMetricsAsJSON` gives them. */
type MetricsJson = Awaited<ReturnType<Registry["getMetricsAsJSON"]>>;

/** The primary's HTTPS session-ticket keys (base64 of 48 bytes), shared by every worker. */
export interface TicketKeysMessage {
  readonly provisio: "ticket-keys";
  readonly keys: string;
}

type WorkerMessage = WorkerReady | WorkerFailed | MetricsReply;

function isWorkerMessage(value: unknown): value is WorkerMessage {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { provisio?: unknown }).provisio === "string"
  );
}

/** True in a process forked by the primary. */
export function isDeviceWorker(): boolean {
  return cluster.isWorker;
}

/**
 * A registry whose `metrics()` merges its own metrics (the primary's: admin API, TFTP) with
 * every live worker's: counters and histograms add up, gauges add up unless they say
 * otherwise (`aggregator`).
 */
export class ClusterRegistry extends Registry {
  #ask: (() => Promise<MetricsJson[]>) | undefined;

  /** Wires the question to the workers (the pool does it once started). */
  askWorkersWith(ask: () => Promise<MetricsJson[]>): void {
    this.#ask = ask;
  }

  override async metrics(): Promise<string> {
    const own = await this.getMetricsAsJSON();
    const workers = this.#ask === undefined ? [] : await this.#ask();
    return AggregatorRegistry.aggregate([own, ...workers]).metrics();
  }
}

export interface WorkerPoolOptions {
  readonly count: number;
  readonly logger: Logger;
  /** A worker that does not answer a metrics request within this time is left out. */
  readonly metricsTimeoutMs?: number;
  /** Called when a worker (a first one or a replacement) listens, with a way to message it. */
  readonly onWorkerReady?: (send: (message: TicketKeysMessage) => void) => void;
}

export interface WorkerPool {
  /** The first worker's addresses (all workers share the listeners). */
  readonly addresses: Pick<WorkerReady, "http" | "https">;
  /** Live workers' process ids. */
  pids(): number[];
  /** Every live worker's metrics. */
  metrics(): Promise<MetricsJson[]>;
  /** Sends a message to every live worker. */
  broadcast(message: TicketKeysMessage): void;
  /** Stops restarting; SIGTERM to each worker (graceful), resolves when all exited. */
  close(): Promise<void>;
}

/**
 * Forks `count` workers and waits until all of them listen. A worker failing to start fails
 * the start (its reason, e.g. a port in use, becomes the error); a worker exiting later is
 * forked again, after a pause growing with repeated crashes.
 */
export async function startWorkerPool(options: WorkerPoolOptions): Promise<WorkerPool> {
  const { count, logger } = options;
  const metricsTimeoutMs = options.metricsTimeoutMs ?? 2_000;
  let closing = false;
  let nextRequest = 0;
  const pending = new Map<
    number,
    { workers: Set<number>; replies: MetricsJson[]; done: () => void }
  >();
  let crashes = 0;
  let lastCrash = 0;

  const onMessage = (worker: Worker, message: unknown): void => {
    if (!isWorkerMessage(message)) return;
    if (message.provisio === "ready") {
      options.onWorkerReady?.((m) => worker.send(m));
      return;
    }
    if (message.provisio !== "metrics") return;
    const request = pending.get(message.id);
    if (request === undefined || !request.workers.delete(worker.id)) return;
    request.replies.push(message.metrics);
    if (request.workers.size === 0) request.done();
  };

  const fork = (): Worker => {
    const worker = cluster.fork({ PROVISIO_WORKER: "1" });
    worker.on("message", (message: unknown) => onMessage(worker, message));
    return worker;
  };

  const started = await new Promise<WorkerReady>((resolve, reject) => {
    let ready = 0;
    let first: WorkerReady | undefined;
    let failed = false;
    for (let i = 0; i < count; i++) {
      const worker = fork();
      const onStartMessage = (message: unknown): void => {
        if (!isWorkerMessage(message) || failed) return;
        if (message.provisio === "failed") {
          failed = true;
          cleanup();
          reject(
            serverError(
              message.code === "SERVER_LISTEN_FAILED"
                ? "SERVER_LISTEN_FAILED"
                : "SERVER_WORKER_FAILED",
              message.message,
            ),
          );
        } else if (message.provisio === "ready") {
          worker.off("message", onStartMessage);
          worker.off("exit", onStartExit);
          first ??= message;
          if (++ready === count) resolve(first);
        }
      };
      const onStartExit = (code: number | null, signal: string | null): void => {
        if (failed) return;
        failed = true;
        cleanup();
        reject(
          serverError(
            "SERVER_WORKER_FAILED",
            `a device-plane worker exited while starting (${signal ?? `exit code ${code}`})`,
          ),
        );
      };
      worker.on("message", onStartMessage);
      worker.once("exit", onStartExit);
    }
    const cleanup = (): void => {
      closing = true;
      for (const w of Object.values(cluster.workers ?? {})) w?.process.kill("SIGTERM");
    };
  });

  cluster.on("exit", (worker, code, signal) => {
    for (const request of pending.values()) {
      if (request.workers.delete(worker.id) && request.workers.size === 0) request.done();
    }
    if (closing) return;
    const now = Date.now();
    // Crashes close together back off (up to 30 s): a worker that cannot start does not spin.
    crashes = now - lastCrash < 60_000 ? crashes + 1 : 0;
    lastCrash = now;
    const delayMs = Math.min(30_000, 100 * 2 ** Math.min(crashes, 9));
    logger.error(
      { worker: worker.process.pid, code, signal, restartInMs: delayMs },
      "device-plane worker exited; starting another",
    );
    setTimeout(() => {
      if (!closing) fork();
    }, delayMs).unref();
  });

  const live = (): Worker[] =>
    Object.values(cluster.workers ?? {}).filter(
      (w): w is Worker => w !== undefined && w.isConnected() && !w.isDead(),
    );

  return {
    addresses: { http: started.http, https: started.https },
    pids: () => live().map((w) => w.process.pid ?? 0),
    broadcast: (message) => {
      for (const w of live()) w.send(message);
    },
    metrics: () => {
      const workers = live();
      if (workers.length === 0) return Promise.resolve([]);
      const id = nextRequest++;
      return new Promise((resolve) => {
        const replies: MetricsJson[] = [];
        const done = (): void => {
          clearTimeout(timer);
          pending.delete(id);
          resolve(replies);
        };
        const timer = setTimeout(done, metricsTimeoutMs);
        pending.set(id, { workers: new Set(workers.map((w) => w.id)), replies, done });
        const request: MetricsRequest = { provisio: "metrics", id };
        for (const w of workers) w.send(request);
      });
    },
    close: async () => {
      closing = true;
      const workers = Object.values(cluster.workers ?? {}).filter(
        (w): w is Worker => w !== undefined && !w.isDead(),
      );
      await Promise.all(
        workers.map(
          (w) =>
            new Promise<void>((resolve) => {
              w.once("exit", () => resolve());
              w.process.kill("SIGTERM");
            }),
        ),
      );
    },
  };
}

/** Worker side: answers the primary's metrics requests from this registry. */
export function answerMetricsRequests(registry: Registry): () => void {
  const onMessage = (message: unknown): void => {
    if (!isWorkerMessage(message) || message.provisio !== "metrics") return;
    const { id } = message;
    registry.getMetricsAsJSON().then(
      (metrics) => process.send?.({ provisio: "metrics", id, metrics } satisfies MetricsReply),
      () => process.send?.({ provisio: "metrics", id, metrics: [] } satisfies MetricsReply),
    );
  };
  process.on("message", onMessage);
  return () => process.off("message", onMessage);
}

/** Worker side: applies the primary's session-ticket keys as they come. */
export function receiveTicketKeys(apply: (keys: Buffer) => void): () => void {
  const onMessage = (message: unknown): void => {
    if (typeof message !== "object" || message === null) return;
    const m = message as Partial<TicketKeysMessage>;
    if (m.provisio !== "ticket-keys" || typeof m.keys !== "string") return;
    apply(Buffer.from(m.keys, "base64"));
  };
  process.on("message", onMessage);
  return () => process.off("message", onMessage);
}

/** Worker side: tells the primary it listens. */
export function reportReady(ready: Omit<WorkerReady, "provisio">): void {
  process.send?.({ provisio: "ready", ...ready } satisfies WorkerReady);
}

/** Worker side: tells the primary it could not start (then exits). */
export function reportFailed(error: unknown): void {
  const code =
    typeof error === "object" &&
    error !== null &&
    typeof (error as { code?: unknown }).code === "string"
      ? (error as { code: string }).code
      : "SERVER_WORKER_FAILED";
  const message = error instanceof Error ? error.message : String(error);
  process.send?.({ provisio: "failed", code, message } satisfies WorkerFailed);
}
