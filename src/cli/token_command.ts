import type { Command } from "commander";
import { resolveTenant } from "../admin/index.ts";
import { API_ROLES, type ApiRole } from "../store/index.ts";
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

interface CreateFlags extends InstallationFlags {
  role: string;
  tenant?: string;
  name?: string;
  json?: boolean;
}

export const registerTokenCommand: RegisterCommand = (program: Command) => {
  const token = program.command("token").description("Admin API bearer tokens");

  installationOptions(
    token
      .command("create")
      .description("Issue an API token and print it (the only time it is shown)")
      .option("--role <role>", "admin, operator or read-only", "admin")
      .option(
        "--tenant <tenant>",
        "restrict the token to one tenant (slug or id); default: every tenant",
      )
      .option("--name <name>", "what the token is for (shown in lists and the audit log)")
      .option("--json", "print {token, secret} as JSON"),
  )
    .addHelpText(
      "after",
      `
Roles: read-only reads; operator also changes devices, accounts, groups and layers;
admin also manages tenants, models, tokens and reads the audit log. A tenant token
sees only its tenant. Only the token's SHA-256 is stored: save the printed token now.

Examples:
  provisio token create
  provisio token create --role read-only --name grafana
  TOKEN=$(provisio token create --role operator --tenant acme --name acme-portal)
  curl -H "Authorization: Bearer $TOKEN" http://127.0.0.1:8081/api/v1/devices`,
    )
    .action(async (flags: CreateFlags) => {
      if (!(API_ROLES as readonly string[]).includes(flags.role)) {
        throw cliError("CLI_BAD_OPTION", `--role must be one of ${API_ROLES.join(", ")}`);
      }
      await withInstallation(flags, async ({ store, actor }) => {
        const tenant = flags.tenant === undefined ? null : await resolveTenant(store, flags.tenant);
        const issued = await store.tokens.issue(
          {
            name: flags.name ?? `${flags.role} token (${actor})`,
            role: flags.role as ApiRole,
            tenantId: tenant?.id ?? null,
          },
          { actor },
        );
        if (flags.json === true) {
          printJson({
            id: issued.token.id,
            role: issued.token.role,
            tenantId: issued.token.tenantId,
            secret: issued.secret,
          });
          return;
        }
        process.stdout.write(`${issued.secret}\n`);
        process.stderr.write(
          `token ${issued.token.id}: role ${issued.token.role}, ${tenant === null ? "every tenant" : `tenant ${tenant.slug}`}; shown once, store it now\n`,
        );
      });
    });

  installationOptions(
    token.command("list").description("List tokens (never their secrets)").option("--json", "JSON"),
  )
    .addHelpText("after", "\nExamples:\n  provisio token list")
    .action(async (flags: InstallationFlags & { json?: boolean }) => {
      await withInstallation(flags, async ({ store }) => {
        const tokens = await store.tokens.list();
        if (flags.json === true) {
          printJson(tokens.map(({ hash: _hash, ...t }) => t));
          return;
        }
        // A token has no name of its own to go by (names are optional, not unique): its id
        // stays, as `token rm` needs it; its tenant is shown by slug.
        const names = recordNamer(store);
        const rows: string[][] = [];
        for (const t of tokens) {
          const tenant = t.tenantId === null ? "*" : await names.tenant(t.tenantId);
          rows.push([t.id, t.role, tenant, t.name, t.createdAt.toISOString()]);
        }
        process.stdout.write(formatTable(["ID", "ROLE", "TENANT", "NAME", "CREATED"], rows));
      });
    });

  installationOptions(
    token
      .command("revoke")
      .alias("rm")
      .description("Revoke a token (alias: rm)")
      .argument("<id>", "token id (from token list)"),
  )
    .addHelpText("after", "\nExamples:\n  provisio token revoke 3f2b…")
    .action(async (id: string, flags: InstallationFlags) => {
      await withInstallation(flags, async ({ store, actor }) => {
        await store.tokens.revoke(id, { actor });
        process.stdout.write(`revoked ${id}\n`);
      });
    });
};
