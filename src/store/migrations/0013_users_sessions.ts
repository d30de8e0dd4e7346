import type { Kysely, Migration } from "kysely";
import { storeError } from "../errors.ts";

/**
 * Admin users with passwords, and browser sessions (issue 18's web UI).
 *
 * - `users`: a unique lower-case user name; `password_hash` is a self-describing scrypt string
 *   (`$scrypt$ln=…,r=…,p=…$salt$hash`), so its parameters can be raised later and old hashes
 *   still verify; role and tenant scope as API tokens have them (a user goes with its tenant).
 * - `sessions`: only the SHA-256 of the 256-bit session id is stored, like a token's. A session
 *   stands for a user or an API token (exactly one) and goes with it; `idle_expires_at` moves
 *   with use (by `idle_ms`, never past `expires_at`), `expires_at` never does.
 */
export function usersSessions(): Migration {
  return {
    // biome-ignore lint/suspicious/noExplicitAny: migrations are frozen code and must not follow later schema types
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable("users")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("username", "text", (c) => c.notNull().unique())
        .addColumn("password_hash", "text", (c) => c.notNull())
        .addColumn("role", "text", (c) => c.notNull())
        .addColumn("tenant_id", "text", (c) => c.references("tenants.id").onDelete("cascade"))
        .addColumn("disabled", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("last_login_at", "bigint")
        .execute();
      await db.schema
        .createTable("sessions")
        .addColumn("id_hash", "text", (c) => c.primaryKey())
        .addColumn("user_id", "text", (c) => c.references("users.id").onDelete("cascade"))
        .addColumn("token_id", "text", (c) => c.references("api_tokens.id").onDelete("cascade"))
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("last_seen_at", "bigint", (c) => c.notNull())
        .addColumn("idle_ms", "bigint", (c) => c.notNull())
        .addColumn("idle_expires_at", "bigint", (c) => c.notNull())
        .addColumn("expires_at", "bigint", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("sessions_user").on("sessions").column("user_id").execute();
      await db.schema.createIndex("sessions_token").on("sessions").column("token_id").execute();
      await db.schema
        .createIndex("sessions_idle_expiry")
        .on("sessions")
        .column("idle_expires_at")
        .execute();
    },
    async down(): Promise<void> {
      throw storeError("STORE_MIGRATION_FAILED", "0013_users_sessions cannot be reverted");
    },
  };
}
