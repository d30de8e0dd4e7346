import { type Kysely, sql } from "kysely";
import type { Database } from "../schema.ts";

/**
 * Other processes (the CLI, a second server) write the same file; SQLite cannot push, so poll
 * the one-row revision table (a primary-key read, microseconds) and wake the change feed when
 * it moved.
 */
export function watchSqlite(
  db: Kysely<Database>,
  wake: () => void,
  intervalMs: number,
): () => Promise<void> {
  let last = -1;
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    sql<{ value: number }>`select value from revision where id = 1`
      .execute(db)
      .then((result) => {
        const value = result.rows[0]?.value ?? 0;
        if (value !== last) {
          last = value;
          wake();
        }
      })
      .catch(() => {
        // Database closing or busy: try again next tick.
      })
      .finally(() => {
        busy = false;
      });
  }, intervalMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
  };
}
