import type { Migration, MigrationProvider } from "kysely";
import type { DialectKind } from "../dialect.ts";
import type { SecretSealer } from "../secret.ts";
import { initial } from "./0001_initial.ts";
import { sealLayerSecrets } from "./0002_seal_layer_secrets.ts";
import { installationTable } from "./0003_installation.ts";
import { accountLineFields } from "./0004_account_line_fields.ts";
import { deviceLifecycle } from "./0005_device_lifecycle.ts";
import { redirectService } from "./0006_redirect_service.ts";
import { activationCodes } from "./0007_activation_codes.ts";
import { deviceKeys } from "./0008_device_keys.ts";
import { firmware } from "./0009_firmware.ts";
import { deviceReports } from "./0010_device_reports.ts";
import { redirectGrants } from "./0011_redirect_grants.ts";
import { firmwareNamesPerTenant } from "./0012_firmware_names_per_tenant.ts";
import { usersSessions } from "./0013_users_sessions.ts";
import { deviceSearch } from "./0014_device_search.ts";
import { neverSeen } from "./0015_never_seen.ts";

/**
 * Every migration, in order, as code (no file-system scan, so bundling works). Append new ones
 * as `NNNN_name`; never edit a released one. `sealer` is the store's master-key sealer (data
 * migrations that seal secrets).
 */
export function migrationProvider(kind: DialectKind, sealer: SecretSealer): MigrationProvider {
  return {
    async getMigrations(): Promise<Record<string, Migration>> {
      return {
        "0001_initial": initial(kind),
        "0002_seal_layer_secrets": sealLayerSecrets(sealer),
        "0003_installation": installationTable(),
        "0004_account_line_fields": accountLineFields(),
        "0005_device_lifecycle": deviceLifecycle(),
        "0006_redirect_service": redirectService(),
        "0007_activation_codes": activationCodes(),
        "0008_device_keys": deviceKeys(),
        "0009_firmware": firmware(),
        "0010_device_reports": deviceReports(),
        "0011_redirect_grants": redirectGrants(),
        "0012_firmware_names_per_tenant": firmwareNamesPerTenant(),
        "0013_users_sessions": usersSessions(),
        "0014_device_search": deviceSearch(),
        "0015_never_seen": neverSeen(kind),
      };
    },
  };
}
