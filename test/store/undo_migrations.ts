/**
 * SQL that takes a database back from the latest migration to 0012, for the tests that build
 * "a database of an earlier version" from a fresh one: Kysely refuses a database whose recorded
 * migrations skip one, so such a test undoes every later migration. A new migration adds its
 * undo at the top of this list.
 */
export function undoAfter0012(dialect: "sqlite" | "postgres"): string[] {
  return [
    // 0015 (never seen, the tenant on status and lifecycle rows)
    ...(dialect === "postgres"
      ? ["device_status_seen", "device_lifecycle_tenant", "devices_seen", "devices_tenant"].map(
          (fn) => `drop function if exists ${fn}() cascade`,
        )
      : [
          "device_status_seen",
          "device_status_unseen",
          "device_lifecycle_tenant",
          "devices_seen",
          "devices_tenant",
        ].map((trigger) => `drop trigger if exists ${trigger}`)),
    ...[
      "devices_label_trigrams",
      "devices_never_seen",
      "devices_tenant_never_seen",
      "devices_account_mac",
      "devices_group_mac",
      "device_status_tenant_firmware",
      "device_lifecycle_tenant_state",
    ].map((index) => `drop index if exists ${index}`),
    "alter table devices drop column seen",
    "alter table device_status drop column tenant_id",
    "alter table device_lifecycle drop column tenant_id",
    "create index devices_account on devices (account_id)",
    "create index devices_group on devices (group_id)",
    // 0014 (device search)
    ...[
      "devices_tenant_state",
      "devices_tenant_model",
      "devices_state_mac",
      "devices_model_mac",
      "device_status_at",
      "device_status_firmware",
      "device_lifecycle_state_mac",
      "devices_label",
      "events_tenant_at",
      "events_at_result",
    ].map((index) => `drop index if exists ${index}`),
    "create index devices_model on devices (model_pn)",
    "create index events_at on events (at)",
    "create index device_lifecycle_state on device_lifecycle (state)",
    // 0013 (users and sessions)
    "drop table sessions",
    "drop table users",
    "delete from kysely_migration where name > '0012_firmware_names_per_tenant'",
  ];
}
