import { type Kysely, type Migration, sql } from "kysely";
import type { DialectKind } from "../dialect.ts";
import { storeError } from "../errors.ts";

/**
 * The device list's "never seen" filter and the dashboard's never-seen count at 100,000 devices
 * (decision D40): `devices.seen` is 1 when the device has a status row (the server saw it at
 * least once), kept by triggers on the status table — set on a status row's insert (its first
 * resync; later resyncs update the row and fire nothing), cleared on its delete, and on a
 * device's insert set from the status row already there — so no writer of the store changes.
 * Partial indexes hold only the devices never seen, by MAC and by (tenant, MAC): the filter and
 * the count read those, not an anti-join over every device and status row (PostgreSQL hashed
 * both tables: 115–420 ms CPU per request at 100,000 devices).
 *
 * PostgreSQL also gets a trigram index on the lower-case labels (`pg_trgm`, shipped with
 * Debian's PostgreSQL; trusted, so a database owner may create it), so a label substring is an
 * index lookup rather than a read of every labelled device. The extension is created in
 * `public` (one per database, shared by every schema the store may use) when it is not there; a
 * server that refuses it keeps the label scan, and the migration goes on.
 */
export function neverSeen(kind: DialectKind): Migration {
  return {
    // biome-ignore lint/suspicious/noExplicitAny: migrations are frozen code and must not follow later schema types
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .alterTable("devices")
        .addColumn("seen", "integer", (c) => c.notNull().defaultTo(0))
        .execute();
      await sql`update devices set seen = 1
        where exists (select 1 from device_status s where s.mac = devices.mac)`.execute(db);
      // The predicate as a literal: SQLite matches a partial index only against the same text.
      await sql`create index devices_never_seen on devices (mac) where seen = 0`.execute(db);
      await sql`create index devices_tenant_never_seen on devices (tenant_id, mac)
        where seen = 0`.execute(db);
      if (kind === "sqlite") {
        await sql`create trigger device_status_seen after insert on device_status begin
          update devices set seen = 1 where mac = new.mac and seen = 0; end`.execute(db);
        await sql`create trigger device_status_unseen after delete on device_status begin
          update devices set seen = 0 where mac = old.mac and seen = 1; end`.execute(db);
        await sql`create trigger devices_seen after insert on devices
          when exists (select 1 from device_status s where s.mac = new.mac) begin
          update devices set seen = 1 where mac = new.mac; end`.execute(db);
        return;
      }
      await sql`create function device_status_seen() returns trigger language plpgsql as $$
        begin
          if tg_op = 'INSERT' then
            update devices set seen = 1 where mac = new.mac and seen = 0;
          else
            update devices set seen = 0 where mac = old.mac and seen = 1;
          end if;
          return null;
        end $$`.execute(db);
      await sql`create trigger device_status_seen after insert or delete on device_status
        for each row execute function device_status_seen()`.execute(db);
      await sql`create function devices_seen() returns trigger language plpgsql as $$
        begin
          new.seen := case when exists (select 1 from device_status s where s.mac = new.mac)
            then 1 else 0 end;
          return new;
        end $$`.execute(db);
      await sql`create trigger devices_seen before insert on devices
        for each row execute function devices_seen()`.execute(db);
      await labelTrigrams(db);
    },
    async down(): Promise<void> {
      throw storeError("STORE_MIGRATION_FAILED", "0015_never_seen cannot be reverted");
    },
  };
}

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen code and must not follow later schema types
async function labelTrigrams(db: Kysely<any>): Promise<void> {
  const where = async () =>
    (
      await sql<{ schema: string }>`select n.nspname as schema from pg_extension e
        join pg_namespace n on n.oid = e.extnamespace where e.extname = 'pg_trgm'`.execute(db)
    ).rows[0]?.schema;
  let schema = await where();
  if (schema === undefined) {
    // In a savepoint: the migration's transaction goes on when the server refuses.
    await sql`savepoint pg_trgm`.execute(db);
    try {
      await sql`create extension if not exists pg_trgm with schema public`.execute(db);
      await sql`release savepoint pg_trgm`.execute(db);
    } catch {
      await sql`rollback to savepoint pg_trgm`.execute(db);
    }
    schema = await where();
  }
  if (schema === undefined) return;
  await sql`create index devices_label_trigrams on devices
    using gin (lower(label) ${sql.id(schema, "gin_trgm_ops")}) where label is not null`.execute(db);
}
