import type { Kysely, Migration } from "kysely";
import { storeError } from "../errors.ts";

/**
 * Where each device is in its provisioning life (MFG-RESET, SP-CUST, SEC-PRV-1, SEC-PRV-2) as
 * the server last saw it, one row per device: status, not configuration, so it is written in
 * batches without bumping the configuration revision. A device never seen has no row.
 *
 * The default tenant stages factory units out of the box (tenant setting `staging`).
 */
export function deviceLifecycle(): Migration {
  return {
    // biome-ignore lint/suspicious/noExplicitAny: migrations are frozen code and must not follow later schema types
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable("device_lifecycle")
        .addColumn("mac", "text", (c) => c.primaryKey())
        .addColumn("state", "text", (c) => c.notNull())
        .addColumn("since", "bigint", (c) => c.notNull())
        .addColumn("cause", "text")
        .execute();
      await db.schema
        .createIndex("device_lifecycle_state")
        .on("device_lifecycle")
        .column("state")
        .execute();
      const row = await db
        .selectFrom("tenants")
        .select("settings")
        .where("id", "=", "default")
        .executeTakeFirst();
      if (row !== undefined) {
        let settings: Record<string, unknown> = {};
        try {
          const parsed: unknown = JSON.parse(String(row.settings));
          if (parsed !== null && typeof parsed === "object" && !Array.isArray(parsed)) {
            settings = parsed as Record<string, unknown>;
          }
        } catch {
          // A corrupt row is reported by the store when read; leave it alone here.
          return;
        }
        // Nobody could have set `staging` before this migration (the key did not exist; a
        // fresh database's first migration writes today's default, false).
        await db
          .updateTable("tenants")
          .set({ settings: JSON.stringify({ ...settings, staging: true }) })
          .where("id", "=", "default")
          .execute();
      }
    },
    async down(): Promise<void> {
      throw storeError("STORE_MIGRATION_FAILED", "0005_device_lifecycle cannot be reverted");
    },
  };
}
