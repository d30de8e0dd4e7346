import type { Kysely, Migration } from "kysely";
import { storeError } from "../errors.ts";

/**
 * Configuration reports devices upload (Report_Rule): one row per upload, a bounded history
 * per device (the repository prunes on insert), gone with the device. Status, not
 * configuration: no revision bump. `entries` is JSON; secret values are kept only as keyed
 * digests, never in plaintext.
 */
export function deviceReports(): Migration {
  return {
    // biome-ignore lint/suspicious/noExplicitAny: migrations are frozen code and must not follow later schema types
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable("device_reports")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("mac", "text", (c) => c.notNull().references("devices.mac").onDelete("cascade"))
        .addColumn("tenant_id", "text", (c) => c.notNull())
        .addColumn("received_at", "bigint", (c) => c.notNull())
        .addColumn("kind", "text", (c) => c.notNull())
        .addColumn("remote_address", "text")
        .addColumn("identified_by", "text")
        .addColumn("entry_count", "integer", (c) => c.notNull())
        .addColumn("entries", "text", (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex("device_reports_mac_received")
        .on("device_reports")
        .columns(["mac", "received_at"])
        .execute();
    },
    async down(): Promise<void> {
      throw storeError("STORE_MIGRATION_FAILED", "0010_device_reports cannot be reverted");
    },
  };
}
