/**
 * The two databases a node-level test runs on: the embedded SQLite, and PostgreSQL in a schema
 * of its own (dropped by `drop`). `env` is the node's configuration environment.
 */
import { randomUUID } from "node:crypto";
import pg from "pg";
import { PG_URL } from "../store/dialects.ts";

export interface NodeDialect {
  readonly name: "sqlite" | "postgres";
  readonly env: Readonly<Record<string, string>>;
  /** Removes what the test left in the database (PostgreSQL's schema). */
  drop(): Promise<void>;
}

/** Runs one SQL statement on the test PostgreSQL server. */
export async function pgAdmin(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/** SQLite, and PostgreSQL in a fresh schema named `<prefix>_<random>`. */
export function nodeDialects(prefix: string): NodeDialect[] {
  const schema = `${prefix}_${randomUUID().replaceAll("-", "").slice(0, 12)}`;
  return [
    { name: "sqlite", env: {}, drop: async () => {} },
    {
      name: "postgres",
      env: { PROVISIO_DATABASE_URL: PG_URL, PROVISIO_DATABASE_SCHEMA: schema },
      drop: () => pgAdmin(`drop schema if exists ${schema} cascade`),
    },
  ];
}
