import type { Selectable } from "kysely";
import { tryParseMac } from "../mac_address.ts";
import { writeActivity } from "./activity.ts";
import type { Core } from "./core.ts";
import type { EventTable } from "./schema.ts";
import type { EventQuery, EventRepository } from "./store.ts";
import type { ResyncEvent, ResyncEventInput } from "./types.ts";
import * as v from "./validate.ts";

const PRUNE_SLICE = 5_000;

export function toEvent(row: Selectable<EventTable>): ResyncEvent {
  return {
    id: row.id,
    mac: row.mac === null ? null : (tryParseMac(row.mac) ?? null),
    tenantId: row.tenant_id,
    at: new Date(row.at),
    transport: row.transport,
    result: row.result,
    statusCode: row.status_code,
    path: row.path,
    bytes: row.bytes,
    durationMs: row.duration_ms,
    remoteAddress: row.remote_address,
    userAgent: row.user_agent,
    message: row.message,
  };
}

/** The resync event log: appended in batches by the server, pruned for retention. */
export class Events implements EventRepository {
  readonly #core: Core;

  constructor(core: Core) {
    this.#core = core;
  }

  appendBatch(events: readonly ResyncEventInput[]): Promise<void> {
    return writeActivity(this.#core, { events });
  }

  async list(query: EventQuery = {}): Promise<ResyncEvent[]> {
    let q = this.#core.db.selectFrom("events").selectAll();
    if (query.mac !== undefined) q = q.where("mac", "=", query.mac);
    if (query.tenantId !== undefined) q = q.where("tenant_id", "=", query.tenantId);
    if (query.since !== undefined) q = q.where("at", ">=", query.since.getTime());
    if (query.until !== undefined) q = q.where("at", "<", query.until.getTime());
    if (query.result !== undefined) q = q.where("result", "=", query.result);
    if (query.afterId !== undefined) {
      // Following the log: ids grow with every append, so "newer than the last seen" is a
      // keyset on the id alone, oldest first.
      const rows = await q
        .where("id", ">", query.afterId)
        .orderBy("id", "asc")
        .limit(v.limit(query.limit))
        .execute();
      return rows.map(toEvent);
    }
    const before = query.before;
    if (before !== undefined) {
      const at = before.at.getTime();
      q = q.where((eb) =>
        eb.or([eb("at", "<", at), eb.and([eb("at", "=", at), eb("id", "<", before.id)])]),
      );
    }
    const rows = await q
      .orderBy("at", "desc")
      .orderBy("id", "desc")
      .limit(v.limit(query.limit))
      .execute();
    return rows.map(toEvent);
  }

  /**
   * Deletes in slices of 5,000 rows, one short transaction each, so retention never holds the
   * write lock (SQLite) or a long transaction (PostgreSQL) for long.
   */
  async prune(olderThan: Date): Promise<number> {
    const cutoff = olderThan.getTime();
    let total = 0;
    for (;;) {
      const result = await this.#core.run(() =>
        this.#core.db
          .deleteFrom("events")
          .where("id", "in", (eb) =>
            eb.selectFrom("events").select("id").where("at", "<", cutoff).limit(PRUNE_SLICE),
          )
          .executeTakeFirst(),
      );
      const deleted = Number(result.numDeletedRows);
      total += deleted;
      if (deleted < PRUNE_SLICE) return total;
    }
  }
}
