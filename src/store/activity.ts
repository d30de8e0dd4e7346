/**
 * What devices did, as the server writes it in batches: last-resync statuses, resync events and
 * lifecycle states — one write transaction for a flush of all three kinds, no revision bump, no
 * change notice, no audit.
 *
 * On SQLite the rows go through one statement per table prepared once, run per row, the whole
 * transaction one synchronous call (`StoreDialect.writeRows`): a flush is one commit, and no
 * query is built or parsed per flush. On PostgreSQL they are multi-row statements in one
 * transaction. Statuses and lifecycle states are deduplicated per device (the newest wins, an
 * older one never overwrites a stored newer one) and written in MAC order, so concurrent
 * flushes of several processes lock rows in the same order (no deadlock on PostgreSQL).
 */
import { CompiledQuery, type Kysely } from "kysely";
import { type Core, chunks } from "./core.ts";
import type { RowWrite } from "./dialect.ts";
import type { Database } from "./schema.ts";
import type { DeviceStatusUpdate } from "./store.ts";
import type { DeviceLifecycleUpdate, ResyncEventInput } from "./types.ts";

/** One flush of the server's batched writes; any kind may be empty or left out. */
export interface ActivityBatch {
  readonly statuses?: readonly DeviceStatusUpdate[];
  readonly events?: readonly ResyncEventInput[];
  readonly lifecycles?: readonly DeviceLifecycleUpdate[];
}

const STATUS_COLUMNS = [
  "mac",
  "at",
  "remote_address",
  "user_agent",
  "firmware",
  "result",
  "transport",
] as const;
const EVENT_COLUMNS = [
  "mac",
  "tenant_id",
  "at",
  "transport",
  "result",
  "status_code",
  "path",
  "bytes",
  "duration_ms",
  "remote_address",
  "user_agent",
  "message",
] as const;
const LIFECYCLE_COLUMNS = ["mac", "state", "since", "cause"] as const;

/** The rows of one table, with an upsert clause (`on conflict …`) or none. */
function table(name: string, columns: readonly string[], conflict?: string, newer?: string) {
  return {
    insert: `insert into ${name} (${columns.join(", ")})`,
    columns: columns.length,
    onConflict:
      conflict === undefined || newer === undefined
        ? ""
        : upsertClause(name, columns, conflict, newer),
  };
}

/** Sets `set` (but the key) from the new row where it is not older than the stored one. */
function upsertClause(
  name: string,
  set: readonly string[],
  conflict: string,
  newer: string,
  also = "",
): string {
  return ` on conflict (${conflict}) do update set ${set
    .filter((c) => c !== conflict)
    .map((c) => `${c} = excluded.${c}`)
    .join(", ")} where ${name}.${newer} <= excluded.${newer}${also}`;
}

const STATUS = {
  ...table("device_status", STATUS_COLUMNS, "mac", "at"),
  // A resync that reports the firmware already stored (most) leaves the firmware column, and
  // so its two indexes, alone: the update rewrites the `at` index entry only.
  onConflictFirst: upsertClause(
    "device_status",
    STATUS_COLUMNS.filter((c) => c !== "firmware"),
    "mac",
    "at",
    " and device_status.firmware is excluded.firmware",
  ),
};
const EVENTS = table("events", EVENT_COLUMNS);
const LIFECYCLE = table("device_lifecycle", LIFECYCLE_COLUMNS, "mac", "since");

function clip(value: string | null, max: number): string | null {
  return value === null ? null : value.slice(0, max);
}

/** Per device the newest (by `time`), in MAC order. */
function newestByMac<T extends { readonly mac: string }>(
  items: readonly T[],
  time: (item: T) => number,
): T[] {
  const latest = new Map<string, T>();
  for (const item of items) {
    const seen = latest.get(item.mac);
    if (seen === undefined || time(seen) <= time(item)) latest.set(item.mac, item);
  }
  return [...latest.values()].sort((a, b) => (a.mac < b.mac ? -1 : a.mac > b.mac ? 1 : 0));
}

/** Parameter rows, in the order of the `*_COLUMNS` lists. */
type Row = unknown[];

function statusRows(statuses: readonly DeviceStatusUpdate[]): Row[] {
  return newestByMac(statuses, (s) => s.at.getTime()).map((s) => [
    s.mac,
    s.at.getTime(),
    s.remoteAddress,
    clip(s.userAgent, 512),
    clip(s.firmware, 128),
    s.result.slice(0, 64),
    s.transport,
  ]);
}

function eventRows(events: readonly ResyncEventInput[]): Row[] {
  return events.map((e) => [
    e.mac,
    e.tenantId,
    e.at.getTime(),
    e.transport.slice(0, 16),
    e.result.slice(0, 64),
    e.statusCode,
    clip(e.path, 1024),
    e.bytes,
    e.durationMs === null ? null : Math.round(e.durationMs),
    clip(e.remoteAddress, 64),
    clip(e.userAgent, 512),
    clip(e.message, 2048),
  ]);
}

function lifecycleRows(updates: readonly DeviceLifecycleUpdate[]): Row[] {
  return newestByMac(updates, (u) => u.since.getTime()).map((u) => [
    u.mac,
    u.state,
    u.since.getTime(),
    clip(u.cause, 512),
  ]);
}

/** Writes one flush in one transaction (nothing at all for an empty batch). */
export async function writeActivity(core: Core, batch: ActivityBatch): Promise<void> {
  const writes: RowWrite[] = [];
  if (batch.statuses !== undefined && batch.statuses.length > 0)
    writes.push({ ...STATUS, rows: statusRows(batch.statuses) });
  if (batch.events !== undefined && batch.events.length > 0)
    writes.push({ ...EVENTS, rows: eventRows(batch.events) });
  if (batch.lifecycles !== undefined && batch.lifecycles.length > 0)
    writes.push({ ...LIFECYCLE, rows: lifecycleRows(batch.lifecycles) });
  if (writes.length === 0) return;
  const { dialect } = core;
  await core.run(() =>
    dialect.writeRows !== undefined
      ? dialect.writeRows(writes)
      : dialect.writeTransaction(async (conn) => {
          for (const write of writes) await insertMany(core, conn, write);
        }),
  );
}

/**
 * One table's rows as multi-row statements with PostgreSQL's `$n` placeholders (as many rows a
 * statement as the dialect binds), their text written here: Kysely building a tree of
 * thousands of values cost more CPU than the database's work.
 */
async function insertMany(core: Core, conn: Kysely<Database>, write: RowWrite): Promise<void> {
  for (const chunk of chunks(write.rows, core.rowsPerStatement(write.columns))) {
    const parameters: unknown[] = [];
    const tuples: string[] = [];
    for (const row of chunk) {
      const slots: string[] = [];
      for (const value of row) slots.push(`$${parameters.push(value)}`);
      tuples.push(`(${slots.join(", ")})`);
    }
    const text = `${write.insert} values ${tuples.join(", ")}${write.onConflict}`;
    await conn.executeQuery(CompiledQuery.raw(text, parameters));
  }
}
