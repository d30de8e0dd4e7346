import type { Kysely, Migration } from "kysely";
import { storeError } from "../errors.ts";

/**
 * Facts about the installation as a whole, one row per name. The first is which master key
 * sealed the database's secrets (`master_key_id`: a fingerprint, never the key), so a process
 * holding another key refuses to open the database instead of sealing new secrets under the
 * wrong key (see `master_key_record.ts`).
 */
export function installationTable(): Migration {
  return {
    // biome-ignore lint/suspicious/noExplicitAny: migrations are frozen code and must not follow later schema types
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable("installation")
        .addColumn("name", "text", (c) => c.primaryKey())
        .addColumn("value", "text", (c) => c.notNull())
        .execute();
    },
    async down(): Promise<void> {
      throw storeError("STORE_MIGRATION_FAILED", "0003_installation cannot be reverted");
    },
  };
}
