import type { Kysely, Migration } from "kysely";
import { storeError } from "../errors.ts";

/**
 * An account line's outbound proxy, voicemail mailbox id and per-line extras (a JSON object
 * of parameter base name → value), so every field of a line reaches the profile. Existing
 * lines get none of them (null).
 */
export function accountLineFields(): Migration {
  return {
    // biome-ignore lint/suspicious/noExplicitAny: migrations are frozen code and must not follow later schema types
    async up(db: Kysely<any>): Promise<void> {
      // One column per statement: SQLite's ALTER TABLE adds one at a time.
      for (const column of ["outbound_proxy", "voicemail_id", "extras"]) {
        await db.schema.alterTable("account_lines").addColumn(column, "text").execute();
      }
    },
    async down(): Promise<void> {
      throw storeError("STORE_MIGRATION_FAILED", "0004_account_line_fields cannot be reverted");
    },
  };
}
