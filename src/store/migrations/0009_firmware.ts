import type { Kysely, Migration } from "kysely";
import { storeError } from "../errors.ts";

/**
 * Firmware: the image registry (the bytes live in the files directory, the rows say what
 * they are), upgrade policies per tenant / model / group, staged rollouts and their members
 * (one row per unit in a rollout: its wave and what the server saw of it).
 */
export function firmware(): Migration {
  return {
    // biome-ignore lint/suspicious/noExplicitAny: migrations are frozen code and must not follow later schema types
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable("firmware_images")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("tenant_id", "text", (c) =>
          c.notNull().references("tenants.id").onDelete("cascade"),
        )
        .addColumn("version", "text", (c) => c.notNull())
        .addColumn("models", "text", (c) => c.notNull())
        .addColumn("file_name", "text", (c) => c.notNull().unique())
        .addColumn("sha256", "text", (c) => c.notNull())
        .addColumn("bytes", "bigint", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("created_by", "text", (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex("firmware_images_tenant")
        .on("firmware_images")
        .column("tenant_id")
        .execute();
      await db.schema
        .createTable("upgrade_policies")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("tenant_id", "text", (c) =>
          c.notNull().references("tenants.id").onDelete("cascade"),
        )
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("model_pn", "text")
        .addColumn("group_id", "text", (c) => c.references("groups.id").onDelete("cascade"))
        .addColumn("target_version", "text", (c) => c.notNull())
        .addColumn("intermediates", "text", (c) => c.notNull())
        .addColumn("downgrade_rev_limit", "text")
        .addColumn("scheme", "text", (c) => c.notNull())
        .addColumn("base_url", "text")
        .addColumn("staged", "integer", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("updated_at", "bigint", (c) => c.notNull())
        .addUniqueConstraint("upgrade_policies_name", ["tenant_id", "name"])
        .execute();
      await db.schema
        .createTable("rollouts")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("tenant_id", "text", (c) =>
          c.notNull().references("tenants.id").onDelete("cascade"),
        )
        .addColumn("policy_id", "text", (c) =>
          c.notNull().references("upgrade_policies.id").onDelete("cascade"),
        )
        .addColumn("waves", "text", (c) => c.notNull())
        .addColumn("failure_threshold", "integer", (c) => c.notNull())
        .addColumn("silence_ms", "bigint", (c) => c.notNull())
        .addColumn("state", "text", (c) => c.notNull())
        .addColumn("wave", "integer", (c) => c.notNull())
        .addColumn("reason", "text")
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("updated_at", "bigint", (c) => c.notNull())
        .addColumn("wave_started_at", "bigint", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("rollouts_policy").on("rollouts").column("policy_id").execute();
      await db.schema
        .createTable("rollout_members")
        .addColumn("rollout_id", "text", (c) =>
          c.notNull().references("rollouts.id").onDelete("cascade"),
        )
        .addColumn("mac", "text", (c) => c.notNull())
        .addColumn("wave", "integer", (c) => c.notNull())
        .addColumn("status", "text", (c) => c.notNull())
        .addColumn("from_version", "text")
        .addColumn("reported_version", "text")
        .addColumn("error", "text")
        .addColumn("offered_at", "bigint")
        .addColumn("updated_at", "bigint", (c) => c.notNull())
        .addPrimaryKeyConstraint("rollout_members_pk", ["rollout_id", "mac"])
        .execute();
    },
    async down(): Promise<void> {
      throw storeError("STORE_MIGRATION_FAILED", "0009_firmware cannot be reverted");
    },
  };
}
