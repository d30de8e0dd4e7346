import { createReadStream, readFileSync, statSync } from "node:fs";
import type { Command } from "commander";
import {
  deviceJson,
  eventJson,
  type ImportProgress,
  importDevicesCsv,
  parseLifecycleFilter,
  parseMacParam,
  resolveAccount,
  resolveGroup,
  resolveTenant,
} from "../admin/index.ts";
import { ProvisioError } from "../errors.ts";
import {
  type Device,
  type DevicePatch,
  ENCRYPTION_MODES,
  type EncryptionMode,
  type Store,
} from "../store/index.ts";
import { cleared, parseChoice, requireChange } from "./cli_values.ts";
import type { RegisterCommand } from "./commands.ts";
import { registerDeviceReportCommands } from "./device_report_command.ts";
import { cliError, hintOnConflict } from "./errors.ts";
import { changeRow, EVENT_HEADER, eventRow, parseLimit } from "./events_command.ts";
import {
  formatTable,
  type InstallationFlags,
  installationOptions,
  printJson,
  readInstallation,
  withInstallation,
} from "./installation.ts";
import { recordNamer } from "./record_names.ts";
import { writeStdout } from "./stdout.ts";

interface AddFlags extends InstallationFlags {
  mac: string;
  model: string;
  tenant?: string;
  account?: string;
  serial?: string;
  group?: string;
  label?: string;
  json?: boolean;
}

interface SetFlags extends InstallationFlags {
  model?: string;
  tenant?: string;
  account?: string | false;
  group?: string | false;
  serial?: string | false;
  label?: string | false;
  encryption?: string;
  json?: boolean;
}

interface ListFlags extends InstallationFlags {
  tenant?: string;
  lifecycle?: string;
  model?: string;
  account?: string;
  group?: string;
  limit?: string;
  json?: boolean;
}

interface ImportFlags extends InstallationFlags {
  tenant?: string;
  columns?: string;
  createMissing?: boolean;
  batchSize?: string;
  progress?: boolean;
}

async function describeDevice(store: Store, device: Device): Promise<string> {
  const names = recordNamer(store);
  const rows: [string, string][] = [
    ["MAC", device.mac],
    ["tenant", await names.tenant(device.tenantId)],
    ["model", device.modelPn ?? ""],
    ["serial", device.serial ?? ""],
    ["account", await names.account(device.accountId)],
    ["group", await names.group(device.groupId)],
    ["label", device.label ?? ""],
    ["state", device.state],
    [
      "lifecycle",
      device.lifecycle === null
        ? "(never seen)"
        : `${device.lifecycle.state.toUpperCase()} since ${device.lifecycle.since.toISOString()}${device.lifecycle.cause === null ? "" : ` (${device.lifecycle.cause})`}`,
    ],
    ["encryption", device.encryption ?? "(tenant default)"],
    ["device key", device.deviceKey === null ? "none" : "set"],
    ["certificate", device.certSubject ?? ""],
    ["version", String(device.version)],
    ["created", device.createdAt.toISOString()],
    ["updated", device.updatedAt.toISOString()],
  ];
  if (device.status !== null) {
    const s = device.status;
    rows.push(
      ["last resync", `${s.at.toISOString()} ${s.result} via ${s.transport ?? "?"}`],
      ["from", s.remoteAddress ?? ""],
      ["user agent", s.userAgent ?? ""],
      ["firmware", s.firmware ?? ""],
    );
  } else {
    rows.push(["last resync", "never"]);
  }
  rows.push(["history", `provisio device events ${device.mac}`]);
  const width = Math.max(...rows.map(([k]) => k.length));
  return `${rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`.trimEnd()).join("\n")}\n`;
}

function positiveInt(text: string | undefined, flag: string, max: number): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > max) {
    throw cliError("CLI_BAD_OPTION", `${flag} must be an integer from 1 to ${max}`);
  }
  return Number(text);
}

/** Newlines in the file (for the progress bar's total; stdin has none). */
function countLines(file: string): number {
  if (file === "-") return 0;
  const size = statSync(file).size;
  if (size > 512 * 1024 * 1024) return 0;
  const buffer = readFileSync(file);
  let n = 0;
  for (let i = buffer.indexOf(10); i >= 0; i = buffer.indexOf(10, i + 1)) n++;
  return n;
}

export const registerDeviceCommand: RegisterCommand = (program: Command) => {
  const device = program
    .command("device")
    .description("Add, change, list, show, remove and bulk-import devices of an installation");

  installationOptions(
    device
      .command("add")
      .description("Register a device (in the default tenant unless --tenant)")
      .requiredOption("--mac <mac>", "MAC address (000e08abcdef, 00:0E:08:AB:CD:EF, …)")
      .requiredOption("--model <pn>", "product name, e.g. SPA112, CP-8851-3PCC")
      .option("--tenant <tenant>", "tenant slug or id (default: the default tenant)")
      .option("--account <account>", "account reference or id in the tenant")
      .option("--serial <serial>", "serial number")
      .option("--group <group>", "group name or id in the tenant")
      .option("--label <text>", "free text")
      .option("--json", "print the device as JSON"),
  )
    .addHelpText(
      "after",
      `
Examples:
  provisio device add --mac 00:0E:08:AB:CD:EF --model SPA112
  provisio device add --mac 000e08abcd01 --model SPA504G --account 1001 --group lobby
  provisio device add --mac 000e08abcd02 --model SPA112 --tenant acme --serial CBT12345678`,
    )
    .action(async (flags: AddFlags) => {
      await withInstallation(flags, async ({ store, actor }) => {
        const mac = parseMacParam(flags.mac);
        const tenant = await resolveTenant(store, flags.tenant);
        const accountId =
          flags.account === undefined
            ? undefined
            : (await resolveAccount(store, tenant.id, flags.account)).id;
        const groupId =
          flags.group === undefined
            ? undefined
            : (await resolveGroup(store, tenant.id, flags.group)).id;
        const created = await hintOnConflict(`change it with provisio device set ${mac}`, () =>
          store.devices.create(
            {
              mac,
              tenantId: tenant.id,
              modelPn: flags.model,
              ...(flags.serial === undefined ? {} : { serial: flags.serial }),
              ...(flags.label === undefined ? {} : { label: flags.label }),
              ...(accountId === undefined ? {} : { accountId }),
              ...(groupId === undefined ? {} : { groupId }),
            },
            { actor },
          ),
        );
        if ((await store.models.find(flags.model)) === null) {
          process.stderr.write(
            `warning: model ${flags.model} is not registered; its model layer cannot be set until it is (provisio model add ${flags.model} --family spa|mpp)\n`,
          );
        }
        if (flags.json === true) printJson(deviceJson(created));
        else writeStdout(`added ${created.mac} (${created.modelPn}) to tenant ${tenant.slug}\n`);
      });
    });

  installationOptions(
    device
      .command("list")
      .description("List devices, in MAC order")
      .option("--tenant <tenant>", "only this tenant (slug or id)")
      .option("--model <pn>", "only this model")
      .option("--account <account>", "only this account (reference or id; needs its tenant)")
      .option("--group <group>", "only this group (name or id; needs its tenant)")
      .option(
        "--lifecycle <state>",
        "only devices in this state: MFG-RESET, SP-CUST, SEC-PRV-1, SEC-PRV-2, or none (never seen)",
      )
      .option("--limit <n>", "at most this many")
      .option("--json", "JSON lines, one device per line"),
  )
    .addHelpText(
      "after",
      `
Examples:
  provisio device list
  provisio device list --tenant acme --model SPA112
  provisio device list --lifecycle MFG-RESET      # staged units that never fetched their profile
  provisio device list --json | jq -r .mac`,
    )
    .action(async (flags: ListFlags) => {
      await readInstallation(flags, async ({ store }) => {
        const tenant =
          flags.tenant === undefined && flags.account === undefined && flags.group === undefined
            ? undefined
            : await resolveTenant(store, flags.tenant);
        const accountId =
          flags.account === undefined || tenant === undefined
            ? undefined
            : (await resolveAccount(store, tenant.id, flags.account)).id;
        const groupId =
          flags.group === undefined || tenant === undefined
            ? undefined
            : (await resolveGroup(store, tenant.id, flags.group)).id;
        const max = positiveInt(flags.limit, "--limit", Number.MAX_SAFE_INTEGER) ?? Infinity;
        const lifecycle =
          flags.lifecycle === undefined ? undefined : parseLifecycleFilter(flags.lifecycle);
        const names = recordNamer(store);
        const rows: string[][] = [];
        let after: Device["mac"] | undefined;
        let count = 0;
        for (;;) {
          const want = Math.min(1000, max - count);
          if (want <= 0) break;
          const page = await store.devices.list({
            ...(tenant === undefined ? {} : { tenantId: tenant.id }),
            ...(flags.model === undefined ? {} : { modelPn: flags.model }),
            ...(accountId === undefined ? {} : { accountId }),
            ...(groupId === undefined ? {} : { groupId }),
            ...(lifecycle === undefined ? {} : { lifecycle }),
            ...(after === undefined ? {} : { after }),
            limit: want,
          });
          for (const d of page) {
            if (flags.json === true) {
              writeStdout(`${JSON.stringify(deviceJson(d))}\n`);
            } else {
              rows.push([
                d.mac,
                await names.tenant(d.tenantId),
                d.modelPn ?? "",
                d.serial ?? "",
                await names.account(d.accountId),
                await names.group(d.groupId),
                d.state,
                d.status === null ? "never" : d.status.at.toISOString(),
              ]);
            }
          }
          count += page.length;
          after = page.at(-1)?.mac;
          if (page.length < want || after === undefined) break;
        }
        if (flags.json !== true) {
          writeStdout(
            formatTable(
              ["MAC", "TENANT", "MODEL", "SERIAL", "ACCOUNT", "GROUP", "STATE", "LAST RESYNC"],
              rows,
            ),
          );
        }
      });
    });

  installationOptions(
    device
      .command("show")
      .description("Show one device and its last resync")
      .argument("<mac>", "MAC address, any form")
      .option("--json", "print as JSON"),
  )
    .addHelpText(
      "after",
      `
Examples:
  provisio device show 00:0E:08:AB:CD:EF
  provisio device show 000e08abcdef --json
  provisio layer show --device 000e08abcdef --effective   # the configuration it gets`,
    )
    .action(async (macText: string, flags: InstallationFlags & { json?: boolean }) => {
      await withInstallation(flags, async ({ store }) => {
        const mac = parseMacParam(macText);
        const found = await store.devices.findByMac(mac);
        if (found === null) {
          throw cliError("CLI_NOT_FOUND", `device ${mac} not found`);
        }
        if (flags.json === true) printJson(deviceJson(found));
        else writeStdout(await describeDevice(store, found));
      });
    });

  installationOptions(
    device
      .command("events")
      .description(
        "Show a device's history: its last fetches (when, how, from where, result and why) and changes",
      )
      .argument("<mac>", "MAC address, any form")
      .option("--limit <n>", "at most this many fetches", "20")
      .option("--json", "JSON lines (one event per line; changes are in `provisio audit`)"),
  )
    .addHelpText(
      "after",
      `
Refusals of requests naming no known device are aggregated per source (see provisio events).
Examples:
  provisio device events 00:0E:08:AB:CD:EF
  provisio device events 000e08abcdef --limit 100 --json`,
    )
    .action(
      async (macText: string, flags: InstallationFlags & { limit: string; json?: boolean }) => {
        const limit = parseLimit(flags.limit);
        await withInstallation(flags, async ({ store }) => {
          const mac = parseMacParam(macText);
          const events = (await store.events.list({ mac, limit })).reverse();
          if (flags.json === true) {
            let text = "";
            for (const e of events) text += `${JSON.stringify(eventJson(e))}\n`;
            writeStdout(text);
            return;
          }
          // Lifecycle changes (created, state, certificate, rm…) from the audit log, interleaved.
          const oldest = events[0]?.at.getTime() ?? 0;
          const changes = (await store.audit.list({ entity: "device", key: mac, limit }))
            .filter((a) => events.length < limit || a.at.getTime() >= oldest)
            .reverse();
          if (events.length === 0 && changes.length === 0) {
            const known = await store.devices.findByMac(mac);
            writeStdout(
              known === null
                ? `no events for ${mac} (not a known device)\n`
                : `no events for ${mac}\n`,
            );
            return;
          }
          const rows = [
            ...events.map((e) => ({ at: e.at.getTime(), row: eventRow(e) })),
            ...changes.map((a) => ({ at: a.at.getTime(), row: changeRow(a) })),
          ].sort((a, b) => a.at - b.at);
          writeStdout(
            formatTable(
              EVENT_HEADER,
              rows.map((r) => r.row),
            ),
          );
        });
      },
    );

  installationOptions(
    device
      .command("import")
      .description("Bulk-import devices from a CSV file (upsert; - reads standard input)")
      .argument("<file>", "CSV file with a header row")
      .option("--tenant <tenant>", "tenant slug or id (default: the default tenant)")
      .option("--batch-size <n>", "rows per transaction (default 1000)")
      .option(
        "--create-missing",
        "create the accounts (without lines) and groups the file names that do not exist",
      )
      .option("--no-progress", "no progress bar or progress lines")
      .option(
        "--columns <names>",
        "the file has no header row: its columns, in order (a bar-code scan list: mac,serial,account)",
      ),
  )
    .addHelpText(
      "after",
      `
The first row names the columns, in any order (or --columns names them and every row is
data, as in a bar-code scanner's list); only mac is required:
  mac      MAC address (any form)
  model    product name, e.g. SPA112
  serial   serial number
  account  account reference (or id) in the tenant
  group    group name (or id) in the tenant
  label    free text
Each row creates the device or updates it; an empty cell keeps the current value.
Prerequisites: the tenant, and every account and group the file names, must exist
(provisio account add / group add), else their rows are refused; --create-missing
creates them instead (accounts without lines: add them with provisio account set).
A model that is not registered is imported with a warning (provisio model add).
Rows that cannot be imported are reported on standard error as
  FILE:LINE: message [CODE]
and skipped.
Progress: a bar on a terminal, otherwise one line per committed batch,
  committed 5000 rows (through line 5001), 0 refused
and every row counted there is durably in the database, even if the import is killed.
Exit status: 0 when every row was imported, 1 otherwise.

Examples:
  provisio device import devices.csv
  provisio device import acme.csv --tenant acme
  provisio device import acme.csv --tenant acme --create-missing
  printf 'mac,model\\n000e08abcdef,SPA112\\n' | provisio device import -
  provisio device import scans.csv --columns mac,serial,account   # a bar-code scan list`,
    )
    .action(async (file: string, flags: ImportFlags) => {
      const batchSize = positiveInt(flags.batchSize, "--batch-size", 10_000);
      await withInstallation(flags, async ({ store, actor }) => {
        const tenant = await resolveTenant(store, flags.tenant);
        const showProgress = flags.progress !== false;
        const tty = process.stderr.isTTY === true && showProgress;
        const total = tty ? Math.max(0, countLines(file) - 1) : 0;
        // The progress bar's library is loaded only when a terminal shows it.
        const cliProgress = tty ? (await import("cli-progress")).default : undefined;
        const bar = cliProgress
          ? new cliProgress.SingleBar(
              {
                format:
                  "importing [{bar}] {percentage}% | {value}/{total} rows | {refused} refused | {rate} rows/s",
                stream: process.stderr,
                hideCursor: true,
              },
              cliProgress.Presets.shades_classic,
            )
          : undefined;
        const started = performance.now();
        bar?.start(total || 1, 0, { refused: 0, rate: 0 });
        let last: ImportProgress | undefined;
        const report = (p: ImportProgress): void => {
          last = p;
          const seconds = (performance.now() - started) / 1000;
          if (bar !== undefined) {
            if (p.rowsRead > bar.getTotal()) bar.setTotal(p.rowsRead);
            bar.update(p.committed + p.rejected, {
              refused: p.rejected,
              rate: Math.round(p.committed / Math.max(seconds, 0.001)),
            });
          } else if (showProgress) {
            writeStdout(
              `committed ${p.committed} rows (through line ${p.lastCommittedLine ?? 0}), ${p.rejected} refused\n`,
            );
          }
        };
        let rejected = 0;
        let missingReferences = 0;
        let result: Awaited<ReturnType<typeof importDevicesCsv>>;
        try {
          result = await importDevicesCsv(
            file === "-"
              ? process.stdin.setEncoding("utf8")
              : createReadStream(file, { encoding: "utf8", highWaterMark: 256 * 1024 }),
            {
              store,
              tenantId: tenant.id,
              actor,
              ...(batchSize === undefined ? {} : { batchSize }),
              onProgress: report,
              ...(flags.createMissing === true ? { createMissing: true } : {}),
              ...(flags.columns === undefined ? {} : { columns: flags.columns.split(",") }),
              onCreated: (kind, name) => {
                if (bar === undefined) process.stderr.write(`created ${kind} ${name}\n`);
              },
              onUnknownModel: (pn) => {
                if (bar === undefined)
                  process.stderr.write(
                    `warning: model ${pn} is not registered; its model layer cannot be set until it is (provisio model add ${pn} --family spa|mpp)\n`,
                  );
              },
              onRowError: (e) => {
                rejected++;
                if (/^(account|group) ".*" not found$/s.test(e.message)) missingReferences++;
                if (bar === undefined)
                  process.stderr.write(`${file}:${e.line}: ${e.message} [${e.code}]\n`);
              },
              maxErrorsKept: 10_000,
            },
          );
        } catch (error) {
          bar?.stop();
          const kept = `${last?.committed ?? 0} rows were committed before the error (through line ${last?.lastCommittedLine ?? 0})`;
          if (error instanceof ProvisioError) {
            throw new ProvisioError(error.code, `${file}: ${error.message}; ${kept}`, {
              status: error.status,
            });
          }
          const reason = error instanceof Error ? error.message : String(error);
          throw cliError("CLI_IMPORT_FAILED", `${file}: ${reason}; ${kept}`, {
            cause: error,
          });
        }
        bar?.stop();
        if (bar !== undefined) {
          for (const e of result.errors)
            process.stderr.write(`${file}:${e.line}: ${e.message} [${e.code}]\n`);
        }
        const seconds = (performance.now() - started) / 1000;
        writeStdout(
          `imported ${result.committed} devices into tenant ${tenant.slug} in ${seconds.toFixed(1)} s (${Math.round(result.committed / Math.max(seconds, 0.001))} rows/s); ${rejected} rows refused\n`,
        );
        if (missingReferences > 0) {
          process.stderr.write(
            `hint: ${missingReferences} rows name accounts or groups that do not exist: add them first (provisio account add / group add), or import again with --create-missing\n`,
          );
        }
        if (rejected > 0) process.exitCode = 1;
      });
    });

  installationOptions(
    device
      .command("rm")
      .description("Delete devices (with their device layer and status)")
      .argument("<macs...>", "MAC addresses, any form"),
  )
    .addHelpText(
      "after",
      "\nExamples:\n  provisio device rm 000e08abcdef\n  provisio device rm 00:0E:08:AB:CD:01 00:0E:08:AB:CD:02",
    )
    .action(async (macs: string[], flags: InstallationFlags) => {
      const parsed = macs.map(parseMacParam);
      await withInstallation(flags, async ({ store, actor }) => {
        for (const mac of parsed) {
          await store.devices.delete(mac, { actor });
          writeStdout(`deleted ${mac}\n`);
        }
      });
    });

  installationOptions(
    device
      .command("set")
      .description("Change a device (flags not given stay as they are; --no-X clears X)")
      .argument("<mac>", "MAC address, any form")
      .option("--model <pn>", "product name")
      .option("--tenant <tenant>", "move to this tenant (slug or id); clears account and group")
      .option("--account <account>", "account reference or id in the device's tenant")
      .option("--no-account", "no account")
      .option("--group <group>", "group name or id in the device's tenant")
      .option("--no-group", "no group")
      .option("--serial <serial>", "serial number")
      .option("--no-serial", "no serial number")
      .option("--label <text>", "free text")
      .option("--no-label", "no label")
      .option(
        "--encryption <mode>",
        `profile encoding: ${ENCRYPTION_MODES.join(", ")}, or tenant (the tenant's default)`,
      )
      .option("--json", "print the device as JSON"),
  )
    .addHelpText(
      "after",
      `
Examples:
  provisio device set 000e08abcdef --account 1002 --group lobby
  provisio device set 00:0E:08:AB:CD:EF --model SPA122 --no-label
  provisio device set 000e08abcdef --encryption aes`,
    )
    .action(async (macText: string, flags: SetFlags) => {
      const mac = parseMacParam(macText);
      const encryption =
        flags.encryption === undefined
          ? undefined
          : flags.encryption === "tenant"
            ? null
            : parseChoice<EncryptionMode>(flags.encryption, "--encryption", ENCRYPTION_MODES);
      await withInstallation(flags, async ({ store, actor }) => {
        const found = await store.devices.findByMac(mac);
        if (found === null) throw cliError("CLI_NOT_FOUND", `device ${mac} not found`);
        const tenant =
          flags.tenant === undefined ? undefined : await resolveTenant(store, flags.tenant);
        const tenantId = tenant?.id ?? found.tenantId;
        const moved = tenantId !== found.tenantId;
        const account = cleared(flags.account);
        const group = cleared(flags.group);
        const patch: DevicePatch = {
          ...(moved ? { tenantId, accountId: null, groupId: null } : {}),
          ...(flags.model === undefined ? {} : { modelPn: flags.model }),
          ...(account === undefined
            ? {}
            : {
                accountId:
                  account === null ? null : (await resolveAccount(store, tenantId, account)).id,
              }),
          ...(group === undefined
            ? {}
            : { groupId: group === null ? null : (await resolveGroup(store, tenantId, group)).id }),
          ...(flags.serial === undefined ? {} : { serial: cleared(flags.serial) ?? null }),
          ...(flags.label === undefined ? {} : { label: cleared(flags.label) ?? null }),
          ...(encryption === undefined ? {} : { encryption }),
        };
        requireChange(patch, "device");
        const updated = await store.devices.update(mac, patch, { actor });
        if (flags.model !== undefined && (await store.models.find(flags.model)) === null) {
          process.stderr.write(
            `warning: model ${flags.model} is not registered; its model layer cannot be set until it is (provisio model add ${flags.model} --family spa|mpp)\n`,
          );
        }
        if (flags.json === true) printJson(deviceJson(updated));
        else writeStdout(await describeDevice(store, updated));
      });
    });

  registerDeviceReportCommands(device);
};
