import type { Kysely, Migration } from "kysely";
import { storeError } from "../errors.ts";

/**
 * Indexes for the admin UI's device search and dashboard (decision D40): each sort order of the
 * device list is a keyset on (column, MAC), within a tenant or across all; the last-seen order
 * and the seen-before/after filters read the status rows by time; the firmware filter and the
 * fleet's firmware counts read them by version; the dashboard's resync buckets and refusals read
 * a tenant's (or every) event by time and result without the rows. `devices_model` (model
 * alone) is replaced by (model, MAC), `events_at` (time alone) by (time, result).
 */
const INDEXES: readonly (readonly [name: string, table: string, columns: readonly string[]])[] = [
  ["devices_tenant_state", "devices", ["tenant_id", "state", "mac"]],
  ["devices_tenant_model", "devices", ["tenant_id", "model_pn", "mac"]],
  ["devices_state_mac", "devices", ["state", "mac"]],
  ["devices_model_mac", "devices", ["model_pn", "mac"]],
  ["device_status_at", "device_status", ["at", "mac"]],
  ["device_status_firmware", "device_status", ["firmware", "mac"]],
  ["device_lifecycle_state_mac", "device_lifecycle", ["state", "mac"]],
  ["devices_label", "devices", ["label", "mac"]],
  ["events_tenant_at", "events", ["tenant_id", "at", "result"]],
  ["events_at_result", "events", ["at", "result"]],
];

export function deviceSearch(): Migration {
  return {
    // biome-ignore lint/suspicious/noExplicitAny: migrations are frozen code and must not follow later schema types
    async up(db: Kysely<any>): Promise<void> {
      for (const [name, table, columns] of INDEXES) {
        await db.schema
          .createIndex(name)
          .on(table)
          .columns([...columns])
          .execute();
      }
      await db.schema.dropIndex("devices_model").execute();
      await db.schema.dropIndex("events_at").execute();
      await db.schema.dropIndex("device_lifecycle_state").execute();
    },
    async down(): Promise<void> {
      throw storeError("STORE_MIGRATION_FAILED", "0014_device_search cannot be reverted");
    },
  };
}
