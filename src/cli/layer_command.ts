import type { Command } from "commander";
import {
  EffectiveConfigResolver,
  layerJson,
  parseMacParam,
  parseParameterArgument,
  patchLayer,
  resolveAccount,
  resolveGroup,
  resolveTenant,
} from "../admin/index.ts";
import { defaultCatalogue } from "../profile/index.ts";
import type { LayerTarget, ParameterAccess, Store } from "../store/index.ts";
import type { RegisterCommand } from "./commands.ts";
import { cliError } from "./errors.ts";
import {
  formatTable,
  type InstallationFlags,
  installationOptions,
  printJson,
  withInstallation,
} from "./installation.ts";
import { recordNamer } from "./record_names.ts";
import { writeStdout } from "./stdout.ts";

interface SelectorFlags extends InstallationFlags {
  tenant?: string;
  model?: string;
  group?: string;
  account?: string;
  device?: string;
  staging?: boolean;
}

const ACCESS = ["na", "ro", "rw"];

function selectors(command: Command): Command {
  return installationOptions(
    command
      .option(
        "--tenant <tenant>",
        "the tenant's layer, or the tenant of --model/--group/--account (slug or id; default: the default tenant)",
      )
      .option("--model <pn>", "the model layer (per tenant)")
      .option("--group <group>", "the group layer (group name or id)")
      .option("--account <account>", "the account layer (reference or id)")
      .option("--device <mac>", "the device layer")
      .option("--staging", "the tenant's staging profile (what its factory units get)"),
  );
}

/** The layer the selectors name; no selector = the tenant layer of the default tenant. */
export async function resolveLayerTarget(store: Store, flags: SelectorFlags): Promise<LayerTarget> {
  const given = (["model", "group", "account", "device", "staging"] as const).filter(
    (k) => flags[k] !== undefined,
  );
  if (given.length > 1) {
    throw cliError(
      "CLI_BAD_OPTION",
      `name one layer: --${given.join(" and --")} were given together`,
    );
  }
  if (flags.device !== undefined) {
    const mac = parseMacParam(flags.device);
    const device = await store.devices.findByMac(mac);
    if (device === null) throw cliError("CLI_NOT_FOUND", `device ${mac} not found`);
    return { scope: "device", mac };
  }
  const tenant = await resolveTenant(store, flags.tenant);
  if (flags.staging === true) return { scope: "staging", tenantId: tenant.id };
  if (flags.account !== undefined) {
    return {
      scope: "account",
      accountId: (await resolveAccount(store, tenant.id, flags.account)).id,
    };
  }
  if (flags.group !== undefined) {
    return { scope: "group", groupId: (await resolveGroup(store, tenant.id, flags.group)).id };
  }
  if (flags.model !== undefined) {
    if ((await store.models.find(flags.model)) === null) {
      throw cliError(
        "CLI_NOT_FOUND",
        `model ${flags.model} is neither built in nor registered (provisio model list; provisio model add ${flags.model} --family spa|mpp)`,
        { status: 404 },
      );
    }
    return { scope: "model", tenantId: tenant.id, pn: flags.model };
  }
  return { scope: "tenant", tenantId: tenant.id };
}

const SELECTOR_HELP = `
The layer is named by one selector; merge order, weakest first:
  --tenant T  <  --model PN  <  --group G  <  --account A  <  --device MAC
With no selector, the default tenant's layer. --tenant also says which tenant
--model, --group and --account belong to. --staging names the tenant's staging
profile: what its factory units get when they ask for their factory file
(docs/staging.md), never merged into a device's profile.`;

export const registerLayerCommand: RegisterCommand = (program: Command) => {
  const layer = program
    .command("layer")
    .description("Configuration layers: set, unset and show parameters (with provenance)");

  selectors(
    layer
      .command("set")
      .description("Set parameters of a layer, keeping its other parameters")
      .argument(
        "<parameters...>",
        "NAME=VALUE, NAME:ACCESS=VALUE or NAME:ACCESS (ACCESS = na, ro, rw)",
      )
      .option("--access <access>", "access tag (ua) for every parameter that does not give its own")
      .option(
        "--allow-unknown",
        "keep parameters the catalogue does not know (firmware newer than the catalogue), with a warning",
      ),
  )
    .addHelpText(
      "after",
      `${SELECTOR_HELP}

Parameters:
  NAME=VALUE          set the value (brackets accepted: Proxy[1]=… is Proxy_1_)
  NAME:rw=VALUE       set the value and the user access tag (na, ro, rw)
  NAME:na             set only the access tag; the value comes from weaker layers
  NAME=               set the empty value
Names and values are checked against the parameter catalogue: an unknown name is
refused with the nearest known names, a value of the wrong type is refused. For a
--model layer, or a --device with a model, names must be that model's (Line_Enable_3_
on a 2-line ATA is refused with the model's limits). --allow-unknown (or the tenant
setting allowUnknownParameters) keeps unknown names, with a warning.
Values may be templates: User_ID_1_='{{ account.line1.user_id }}'.

Examples:
  provisio layer set Proxy_1_=sip.example.com Resync_Periodic=3600
  provisio layer set --model SPA112 Proxy[1]=sip.example.com --access ro
  provisio layer set --account 1001 'User_ID_1_={{ account.line1.user_id }}' 'Password_1_={{ account.line1.password }}'
  provisio layer set --device 000e08abcdef Resync_Periodic:rw=600 Admin_Passwd:na`,
    )
    .action(
      async (
        parameters: string[],
        flags: SelectorFlags & { access?: string; allowUnknown?: boolean },
      ) => {
        if (flags.access !== undefined && !ACCESS.includes(flags.access)) {
          throw cliError("CLI_BAD_OPTION", "--access must be na, ro or rw");
        }
        const inputs = parameters.map((p) =>
          parseParameterArgument(p, flags.access as ParameterAccess | undefined),
        );
        await withInstallation(flags, async ({ store, actor }) => {
          const target = await resolveLayerTarget(store, flags);
          const updated = await patchLayer(store, target, inputs, [], {
            actor,
            allowUnknown: flags.allowUnknown === true,
            onWarning: (message) => process.stderr.write(`warning: ${message}\n`),
          });
          writeStdout(
            `${await recordNamer(store).layer(target)}: set ${inputs.length} parameter${inputs.length === 1 ? "" : "s"} (layer version ${updated?.version ?? 0}, ${updated?.parameters.length ?? 0} parameters)\n`,
          );
        });
      },
    );

  selectors(
    layer
      .command("unset")
      .description("Remove parameters from a layer (weaker layers apply again)")
      .argument("<names...>", "parameter names"),
  )
    .addHelpText(
      "after",
      `${SELECTOR_HELP}

Examples:
  provisio layer unset --device 000e08abcdef Resync_Periodic
  provisio layer unset --group lobby Proxy[1] Proxy[2]`,
    )
    .action(async (names: string[], flags: SelectorFlags) => {
      await withInstallation(flags, async ({ store, actor }) => {
        const target = await resolveLayerTarget(store, flags);
        const updated = await patchLayer(store, target, [], names, {
          actor,
          onWarning: (message) => process.stderr.write(`warning: ${message}\n`),
        });
        writeStdout(
          `${await recordNamer(store).layer(target)}: ${updated === null ? "layer removed (no parameters left)" : `${updated.parameters.length} parameters left`}\n`,
        );
      });
    });

  selectors(
    layer
      .command("show")
      .description("Show a layer, or with --effective a device's merged configuration")
      .option(
        "--effective",
        "with --device: the merged configuration, each value with the layer it comes from",
      )
      .option("--show-secrets", "print secret values (passwords) too")
      .option("--json", "print as JSON"),
  )
    .addHelpText(
      "after",
      `${SELECTOR_HELP}

Examples:
  provisio layer show
  provisio layer show --model SPA112 --json
  provisio layer show --device 000e08abcdef --effective`,
    )
    .action(
      async (
        flags: SelectorFlags & { effective?: boolean; showSecrets?: boolean; json?: boolean },
      ) => {
        await withInstallation(flags, async ({ store }) => {
          const target = await resolveLayerTarget(store, flags);
          if (flags.effective === true) {
            if (target.scope !== "device") {
              throw cliError("CLI_BAD_OPTION", "--effective needs --device MAC");
            }
            const device = await store.devices.get(target.mac);
            const config = await new EffectiveConfigResolver(store).resolve(device, {
              revealSecrets: flags.showSecrets === true,
            });
            if (flags.json === true) return printJson(config);
            writeStdout(
              `effective configuration of ${device.mac} (layers: ${config.layers.map((l) => l.key).join(" < ") || "none"})\n`,
            );
            writeStdout(
              formatTable(
                ["NAME", "VALUE", "ACCESS", "VALUE FROM", "ACCESS FROM"],
                config.parameters.map((p) => [
                  p.name,
                  p.secret ? "(secret)" : (p.value ?? "(not set)"),
                  p.access,
                  p.valueFrom ?? "-",
                  p.accessFrom,
                ]),
              ),
            );
            for (const warning of config.warnings) process.stderr.write(`warning: ${warning}\n`);
            return;
          }
          const found = await store.layers.get(target);
          if (flags.json === true)
            return printJson(
              layerJson(target, found, { revealSecrets: flags.showSecrets === true }),
            );
          if (found === null || found.parameters.length === 0) {
            writeStdout(`${await recordNamer(store).layer(target)}: no parameters\n`);
            return;
          }
          writeStdout(`${await recordNamer(store).layer(target)} (version ${found.version})\n`);
          writeStdout(
            formatTable(
              ["NAME", "VALUE", "ACCESS"],
              found.parameters.map((p) => [
                p.name,
                p.value === null
                  ? "(inherited)"
                  : defaultCatalogue.isSecret(p.name) && flags.showSecrets !== true
                    ? "(secret)"
                    : p.value,
                p.access ?? "-",
              ]),
            ),
          );
        });
      },
    );
};
