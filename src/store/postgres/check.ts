import { type Kysely, sql } from "kysely";
import type { Database } from "../schema.ts";

/**
 * PostgreSQL keeps its own pages consistent (WAL); what can go wrong is ours: the store's
 * invariants. Empty when consistent.
 */
export async function checkPostgres(db: Kysely<Database>): Promise<string[]> {
  const problems: string[] = [];
  const result = await sql<{ problem: string; n: number }>`
    select 'revision row missing' as problem, (1 - count(*))::int as n from revision where id = 1
    union all
    select 'change log ahead of revision', count(*)::int from change_log
      where revision > (select value from revision where id = 1)
    union all
    select 'devices newer than revision', count(*)::int from devices
      where version > (select value from revision where id = 1)
    union all
    select 'devices of missing tenants', count(*)::int from devices d
      where not exists (select 1 from tenants t where t.id = d.tenant_id)
    union all
    select 'account lines of missing accounts', count(*)::int from account_lines l
      where not exists (select 1 from accounts a where a.id = l.account_id)
  `.execute(db);
  for (const row of result.rows) {
    if (row.n !== 0) problems.push(`${row.problem}: ${row.n}`);
  }
  return problems;
}
