import { existsSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { Kysely, SqliteDialect, sql } from "kysely";
import type { RowArrays, RowWrite, StoreDialect } from "../dialect.ts";
import { storeError } from "../errors.ts";
import type { Database } from "../schema.ts";
import { checkSqlite } from "./check.ts";
import { cachingStatements } from "./statement_cache.ts";
import { watchSqlite } from "./watch.ts";

export interface SqliteOptions {
  readonly file: string;
  readonly synchronous?: "full" | "normal";
}

/**
 * The driver's compiled addon named directly: without it, better-sqlite3 asks the `bindings`
 * package, which tries a dozen paths and reads the call stack on every process's first open
 * (a management command's start, D42). Where the addon was built elsewhere, that search.
 */
let addon: { nativeBinding?: string } | undefined;
function nativeBinding(): { nativeBinding?: string } {
  if (addon === undefined) {
    const lib = dirname(createRequire(import.meta.url).resolve("better-sqlite3"));
    const file = join(lib, "..", "build", "Release", "better_sqlite3.node");
    addon = existsSync(file) ? { nativeBinding: file } : {};
  }
  return addon;
}

/**
 * SQLite through better-sqlite3: WAL (readers never block the writer, and the CLI can write
 * while a server reads), `synchronous=FULL` by default (an acknowledged commit survives power
 * loss; with WAL this is one fsync per transaction, and every bulk path writes in batches),
 * foreign keys on, a 5 s busy timeout for writers from other processes, temporary storage in
 * memory.
 */
export function openSqliteDialect(options: SqliteOptions): StoreDialect {
  let database: BetterSqlite3.Database;
  try {
    if (options.file !== ":memory:") mkdirSync(dirname(options.file), { recursive: true });
    database = new BetterSqlite3(options.file, nativeBinding());
  } catch (error) {
    throw storeError(
      "STORE_UNAVAILABLE",
      `cannot open ${options.file}: ${String(error)}`,
      undefined,
      error,
    );
  }
  try {
    // busy_timeout first: switching to WAL needs a lock another process may hold.
    database.pragma("busy_timeout = 5000");
    database.pragma("journal_mode = WAL");
    database.pragma(`synchronous = ${options.synchronous === "normal" ? "NORMAL" : "FULL"}`);
    database.pragma("foreign_keys = ON");
    // Statement journals (a write with triggers opens one per statement run) and temporary
    // b-trees in memory: in a file, every run of a per-row statement paid for opening one.
    database.pragma("temp_store = MEMORY");
    // After a checkpoint, truncate the WAL file back to at most 64 MiB (a bulk import grows it).
    database.pragma("journal_size_limit = 67108864");
  } catch (error) {
    database.close();
    const code = (error as { code?: unknown }).code;
    throw code === "SQLITE_NOTADB" || code === "SQLITE_CORRUPT"
      ? storeError(
          "STORE_CORRUPT",
          `${options.file} is not a usable SQLite database: ${String(error)}`,
          undefined,
          error,
        )
      : storeError(
          "STORE_UNAVAILABLE",
          `cannot open ${options.file}: ${String(error)}`,
          undefined,
          error,
        );
  }
  const db = new Kysely<Database>({
    dialect: new SqliteDialect({ database: cachingStatements(database) }),
  });

  const writeTransaction: StoreDialect["writeTransaction"] = async (fn) => {
    // One connection behind a mutex: `connection()` holds it for the whole callback.
    return db.connection().execute(async (conn) => {
      await sql`begin immediate`.execute(conn);
      try {
        const result = await fn(conn);
        await sql`commit`.execute(conn);
        return result;
      } catch (error) {
        if (database.inTransaction) await sql`rollback`.execute(conn);
        throw error;
      }
    });
  };

  // The server's batched writes (activity.ts): a handful of statements, prepared once.
  const rowStatements = new Map<string, BetterSqlite3.Statement>();
  const statementOf = (write: RowWrite, onConflict: string): BetterSqlite3.Statement => {
    const key = write.insert + onConflict;
    let statement = rowStatements.get(key);
    if (statement === undefined) {
      const slots = new Array<string>(write.columns).fill("?").join(", ");
      statement = database.prepare(`${write.insert} values (${slots})${onConflict}`);
      rowStatements.set(key, statement);
    }
    return statement;
  };
  const runRows = database.transaction((writes: readonly RowWrite[]) => {
    for (const write of writes) {
      const statement = statementOf(write, write.onConflict);
      const first =
        write.onConflictFirst === undefined ? undefined : statementOf(write, write.onConflictFirst);
      for (const row of write.rows) {
        if (first === undefined || first.run(row).changes === 0) statement.run(row);
      }
    }
  });
  const writeRows = (writes: readonly RowWrite[]): Promise<void> =>
    // Behind Kysely's connection mutex: never inside another caller's open transaction.
    db.connection().execute(async () => {
      runRows.immediate(writes);
    });

  // The batched reads of a storm (in_queries.ts): a statement per slot count, in raw mode.
  const arrayStatements = new Map<
    string,
    { readonly statement: BetterSqlite3.Statement; readonly columns: readonly string[] }
  >();
  const readArrays = (text: string, parameters: readonly unknown[]): Promise<RowArrays> =>
    db.connection().execute(async () => {
      let known = arrayStatements.get(text);
      if (known === undefined) {
        const statement = database.prepare(text).raw(true);
        known = { statement, columns: statement.columns().map((c) => c.name) };
        arrayStatements.set(text, known);
      }
      return { columns: known.columns, rows: known.statement.all(parameters) as unknown[][] };
    });

  return {
    kind: "sqlite",
    db,
    migrationTableSchema: undefined,
    maxParameters: 32_766,
    writeTransaction,
    writeRows,
    readArrays,
    migrationScope: writeTransaction,
    async announce() {
      // Other processes poll the revision row (see watch.ts).
    },
    watch(wake, intervalMs) {
      return watchSqlite(db, wake, intervalMs ?? 250);
    },
    classify(error) {
      const code = (error as { code?: unknown } | null)?.code;
      if (typeof code !== "string") return null;
      if (code === "SQLITE_CONSTRAINT_UNIQUE" || code === "SQLITE_CONSTRAINT_PRIMARYKEY") {
        return "unique";
      }
      if (code === "SQLITE_CONSTRAINT_FOREIGNKEY") return "foreign-key";
      if (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED")) return "busy";
      return null;
    },
    check() {
      return checkSqlite(db);
    },
    async destroy() {
      try {
        database.pragma("optimize");
      } catch {
        // Closing anyway.
      }
      await db.destroy();
    },
  };
}
