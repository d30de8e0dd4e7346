import type { Command } from "commander";
import { auditJson, findAccount, findGroup, findTenant, resolveTenant } from "../admin/index.ts";
import { type Store, tryParseMac } from "../store/index.ts";
import type { RegisterCommand } from "./commands.ts";
import { cliError } from "./errors.ts";
import {
  formatTable,
  type InstallationFlags,
  installationOptions,
  withInstallation,
} from "./installation.ts";
import { recordNamer } from "./record_names.ts";
import { writeStdout } from "./stdout.ts";

interface AuditFlags extends InstallationFlags {
  entity?: string;
  key?: string;
  tenant?: string;
  actor?: string;
  limit: string;
  json?: boolean;
}

/**
 * The stored key for what the table shows: an account reference, a group or tenant name, a
 * MAC in any form, or a layer key with names (`account:1001`). Unknown names stay as typed.
 */
async function storedKey(
  store: Store,
  entity: string | undefined,
  key: string,
  tenantRef: string | undefined,
): Promise<string> {
  const tenantId = async () => (await resolveTenant(store, tenantRef)).id;
  const byName = async (kind: string, name: string): Promise<string | undefined> => {
    if (kind === "tenant") return (await findTenant(store, name))?.id;
    if (kind === "account") return (await findAccount(store, await tenantId(), name))?.id;
    if (kind === "group") return (await findGroup(store, await tenantId(), name))?.id;
    if (kind === "device") return tryParseMac(name);
    return undefined;
  };
  if (entity !== undefined && entity !== "layer") return (await byName(entity, key)) ?? key;
  const match = /^(tenant|account|group|device):(.+)$/s.exec(key);
  if (match === null) return key;
  const id = await byName(match[1]!, match[2]!);
  return id === undefined ? key : `${match[1]}:${id}`;
}

export const registerAuditCommand: RegisterCommand = (program: Command) => {
  installationOptions(
    program
      .command("audit")
      .description("Show the audit log: who changed what (API tokens, CLI users), newest first")
      .option("--entity <entity>", "tenant, model, device, account, group, layer, token")
      .option(
        "--key <key>",
        "the record: MAC, account reference, group or tenant name, id, layer key (account:1001)",
      )
      .option("--tenant <tenant>", "the tenant of an account or group --key (default: default)")
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
  provisio audit --entity account --key 1001 --tenant acme
  provisio audit --entity layer --key group:lobby
  provisio audit --entity layer --json | jq .after`,
    )
    .action(async (flags: AuditFlags) => {
      if (!/^\d{1,5}$/.test(flags.limit) || Number(flags.limit) < 1) {
        throw cliError("CLI_BAD_OPTION", "--limit must be an integer from 1 to 10000");
      }
      await withInstallation(flags, async ({ store }) => {
        const entries = await store.audit.list({
          ...(flags.entity === undefined ? {} : { entity: flags.entity }),
          ...(flags.key === undefined
            ? {}
            : { key: await storedKey(store, flags.entity, flags.key, flags.tenant) }),
          ...(flags.actor === undefined ? {} : { actor: flags.actor }),
          limit: Math.min(10_000, Number(flags.limit)),
        });
        if (flags.json === true) {
          for (const e of entries) writeStdout(`${JSON.stringify(auditJson(e))}\n`);
          return;
        }
        const names = recordNamer(store);
        const rows: string[][] = [];
        for (const e of entries) {
          rows.push([e.at.toISOString(), e.actor, e.action, await names.auditKey(e.entity, e.key)]);
        }
        writeStdout(formatTable(["AT", "ACTOR", "ACTION", "KEY"], rows));
      });
    });
};
