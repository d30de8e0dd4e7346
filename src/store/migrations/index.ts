import type { Migration, MigrationProvider } from "kysely";
import type { DialectKind } from "../dialect.ts";
import { initial } from "./0001_initial.ts";

/**
 * Every migration, in order, as code (no file-system scan, so bundling works). Append new ones
 * as `NNNN_name`; never edit a released one.
 */
export function migrationProvider(kind: DialectKind): MigrationProvider {
  return {
    async getMigrations(): Promise<Record<string, Migration>> {
      return { "0001_initial": initial(kind) };
    },
  };
}
