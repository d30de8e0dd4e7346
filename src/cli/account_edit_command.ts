import type { Command } from "commander";
import { accountJson, resolveAccount, resolveTenant } from "../admin/index.ts";
import type { AccountLineInput, AccountPatch } from "../store/index.ts";
import { parseLineSpec } from "./account_command.ts";
import { cleared, requireChange } from "./cli_values.ts";
import type { RegisterCommand } from "./commands.ts";
import { cliError } from "./errors.ts";
import {
  type InstallationFlags,
  installationOptions,
  printJson,
  withInstallation,
} from "./installation.ts";
import { writeStdout } from "./stdout.ts";

interface SetFlags extends InstallationFlags {
  tenant?: string;
  reference?: string;
  name?: string | false;
  line?: AccountLineInput[];
  rmLine?: number[];
  json?: boolean;
}

function collectLine(spec: string, previous: AccountLineInput[] = []): AccountLineInput[] {
  return [...previous, parseLineSpec(spec)];
}

function collectLineNumber(text: string, previous: number[] = []): number[] {
  if (!/^\d{1,2}$/.test(text) || Number(text) < 1) {
    throw cliError(
      "CLI_BAD_LINE",
      `--rm-line takes a line number, not ${JSON.stringify(text.slice(0, 64))}`,
    );
  }
  return [...previous, Number(text)];
}

/**
 * `account set` and `account rm`, added to the `account` command that account_command.ts
 * registers (so each file keeps one concern: creating and listing there, editing here).
 */
export const registerAccountEditCommands: RegisterCommand = (program: Command) => {
  const account = program.commands.find((c) => c.name() === "account");
  if (account === undefined) return;

  installationOptions(
    account
      .command("set")
      .description("Change an account: its reference, name, or some of its lines (others stay)")
      .argument("<account>", "account reference or id")
      .option("--tenant <tenant>", "its tenant, slug or id (default: the default tenant)")
      .option("--reference <reference>", "a new reference, unique in the tenant")
      .option("--name <name>", "descriptive name")
      .option("--no-name", "no name")
      .option(
        "--line <spec>",
        "replace line N (as for account add); without password=… it keeps its password (repeatable)",
        collectLine,
      )
      .option("--rm-line <n>", "remove line N (repeatable)", collectLineNumber)
      .option("--json", "print the account as JSON (passwords are never shown)"),
  )
    .addHelpText(
      "after",
      `
Examples:
  provisio account set 1001 --name "Front desk"
  provisio account set 1001 --line "1:user_id=1001,display_name=Reception,proxy=sip.example.com"
  provisio account set 2002 --tenant acme --rm-line 2`,
    )
    .action(async (ref: string, flags: SetFlags) => {
      await withInstallation(flags, async ({ store, actor }) => {
        const tenant = await resolveTenant(store, flags.tenant);
        const found = await resolveAccount(store, tenant.id, ref);
        const changed = new Map((flags.line ?? []).map((l) => [l.line, l]));
        const removed = new Set(flags.rmLine ?? []);
        for (const n of removed) {
          if (changed.has(n)) {
            throw cliError(
              "CLI_BAD_LINE",
              `line ${n} is both changed (--line) and removed (--rm-line)`,
            );
          }
          if (!found.lines.some((l) => l.line === n)) {
            throw cliError("CLI_BAD_LINE", `account ${found.reference} has no line ${n}`);
          }
        }
        let lines: AccountLineInput[] | undefined;
        if (changed.size > 0 || removed.size > 0) {
          // Lines not named stay as they are (their sealed password included); a changed line
          // without a password keeps the one its number had (`undefined` = keep).
          lines = found.lines.filter((l) => !removed.has(l.line) && !changed.has(l.line));
          lines.push(...changed.values());
          lines.sort((a, b) => a.line - b.line);
        }
        const patch: AccountPatch = {
          ...(flags.reference === undefined ? {} : { reference: flags.reference }),
          ...(flags.name === undefined ? {} : { name: cleared(flags.name) }),
          ...(lines === undefined ? {} : { lines }),
        };
        requireChange(patch, "account");
        const updated = await store.accounts.update(found.id, patch, { actor });
        if (flags.json === true) printJson(accountJson(updated));
        else {
          writeStdout(
            `account ${updated.reference} saved (${updated.lines.length} line${updated.lines.length === 1 ? "" : "s"}) in tenant ${tenant.slug}\n`,
          );
        }
      });
    });

  installationOptions(
    account
      .command("rm")
      .description("Delete an account (its devices stay, without an account)")
      .argument("<account>", "account reference or id")
      .option("--tenant <tenant>", "its tenant, slug or id (default: the default tenant)"),
  )
    .addHelpText(
      "after",
      "\nExamples:\n  provisio account rm 1001\n  provisio account rm 2002 --tenant acme",
    )
    .action(async (ref: string, flags: InstallationFlags & { tenant?: string }) => {
      await withInstallation(flags, async ({ store, actor }) => {
        const tenant = await resolveTenant(store, flags.tenant);
        const found = await resolveAccount(store, tenant.id, ref);
        await store.accounts.delete(found.id, { actor });
        writeStdout(`deleted account ${found.reference} from tenant ${tenant.slug}\n`);
      });
    });
};
