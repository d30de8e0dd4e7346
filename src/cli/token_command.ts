import type { Command } from "commander";
import { resolveTenant } from "../admin/index.ts";
import {
  API_ROLES,
  type ApiRole,
  type ApiToken,
  type Store,
  type TokenPatch,
} from "../store/index.ts";
import { cleared, parseChoice, requireChange } from "./cli_values.ts";
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

interface CreateFlags extends InstallationFlags {
  role: string;
  tenant?: string;
  name?: string;
  expires?: string;
  json?: boolean;
}

interface SetFlags extends InstallationFlags {
  name?: string;
  role?: string;
  tenant?: string | false;
  expires?: string | false;
  json?: boolean;
}

/** `--expires 2027-01-31` (midnight UTC) or a full ISO 8601 time. */
function parseExpiry(text: string): Date {
  const date = /^\d{4}-\d{2}-\d{2}$/.test(text) ? new Date(`${text}T00:00:00Z`) : new Date(text);
  if (Number.isNaN(date.getTime()) || !/^\d{4}-\d{2}-\d{2}/.test(text)) {
    throw cliError(
      "CLI_BAD_OPTION",
      `--expires takes a date (2027-01-31) or an ISO 8601 time (2027-01-31T18:00:00Z), not ${JSON.stringify(text.slice(0, 64))}`,
    );
  }
  return date;
}

/** A token by id, or by its name when exactly one token has it. */
async function resolveToken(store: Store, ref: string): Promise<ApiToken> {
  const tokens = await store.tokens.list();
  const byId = tokens.find((t) => t.id === ref);
  if (byId !== undefined) return byId;
  const named = tokens.filter((t) => t.name === ref);
  if (named.length === 1) return named[0]!;
  if (named.length > 1) {
    throw cliError(
      "CLI_BAD_OPTION",
      `${named.length} tokens are named ${JSON.stringify(ref)}: name one by its id (provisio token list)`,
    );
  }
  throw cliError(
    "CLI_NOT_FOUND",
    `no token with id or name ${JSON.stringify(ref)} (provisio token list)`,
  );
}

function tokenView(token: ApiToken): Omit<ApiToken, "hash"> {
  const { hash: _hash, ...view } = token;
  return view;
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
      .option("--expires <date>", "when it stops working (2027-01-31 or an ISO 8601 time)")
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
  provisio token create --role read-only --name grafana --expires 2027-01-31
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
            ...(flags.expires === undefined ? {} : { expiresAt: parseExpiry(flags.expires) }),
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
        writeStdout(`${issued.secret}\n`);
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
          printJson(tokens.map(tokenView));
          return;
        }
        // A token has no name of its own to go by (names are optional, not unique): its id
        // stays, as `token rm` needs it; its tenant is shown by slug.
        const names = recordNamer(store);
        const rows: string[][] = [];
        for (const t of tokens) {
          const tenant = t.tenantId === null ? "*" : await names.tenant(t.tenantId);
          rows.push([
            t.id,
            t.role,
            tenant,
            t.name,
            t.createdAt.toISOString(),
            t.expiresAt === null ? "never" : t.expiresAt.toISOString(),
          ]);
        }
        writeStdout(formatTable(["ID", "ROLE", "TENANT", "NAME", "CREATED", "EXPIRES"], rows));
      });
    });

  installationOptions(
    token
      .command("set")
      .description(
        "Rename a token or change its role, tenant or expiry (its secret stays; --no-X clears X)",
      )
      .argument("<token>", "token id (from token list), or its name when no other token has it")
      .option("--name <name>", "what the token is for")
      .option("--role <role>", "admin, operator or read-only")
      .option("--tenant <tenant>", "restrict the token to one tenant (slug or id)")
      .option("--no-tenant", "every tenant")
      .option("--expires <date>", "when it stops working (2027-01-31 or an ISO 8601 time)")
      .option("--no-expires", "never expires")
      .option("--json", "print the token (never its secret) as JSON"),
  )
    .addHelpText(
      "after",
      `
A token's secret cannot be changed: to replace it, create a new token and revoke the old one.

Examples:
  provisio token set grafana --role read-only --expires 2027-01-31
  provisio token set 3f2b… --tenant acme --name acme-portal
  provisio token set noc --no-tenant --no-expires`,
    )
    .action(async (ref: string, flags: SetFlags) => {
      const role =
        flags.role === undefined ? undefined : parseChoice(flags.role, "--role", API_ROLES);
      await withInstallation(flags, async ({ store, actor }) => {
        const found = await resolveToken(store, ref);
        const tenant = cleared(flags.tenant);
        const patch: TokenPatch = {
          ...(flags.name === undefined ? {} : { name: flags.name }),
          ...(role === undefined ? {} : { role }),
          ...(tenant === undefined
            ? {}
            : { tenantId: tenant === null ? null : (await resolveTenant(store, tenant)).id }),
          ...(flags.expires === undefined
            ? {}
            : { expiresAt: flags.expires === false ? null : parseExpiry(flags.expires) }),
        };
        requireChange(patch, "token");
        const updated = await store.tokens.update(found.id, patch, { actor });
        if (flags.json === true) {
          printJson(tokenView(updated));
          return;
        }
        const scope =
          updated.tenantId === null
            ? "every tenant"
            : `tenant ${await recordNamer(store).tenant(updated.tenantId)}`;
        const expiry =
          updated.expiresAt === null
            ? "never expires"
            : `expires ${updated.expiresAt.toISOString()}`;
        writeStdout(`token ${updated.name} saved: role ${updated.role}, ${scope}, ${expiry}\n`);
      });
    });

  installationOptions(
    token
      .command("revoke")
      .alias("rm")
      .description("Revoke a token (alias: rm)")
      .argument("<token>", "token id (from token list), or its name when no other token has it"),
  )
    .addHelpText("after", "\nExamples:\n  provisio token revoke 3f2b…\n  provisio token rm grafana")
    .action(async (ref: string, flags: InstallationFlags) => {
      await withInstallation(flags, async ({ store, actor }) => {
        const found = await resolveToken(store, ref);
        await store.tokens.revoke(found.id, { actor });
        writeStdout(`revoked token ${found.name} (${found.id})\n`);
      });
    });
};
