import type { Kysely, Transaction } from "kysely";
import type { Database } from "./schema.ts";

export type DialectKind = "sqlite" | "postgres";

/** Rows for one table: `insert` (`insert into t (a, b)`), then the values, then `onConflict`. */
/** Rows as arrays, and the names of their columns in order. */
export interface RowArrays {
  readonly columns: readonly string[];
  readonly rows: readonly (readonly unknown[])[];
}

export interface RowWrite {
  readonly insert: string;
  /** Values a row. */
  readonly columns: number;
  /** An upsert clause (` on conflict …`), or empty. */
  readonly onConflict: string;
  /**
   * SQLite: an upsert clause tried first for each row, which sets fewer columns (an indexed
   * column left alone is an index entry not rewritten) and changes nothing where they would
   * differ; `onConflict` then runs for the rows it left unchanged.
   */
  readonly onConflictFirst?: string;
  readonly rows: readonly (readonly unknown[])[];
}

/** A connection (inside a transaction) that repositories write through. */
export type Conn = Kysely<Database> | Transaction<Database>;

/**
 * What differs between the dialects. Each dialect folder (`sqlite/`, `postgres/`) has the same
 * files: `dialect.ts` (connection set-up, this interface), `watch.ts` (learning about other
 * processes' changes), `check.ts` (integrity check).
 */
export interface StoreDialect {
  readonly kind: DialectKind;
  readonly db: Kysely<Database>;
  /**
   * Schema for Kysely's migration tables (PostgreSQL: the store's schema — without it Kysely's
   * existence check would see another schema's tables and skip creating its own).
   */
  readonly migrationTableSchema: string | undefined;
  /** Largest number of bound parameters one statement may carry. */
  readonly maxParameters: number;
  /**
   * Runs `fn` in a write transaction on one connection (SQLite: `BEGIN IMMEDIATE`, so two
   * processes never deadlock upgrading a read lock; PostgreSQL: `BEGIN`).
   */
  writeTransaction<T>(fn: (conn: Kysely<Database>) => Promise<T>): Promise<T>;
  /**
   * SQLite: the rows in one write transaction, one statement per table prepared once and run
   * per row, the whole transaction one synchronous call. Undefined on PostgreSQL (multi-row
   * statements in `writeTransaction`).
   */
  readonly writeRows?: (writes: readonly RowWrite[]) => Promise<void>;
  /**
   * SQLite: a read's rows as arrays, in the statement's column order, with the column names;
   * each text prepared once (for the few texts of `InQueries`), run behind the connection's
   * mutex. The driver's row objects cost about as much CPU again as the read itself. Undefined
   * on PostgreSQL.
   */
  readonly readArrays?: (sql: string, parameters: readonly unknown[]) => Promise<RowArrays>;
  /**
   * Where migrations run. SQLite: inside one `BEGIN IMMEDIATE` transaction (Kysely runs SQLite
   * migrations without a transaction or lock, so a crash could leave half a migration and two
   * processes opening a fresh file could both migrate). PostgreSQL: Kysely's own transaction and
   * advisory lock.
   */
  migrationScope<T>(fn: (db: Kysely<Database>) => Promise<T>): Promise<T>;
  /** Inside a write transaction, after the revision bump: tell other processes (on commit). */
  announce(conn: Kysely<Database>, revision: number): Promise<void>;
  /**
   * Starts watching for revisions committed by other processes; calls `wake` when one may
   * exist. Returns the stop function.
   */
  watch(wake: () => void, intervalMs: number | undefined): () => Promise<void>;
  /** Maps a driver error to what it means for the store, or null when it is something else. */
  classify(error: unknown): "unique" | "foreign-key" | "busy" | null;
  /** Integrity problems (empty = consistent). */
  check(): Promise<string[]>;
  destroy(): Promise<void>;
}
