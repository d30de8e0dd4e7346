/**
 * Prepared statements kept by SQL text. Kysely's SQLite driver prepares every query it runs
 * (`db.prepare(sql)` each time): for a device's first fetch that was about a third of the
 * store's CPU (docs/decisions.md, D30). Statements are reused while not busy (a streamed
 * query still iterating gets a fresh one) and the least recently used are dropped beyond
 * `max` (batched inserts make one text per row count).
 */
import type BetterSqlite3 from "better-sqlite3";
import type { SqliteDatabase, SqliteStatement } from "kysely";

export const MAX_CACHED_STATEMENTS = 256;

export function cachingStatements(
  database: BetterSqlite3.Database,
  max: number = MAX_CACHED_STATEMENTS,
): SqliteDatabase {
  const statements = new Map<string, BetterSqlite3.Statement>();
  return {
    close: () => {
      statements.clear();
      database.close();
    },
    prepare(sql: string): SqliteStatement {
      const known = statements.get(sql);
      if (known !== undefined && !known.busy) {
        // Map order is insertion order: re-inserting makes it the newest.
        statements.delete(sql);
        statements.set(sql, known);
        return known as unknown as SqliteStatement;
      }
      const statement = database.prepare(sql);
      if (known === undefined) {
        if (statements.size >= max) {
          const oldest = statements.keys().next();
          if (oldest.done !== true) statements.delete(oldest.value);
        }
        statements.set(sql, statement);
      }
      return statement as unknown as SqliteStatement;
    },
  };
}
