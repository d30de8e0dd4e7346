import type { Kysely, Migration } from "kysely";
import { storeError } from "../errors.ts";

/**
 * Secure provisioning's per-device keys and random directories: the pair a device holds
 * (`key_sealed`, `directory`) and, during a rotation, the pair it is being moved to
 * (`next_*`). Keys are sealed under the master key; directories are looked up by the
 * request path, so both are unique. A device's keys go with it.
 */
export function deviceKeys(): Migration {
  return {
    // biome-ignore lint/suspicious/noExplicitAny: migrations are frozen code and must not follow later schema types
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable("device_keys")
        .addColumn("mac", "text", (c) =>
          c.primaryKey().references("devices.mac").onDelete("cascade"),
        )
        .addColumn("status", "text", (c) => c.notNull())
        .addColumn("via", "text", (c) => c.notNull())
        .addColumn("key_sealed", "text", (c) => c.notNull())
        .addColumn("directory", "text", (c) => c.notNull().unique())
        .addColumn("generation", "integer", (c) => c.notNull())
        .addColumn("key_created_at", "bigint", (c) => c.notNull())
        .addColumn("next_key_sealed", "text")
        .addColumn("next_directory", "text", (c) => c.unique())
        .addColumn("next_generation", "integer")
        .addColumn("next_created_at", "bigint")
        .addColumn("next_delivered_at", "bigint")
        .addColumn("rotations", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("confirmed_at", "bigint")
        .addColumn("rotated_at", "bigint")
        .execute();
    },
    async down(): Promise<void> {
      throw storeError("STORE_MIGRATION_FAILED", "0008_device_keys cannot be reverted");
    },
  };
}
