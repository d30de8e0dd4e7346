import type { Selectable } from "kysely";
import type { Core } from "./core.ts";
import { redact } from "./redact.ts";
import type { AuditTable } from "./schema.ts";
import type { AuditInput, AuditQuery, AuditRepository } from "./store.ts";
import type { AuditEntry } from "./types.ts";
import * as v from "./validate.ts";

function parse(json: string | null): unknown {
  return json === null ? null : (JSON.parse(json) as unknown);
}

export function toAuditEntry(row: Selectable<AuditTable>): AuditEntry {
  return {
    id: row.id,
    at: new Date(row.at),
    actor: row.actor,
    action: row.action,
    entity: row.entity,
    key: row.key,
    tenantId: row.tenant_id,
    before: parse(row.before),
    after: parse(row.after),
  };
}

function json(value: unknown): string | null {
  const redacted = redact(value);
  return redacted === undefined ? null : JSON.stringify(redacted);
}

/** The audit log. Repositories write their entries inside each change's transaction. */
export class Audit implements AuditRepository {
  readonly #core: Core;

  constructor(core: Core) {
    this.#core = core;
  }

  async append(entry: AuditInput): Promise<void> {
    await this.#core.run(() =>
      this.#core.db
        .insertInto("audit_log")
        .values({
          at: this.#core.now(),
          actor: v.text(entry.actor, "actor", 255),
          action: v.text(entry.action, "action", 64),
          entity: v.text(entry.entity, "entity", 64),
          key: entry.key ?? null,
          tenant_id: entry.tenantId ?? null,
          before: json(entry.before),
          after: json(entry.after),
        })
        .execute(),
    );
  }

  async list(query: AuditQuery = {}): Promise<AuditEntry[]> {
    let q = this.#core.db.selectFrom("audit_log").selectAll();
    if (query.entity !== undefined) q = q.where("entity", "=", query.entity);
    if (query.key !== undefined) q = q.where("key", "=", query.key);
    if (query.actor !== undefined) q = q.where("actor", "=", query.actor);
    if (query.tenantId !== undefined) q = q.where("tenant_id", "=", query.tenantId);
    if (query.since !== undefined) q = q.where("at", ">=", query.since.getTime());
    if (query.before !== undefined) q = q.where("id", "<", query.before);
    const rows = await q.orderBy("id", "desc").limit(v.limit(query.limit)).execute();
    return rows.map(toAuditEntry);
  }
}
