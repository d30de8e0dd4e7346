import type { Kysely, Migration } from "kysely";
import { storeError } from "../errors.ts";

/**
 * The redirect (RC) service: each provider's redirect profiles (where its units go, the
 * domains they are restricted to) and the MACs it registered, one owner per MAC, with the
 * unit's customization status. Who moved a MAC from whom is in the audit log.
 */
export function redirectService(): Migration {
  return {
    // biome-ignore lint/suspicious/noExplicitAny: migrations are frozen code and must not follow later schema types
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable("redirect_profiles")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("tenant_id", "text", (c) => c.notNull().references("tenants.id"))
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("restricted_domains", "text", (c) => c.notNull())
        .addColumn("primary_dns", "text")
        .addColumn("secondary_dns", "text")
        .addColumn("provision_enable", "text", (c) => c.notNull())
        .addColumn("resync_periodic", "text")
        .addColumn("resync_error_retry_delay", "text")
        .addColumn("profile_rule", "text", (c) => c.notNull())
        .addColumn("version", "bigint", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("updated_at", "bigint", (c) => c.notNull())
        .addUniqueConstraint("redirect_profiles_tenant_name", ["tenant_id", "name"])
        .execute();
      await db.schema
        .createTable("redirect_units")
        .addColumn("mac", "text", (c) => c.primaryKey())
        .addColumn("tenant_id", "text", (c) => c.notNull().references("tenants.id"))
        .addColumn("profile_id", "text", (c) => c.notNull().references("redirect_profiles.id"))
        .addColumn("status", "text", (c) => c.notNull())
        .addColumn("status_at", "bigint", (c) => c.notNull())
        .addColumn("version", "bigint", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("updated_at", "bigint", (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex("redirect_units_tenant")
        .on("redirect_units")
        .columns(["tenant_id", "mac"])
        .execute();
      await db.schema
        .createIndex("redirect_units_profile")
        .on("redirect_units")
        .column("profile_id")
        .execute();
    },
    async down(): Promise<void> {
      throw storeError("STORE_MIGRATION_FAILED", "0006_redirect_service cannot be reverted");
    },
  };
}
