import type { Kysely, Migration } from "kysely";
import { storeError } from "../errors.ts";

/**
 * Firmware image names unique per tenant instead of installation-wide: with one namespace a
 * tenant could take a name another tenant would need and learn which names others use.
 * The column's UNIQUE cannot be dropped in SQLite, so the table is rebuilt (the same way on
 * both dialects: no guessing of PostgreSQL's constraint name); rows are kept as they are.
 * The files move to their tenant's folder in the files directory when a node first needs
 * them (the store does not know the files directory): `src/server/firmware_files.ts`.
 */
/** Every column of the table as 0009 made it, copied as it is. */
const COLUMNS = [
  "id",
  "tenant_id",
  "version",
  "models",
  "file_name",
  "sha256",
  "bytes",
  "created_at",
  "created_by",
] as const;

export function firmwareNamesPerTenant(): Migration {
  return {
    // biome-ignore lint/suspicious/noExplicitAny: migrations are frozen code and must not follow later schema types
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable("firmware_images_0012")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("tenant_id", "text", (c) =>
          c.notNull().references("tenants.id").onDelete("cascade"),
        )
        .addColumn("version", "text", (c) => c.notNull())
        .addColumn("models", "text", (c) => c.notNull())
        .addColumn("file_name", "text", (c) => c.notNull())
        .addColumn("sha256", "text", (c) => c.notNull())
        .addColumn("bytes", "bigint", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("created_by", "text", (c) => c.notNull())
        .addUniqueConstraint("firmware_images_tenant_file", ["tenant_id", "file_name"])
        .execute();
      await db
        .insertInto("firmware_images_0012")
        .columns(COLUMNS)
        .expression(db.selectFrom("firmware_images").select(COLUMNS))
        .execute();
      await db.schema.dropTable("firmware_images").execute();
      await db.schema.alterTable("firmware_images_0012").renameTo("firmware_images").execute();
      // The unique (tenant, file name) index serves lookups by tenant as well.
    },
    async down(): Promise<void> {
      throw storeError(
        "STORE_MIGRATION_FAILED",
        "0012_firmware_names_per_tenant cannot be reverted",
      );
    },
  };
}
