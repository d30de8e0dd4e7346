/**
 * Long-running admin operations (bulk imports): started by a request that answers
 * `202 {operation}` at once, then polled at `GET /api/v1/operations/{id}`.
 *
 * Operations live in the memory of the node that runs them (the rows they commit are in the
 * database, so nothing is lost with a restart but the progress report). Finished operations
 * are kept for an hour, at most `maxFinished` of them.
 */
import { randomUUID } from "node:crypto";
import type { ImportLineError, ImportProgress, PushProgress } from "../admin/index.ts";
import { isProvisioError } from "../errors.ts";

export type OperationStatus = "running" | "succeeded" | "failed";

export interface Operation {
  readonly id: string;
  readonly kind: string;
  status: OperationStatus;
  /** Tenant the operation works on (visibility); null = installation-wide. */
  readonly tenantId: string | null;
  readonly startedAt: Date;
  finishedAt: Date | null;
  progress: ImportProgress;
  errors: ImportLineError[];
  error: { code: string; message: string } | null;
  /** A push operation's progress and per-device results (`progress` is for imports). */
  push?: PushProgress;
  /** Aborted when the registry shuts down; long operations check it between steps. */
  readonly signal: AbortSignal;
}

export interface OperationRegistryOptions {
  readonly maxFinished?: number;
  readonly keepFinishedMs?: number;
  readonly now?: () => number;
}

export class OperationRegistry {
  readonly #operations = new Map<string, Operation>();
  readonly #maxFinished: number;
  readonly #keepMs: number;
  readonly #now: () => number;
  readonly #running = new Set<Promise<unknown>>();
  readonly #abort = new AbortController();

  constructor(options: OperationRegistryOptions = {}) {
    this.#maxFinished = options.maxFinished ?? 100;
    this.#keepMs = options.keepFinishedMs ?? 3_600_000;
    this.#now = options.now ?? Date.now;
  }

  /** Starts `run` in the background; it reports through the operation it is given. */
  start(
    kind: string,
    tenantId: string | null,
    run: (operation: Operation) => Promise<void>,
  ): Operation {
    this.#prune();
    const operation: Operation = {
      id: randomUUID(),
      kind,
      status: "running",
      tenantId,
      startedAt: new Date(this.#now()),
      finishedAt: null,
      progress: { rowsRead: 0, committed: 0, rejected: 0, lastCommittedLine: null },
      errors: [],
      error: null,
      signal: this.#abort.signal,
    };
    this.#operations.set(operation.id, operation);
    const task = run(operation).then(
      () => {
        operation.finishedAt = new Date(this.#now());
        operation.status = "succeeded";
      },
      (error: unknown) => {
        operation.finishedAt = new Date(this.#now());
        operation.status = "failed";
        operation.error = isProvisioError(error)
          ? { code: error.code, message: error.message }
          : { code: "API_INTERNAL", message: "the operation failed; see the server log" };
      },
    );
    const tracked = task.finally(() => {
      this.#running.delete(tracked);
    });
    this.#running.add(tracked);
    return operation;
  }

  get(id: string): Operation | undefined {
    return this.#operations.get(id);
  }

  /** Operations of this kind still running (for one tenant when given). */
  running(kind: string, tenantId?: string | null): number {
    let n = 0;
    for (const o of this.#operations.values()) {
      if (o.kind !== kind || o.status !== "running") continue;
      if (tenantId === undefined || o.tenantId === tenantId) n++;
    }
    return n;
  }

  /**
   * Forgets the finished operations of this kind beyond the newest `keep` (kinds whose
   * results are large: a push keeps one result per device).
   */
  forgetFinished(kind: string, keep: number): void {
    const finished = [...this.#operations.values()].filter(
      (o) => o.kind === kind && o.finishedAt !== null,
    );
    for (const o of finished.slice(0, Math.max(0, finished.length - keep))) {
      this.#operations.delete(o.id);
    }
  }

  /** Asks running operations to stop, and waits for them (graceful shutdown). */
  async close(): Promise<void> {
    this.#abort.abort();
    await this.settled();
  }

  /** Waits for every running operation (tests). */
  async settled(): Promise<void> {
    while (this.#running.size > 0) await Promise.all([...this.#running]);
  }

  #prune(): void {
    const finished = [...this.#operations.values()].filter((o) => o.finishedAt !== null);
    const cutoff = this.#now() - this.#keepMs;
    let excess = finished.length - this.#maxFinished;
    for (const operation of finished) {
      if (excess > 0 || (operation.finishedAt?.getTime() ?? 0) < cutoff) {
        this.#operations.delete(operation.id);
        excess--;
      }
    }
  }
}

export function operationJson(o: Operation) {
  return {
    id: o.id,
    kind: o.kind,
    status: o.status,
    tenantId: o.tenantId,
    startedAt: o.startedAt.toISOString(),
    finishedAt: o.finishedAt === null ? null : o.finishedAt.toISOString(),
    progress: { ...o.progress },
    errors: o.errors.slice(0, 1000),
    error: o.error,
    ...(o.push === undefined
      ? {}
      : { push: { ...o.push, outcomes: { ...o.push.outcomes }, results: [...o.push.results] } }),
  };
}
