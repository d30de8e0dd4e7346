import { type Kysely, sql } from "kysely";
import type { Database } from "../schema.ts";

/** `PRAGMA integrity_check` and `PRAGMA foreign_key_check`; empty when consistent. */
export async function checkSqlite(db: Kysely<Database>): Promise<string[]> {
  const problems: string[] = [];
  const integrity = await sql<{ integrity_check: string }>`pragma integrity_check`.execute(db);
  for (const row of integrity.rows) {
    if (row.integrity_check !== "ok") problems.push(`integrity_check: ${row.integrity_check}`);
  }
  const foreign = await sql<{
    table: string;
    rowid: number;
    parent: string;
  }>`pragma foreign_key_check`.execute(db);
  for (const row of foreign.rows) {
    problems.push(`foreign key: ${row.table} row ${row.rowid} references missing ${row.parent}`);
  }
  return problems;
}
