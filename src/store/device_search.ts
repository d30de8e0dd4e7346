/**
 * Device search for the admin UI's device table: filters, free text, four sort orders with a
 * keyset position per order, and a bounded count.
 *
 * Keyset: rows are ordered by (sort column, MAC), both in the page's direction; the position
 * of the last row is the next page's start, compared as a row value, which both dialects
 * answer from an index on (column, MAC) or (tenant, column, MAC). A nullable sort column
 * (last seen, model) is read in two phases: the rows with a value, then the rows without
 * (always last, ordered by MAC), so no query sorts on an expression an index cannot serve.
 *
 * Count: at most `countCap` matching rows are counted (a `limit` inside the count), so the
 * count's work is bounded like the page's; above it, the total is the cap and not exact.
 */
import {
  type Expression,
  type ExpressionBuilder,
  expressionBuilder,
  type Kysely,
  type SelectQueryBuilder,
  type SqlBool,
  SqliteAdapter,
  sql,
} from "kysely";
import type { MacAddress } from "../mac_address.ts";
import { type DeviceRow, selectDevices } from "./devices.ts";
import type { Database } from "./schema.ts";
import type { DeviceQuery } from "./store.ts";
import type { Device } from "./types.ts";

export const DEVICE_SORT_KEYS = ["mac", "last_seen", "model", "state"] as const;
export type DeviceSortKey = (typeof DEVICE_SORT_KEYS)[number];

/** Where a page starts: the last row of the previous one (value null: the rows without one). */
export interface DeviceSearchPosition {
  readonly value: string | number | null;
  readonly mac: MacAddress;
}

export interface DeviceSearchQuery extends Omit<DeviceQuery, "after" | "limit"> {
  /** 1–12 lower-case hex digits found anywhere in the MAC. */
  readonly macFragment?: string;
  /** Serial or account reference starting with it, label containing it (any case). */
  readonly text?: string;
  /** Firmware version the device last reported (exact). */
  readonly firmware?: string;
  /** Last resync strictly before / at or after. */
  readonly seenBefore?: Date;
  readonly seenAfter?: Date;
  /** true: only devices the server never saw; false: only those it saw. */
  readonly neverSeen?: boolean;
  readonly sort?: DeviceSortKey;
  readonly descending?: boolean;
  readonly after?: DeviceSearchPosition;
  /** Default 100, at most 1,000. */
  readonly limit?: number;
  /** Matches counted at most (default 10,000); 0 skips the count. */
  readonly countCap?: number;
}

export interface DeviceSearchPage {
  readonly devices: readonly Device[];
  /** Start of the next page; null on the last. */
  readonly next: DeviceSearchPosition | null;
  readonly total: number;
  /** False when more than `countCap` rows match (`total` is then the cap). */
  readonly totalExact: boolean;
}

export const DEFAULT_COUNT_CAP = 10_000;

type Tables = "devices" | "s" | "l";
type Eb = ExpressionBuilder<
  Database & { s: Database["device_status"]; l: Database["device_lifecycle"] },
  Tables
>;

/** Column and nullability of each sort key. */
const SORT_COLUMNS = {
  mac: { column: "devices.mac", nullable: false }, // ties and order: `macColumn`
  last_seen: { column: "s.at", nullable: true },
  model: { column: "devices.model_pn", nullable: true },
  state: { column: "devices.state", nullable: false },
} as const;

/** Devices without a status row: `seen` is kept by triggers (migration 0015); the literal
 * predicate is the partial indexes' (SQLite matches one only against the same text). */
const NEVER_SEEN = sql<SqlBool>`devices.seen = 0`;

/** `%`, `_` and the escape itself taken literally in a LIKE pattern (escape `\`). */
export function likeLiteral(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** `lower(column) like pattern`, the pattern escaped with `likeLiteral` (lower case). */
export function like(column: string, pattern: string): Expression<SqlBool> {
  return sql<SqlBool>`lower(${sql.ref(column)}) like ${pattern} escape '\\'`;
}

/**
 * Every filter of the query but the position, one condition each (to AND; none: an empty
 * list, never a constant `true` — SQLite then no longer turns the status join into an inner
 * one and the last-seen order loses its index).
 *
 * When only devices with a status (lifecycle) row can match — a last-seen, firmware or
 * lifecycle filter, or the last-seen order's rows with a value (`statusOrder`) — the join
 * condition is repeated in the WHERE (`s.mac = devices.mac`): both dialects then make the
 * outer join an inner one (SQLite does not for `s.at is not null` alone) and may read the
 * status rows first, in the order of their (at, MAC) index. On SQLite the tenant is then written
 * `+devices.tenant_id = ?`, which no index serves: without statistics SQLite takes an equality
 * on an indexed column as selective and reads a large tenant's every device through
 * (tenant, …), sorting or joining them all (180–600 ms), instead of walking the status or
 * lifecycle index and stopping after a page.
 */
export function searchConditions(
  query: DeviceSearchQuery,
  dialect: { readonly sqlite: boolean; readonly statusOrder: boolean } = {
    sqlite: false,
    statusOrder: false,
  },
): Expression<SqlBool>[] {
  const eb: Eb = expressionBuilder();
  const all: Expression<SqlBool>[] = [];
  const joined = joinedFilters(query);
  const status = dialect.statusOrder || joined.status;
  const lifecycle = joined.lifecycle;
  if (status) all.push(eb("s.mac", "=", eb.ref("devices.mac")));
  if (lifecycle) all.push(eb("l.mac", "=", eb.ref("devices.mac")));
  if (query.tenantId !== undefined) {
    all.push(
      dialect.sqlite && (status || lifecycle)
        ? sql<SqlBool>`+devices.tenant_id = ${query.tenantId}`
        : eb("devices.tenant_id", "=", query.tenantId),
    );
  }
  if (query.accountId !== undefined) all.push(eb("devices.account_id", "=", query.accountId));
  if (query.groupId !== undefined) all.push(eb("devices.group_id", "=", query.groupId));
  if (query.modelPn !== undefined) all.push(eb("devices.model_pn", "=", query.modelPn));
  if (query.state !== undefined) all.push(eb("devices.state", "=", query.state));
  // "Has no row" as NOT EXISTS: PostgreSQL then walks both primary keys in MAC order (a merge
  // anti-join that stops after a page) instead of hashing both tables.
  if (query.lifecycle === "none") {
    all.push(
      eb.not(
        eb.exists(
          eb
            .selectFrom("device_lifecycle as nl")
            .select("nl.mac")
            .whereRef("nl.mac", "=", "devices.mac"),
        ),
      ),
    );
  } else if (query.lifecycle !== undefined) all.push(eb("l.state", "=", query.lifecycle));
  if (query.firmware !== undefined) {
    // In the last-seen order SQLite walks (at, MAC) and stops after a page, rather than sort a
    // version's every device read from (firmware, MAC).
    all.push(
      dialect.sqlite && dialect.statusOrder
        ? sql<SqlBool>`+s.firmware = ${query.firmware}`
        : eb("s.firmware", "=", query.firmware),
    );
  }
  if (query.seenBefore !== undefined) all.push(eb("s.at", "<", query.seenBefore.getTime()));
  if (query.seenAfter !== undefined) all.push(eb("s.at", ">=", query.seenAfter.getTime()));
  if (query.neverSeen === true) {
    // `seen` is kept by triggers (migration 0015); the literal predicate is the partial indexes'.
    all.push(NEVER_SEEN);
  } else if (query.neverSeen === false) all.push(eb("s.at", "is not", null));
  const matches = textMatches(eb, query);
  if (matches !== undefined) all.push(sql<SqlBool>`devices.mac in (${matches})`);
  return all;
}

/** Whether a filter reads the status (lifecycle) row: only devices with one can match. */
function joinedFilters(query: DeviceSearchQuery): { status: boolean; lifecycle: boolean } {
  return {
    status:
      query.firmware !== undefined ||
      query.seenBefore !== undefined ||
      query.seenAfter !== undefined ||
      query.neverSeen === false,
    lifecycle: query.lifecycle !== undefined && query.lifecycle !== "none",
  };
}

/**
 * The MACs free text matches, as a union of indexed lookups (so neither the page nor the count
 * reads every device row): the MAC fragment anywhere in the MAC (a scan of the MAC index only),
 * the serial or the account reference equal to the text (as typed, upper or lower case: an
 * index lookup each), the label containing it in any case (a scan of the labelled devices in
 * the (label, MAC) index). The tenant is not repeated inside the parts (the outer query has
 * it): with it, SQLite read a tenant's every row through (tenant, …) indexes instead of the
 * serial, label and MAC ones (600 ms instead of 30 for a MAC fragment in the large tenant).
 */
function textMatches(eb: Eb, query: DeviceSearchQuery) {
  const text = query.text?.trim();
  if ((text === undefined || text === "") && query.macFragment === undefined) return undefined;
  const tenant = query.tenantId;
  const parts: Expression<{ mac: string }>[] = [];
  if (query.macFragment !== undefined) {
    parts.push(
      eb
        .selectFrom("devices as fm")
        .select("fm.mac")
        .where(sql<SqlBool>`fm.mac like ${`%${query.macFragment}%`}`),
    );
  }
  if (text !== undefined && text !== "") {
    const variants = [...new Set([text, text.toUpperCase(), text.toLowerCase()])];
    const serial = eb
      .selectFrom("devices as fs")
      .select("fs.mac")
      .where("fs.serial", "in", variants);
    const label = eb
      .selectFrom("devices as fl")
      .select("fl.mac")
      .where("fl.label", "is not", null)
      .where(() => like("fl.label", `%${likeLiteral(text.toLowerCase())}%`));
    // Accounts first (by reference), then their devices (devices_account): never a scan of
    // every device for its account.
    let accounts = eb
      .selectFrom("accounts as fa")
      .select("fa.id")
      .where("fa.reference", "in", variants);
    if (tenant !== undefined) accounts = accounts.where("fa.tenant_id", "=", tenant);
    const account = eb
      .selectFrom("devices as fd")
      .select("fd.mac")
      .where("fd.account_id", "in", accounts);
    parts.push(serial, label, account);
  }
  // Each part is a subquery (parenthesised when compiled), read through a derived table so
  // the UNION is valid on both dialects.
  return sql.join(
    parts.map((part, i) => sql`select mac from ${part} as ${sql.raw(`u${i}`)}`),
    sql` union all `,
  );
}

/** The value of a device's sort column (the position a page ends at). */
function sortValue(device: Device, key: DeviceSortKey): string | number | null {
  switch (key) {
    case "mac":
      return device.mac;
    case "last_seen":
      return device.status?.at.getTime() ?? null;
    case "model":
      return device.modelPn;
    case "state":
      return device.state;
  }
}

/** Whether the phase of rows with (without) a value can match these filters at all. */
function phases(query: DeviceSearchQuery, key: DeviceSortKey): { values: boolean; nulls: boolean } {
  const nullable = SORT_COLUMNS[key].nullable;
  if (!nullable) return { values: true, nulls: false };
  if (key === "last_seen") {
    const seen =
      query.seenBefore !== undefined ||
      query.seenAfter !== undefined ||
      query.firmware !== undefined;
    return { values: query.neverSeen !== true, nulls: !seen && query.neverSeen !== false };
  }
  return { values: true, nulls: query.modelPn === undefined };
}

/**
 * The MAC column the order breaks ties with (and the MAC order itself uses). The rows joined
 * have the same MAC in every table, so the one whose index already holds the order is chosen:
 * the status rows' for the last-seen order (index (at, MAC)) and when only seen devices match;
 * the lifecycle rows' when one lifecycle state is asked for (index (state, MAC)); else the
 * devices'. An index then yields the rows in order and the query stops after a page, instead
 * of sorting every match.
 */
function macColumn(
  query: DeviceSearchQuery,
  key: DeviceSortKey,
): "s.mac" | "l.mac" | "devices.mac" {
  if (key === "last_seen") return "s.mac";
  if (key !== "mac") return "devices.mac";
  if (query.lifecycle !== undefined && query.lifecycle !== "none") return "l.mac";
  const seenOnly =
    query.seenBefore !== undefined ||
    query.seenAfter !== undefined ||
    query.firmware !== undefined ||
    query.neverSeen === false;
  return seenOnly ? "s.mac" : "devices.mac";
}

/** One page of the search, its position and the bounded count. */
export async function searchDevices(
  db: Kysely<Database>,
  query: DeviceSearchQuery,
  limit: number,
  toDevice: (row: DeviceRow) => Device,
): Promise<DeviceSearchPage> {
  const key = query.sort ?? "mac";
  const dir = query.descending === true ? "desc" : "asc";
  const cmp = dir === "desc" ? "<" : ">";
  const { column } = SORT_COLUMNS[key];
  const { values, nulls } = phases(query, key);
  const mac = macColumn(query, key);
  const sqlite = db.getExecutor().adapter instanceof SqliteAdapter;
  const conditions = searchConditions(query, { sqlite, statusOrder: false });
  const after = query.after;
  const rows: DeviceRow[] = [];
  const want = limit + 1;
  if (values && (after === undefined || after.value !== null)) {
    let q = selectDevices(db);
    const statusOrder = key === "last_seen";
    for (const condition of statusOrder
      ? searchConditions(query, { sqlite, statusOrder })
      : conditions) {
      q = q.where(condition);
    }
    if (SORT_COLUMNS[key].nullable) q = q.where((eb) => eb(sql.ref(column), "is not", null));
    if (after !== undefined) {
      q =
        key === "mac"
          ? q.where((eb) => eb(sql.ref(mac), cmp, after.mac))
          : q.where(
              () =>
                sql<SqlBool>`(${sql.ref(column)}, ${sql.ref(mac)}) ${sql.raw(cmp)} (${after.value}, ${after.mac})`,
            );
    }
    const page = <Q extends SelectQueryBuilder<Database, "devices", object>>(q: Q): Q =>
      (key === "mac" ? q : q.orderBy(sql.ref(column), dir))
        .orderBy(sql.ref(mac), dir)
        .limit(want) as Q;
    const joined = joinedFilters(query);
    if (!sqlite && !statusOrder && !joined.status && !joined.lifecycle) {
      // No filter reads the status or lifecycle rows: PostgreSQL picks the page's MACs from
      // devices alone (it drops the unused outer joins) and joins the rows of those only, not of
      // every match before the top-N sort (a label word's 3,300 matches: p95 231 → 141 ms CPU).
      const macs = page(q.clearSelect().select("devices.mac"));
      rows.push(...(await page(selectDevices(db).where("devices.mac", "in", macs)).execute()));
    } else rows.push(...(await page(q).execute()));
  }
  if (nulls && rows.length < want) {
    // No last seen is no status row: `seen = 0`, which the never-seen partial indexes hold
    // (PostgreSQL hashed every status row for `s.at is null`).
    let q = selectDevices(db).where(
      key === "last_seen" ? NEVER_SEEN : (eb) => eb(sql.ref(column), "is", null),
    );
    for (const condition of conditions) {
      if (condition !== NEVER_SEEN) q = q.where(condition);
    }
    if (after !== undefined && after.value === null) {
      q = q.where((eb) => eb("devices.mac", cmp, after.mac));
    }
    rows.push(
      ...(await q
        .orderBy("devices.mac", dir)
        .limit(want - rows.length)
        .execute()),
    );
  }
  const devices = rows.slice(0, limit).map((row) => toDevice(row));
  const last = devices.at(-1);
  const next =
    rows.length > limit && last !== undefined
      ? { value: sortValue(last, key), mac: last.mac }
      : null;
  const cap = query.countCap ?? DEFAULT_COUNT_CAP;
  // The count keeps the tenant indexable: it reads every match up to the cap in any order, and
  // a (tenant, MAC) index probe per status or lifecycle row is cheaper than a device row's
  // (a small tenant's seen-before count: 150 → ~20 ms CPU on SQLite).
  const counted = cap === 0 ? 0 : await countMatches(db, searchConditions(query), cap);
  return { devices, next, total: Math.min(counted, cap), totalExact: counted <= cap };
}

/** Matching rows, counted up to `cap + 1`. */
async function countMatches(
  db: Kysely<Database>,
  conditions: readonly Expression<SqlBool>[],
  cap: number,
): Promise<number> {
  let inner = db
    .selectFrom("devices")
    .leftJoin("device_status as s", "s.mac", "devices.mac")
    .leftJoin("device_lifecycle as l", "l.mac", "devices.mac")
    .select(sql<number>`1`.as("one"));
  for (const condition of conditions) inner = inner.where(condition);
  const row = await db
    .selectFrom(inner.limit(cap + 1).as("m"))
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
