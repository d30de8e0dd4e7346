/**
 * `provisio device report|drift|resync|reboot`: what a unit last reported, where it drifts
 * from its effective configuration, and making units resync or reboot now (SIP NOTIFY to
 * their contact, or their admin URL). Registered under `provisio device`.
 */
import type { Command } from "commander";
import {
  MAX_PUSH_DEVICES,
  type PushResult,
  type PushVia,
  parseContact,
  parseMacParam,
  reportJson,
  resolveGroup,
  resolveTenant,
} from "../admin/index.ts";
import type { NotifyEvent } from "../sip/index.ts";
import { type Device, REPORT_KINDS, type ReportKind } from "../store/index.ts";
import { parseChoice } from "./cli_values.ts";
import { cliError } from "./errors.ts";
import {
  formatTable,
  type InstallationFlags,
  installationOptions,
  printJson,
  withInstallation,
} from "./installation.ts";
import { writeStdout } from "./stdout.ts";

interface ReportFlags extends InstallationFlags {
  kind?: string;
  history?: boolean;
  json?: boolean;
}

interface PushFlags extends InstallationFlags {
  group?: string;
  tenant?: string;
  via?: string;
  contact?: string;
  line?: string;
  rate?: string;
  event?: string;
  json?: boolean;
}

function positive(text: string | undefined, flag: string, max: number): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > max) {
    throw cliError("CLI_BAD_OPTION", `${flag} must be a whole number from 1 to ${max}`);
  }
  return n;
}

/**
 * Progress of a push to a group, a tenant or several MACs on stderr (stdout keeps the
 * results): a bar on a terminal, else a line every few seconds and at the end.
 */
async function pushProgressDisplay(
  devices: number,
  selected: boolean,
): Promise<{ onResult: (r: PushResult) => void; stop: () => void }> {
  if (devices < 2 && !selected) return { onResult: () => undefined, stop: () => undefined };
  const outcomes: Record<string, number> = {};
  let done = 0;
  const summary = () =>
    Object.entries(outcomes)
      .map(([o, n]) => `${n} ${o}`)
      .join(", ");
  if (process.stderr.isTTY === true) {
    // The bar's library is loaded only when a terminal shows it.
    const cliProgress = (await import("cli-progress")).default;
    const bar = new cliProgress.SingleBar(
      {
        format: "pushing [{bar}] {value}/{total} devices | {outcomes}",
        stream: process.stderr,
        hideCursor: true,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(devices, 0, { outcomes: "" });
    return {
      onResult(r) {
        done++;
        outcomes[r.outcome] = (outcomes[r.outcome] ?? 0) + 1;
        bar.update(done, { outcomes: summary() });
      },
      stop: () => bar.stop(),
    };
  }
  let lastLine = 0;
  const line = () => process.stderr.write(`pushed ${done}/${devices} devices: ${summary()}\n`);
  return {
    onResult(r) {
      done++;
      outcomes[r.outcome] = (outcomes[r.outcome] ?? 0) + 1;
      const now = performance.now();
      if (now - lastLine >= 5_000 || done === devices) {
        lastLine = now;
        line();
      }
    },
    stop: () => undefined,
  };
}

function printResults(results: readonly PushResult[], json: boolean | undefined): void {
  if (json === true) {
    printJson(results);
    return;
  }
  writeStdout(
    formatTable(
      ["MAC", "EVENT", "VIA", "CONTACT", "OUTCOME", "STATUS", "NOTE"],
      results.map((r) => [
        r.mac,
        r.event,
        r.via,
        r.contact ?? "-",
        r.outcome,
        r.status === null ? "-" : String(r.status),
        r.message ?? (r.challenged ? "digest answered" : ""),
      ]),
    ),
  );
}

export function registerDeviceReportCommands(device: Command): void {
  installationOptions(
    device
      .command("report")
      .description("Show the configuration a device last reported (Report_Rule uploads)")
      .argument("<mac>", "MAC address, any form")
      .option("--kind <kind>", `only this kind: ${REPORT_KINDS.join(", ")}`)
      .option("--history", "list the stored reports instead (newest first)")
      .option("--json", "print as JSON"),
  )
    .addHelpText(
      "after",
      `
Units upload to /report/ on the provisioning listener: set their Report_Rule to e.g.
  http://prov.example.com:8080/report/$MA.xml          (full configuration)
  [--delta] http://prov.example.com:8080/report/delta/$MA.xml
  [--status] http://prov.example.com:8080/report/status/$MA.xml
and ask for a report with: provisio device resync <mac> --event report
Examples:
  provisio device report 000e08abcdef
  provisio device report 000e08abcdef --history`,
    )
    .action(async (macText: string, flags: ReportFlags) => {
      const mac = parseMacParam(macText);
      const kinds =
        flags.kind === undefined
          ? undefined
          : [parseChoice<ReportKind>(flags.kind, "--kind", REPORT_KINDS)];
      await withInstallation(flags, async ({ store }) => {
        if ((await store.devices.findByMac(mac)) === null) {
          throw cliError("CLI_NOT_FOUND", `device ${mac} not found`);
        }
        if (flags.history === true) {
          const history = await store.reports.history(mac, 100);
          if (flags.json === true) printJson(history);
          else
            writeStdout(
              formatTable(
                ["RECEIVED", "KIND", "ENTRIES", "FROM", "IDENTIFIED BY", "ID"],
                history.map((h) => [
                  h.receivedAt.toISOString(),
                  h.kind,
                  String(h.entryCount),
                  h.remoteAddress ?? "-",
                  h.identifiedBy ?? "-",
                  h.id,
                ]),
              ),
            );
          return;
        }
        const report = await store.reports.latest(mac, kinds);
        if (report === null) {
          writeStdout(`no report from ${mac} yet\n`);
          return;
        }
        const json = reportJson(report);
        if (flags.json === true) {
          printJson(json);
          return;
        }
        writeStdout(
          `${report.kind} report from ${mac}, received ${report.receivedAt.toISOString()} from ${report.remoteAddress ?? "?"} (${report.entries.length} entries)\n`,
        );
        writeStdout(
          formatTable(
            ["PARAMETER", "VALUE", "UA"],
            report.entries.map((e) => [
              e.name,
              e.secret ? "[secret]" : (e.value ?? ""),
              e.access ?? "",
            ]),
          ),
        );
      });
    });

  installationOptions(
    device
      .command("drift")
      .description("Show where a device's reported configuration differs from what it should have")
      .argument("<mac>", "MAC address, any form")
      .option("--json", "print as JSON"),
  )
    .addHelpText(
      "after",
      `
differs            the server sets the value; the unit holds another one its user cannot change
changed-on-device  the unit's user may change it (ua="rw") and it differs from what the server
                   sets, or from the factory default when the server sets nothing
Secret values are compared but never shown.
Example:
  provisio device drift 000e08abcdef`,
    )
    .action(async (macText: string, flags: InstallationFlags & { json?: boolean }) => {
      const mac = parseMacParam(macText);
      await withInstallation(flags, async ({ store }) => {
        const found = await store.devices.findByMac(mac);
        if (found === null) throw cliError("CLI_NOT_FOUND", `device ${mac} not found`);
        // Loaded here (the template engine with it): other `device` commands start without it.
        const { deviceDrift, EffectiveConfigResolver } = await import("../admin/index.ts");
        const drift = await deviceDrift(store, new EffectiveConfigResolver(store), found);
        if (flags.json === true) {
          printJson(drift);
          return;
        }
        if (drift.basedOn.length === 0) {
          writeStdout(`no configuration report from ${mac} yet\n`);
          return;
        }
        writeStdout(
          `${drift.items.length} of ${drift.compared} reported parameters drift (reports: ${drift.basedOn.map((b) => `${b.kind} ${b.receivedAt}`).join(", ")})\n`,
        );
        if (drift.items.length > 0) {
          writeStdout(
            formatTable(
              ["PARAMETER", "KIND", "EXPECTED", "REPORTED", "FROM"],
              drift.items.map((i) => [
                i.name,
                i.kind,
                i.secret ? "[secret]" : (i.expected ?? ""),
                i.secret ? "[secret]" : (i.reported ?? ""),
                i.expectedFrom,
              ]),
            ),
          );
        }
      });
    });

  const push = (name: "resync" | "reboot", events: readonly NotifyEvent[], fallback: NotifyEvent) =>
    installationOptions(
      device
        .command(name)
        .description(
          name === "resync"
            ? "Make devices resync now (SIP NOTIFY check-sync to their contact, or their /admin/resync)"
            : "Make devices reboot now (SIP NOTIFY reboot_now, or their /admin/reboot)",
        )
        .argument("[macs...]", "MAC addresses, any form")
        .option("--group <group>", "every device of this group (in --tenant, default: default)")
        .option(
          "--tenant <tenant>",
          "every device of this tenant (slug or id) when no MAC or group",
        )
        .option("--event <event>", `the NOTIFY event: ${events.join(", ")}`, fallback)
        .option(
          "--via <via>",
          "sip (NOTIFY to the SIP contact) or http (the unit's admin URL)",
          "sip",
        )
        .option(
          "--contact <host[:port]>",
          "where to send it (one device); default: its last resync address, SIP port as reported, else 5060",
        )
        .option("--line <n>", "the line whose credentials answer the challenge", "1")
        .option("--rate <n>", "pushes started per second", "20")
        .option("--json", "print the results as JSON"),
    )
      .addHelpText(
        "after",
        `
The unit challenges the NOTIFY; Provisio answers with the line's user (or auth) ID and
password from the device's effective configuration. Results: accepted, rejected (e.g. 489 Bad
Event), unauthorized (credentials refused), timeout, no-contact (never resynced, no --contact).
Examples:
  provisio device ${name} 000e08abcdef
  provisio device ${name} 000e08abcdef --contact 192.0.2.10:5061
  provisio device ${name} --group lobby --tenant acme --rate 10`,
      )
      .action(async (macs: string[], flags: PushFlags) => {
        const event = parseChoice<NotifyEvent>(flags.event ?? fallback, "--event", events);
        const via = parseChoice<PushVia>(flags.via ?? "sip", "--via", ["sip", "http"]);
        const line = positive(flags.line, "--line", 16);
        const rate = positive(flags.rate, "--rate", 500);
        if (flags.contact !== undefined && macs.length !== 1) {
          throw cliError("CLI_BAD_OPTION", "--contact goes with exactly one MAC");
        }
        if (macs.length > 0 && (flags.group !== undefined || flags.tenant !== undefined)) {
          throw cliError("CLI_BAD_OPTION", "give MACs, or --group / --tenant, not both");
        }
        const contact =
          flags.contact === undefined
            ? undefined
            : parseContact(flags.contact, via === "http" ? 80 : 5060);
        await withInstallation(flags, async ({ store, actor }) => {
          let devices: Device[] = [];
          if (macs.length > 0) {
            for (const m of macs) {
              const mac = parseMacParam(m);
              const found = await store.devices.findByMac(mac);
              if (found === null) throw cliError("CLI_NOT_FOUND", `device ${mac} not found`);
              devices.push(found);
            }
          } else if (flags.group !== undefined || flags.tenant !== undefined) {
            const tenant = await resolveTenant(store, flags.tenant ?? "default");
            const groupId =
              flags.group === undefined
                ? undefined
                : (await resolveGroup(store, tenant.id, flags.group)).id;
            const query = { tenantId: tenant.id, ...(groupId === undefined ? {} : { groupId }) };
            if ((await store.devices.count(query)) > MAX_PUSH_DEVICES) {
              throw cliError(
                "CLI_BAD_OPTION",
                `more than ${MAX_PUSH_DEVICES} devices: push a group or a list of MACs`,
              );
            }
            devices = await store.devices.list({ ...query, limit: MAX_PUSH_DEVICES });
          } else {
            throw cliError("CLI_BAD_OPTION", "name MACs, or --group or --tenant");
          }
          const progress = await pushProgressDisplay(devices.length, macs.length === 0);
          let results: PushResult[];
          try {
            const { pushDevices, EffectiveConfigResolver } = await import("../admin/index.ts");
            results = await pushDevices(store, new EffectiveConfigResolver(store), devices, {
              event,
              via,
              actor,
              onResult: progress.onResult,
              ...(contact === undefined ? {} : { contact }),
              ...(line === undefined ? {} : { line }),
              ...(rate === undefined ? {} : { perSecond: rate }),
            });
          } finally {
            progress.stop();
          }
          printResults(results, flags.json);
          if (results.some((r) => r.outcome !== "accepted")) process.exitCode = 1;
        });
      });

  push("resync", ["check-sync", "resync", "report"], "check-sync");
  push("reboot", ["reboot_now", "reboot", "restart_now"], "reboot_now");
}
