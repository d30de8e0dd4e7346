import type { Command } from "commander";
import { resolveGroup, resolveTenant, tenantSlugs } from "../admin/index.ts";
import { cleared, requireChange } from "./cli_values.ts";
import type { RegisterCommand } from "./commands.ts";
import { hintOnConflict } from "./errors.ts";
import {
  formatTable,
  type InstallationFlags,
  installationOptions,
  withInstallation,
} from "./installation.ts";
import { writeStdout } from "./stdout.ts";

export const registerGroupCommand: RegisterCommand = (program: Command) => {
  const group = program
    .command("group")
    .description("Device groups (a configuration layer between model and account)");

  installationOptions(
    group
      .command("add")
      .description("Create a group")
      .argument("<name>", "group name, unique in the tenant")
      .option("--tenant <tenant>", "tenant slug or id (default: the default tenant)")
      .option("--description <text>", "what the group is for"),
  )
    .addHelpText(
      "after",
      "\nExamples:\n  provisio group add lobby\n  provisio group add 'floor 2' --tenant acme --description 'second floor phones'",
    )
    .action(
      async (
        name: string,
        flags: InstallationFlags & { tenant?: string; description?: string },
      ) => {
        await withInstallation(flags, async ({ store, actor }) => {
          const tenant = await resolveTenant(store, flags.tenant);
          const created = await hintOnConflict(
            `change it with provisio group set ${name}${flags.tenant === undefined ? "" : ` --tenant ${flags.tenant}`}`,
            () =>
              store.groups.create(
                {
                  tenantId: tenant.id,
                  name,
                  ...(flags.description === undefined ? {} : { description: flags.description }),
                },
                { actor },
              ),
          );
          writeStdout(`added group ${created.name} to tenant ${tenant.slug}\n`);
        });
      },
    );

  installationOptions(
    group
      .command("list")
      .description("List groups")
      .option("--tenant <tenant>", "only this tenant (slug or id)"),
  )
    .addHelpText("after", "\nExamples:\n  provisio group list")
    .action(async (flags: InstallationFlags & { tenant?: string }) => {
      await withInstallation(flags, async ({ store }) => {
        const tenant =
          flags.tenant === undefined ? undefined : await resolveTenant(store, flags.tenant);
        const slugs = await tenantSlugs(store);
        const groups = await store.groups.list({
          ...(tenant === undefined ? {} : { tenantId: tenant.id }),
          limit: 10_000,
        });
        writeStdout(
          formatTable(
            ["GROUP", "TENANT", "DESCRIPTION"],
            groups.map((g) => [g.name, slugs.get(g.tenantId) ?? g.tenantId, g.description ?? ""]),
          ),
        );
      });
    });

  installationOptions(
    group
      .command("set")
      .description("Rename a group or change its description")
      .argument("<group>", "group name or id")
      .option("--tenant <tenant>", "its tenant, slug or id (default: the default tenant)")
      .option("--name <name>", "new name, unique in the tenant")
      .option("--description <text>", "what the group is for")
      .option("--no-description", "no description"),
  )
    .addHelpText(
      "after",
      "\nExamples:\n  provisio group set lobby --name reception\n  provisio group set 'floor 2' --tenant acme --no-description",
    )
    .action(
      async (
        ref: string,
        flags: InstallationFlags & { tenant?: string; name?: string; description?: string | false },
      ) => {
        await withInstallation(flags, async ({ store, actor }) => {
          const tenant = await resolveTenant(store, flags.tenant);
          const found = await resolveGroup(store, tenant.id, ref);
          const patch = {
            ...(flags.name === undefined ? {} : { name: flags.name }),
            ...(flags.description === undefined ? {} : { description: cleared(flags.description) }),
          };
          requireChange(patch, "group");
          const updated = await store.groups.update(found.id, patch, { actor });
          writeStdout(`group ${updated.name} saved in tenant ${tenant.slug}\n`);
        });
      },
    );

  installationOptions(
    group
      .command("rm")
      .description("Delete a group (its devices stay, without a group)")
      .argument("<group>", "group name or id")
      .option("--tenant <tenant>", "its tenant, slug or id (default: the default tenant)"),
  )
    .addHelpText(
      "after",
      "\nExamples:\n  provisio group rm lobby\n  provisio group rm 'floor 2' --tenant acme",
    )
    .action(async (ref: string, flags: InstallationFlags & { tenant?: string }) => {
      await withInstallation(flags, async ({ store, actor }) => {
        const tenant = await resolveTenant(store, flags.tenant);
        const found = await resolveGroup(store, tenant.id, ref);
        await store.groups.delete(found.id, { actor });
        writeStdout(`deleted group ${found.name} from tenant ${tenant.slug}\n`);
      });
    });
};
