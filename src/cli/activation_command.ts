/**
 * `provisio activation …`: retail activation codes of an account — issue (the code is shown
 * once, with the URL the device runs), list, revoke.
 */
import type { Command } from "commander";
import {
  activationCodeJson,
  issueActivationCode,
  resolveAccount,
  resolveTenant,
} from "../admin/index.ts";
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

interface AccountFlags extends InstallationFlags {
  tenant?: string;
  json?: boolean;
}

function number(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0)
    throw cliError("CLI_BAD_OPTION", `${flag} must be a positive number`);
  return n;
}

export const registerActivationCommand: RegisterCommand = (program: Command) => {
  const activation = program
    .command("activation")
    .description(
      "Retail activation codes: a unit runs the init URL once and is bound to the account",
    );

  installationOptions(
    activation
      .command("issue")
      .description("Issue an activation code for an account (shown once; stored hashed)")
      .argument("<account>", "account reference or id")
      .option("--tenant <tenant>", "the account's tenant (default: the default tenant)")
      .option(
        "--server <url>",
        "the provisioning server as units reach it over HTTPS (default: the public.https_url setting)",
      )
      .option("--length <digits>", "code length in digits (default 16)")
      .option("--days <days>", "valid for this many days (default 7)")
      .option("--json", "JSON"),
  )
    .addHelpText(
      "after",
      "\nExamples:\n  provisio activation issue C-1001 --server https://prov.example.com\n  provisio activation issue C-1001 --tenant acme --days 2 --json",
    )
    .action(
      async (
        ref: string,
        flags: AccountFlags & { server?: string; length?: string; days?: string },
      ) => {
        await withInstallation(flags, async ({ store, actor, config }) => {
          const tenant = await resolveTenant(store, flags.tenant);
          const account = await resolveAccount(store, tenant.id, ref);
          const length = number(flags.length, "--length");
          const ttlDays = number(flags.days, "--days");
          const issued = await issueActivationCode(store, account, {
            ...(length === undefined ? {} : { length }),
            ...(ttlDays === undefined ? {} : { ttlDays }),
            server: flags.server ?? config.publicHttpsUrl,
            actor,
          });
          if (flags.json === true) {
            printJson(issued);
            return;
          }
          const lines = [
            `activation code for account ${account.reference}: ${issued.code}`,
            `expires ${issued.record.expiresAt} (shown only now: it is stored hashed)`,
          ];
          if (issued.deviceUrl !== null) {
            lines.push(`the unit runs:  ${issued.initUrl}`);
            lines.push(`from its LAN:   ${issued.deviceUrl}`);
          } else {
            lines.push(
              "the unit runs:  https://<this server>/init/<code>  (pass --server for the full URL)",
            );
          }
          writeStdout(`${lines.join("\n")}\n`);
        });
      },
    );

  installationOptions(
    activation
      .command("list")
      .description("An account's activation codes (never the codes themselves)")
      .argument("<account>", "account reference or id")
      .option("--tenant <tenant>", "the account's tenant (default: the default tenant)")
      .option("--json", "JSON"),
  ).action(async (ref: string, flags: AccountFlags) => {
    await withInstallation(flags, async ({ store }) => {
      const tenant = await resolveTenant(store, flags.tenant);
      const account = await resolveAccount(store, tenant.id, ref);
      const codes = (await store.activationCodes.list({ accountId: account.id, limit: 1000 })).map(
        (c) => activationCodeJson(c),
      );
      if (flags.json === true) {
        printJson(codes);
        return;
      }
      writeStdout(
        formatTable(
          ["ID", "STATE", "EXPIRES", "BOUND TO", "ISSUED BY"],
          codes.map((c) => [c.id, c.state, c.expiresAt, c.boundMac ?? "", c.createdBy]),
        ),
      );
    });
  });

  installationOptions(
    activation
      .command("revoke")
      .description("Revoke an unused activation code")
      .argument("<id>", "the code's id (from activation list)"),
  ).action(async (id: string, flags: InstallationFlags) => {
    await withInstallation(flags, async ({ store, actor }) => {
      await store.activationCodes.revoke(id, { actor });
      writeStdout(`revoked activation code ${id}\n`);
    });
  });
};
