import type { Command } from "commander";
import type { RegisterCommand } from "./commands.ts";
import {
  formatTable,
  type InstallationFlags,
  installationOptions,
  withInstallation,
} from "./installation.ts";

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
          const created = await store.tenants.create(
            {
              slug,
              name: flags.name ?? slug,
              ...(flags.profilePath === undefined
                ? {}
                : { settings: { profilePaths: flags.profilePath } }),
            },
            { actor },
          );
          process.stdout.write(`added tenant ${created.slug} (${created.id})\n`);
        });
      },
    );

  installationOptions(tenant.command("list").description("List tenants"))
    .addHelpText("after", "\nExamples:\n  provisio tenant list")
    .action(async (flags: InstallationFlags) => {
      await withInstallation(flags, async ({ store }) => {
        const tenants = await store.tenants.list();
        process.stdout.write(
          formatTable(
            ["TENANT", "ID", "NAME", "PROFILE PATHS"],
            tenants.map((t) => [t.slug, t.id, t.name, t.settings.profilePaths.join(" ")]),
          ),
        );
      });
    });
};
