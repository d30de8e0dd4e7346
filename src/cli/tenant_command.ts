import type { Command } from "commander";
import { resolveTenant, tenantJson } from "../admin/index.ts";
import {
  ENCRYPTION_MODES,
  type EncryptionMode,
  type Tenant,
  type TenantPatch,
  type TenantSettings,
} from "../store/index.ts";
import { parseChoice, parseSwitch, readTextFile, requireChange } from "./cli_values.ts";
import type { RegisterCommand } from "./commands.ts";
import { cliError, hintOnConflict } from "./errors.ts";
import {
  formatTable,
  type InstallationFlags,
  installationOptions,
  printJson,
  withInstallation,
} from "./installation.ts";
import { writeStdout } from "./stdout.ts";

interface SetFlags extends InstallationFlags {
  name?: string;
  slug?: string;
  profilePath?: string[];
  clearProfilePaths?: boolean;
  requireClientCert?: string;
  autoCreate?: string;
  trustedClientCa?: string[];
  clearTrustedClientCas?: boolean;
  encryption?: string;
  allowUnknownParameters?: string;
  activationByUserAgent?: string;
  staging?: string;
  aes128gcmModel?: string[];
  clearAes128gcmModels?: boolean;
  brandAccent?: string;
  brandLogoText?: string;
  json?: boolean;
}

/** The patch `tenant set` flags ask for; refuses contradictory or empty requests. */
function tenantPatch(flags: SetFlags): TenantPatch {
  if (flags.profilePath !== undefined && flags.clearProfilePaths === true) {
    throw cliError(
      "CLI_BAD_OPTION",
      "--profile-path and --clear-profile-paths contradict each other",
    );
  }
  if (flags.trustedClientCa !== undefined && flags.clearTrustedClientCas === true) {
    throw cliError(
      "CLI_BAD_OPTION",
      "--trusted-client-ca and --clear-trusted-client-cas contradict each other",
    );
  }
  const settings: { -readonly [K in keyof TenantSettings]?: TenantSettings[K] } = {};
  if (flags.profilePath !== undefined) settings.profilePaths = flags.profilePath;
  if (flags.clearProfilePaths === true) settings.profilePaths = [];
  if (flags.requireClientCert !== undefined) {
    settings.requireClientCert = parseSwitch(flags.requireClientCert, "--require-client-cert");
  }
  if (flags.autoCreate !== undefined) {
    settings.autoCreate = parseSwitch(flags.autoCreate, "--auto-create");
  }
  if (flags.trustedClientCa !== undefined) {
    settings.trustedClientCas = flags.trustedClientCa.map((file) =>
      readTextFile(file, "--trusted-client-ca"),
    );
  }
  if (flags.clearTrustedClientCas === true) settings.trustedClientCas = [];
  if (flags.encryption !== undefined) {
    settings.encryption = parseChoice<EncryptionMode>(
      flags.encryption,
      "--encryption",
      ENCRYPTION_MODES,
    );
  }
  if (flags.allowUnknownParameters !== undefined) {
    settings.allowUnknownParameters = parseSwitch(
      flags.allowUnknownParameters,
      "--allow-unknown-parameters",
    );
  }
  if (flags.activationByUserAgent !== undefined) {
    settings.activationByUserAgent = parseSwitch(
      flags.activationByUserAgent,
      "--activation-by-user-agent",
    );
  }
  if (flags.staging !== undefined) settings.staging = parseSwitch(flags.staging, "--staging");
  if (flags.aes128gcmModel !== undefined && flags.clearAes128gcmModels === true) {
    throw cliError(
      "CLI_BAD_OPTION",
      "--aes128gcm-model and --clear-aes128gcm-models contradict each other",
    );
  }
  if (flags.aes128gcmModel !== undefined) settings.aes128gcmModels = flags.aes128gcmModel;
  if (flags.clearAes128gcmModels === true) settings.aes128gcmModels = [];
  // The activation page's branding; `off` removes it (the store checks the values).
  if (flags.brandAccent !== undefined) {
    settings.brandAccent = flags.brandAccent === "off" ? null : flags.brandAccent;
  }
  if (flags.brandLogoText !== undefined) {
    settings.brandLogoText = flags.brandLogoText === "off" ? null : flags.brandLogoText;
  }
  const patch: TenantPatch = {
    ...(flags.name === undefined ? {} : { name: flags.name }),
    ...(flags.slug === undefined ? {} : { slug: flags.slug }),
    ...(Object.keys(settings).length === 0 ? {} : { settings }),
  };
  requireChange(patch, "tenant");
  return patch;
}

function onOff(value: boolean): string {
  return value ? "on" : "off";
}

/** `tenant show`: every setting, by name. */
function describeTenant(t: Tenant): string {
  const s = t.settings;
  const rows: [string, string][] = [
    ["tenant", t.slug],
    ["name", t.name],
    ["profile paths", s.profilePaths.join(" ") || "(none)"],
    ["require client cert", onOff(s.requireClientCert)],
    ["auto create", onOff(s.autoCreate)],
    ["trusted client CAs", String(s.trustedClientCas.length)],
    ["encryption", s.encryption],
    ["allow unknown parameters", onOff(s.allowUnknownParameters)],
    ["activation by User-Agent", onOff(s.activationByUserAgent)],
    ["staging", onOff(s.staging)],
    ["secure provisioning", s.secureProvisioning],
    ["key rotation", s.keyRotationDays === 0 ? "on demand" : `every ${s.keyRotationDays} days`],
    ["aes128gcm models", s.aes128gcmModels.join(" ") || "(none)"],
    ["brand accent", s.brandAccent ?? "(none)"],
    ["brand logo text", s.brandLogoText ?? "(none)"],
    ["version", String(t.version)],
    ["updated", t.updatedAt.toISOString()],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return `${rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join("\n")}\n`;
}

export const registerTenantCommand: RegisterCommand = (program: Command) => {
  const tenant = program
    .command("tenant")
    .description("Tenants (service providers); a fresh installation has the tenant 'default'");

  installationOptions(
    tenant
      .command("add")
      .description("Create a tenant")
      .argument("<slug>", "short name: [a-z0-9][a-z0-9-]*")
      .option("--name <name>", "display name (default: the slug)")
      .option("--profile-path <pattern...>", "profile path patterns, e.g. /acme/$MA.xml"),
  )
    .addHelpText(
      "after",
      "\nExamples:\n  provisio tenant add acme --name 'Acme Telecom' --profile-path '/acme/$MA.xml'",
    )
    .action(
      async (
        slug: string,
        flags: InstallationFlags & { name?: string; profilePath?: string[] },
      ) => {
        await withInstallation(flags, async ({ store, actor }) => {
          const created = await hintOnConflict(`change it with provisio tenant set ${slug}`, () =>
            store.tenants.create(
              {
                slug,
                name: flags.name ?? slug,
                ...(flags.profilePath === undefined
                  ? {}
                  : { settings: { profilePaths: flags.profilePath } }),
              },
              { actor },
            ),
          );
          writeStdout(`added tenant ${created.slug}\n`);
        });
      },
    );

  installationOptions(tenant.command("list").description("List tenants"))
    .addHelpText("after", "\nExamples:\n  provisio tenant list")
    .action(async (flags: InstallationFlags) => {
      await withInstallation(flags, async ({ store }) => {
        const tenants = await store.tenants.list();
        writeStdout(
          formatTable(
            ["TENANT", "NAME", "PROFILE PATHS"],
            tenants.map((t) => [t.slug, t.name, t.settings.profilePaths.join(" ")]),
          ),
        );
      });
    });

  installationOptions(
    tenant
      .command("show")
      .description("Show a tenant and all its settings")
      .argument("<tenant>", "tenant slug or id")
      .option("--json", "print as JSON"),
  )
    .addHelpText(
      "after",
      "\nExamples:\n  provisio tenant show acme\n  provisio tenant show default --json",
    )
    .action(async (ref: string, flags: InstallationFlags & { json?: boolean }) => {
      await withInstallation(flags, async ({ store }) => {
        const found = await resolveTenant(store, ref);
        if (flags.json === true) printJson(tenantJson(found));
        else writeStdout(describeTenant(found));
      });
    });

  installationOptions(
    tenant
      .command("set")
      .description("Change a tenant's name, slug or settings (flags not given stay as they are)")
      .argument("<tenant>", "tenant slug or id")
      .option("--name <name>", "display name")
      .option("--slug <slug>", "rename: a new slug ([a-z0-9][a-z0-9-]*)")
      .option("--profile-path <pattern...>", "profile path patterns (replace the list)")
      .option("--clear-profile-paths", "remove all profile path patterns")
      .option("--require-client-cert <on|off>", "HTTPS requests must present a client certificate")
      .option("--auto-create <on|off>", "create unknown MACs that request a profile")
      .option(
        "--trusted-client-ca <pem-file...>",
        "PEM files of CAs trusted for client certificates (replace the list; one entry per file)",
      )
      .option("--clear-trusted-client-cas", "trust no CA of this tenant's own")
      .option("--encryption <mode>", `default profile encoding: ${ENCRYPTION_MODES.join(", ")}`)
      .option(
        "--allow-unknown-parameters <on|off>",
        "accept layer parameters the catalogue does not know, with a warning",
      )
      .option(
        "--activation-by-user-agent <on|off>",
        "activation codes may bind a unit without a device certificate by its User-Agent's MAC (spoofable)",
      )
      .option(
        "--staging <on|off>",
        "answer factory units' files (/spa112.cfg, …) with the staging profile (docs/staging.md)",
      )
      .option(
        "--aes128gcm-model <pn...>",
        "MPP models whose profiles go out with Content-Encoding: aes128gcm under the phone's IKM_HTTP_Encrypt_Content (replace the list; docs/security.md)",
      )
      .option("--clear-aes128gcm-models", "serve no model aes128gcm-encoded")
      .option(
        "--brand-accent <#rrggbb|off>",
        "the customer's activation page: accent colour once one of this tenant's codes is entered",
      )
      .option(
        "--brand-logo-text <text|off>",
        "the customer's activation page: a short text (at most 40 characters) shown as the logo",
      )
      .option("--json", "print the tenant as JSON"),
  )
    .addHelpText(
      "after",
      `
Examples:
  provisio tenant set acme --profile-path '/acme/$MA.xml' '/acme/$PN.cfg'
  provisio tenant set acme --require-client-cert on --trusted-client-ca acme-ca.pem
  provisio tenant set default --auto-create on --encryption aes`,
    )
    .action(async (ref: string, flags: SetFlags) => {
      const patch = tenantPatch(flags);
      await withInstallation(flags, async ({ store, actor }) => {
        const found = await resolveTenant(store, ref);
        const updated = await store.tenants.update(found.id, patch, { actor });
        if (flags.json === true) printJson(tenantJson(updated));
        else writeStdout(describeTenant(updated));
      });
    });

  installationOptions(
    tenant
      .command("rm")
      .description("Delete a tenant (refused for the default tenant and while it owns records)")
      .argument("<tenant>", "tenant slug or id"),
  )
    .addHelpText("after", "\nExamples:\n  provisio tenant rm acme")
    .action(async (ref: string, flags: InstallationFlags) => {
      await withInstallation(flags, async ({ store, actor }) => {
        const found = await resolveTenant(store, ref);
        await store.tenants.delete(found.id, { actor });
        writeStdout(`deleted tenant ${found.slug}\n`);
      });
    });
};
