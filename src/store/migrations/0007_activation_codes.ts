import { randomBytes } from "node:crypto";
import type { Kysely, Migration } from "kysely";
import { storeError } from "../errors.ts";

/**
 * Retail activation codes: one row per code, only its keyed hash stored (the installation's
 * `activation_salt` is the key), single use (`used_at`, `bound_mac`), expiring. A code goes
 * with its account (and tenant) when they are deleted.
 */
export function activationCodes(): Migration {
  return {
    // biome-ignore lint/suspicious/noExplicitAny: migrations are frozen code and must not follow later schema types
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable("activation_codes")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("tenant_id", "text", (c) =>
          c.notNull().references("tenants.id").onDelete("cascade"),
        )
        .addColumn("account_id", "text", (c) =>
          c.notNull().references("accounts.id").onDelete("cascade"),
        )
        .addColumn("code_hash", "text", (c) => c.notNull().unique())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("expires_at", "bigint", (c) => c.notNull())
        .addColumn("used_at", "bigint")
        .addColumn("bound_mac", "text")
        .addColumn("created_by", "text", (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex("activation_codes_account")
        .on("activation_codes")
        .column("account_id")
        .execute();
      await db
        .insertInto("installation")
        .values({ name: "activation_salt", value: randomBytes(32).toString("base64url") })
        .execute();
    },
    async down(): Promise<void> {
      throw storeError("STORE_MIGRATION_FAILED", "0007_activation_codes cannot be reverted");
    },
  };
}
