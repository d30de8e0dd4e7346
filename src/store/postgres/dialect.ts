import { Kysely, sql } from "kysely";
import pg from "pg";
import type { StoreDialect } from "../dialect.ts";
import { storeError } from "../errors.ts";
import type { Database } from "../schema.ts";
import { checkPostgres } from "./check.ts";
import { SchemaPostgresDialect } from "./introspector.ts";
import { watchPostgres } from "./watch.ts";

export interface PostgresOptions {
  readonly connectionString: string;
  readonly schema?: string;
  readonly maxConnections?: number;
}

const INT8_OID = 20;
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** bigint columns hold epoch milliseconds and counters: well inside 2^53. */
const types = {
  getTypeParser(oid: number, format?: "text" | "binary") {
    if (oid === INT8_OID && format !== "binary") return (value: string) => Number(value);
    // biome-ignore lint/suspicious/noExplicitAny: pg's overloads do not accept a union format
    return pg.types.getTypeParser(oid, format as any);
  },
} as pg.CustomTypesConfig;

/**
 * PostgreSQL through `pg`: a pool for queries (every connection's `search_path` set to the
 * schema), and one dedicated client LISTENing for other nodes' changes (see watch.ts).
 */
export async function openPostgresDialect(options: PostgresOptions): Promise<StoreDialect> {
  const schema = options.schema ?? "public";
  if (!SCHEMA_NAME.test(schema)) {
    throw storeError(
      "STORE_INVALID_INPUT",
      `invalid PostgreSQL schema name ${JSON.stringify(schema)}`,
    );
  }
  const channel = `provisio_${schema}`;
  const clientConfig: pg.ClientConfig = {
    connectionString: options.connectionString,
    options: `-c search_path=${schema}`,
    types,
  };
  const pool = new pg.Pool({ ...clientConfig, max: options.maxConnections ?? 10 });
  pool.on("error", () => {
    // An idle client died (server restart); the pool replaces it on next use.
  });
  try {
    const exists = await pool.query("select 1 from pg_namespace where nspname = $1", [schema]);
    if (exists.rowCount === 0) await pool.query(`create schema if not exists ${schema}`);
  } catch (error) {
    await pool.end();
    throw storeError(
      "STORE_UNAVAILABLE",
      `cannot reach PostgreSQL: ${String(error)}`,
      undefined,
      error,
    );
  }
  const db = new Kysely<Database>({ dialect: new SchemaPostgresDialect({ pool }, schema) });

  return {
    kind: "postgres",
    db,
    migrationTableSchema: schema,
    maxParameters: 65_535,
    migrationScope(fn) {
      return fn(db);
    },
    async writeTransaction(fn) {
      return db.connection().execute(async (conn) => {
        await sql`begin`.execute(conn);
        try {
          const result = await fn(conn);
          await sql`commit`.execute(conn);
          return result;
        } catch (error) {
          await sql`rollback`.execute(conn).catch(() => undefined);
          throw error;
        }
      });
    },
    async announce(conn, revision) {
      // Delivered to every listener when (and only if) the transaction commits.
      await sql`select pg_notify(${channel}, ${String(revision)})`.execute(conn);
    },
    watch(wake, intervalMs) {
      return watchPostgres(clientConfig, channel, wake, intervalMs ?? 5_000);
    },
    classify(error) {
      const code = (error as { code?: unknown } | null)?.code;
      if (code === "23505") return "unique";
      if (code === "23503") return "foreign-key";
      if (code === "40001" || code === "40P01" || code === "55P03") return "busy";
      return null;
    },
    check() {
      return checkPostgres(db);
    },
    async destroy() {
      await db.destroy();
    },
  };
}
