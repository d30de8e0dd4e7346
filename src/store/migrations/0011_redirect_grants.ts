import type { Kysely, Migration } from "kysely";
import { storeError } from "../errors.ts";

/**
 * The MAC ranges the installation granted each provider on the redirect service: a
 * provider's own token registers only MACs inside its grants (the units it bought), so no
 * provider can claim — and send to its own server — another provider's units.
 */
export function redirectGrants(): Migration {
  return {
    // biome-ignore lint/suspicious/noExplicitAny: migrations are frozen code and must not follow later schema types
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable("redirect_grants")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("tenant_id", "text", (c) =>
          c.notNull().references("tenants.id").onDelete("cascade"),
        )
        .addColumn("first_mac", "text", (c) => c.notNull())
        .addColumn("last_mac", "text", (c) => c.notNull())
        .addColumn("note", "text")
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex("redirect_grants_tenant")
        .on("redirect_grants")
        .columns(["tenant_id", "first_mac"])
        .execute();
    },
    async down(): Promise<void> {
      throw storeError("STORE_MIGRATION_FAILED", "0011_redirect_grants cannot be reverted");
    },
  };
}
