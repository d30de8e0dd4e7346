import type { Command } from "commander";
import { auditJson } from "../admin/index.ts";
import type { RegisterCommand } from "./commands.ts";
import { cliError } from "./errors.ts";
import {
  formatTable,
  type InstallationFlags,
  installationOptions,
  withInstallation,
} from "./installation.ts";
import { recordNamer } from "./record_names.ts";

interface AuditFlags extends InstallationFlags {
  entity?: string;
  key?: string;
  actor?: string;
  limit: string;
  json?: boolean;
}

export const registerAuditCommand: RegisterCommand = (program: Command) => {
  installationOptions(
    program
      .command("audit")
      .description("Show the audit log: who changed what (API tokens, CLI users), newest first")
      .option("--entity <entity>", "tenant, model, device, account, group, layer, token")
      .option("--key <key>", "the record's key: MAC, id, layer key (device:000e08abcdef)")
      .option("--actor <actor>", "token:<id>, cli:<user>, system")
      .option("--limit <n>", "at most this many entries", "50")
      .option("--json", "JSON lines, with before/after snapshots"),
  )
    .addHelpText(
      "after",
      `
Snapshots have secrets redacted. Examples:
  provisio audit
  provisio audit --entity device --key 000e08abcdef
  provisio audit --entity layer --json | jq .after`,
    )
    .action(async (flags: AuditFlags) => {
      if (!/^\d{1,5}$/.test(flags.limit) || Number(flags.limit) < 1) {
        throw cliError("CLI_BAD_OPTION", "--limit must be an integer from 1 to 10000");
      }
      await withInstallation(flags, async ({ store }) => {
        const entries = await store.audit.list({
          ...(flags.entity === undefined ? {} : { entity: flags.entity }),
          ...(flags.key === undefined ? {} : { key: flags.key }),
          ...(flags.actor === undefined ? {} : { actor: flags.actor }),
          limit: Math.min(10_000, Number(flags.limit)),
        });
        if (flags.json === true) {
          for (const e of entries) process.stdout.write(`${JSON.stringify(auditJson(e))}\n`);
          return;
        }
        const names = recordNamer(store);
        const rows: string[][] = [];
        for (const e of entries) {
          rows.push([e.at.toISOString(), e.actor, e.action, await names.auditKey(e.entity, e.key)]);
        }
        process.stdout.write(formatTable(["AT", "ACTOR", "ACTION", "KEY"], rows));
      });
    });
};
