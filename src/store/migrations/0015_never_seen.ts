import { type Kysely, type Migration, sql } from "kysely";
import type { DialectKind } from "../dialect.ts";
import { storeError } from "../errors.ts";

/**
 * The device list's "never seen" filter and the dashboard's never-seen count at 100,000 devices
 * (decision D40): `devices.seen` is 1 when the device has a status row (the server saw it at
 * least once), kept by triggers on the status table — set on a status row's insert (its first
 * resync; later resyncs update the row and fire nothing), cleared on its delete, and on a
 * device's insert set from the status row already there — so no writer of the store changes.
 * The same triggers copy the device's tenant onto its status and lifecycle rows (on their
 * insert, and the device's insert or tenant change), indexed by (tenant, firmware) and
 * (tenant, state): the dashboard counts a tenant's without joining 90,000 rows to devices.
 * Partial indexes hold only the devices never seen, by MAC and by (tenant, MAC): the filter and
 * the count read those, not an anti-join over every device and status row (PostgreSQL hashed
 * both tables: 115–420 ms CPU per request at 100,000 devices). `devices_account` and
 * `devices_group` become (account, MAC) and (group, MAC).
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
      // An account's or group's devices in MAC order straight from the index (SQLite without
      // statistics otherwise walked a large tenant's (tenant, MAC) index for the order).
      for (const column of ["account", "group"]) {
        await db.schema
          .createIndex(`devices_${column}_mac`)
          .on("devices")
          .columns([`${column}_id`, "mac"])
          .execute();
        await db.schema.dropIndex(`devices_${column}`).execute();
      }
      // The tenant copied onto the status and lifecycle rows, so a tenant's firmware and
      // lifecycle counts read an index of their own instead of joining every row to devices.
      for (const table of ["device_status", "device_lifecycle"]) {
        await db.schema.alterTable(table).addColumn("tenant_id", "text").execute();
        await sql`update ${sql.table(table)} set tenant_id =
          (select d.tenant_id from devices d where d.mac = ${sql.table(table)}.mac)`.execute(db);
      }
      await db.schema
        .createIndex("device_status_tenant_firmware")
        .on("device_status")
        .columns(["tenant_id", "firmware"])
        .execute();
      await db.schema
        .createIndex("device_lifecycle_tenant_state")
        .on("device_lifecycle")
        .columns(["tenant_id", "state"])
        .execute();
      if (kind === "sqlite") {
        await sql`create trigger device_status_seen after insert on device_status begin
          update devices set seen = 1 where mac = new.mac and seen = 0;
          update device_status set tenant_id = (select tenant_id from devices where mac = new.mac)
            where mac = new.mac; end`.execute(db);
        await sql`create trigger device_status_unseen after delete on device_status begin
          update devices set seen = 0 where mac = old.mac and seen = 1; end`.execute(db);
        await sql`create trigger device_lifecycle_tenant after insert on device_lifecycle begin
          update device_lifecycle set tenant_id =
            (select tenant_id from devices where mac = new.mac) where mac = new.mac; end`.execute(
          db,
        );
        await sql`create trigger devices_seen after insert on devices begin
          update devices set seen = 1 where mac = new.mac
            and exists (select 1 from device_status s where s.mac = new.mac);
          update device_status set tenant_id = new.tenant_id where mac = new.mac;
          update device_lifecycle set tenant_id = new.tenant_id where mac = new.mac; end`.execute(
          db,
        );
        await sql`create trigger devices_tenant after update of tenant_id on devices begin
          update device_status set tenant_id = new.tenant_id where mac = new.mac;
          update device_lifecycle set tenant_id = new.tenant_id where mac = new.mac; end`.execute(
          db,
        );
        return;
      }
      await sql`create function device_status_seen() returns trigger language plpgsql as $$
        begin
          if tg_op = 'INSERT' then
            update devices set seen = 1 where mac = new.mac and seen = 0;
            update device_status set tenant_id =
              (select d.tenant_id from devices d where d.mac = new.mac) where mac = new.mac;
          else
            update devices set seen = 0 where mac = old.mac and seen = 1;
          end if;
          return null;
        end $$`.execute(db);
      await sql`create trigger device_status_seen after insert or delete on device_status
        for each row execute function device_status_seen()`.execute(db);
      await sql`create function device_lifecycle_tenant() returns trigger language plpgsql as $$
        begin
          update device_lifecycle set tenant_id =
            (select d.tenant_id from devices d where d.mac = new.mac) where mac = new.mac;
          return null;
        end $$`.execute(db);
      await sql`create trigger device_lifecycle_tenant after insert on device_lifecycle
        for each row execute function device_lifecycle_tenant()`.execute(db);
      await sql`create function devices_seen() returns trigger language plpgsql as $$
        begin
          new.seen := case when exists (select 1 from device_status s where s.mac = new.mac)
            then 1 else 0 end;
          return new;
        end $$`.execute(db);
      await sql`create trigger devices_seen before insert on devices
        for each row execute function devices_seen()`.execute(db);
      await sql`create function devices_tenant() returns trigger language plpgsql as $$
        begin
          update device_status set tenant_id = new.tenant_id
            where mac = new.mac and tenant_id is distinct from new.tenant_id;
          update device_lifecycle set tenant_id = new.tenant_id
            where mac = new.mac and tenant_id is distinct from new.tenant_id;
          return null;
        end $$`.execute(db);
      await sql`create trigger devices_tenant after insert or update of tenant_id on devices
        for each row execute function devices_tenant()`.execute(db);
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
