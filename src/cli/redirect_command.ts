/**
 * `provisio redirect …`: the redirect (RC) service's records — a provider's redirect
 * profiles, the MACs it registered (one by one or from a file, with progress), releases,
 * transfers between providers, and each unit's customization status.
 */
import { createReadStream } from "node:fs";
import type { Command } from "commander";
import {
  customizationLabel,
  parseMacParam,
  parseMacRange,
  readMacList,
  redirectGrantJson,
  redirectProfileJson,
  redirectUnitJson,
  registerOne,
  resolveTenant,
  tenantSlugs,
} from "../admin/index.ts";
import { CUSTOMIZATION_STATUSES, type CustomizationStatus, type Store } from "../store/index.ts";
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

interface TenantFlags extends InstallationFlags {
  tenant?: string;
  json?: boolean;
}

interface ProfileFlags extends TenantFlags {
  profileRule?: string;
  domains?: string;
  dns?: string[];
  provisionEnable?: string;
  resyncPeriodic?: string;
  resyncErrorRetryDelay?: string;
}

async function profileNames(store: Store): Promise<Map<string, string>> {
  return new Map((await store.redirects.listProfiles()).map((p) => [p.id, p.name]));
}

function status(text: string): CustomizationStatus {
  const wanted = text.toLowerCase();
  const found = CUSTOMIZATION_STATUSES.find((s) => s === wanted);
  if (found === undefined) {
    throw cliError("CLI_BAD_OPTION", `status must be one of ${CUSTOMIZATION_STATUSES.join(", ")}`);
  }
  return found;
}

export const registerRedirectCommand: RegisterCommand = (program: Command) => {
  const redirect = program
    .command("redirect")
    .description("The redirect (RC) service: providers' redirect profiles and registered MACs");

  installationOptions(
    redirect
      .command("profile")
      .description("Create or replace a provider's redirect profile")
      .argument("<name>", "profile name, unique in the tenant")
      .requiredOption("--profile-rule <rule>", "the rule to the provider's own server")
      .option("--tenant <tenant>", "tenant slug or id (default: the default tenant)")
      .option("--domains <list>", "restricted access domains, comma-separated (at most five)")
      .option("--dns <server...>", "primary and secondary DNS server")
      .option("--provision-enable <Yes|No>", "Provision_Enable (default Yes)")
      .option("--resync-periodic <schedule>", "Resync_Periodic, e.g. 30")
      .option("--resync-error-retry-delay <schedule>", "Resync_Error_Retry_Delay, e.g. 30")
      .option("--json", "print the profile as JSON"),
  )
    .addHelpText(
      "after",
      "\nExamples:\n  provisio redirect profile default --tenant acme --domains acme.com,acme-voice.com \\\n    --dns 192.0.2.53 192.0.2.54 --resync-periodic 30 --resync-error-retry-delay 30 \\\n    --profile-rule 'https://prov.acme.com/profile/$MA.xml'",
    )
    .action(async (name: string, flags: ProfileFlags) => {
      await withInstallation(flags, async ({ store, actor }) => {
        const tenant = await resolveTenant(store, flags.tenant);
        const enable = flags.provisionEnable;
        if (enable !== undefined && enable !== "Yes" && enable !== "No") {
          throw cliError("CLI_BAD_OPTION", "--provision-enable must be Yes or No");
        }
        const profile = await store.redirects.setProfile(
          {
            tenantId: tenant.id,
            name,
            profileRule: flags.profileRule ?? "",
            ...(flags.domains === undefined ? {} : { restrictedDomains: flags.domains }),
            primaryDns: flags.dns?.[0] ?? null,
            secondaryDns: flags.dns?.[1] ?? null,
            ...(enable === undefined ? {} : { provisionEnable: enable }),
            resyncPeriodic: flags.resyncPeriodic ?? null,
            resyncErrorRetryDelay: flags.resyncErrorRetryDelay ?? null,
          },
          { actor },
        );
        if (flags.json === true) printJson(redirectProfileJson(profile, tenant.slug));
        else writeStdout(`redirect profile ${profile.name} saved in tenant ${tenant.slug}\n`);
      });
    });

  installationOptions(
    redirect
      .command("profiles")
      .description("List redirect profiles")
      .option("--tenant <tenant>", "only this tenant")
      .option("--json", "JSON"),
  ).action(async (flags: TenantFlags) => {
    await withInstallation(flags, async ({ store }) => {
      const tenant =
        flags.tenant === undefined ? undefined : await resolveTenant(store, flags.tenant);
      const slugs = await tenantSlugs(store);
      const profiles = await store.redirects.listProfiles(tenant?.id);
      if (flags.json === true) {
        printJson(profiles.map((p) => redirectProfileJson(p, slugs.get(p.tenantId))));
        return;
      }
      writeStdout(
        formatTable(
          ["PROFILE", "TENANT", "DOMAINS", "PROFILE RULE"],
          profiles.map((p) => [
            p.name,
            slugs.get(p.tenantId) ?? p.tenantId,
            p.restrictedDomains.join(",") || "(none)",
            p.profileRule,
          ]),
        ),
      );
    });
  });

  installationOptions(
    redirect
      .command("add")
      .description(
        "Register MACs to a redirect profile (from arguments, or --file: CSV with a mac column, or one MAC per line)",
      )
      .argument("[macs...]", "MAC addresses")
      .requiredOption("--profile <name>", "the tenant's redirect profile")
      .option("--tenant <tenant>", "tenant slug or id (default: the default tenant)")
      .option("--file <path>", "read the MACs from this file (- for stdin)")
      .option("--no-progress", "no progress lines"),
  )
    .addHelpText(
      "after",
      "\nExamples:\n  provisio redirect add 00:0e:08:12:34:56 --tenant acme --profile default\n  provisio redirect add --file shipment-42.csv --tenant acme --profile default",
    )
    .action(
      async (
        macArgs: string[],
        flags: TenantFlags & { profile: string; file?: string; progress?: boolean },
      ) => {
        await withInstallation(flags, async ({ store, actor }) => {
          const tenant = await resolveTenant(store, flags.tenant);
          const macs = macArgs.map(parseMacParam);
          let unreadable = 0;
          if (flags.file !== undefined) {
            const source =
              flags.file === "-"
                ? process.stdin.setEncoding("utf8")
                : createReadStream(flags.file, { encoding: "utf8" });
            const read = await readMacList(source);
            for (const e of read.errors) process.stderr.write(`line ${e.line}: ${e.message}\n`);
            unreadable = read.errors.length;
            macs.push(...read.macs);
          }
          if (macs.length === 0) throw cliError("CLI_BAD_OPTION", "no MAC to register");
          if (macs.length === 1 && flags.file === undefined) {
            // The installation's own command: no grant needed (grants bind providers' tokens).
            await registerOne(store, tenant.id, flags.profile, macs[0]!, actor, false);
            writeStdout(`registered ${macs[0]} to ${tenant.slug}/${flags.profile}\n`);
            return;
          }
          const result = await store.redirects.register(tenant.id, flags.profile, macs, {
            actor,
            onProgress: (p) => {
              if (flags.progress !== false)
                process.stderr.write(`registered ${p.done}/${p.total}\n`);
            },
          });
          for (const mac of result.conflicts) {
            process.stderr.write(`${mac}: registered to another provider (left alone)\n`);
          }
          writeStdout(
            `${result.registered} registered, ${result.unchanged} unchanged, ${result.conflicts.length} held by another provider, ${unreadable} unreadable\n`,
          );
          if (result.conflicts.length > 0 || unreadable > 0) process.exitCode = 1;
        });
      },
    );

  installationOptions(
    redirect
      .command("list")
      .description("Registered units and their customization status")
      .option("--tenant <tenant>", "only this tenant")
      .option("--status <status>", `only this status (${CUSTOMIZATION_STATUSES.join(", ")})`)
      .option("--json", "JSON"),
  ).action(async (flags: TenantFlags & { status?: string }) => {
    await withInstallation(flags, async ({ store }) => {
      const tenant =
        flags.tenant === undefined ? undefined : await resolveTenant(store, flags.tenant);
      const slugs = await tenantSlugs(store);
      const names = await profileNames(store);
      const units = await store.redirects.list({
        ...(tenant === undefined ? {} : { tenantId: tenant.id }),
        ...(flags.status === undefined ? {} : { status: status(flags.status) }),
        limit: 10_000,
      });
      if (flags.json === true) {
        printJson(
          units.map((u) =>
            redirectUnitJson(u, names.get(u.profileId) ?? null, slugs.get(u.tenantId)),
          ),
        );
        return;
      }
      writeStdout(
        formatTable(
          ["MAC", "TENANT", "PROFILE", "CUSTOMIZATION", "SINCE"],
          units.map((u) => [
            u.mac,
            slugs.get(u.tenantId) ?? u.tenantId,
            names.get(u.profileId) ?? "",
            customizationLabel(u.status),
            u.statusAt.toISOString(),
          ]),
        ),
      );
    });
  });

  installationOptions(
    redirect
      .command("show")
      .description("One registered unit, its status and its audit trail")
      .argument("<mac>", "MAC address")
      .option("--json", "JSON"),
  ).action(async (macText: string, flags: TenantFlags) => {
    await withInstallation(flags, async ({ store }) => {
      const mac = parseMacParam(macText);
      const unit = await store.redirects.find(mac);
      if (unit === null) throw cliError("CLI_NOT_FOUND", `${mac} is not registered`);
      const [profile, tenant, audit] = await Promise.all([
        store.redirects.profileById(unit.profileId),
        store.tenants.find(unit.tenantId),
        store.audit.list({ entity: "redirect", key: mac, limit: 50 }),
      ]);
      const json = redirectUnitJson(unit, profile?.name ?? null, tenant?.slug);
      if (flags.json === true) {
        printJson(json);
        return;
      }
      const rows: [string, string][] = [
        ["mac", json.mac],
        ["tenant", json.tenant],
        ["profile", json.profile ?? ""],
        ["customization", json.customization],
        ["since", json.statusAt],
        ["profile rule", profile?.profileRule ?? ""],
        ["restricted domains", profile?.restrictedDomains.join(", ") || "(none)"],
      ];
      writeStdout(`${rows.map(([k, v]) => `${k.padEnd(18)}  ${v}`).join("\n")}\n\nhistory:\n`);
      for (const entry of [...audit].reverse()) {
        writeStdout(`  ${entry.at.toISOString()}  ${entry.action}  ${entry.actor}\n`);
      }
    });
  });

  installationOptions(
    redirect
      .command("release")
      .description("Give a MAC up (its redirect stops at once)")
      .argument("<mac>", "MAC address")
      .option("--tenant <tenant>", "the owner, slug or id (default: the default tenant)"),
  ).action(async (macText: string, flags: TenantFlags) => {
    await withInstallation(flags, async ({ store, actor }) => {
      const tenant = await resolveTenant(store, flags.tenant);
      const mac = parseMacParam(macText);
      await store.redirects.release(mac, tenant.id, { actor });
      writeStdout(`released ${mac} from ${tenant.slug}\n`);
    });
  });

  installationOptions(
    redirect
      .command("grant")
      .description(
        "Grant a provider a MAC range: its own API token then registers MACs inside its grants only",
      )
      .argument("<tenant>", "the provider, slug or id")
      .argument("<range>", "FIRST-LAST, or a prefix of 6 to 12 hex digits (000e0812)")
      .option("--note <text>", "what the range is (a shipment, an order)"),
  ).action(
    async (tenantRef: string, rangeText: string, flags: InstallationFlags & { note?: string }) => {
      await withInstallation(flags, async ({ store, actor }) => {
        const tenant = await resolveTenant(store, tenantRef);
        const range = parseMacRange(rangeText);
        const grant = await store.redirects.grant(
          { tenantId: tenant.id, ...range, note: flags.note },
          { actor },
        );
        writeStdout(
          `granted ${grant.first}-${grant.last} (${grant.size} MACs) to ${tenant.slug}: grant ${grant.id}\n`,
        );
      });
    },
  );

  installationOptions(
    redirect
      .command("grants")
      .description("The MAC ranges granted to providers")
      .option("--tenant <tenant>", "only this tenant")
      .option("--json", "JSON"),
  ).action(async (flags: TenantFlags) => {
    await withInstallation(flags, async ({ store }) => {
      const tenant =
        flags.tenant === undefined ? undefined : await resolveTenant(store, flags.tenant);
      const grants = await store.redirects.listGrants(tenant?.id);
      const slugs = await tenantSlugs(store);
      const rows = grants.map((g) => redirectGrantJson(g, slugs.get(g.tenantId)));
      if (flags.json === true) return printJson(rows);
      writeStdout(
        formatTable(
          ["ID", "TENANT", "FIRST", "LAST", "MACS", "NOTE"],
          rows.map((g) => [g.id, g.tenant, g.first, g.last, String(g.size), g.note ?? ""]),
        ),
      );
    });
  });

  installationOptions(
    redirect
      .command("revoke")
      .description("Take a grant back (units registered under it stay registered)")
      .argument("<grant-id>", "the grant's id (provisio redirect grants)"),
  ).action(async (id: string, flags: InstallationFlags) => {
    await withInstallation(flags, async ({ store, actor }) => {
      const grant = await store.redirects.revokeGrant(id, { actor });
      writeStdout(`revoked ${grant.first}-${grant.last}\n`);
    });
  });

  installationOptions(
    redirect
      .command("transfer")
      .description("Move a MAC to another provider's redirect profile (audited under both)")
      .argument("<mac>", "MAC address")
      .requiredOption("--to <tenant>", "the new owner, slug or id")
      .requiredOption("--profile <name>", "its redirect profile"),
  ).action(async (macText: string, flags: InstallationFlags & { to: string; profile: string }) => {
    await withInstallation(flags, async ({ store, actor }) => {
      const tenant = await resolveTenant(store, flags.to);
      const mac = parseMacParam(macText);
      await store.redirects.transfer(mac, tenant.id, flags.profile, { actor });
      writeStdout(`${mac} now redirects for ${tenant.slug} (${flags.profile})\n`);
    });
  });

  installationOptions(
    redirect
      .command("status")
      .description("Set a unit's customization status (e.g. acquired, reported by the provider)")
      .argument("<mac>", "MAC address")
      .argument("<status>", CUSTOMIZATION_STATUSES.join(" | ")),
  ).action(async (macText: string, statusText: string, flags: InstallationFlags) => {
    await withInstallation(flags, async ({ store, actor }) => {
      const mac = parseMacParam(macText);
      const wanted = status(statusText);
      if ((await store.redirects.find(mac)) === null) {
        throw cliError("CLI_NOT_FOUND", `${mac} is not registered`);
      }
      await store.redirects.setStatus(mac, wanted, undefined, { actor });
      writeStdout(`${mac}: ${customizationLabel(wanted)}\n`);
    });
  });
};
