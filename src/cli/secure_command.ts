/**
 * `provisio secure …`: secure provisioning — turn it on for a tenant (with an optional
 * rotation schedule), see each device's key state, rotate keys on demand (devices, a group,
 * a tenant), and reset a device so its bootstrap answers it again.
 */
import type { Command } from "commander";
import {
  parseMacParam,
  resetSecureKeys,
  resolveGroup,
  resolveTenant,
  rotateSecureKeys,
  secureKeysJson,
} from "../admin/index.ts";
import {
  MAX_KEY_ROTATION_DAYS,
  type RotationScope,
  SECURE_PROVISIONING_MODES,
  type SecureProvisioningMode,
} from "../store/index.ts";
import { parseChoice } from "./cli_values.ts";
import type { RegisterCommand } from "./commands.ts";
import { cliError } from "./errors.ts";
import {
  formatTable,
  type InstallationFlags,
  installationOptions,
  printJson,
  withInstallation,
} from "./installation.ts";
import { writeStdout } from "./stdout.ts";

interface ScopeFlags extends InstallationFlags {
  tenant?: string;
  group?: string;
  json?: boolean;
}

const LAN_WARNING =
  "warning: lan-bootstrap sends each unit its key in clear the first time (trust on first use): " +
  "anyone who can watch or answer that request gets the key. Use it on a trusted LAN only.\n";

function rotationDays(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > MAX_KEY_ROTATION_DAYS) {
    throw cliError(
      "CLI_BAD_OPTION",
      `--rotate-every must be a whole number of days from 0 to ${MAX_KEY_ROTATION_DAYS}`,
    );
  }
  return n;
}

export const registerSecureCommand: RegisterCommand = (program: Command) => {
  const secure = program
    .command("secure")
    .description(
      "Secure provisioning: per-device keys and random directories, their state and rotation",
    );

  installationOptions(
    secure
      .command("mode")
      .description("Turn secure provisioning on or off for a tenant")
      .argument("<tenant>", "tenant slug or id")
      .argument("<mode>", SECURE_PROVISIONING_MODES.join(" | "))
      .option(
        "--rotate-every <days>",
        "rotate each unit's key after this many days (0: on demand only)",
      )
      .option("--json", "JSON"),
  )
    .addHelpText(
      "after",
      `
on            a unit's own profile path answers once with its key and random directory: over
              HTTPS to the unit its device certificate names, over TFTP/HTTP in a file only
              that unit can open; afterwards its profile is served only there, encrypted
lan-bootstrap as on, but a unit without either may get its key in clear (trusted LAN only)
off           no new bootstraps (units that have keys keep fetching with them)

Examples:
  provisio secure mode acme on --rotate-every 90
  provisio secure mode lab lan-bootstrap`,
    )
    .action(
      async (
        tenantRef: string,
        modeText: string,
        flags: InstallationFlags & { rotateEvery?: string; json?: boolean },
      ) => {
        const mode = parseChoice<SecureProvisioningMode>(
          modeText,
          "mode",
          SECURE_PROVISIONING_MODES,
        );
        const days = flags.rotateEvery === undefined ? undefined : rotationDays(flags.rotateEvery);
        await withInstallation(flags, async ({ store, actor }) => {
          const tenant = await resolveTenant(store, tenantRef);
          const updated = await store.tenants.update(
            tenant.id,
            {
              settings: {
                secureProvisioning: mode,
                ...(days === undefined ? {} : { keyRotationDays: days }),
              },
            },
            { actor },
          );
          if (mode === "lan-bootstrap") process.stderr.write(LAN_WARNING);
          const s = updated.settings;
          if (flags.json === true) {
            printJson({
              tenant: updated.slug,
              secureProvisioning: s.secureProvisioning,
              keyRotationDays: s.keyRotationDays,
            });
            return;
          }
          const schedule =
            s.keyRotationDays === 0 ? "on demand only" : `every ${s.keyRotationDays} days`;
          writeStdout(
            `tenant ${updated.slug}: secure provisioning ${s.secureProvisioning}; key rotation ${schedule}\n`,
          );
        });
      },
    );

  installationOptions(
    secure
      .command("status")
      .description("Each device's key state (never a key or a directory)")
      .argument("[mac...]", "devices (default: every device with keys in the scope)")
      .option("--tenant <tenant>", "only this tenant's devices")
      .option(
        "--group <group>",
        "only this group's devices (in --tenant, default: the default tenant)",
      )
      .option("--rotating", "only devices with a rotation under way")
      .option("--json", "JSON"),
  ).action(async (macs: string[], flags: ScopeFlags & { rotating?: boolean }) => {
    await withInstallation(flags, async ({ store }) => {
      const tenant =
        flags.tenant === undefined && flags.group === undefined
          ? undefined
          : await resolveTenant(store, flags.tenant);
      const groupId =
        flags.group === undefined || tenant === undefined
          ? undefined
          : (await resolveGroup(store, tenant.id, flags.group)).id;
      const list = await store.deviceKeys.list({
        ...(macs.length === 0 ? {} : { macs: macs.map(parseMacParam) }),
        ...(tenant === undefined ? {} : { tenantId: tenant.id }),
        ...(groupId === undefined ? {} : { groupId }),
        ...(flags.rotating === true ? { rotating: true } : {}),
        limit: 100_000,
      });
      const rows = list.map((k) => secureKeysJson(k));
      if (flags.json === true) {
        printJson(rows);
        return;
      }
      if (rows.length === 0) {
        writeStdout("no device with secure-provisioning keys here\n");
        return;
      }
      writeStdout(
        formatTable(
          ["MAC", "STATE", "KEY", "SINCE", "ROTATIONS", "BOOTSTRAP"],
          rows.map((r) => [
            r.mac,
            r.state,
            r.rotation === null
              ? `#${r.generation}`
              : `#${r.generation} → #${r.rotation.generation}`,
            r.keyCreatedAt,
            String(r.rotations),
            r.bootstrapVia,
          ]),
        ),
      );
    });
  });

  installationOptions(
    secure
      .command("rotate")
      .description(
        "Give devices a new key and directory at their next fetch (the old ones work until they fetched with the new)",
      )
      .argument("[mac...]", "devices")
      .option("--group <group>", "every device of this group")
      .option("--tenant <tenant>", "every device of this tenant (or the group's tenant)")
      .option("--json", "JSON"),
  )
    .addHelpText(
      "after",
      "\nExamples:\n  provisio secure rotate 000e08abcdef\n  provisio secure rotate --group lobby --tenant acme\n  provisio secure rotate --tenant acme",
    )
    .action(async (macs: string[], flags: ScopeFlags) => {
      if ((macs.length > 0 ? 1 : 0) + (flags.group === undefined ? 0 : 1) === 2) {
        throw cliError("CLI_BAD_OPTION", "name devices or --group, not both");
      }
      if (macs.length === 0 && flags.group === undefined && flags.tenant === undefined) {
        throw cliError("CLI_BAD_OPTION", "name devices, --group or --tenant");
      }
      await withInstallation(flags, async ({ store, actor }) => {
        let scope: RotationScope;
        let tenantId: string | null = null;
        if (macs.length > 0) {
          scope = { macs: macs.map(parseMacParam) };
        } else {
          const tenant = await resolveTenant(store, flags.tenant);
          tenantId = tenant.id;
          scope =
            flags.group === undefined
              ? { tenantId: tenant.id }
              : { groupId: (await resolveGroup(store, tenant.id, flags.group)).id };
        }
        const result = await rotateSecureKeys(store, scope, { actor, tenantId });
        if (flags.json === true) {
          printJson(result);
          return;
        }
        writeStdout(
          `rotation started for ${result.started} device(s)` +
            (result.alreadyRotating === 0
              ? ""
              : `; ${result.alreadyRotating} already rotating (their new key stays)`) +
            "\n",
        );
      });
    });

  installationOptions(
    secure
      .command("reset")
      .description(
        "Forget a device's keys so its bootstrap answers it again (a factory-reset unit)",
      )
      .argument("<mac>", "the device"),
  ).action(async (macText: string, flags: InstallationFlags) => {
    const mac = parseMacParam(macText);
    await withInstallation(flags, async ({ store, actor }) => {
      const device = await store.devices.findByMac(mac);
      if (device === null) throw cliError("CLI_NOT_FOUND", `no device ${mac}`);
      const removed = await resetSecureKeys(store, mac, { actor, tenantId: device.tenantId });
      if (!removed)
        throw cliError("CLI_NOT_FOUND", `device ${mac} has no secure-provisioning keys`);
      writeStdout(
        `${mac}: keys forgotten; its next request on its profile path gets a new bootstrap\n`,
      );
    });
  });
};
