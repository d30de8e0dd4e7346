import type { Kysely, Migration } from "kysely";
import type { DialectKind } from "../dialect.ts";
import { storeError } from "../errors.ts";
import { DEFAULT_TENANT_ID, DEFAULT_TENANT_SETTINGS, type TenantSettings } from "../types.ts";

/**
 * The initial schema (see `schema.ts` for what each column means) and the default tenant.
 * Written with Kysely's schema builder so both dialects share it; only the auto-increment
 * key differs.
 */
export function initial(kind: DialectKind): Migration {
  // biome-ignore lint/suspicious/noExplicitAny: migrations are frozen code and must not follow later schema types
  type Db = Kysely<any>;
  const serial = kind === "postgres" ? "bigserial" : "integer";
  return {
    async up(db: Db): Promise<void> {
      await db.schema
        .createTable("revision")
        .addColumn("id", "integer", (c) => c.primaryKey())
        .addColumn("value", "bigint", (c) => c.notNull())
        .execute();
      await db.insertInto("revision").values({ id: 1, value: 1 }).execute();

      await db.schema
        .createTable("change_log")
        .addColumn("revision", "bigint", (c) => c.notNull())
        .addColumn("entity", "text", (c) => c.notNull())
        .addColumn("keys", "text")
        .addColumn("at", "bigint", (c) => c.notNull())
        .addPrimaryKeyConstraint("change_log_pk", ["revision", "entity"])
        .execute();

      await db.schema
        .createTable("tenants")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("slug", "text", (c) => c.notNull().unique())
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("settings", "text", (c) => c.notNull())
        .addColumn("version", "bigint", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("updated_at", "bigint", (c) => c.notNull())
        .execute();

      await db.schema
        .createTable("device_models")
        .addColumn("pn", "text", (c) => c.primaryKey())
        .addColumn("psn", "text")
        .addColumn("family", "text", (c) => c.notNull())
        .addColumn("description", "text")
        .addColumn("lines", "integer", (c) => c.notNull())
        .addColumn("version", "bigint", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("updated_at", "bigint", (c) => c.notNull())
        .execute();

      await db.schema
        .createTable("groups")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("tenant_id", "text", (c) => c.notNull().references("tenants.id"))
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("description", "text")
        .addColumn("version", "bigint", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("updated_at", "bigint", (c) => c.notNull())
        .addUniqueConstraint("groups_tenant_name", ["tenant_id", "name"])
        .execute();

      await db.schema
        .createTable("accounts")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("tenant_id", "text", (c) => c.notNull().references("tenants.id"))
        .addColumn("reference", "text", (c) => c.notNull())
        .addColumn("name", "text")
        .addColumn("version", "bigint", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("updated_at", "bigint", (c) => c.notNull())
        .addUniqueConstraint("accounts_tenant_reference", ["tenant_id", "reference"])
        .execute();

      await db.schema
        .createTable("account_lines")
        .addColumn("account_id", "text", (c) =>
          c.notNull().references("accounts.id").onDelete("cascade"),
        )
        .addColumn("line", "integer", (c) => c.notNull())
        .addColumn("user_id", "text", (c) => c.notNull())
        .addColumn("auth_id", "text")
        .addColumn("password", "text")
        .addColumn("display_name", "text")
        .addColumn("proxy", "text")
        .addPrimaryKeyConstraint("account_lines_pk", ["account_id", "line"])
        .execute();

      await db.schema
        .createTable("devices")
        .addColumn("mac", "text", (c) => c.primaryKey())
        .addColumn("tenant_id", "text", (c) => c.notNull().references("tenants.id"))
        .addColumn("model_pn", "text")
        .addColumn("serial", "text")
        .addColumn("account_id", "text", (c) => c.references("accounts.id").onDelete("set null"))
        .addColumn("group_id", "text", (c) => c.references("groups.id").onDelete("set null"))
        .addColumn("label", "text")
        .addColumn("cert_subject", "text")
        .addColumn("cert_fingerprint", "text")
        .addColumn("state", "text", (c) => c.notNull())
        .addColumn("device_key", "text")
        .addColumn("encryption", "text")
        .addColumn("version", "bigint", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("updated_at", "bigint", (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex("devices_tenant")
        .on("devices")
        .columns(["tenant_id", "mac"])
        .execute();
      await db.schema.createIndex("devices_account").on("devices").column("account_id").execute();
      await db.schema.createIndex("devices_group").on("devices").column("group_id").execute();
      await db.schema.createIndex("devices_model").on("devices").column("model_pn").execute();
      await db.schema.createIndex("devices_serial").on("devices").column("serial").execute();
      await db.schema
        .createIndex("devices_cert_fingerprint")
        .on("devices")
        .column("cert_fingerprint")
        .execute();

      await db.schema
        .createTable("device_status")
        .addColumn("mac", "text", (c) => c.primaryKey())
        .addColumn("at", "bigint", (c) => c.notNull())
        .addColumn("remote_address", "text")
        .addColumn("user_agent", "text")
        .addColumn("firmware", "text")
        .addColumn("result", "text", (c) => c.notNull())
        .addColumn("transport", "text")
        .execute();

      await db.schema
        .createTable("layers")
        .addColumn("key", "text", (c) => c.primaryKey())
        .addColumn("scope", "text", (c) => c.notNull())
        .addColumn("tenant_id", "text", (c) => c.references("tenants.id").onDelete("cascade"))
        .addColumn("parameters", "text", (c) => c.notNull())
        .addColumn("version", "bigint", (c) => c.notNull())
        .addColumn("updated_at", "bigint", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("layers_scope").on("layers").columns(["scope", "key"]).execute();
      await db.schema.createIndex("layers_tenant").on("layers").column("tenant_id").execute();

      await db.schema
        .createTable("events")
        .addColumn("id", serial, (c) =>
          kind === "postgres" ? c.primaryKey() : c.primaryKey().autoIncrement(),
        )
        .addColumn("mac", "text")
        .addColumn("tenant_id", "text")
        .addColumn("at", "bigint", (c) => c.notNull())
        .addColumn("transport", "text", (c) => c.notNull())
        .addColumn("result", "text", (c) => c.notNull())
        .addColumn("status_code", "integer")
        .addColumn("path", "text")
        .addColumn("bytes", "bigint")
        .addColumn("duration_ms", "integer")
        .addColumn("remote_address", "text")
        .addColumn("user_agent", "text")
        .addColumn("message", "text")
        .execute();
      await db.schema.createIndex("events_mac").on("events").columns(["mac", "at"]).execute();
      await db.schema
        .createIndex("events_tenant")
        .on("events")
        .columns(["tenant_id", "id"])
        .execute();
      await db.schema.createIndex("events_at").on("events").column("at").execute();

      await db.schema
        .createTable("api_tokens")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("role", "text", (c) => c.notNull())
        .addColumn("tenant_id", "text", (c) => c.references("tenants.id").onDelete("cascade"))
        .addColumn("hash", "text", (c) => c.notNull().unique())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("expires_at", "bigint")
        .execute();

      await db.schema
        .createTable("audit_log")
        .addColumn("id", serial, (c) =>
          kind === "postgres" ? c.primaryKey() : c.primaryKey().autoIncrement(),
        )
        .addColumn("at", "bigint", (c) => c.notNull())
        .addColumn("actor", "text", (c) => c.notNull())
        .addColumn("action", "text", (c) => c.notNull())
        .addColumn("entity", "text", (c) => c.notNull())
        .addColumn("key", "text")
        .addColumn("tenant_id", "text")
        .addColumn("before", "text")
        .addColumn("after", "text")
        .execute();
      await db.schema
        .createIndex("audit_entity")
        .on("audit_log")
        .columns(["entity", "key", "id"])
        .execute();
      await db.schema.createIndex("audit_at").on("audit_log").column("at").execute();

      const now = Date.now();
      const settings: TenantSettings = {
        ...DEFAULT_TENANT_SETTINGS,
        profilePaths: ["/profile/$MA.xml", "/$MA.xml"],
      };
      await db
        .insertInto("tenants")
        .values({
          id: DEFAULT_TENANT_ID,
          slug: "default",
          name: "Default",
          settings: JSON.stringify(settings),
          version: 1,
          created_at: now,
          updated_at: now,
        })
        .execute();
    },
    async down(): Promise<void> {
      throw storeError("STORE_MIGRATION_FAILED", "0001_initial cannot be reverted");
    },
  };
}
