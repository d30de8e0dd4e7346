import { createReadStream, readFileSync, writeFileSync } from "node:fs";
import type { Command } from "commander";
import { isProvisioError } from "../errors.ts";
import {
  type CsvRow,
  devicesFromCsv,
  Fleet,
  type FleetDeviceSpec,
  type FleetSpeed,
  fleetReportHtml,
  formatFleetSummary,
  sequentialDevices,
} from "../fleet/index.ts";
import type { RegisterCommand } from "./commands.ts";
import { addEmulatorFlags, COMPAT_HELP, emulatorOptions } from "./emulator_flags.ts";
import { cliError } from "./errors.ts";

interface FleetFlags {
  devices?: string;
  devicesCsv?: string;
  model: string;
  profileRule?: string;
  dhcpTftp?: string;
  serverCa: string[];
  set: string[];
  rebootStorm?: boolean;
  duration: string;
  ramp?: string;
  speed: string;
  concurrency: string;
  sourceAddresses: string;
  maxSkew: string;
  seed: string;
  report?: string;
  json?: boolean;
  progress: boolean;
  compat: string[];
  inactiveLoad?: string;
}

const UNITS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/** `90s`, `15m`, `24h`, `2d`, `1h30m`, or plain seconds. */
export function parseDuration(text: string, flag: string): number {
  const t = text.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return Number(t) * 1000;
  let total = 0;
  let rest = t;
  const part = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)/;
  while (rest.length > 0) {
    const m = part.exec(rest);
    if (m === null) {
      throw cliError(
        "CLI_BAD_OPTION",
        `${flag}: ${JSON.stringify(text)} is not a duration like 90s, 15m, 24h`,
      );
    }
    total += Number(m[1]) * UNITS[m[2]!]!;
    rest = rest.slice(m[0].length);
  }
  if (t === "") throw cliError("CLI_BAD_OPTION", `${flag} must not be empty`);
  return total;
}

export function parseSpeed(text: string): FleetSpeed {
  if (text === "max") return "max";
  const n = Number(text.replace(/x$/i, ""));
  if (!Number.isFinite(n) || n <= 0) {
    throw cliError(
      "CLI_BAD_OPTION",
      `--speed must be a positive number (times real time) or max, not ${JSON.stringify(text)}`,
    );
  }
  return n;
}

function wholeNumber(text: string, flag: string, min: number): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n) || n < min) {
    throw cliError(
      "CLI_BAD_OPTION",
      `${flag} must be a whole number ≥ ${min}, not ${JSON.stringify(text)}`,
    );
  }
  return n;
}

function settingsOf(pairs: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf("=");
    if (eq < 1) throw cliError("CLI_BAD_PAIR", `--set ${JSON.stringify(pair)} is not NAME=VALUE`);
    out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return out;
}

async function csvDevices(path: string, model: string): Promise<FleetDeviceSpec[]> {
  const { readCsv } = await import("../admin/index.ts");
  const rows: CsvRow[] = [];
  try {
    for await (const record of readCsv(createReadStream(path))) rows.push(record);
  } catch (error) {
    if (isProvisioError(error)) throw error;
    throw cliError("CLI_INPUT_UNREADABLE", `cannot read ${path}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return devicesFromCsv(rows, model);
}

/** `provisio fleet`: many emulated devices on an accelerated clock, then a summary. */
export const registerFleetCommand: RegisterCommand = (program: Command) => {
  const command = program
    .command("fleet")
    .description("run a fleet of emulated devices against a server on an accelerated clock")
    .option("--devices <n>", "number of devices, MACs 000e08000000 + i (default 100)")
    .option(
      "--devices-csv <file>",
      "the devices of a `provisio device import` CSV (mac,model,serial,…)",
    )
    .option("--model <pn>", "product name of the devices (and of CSV rows without one)", "SPA962")
    .option("--profile-rule <rule>", "Profile_Rule set on every device before power-on")
    .option("--dhcp-tftp <host[:port]>", "DHCP option 66 for rules without a server")
    .option(
      "--server-ca <file>",
      "CA certificate (PEM) trusted for HTTPS servers (repeatable)",
      (value: string, list: string[]) => [...list, value],
      [] as string[],
    )
    .option(
      "--set <name=value>",
      "a parameter set on every device before power-on (repeatable)",
      (value: string, list: string[]) => [...list, value],
      [] as string[],
    )
    .option(
      "--reboot-storm",
      "every device powers on at the same instant (power back after an outage)",
    )
    .option("--duration <d>", "simulated time to run: 90s, 15m, 24h, 2d", "1h")
    .option(
      "--ramp <d>",
      "power-ons spread over this span (default: the shorter of duration and 10m)",
    )
    .option("--speed <x|max>", "times real time, or max (as fast as the server answers)", "max")
    .option("--concurrency <n>", "device resyncs in flight at most", "64")
    .option("--max-skew <d>", "speed max: how far time may run ahead of a resync in flight", "10s")
    .option(
      "--source-addresses <n>",
      "spread the devices' connections over n loopback addresses (127.1.0.1…)",
      "1",
    )
    .option("--seed <n>", "seed of the devices' random delays", "1")
    .option("--report <file.html>", "write a self-contained HTML report with charts")
    .option("--json", "print the summary as JSON")
    .option("--no-progress", "no progress bar");
  addEmulatorFlags(command)
    .addHelpText(
      "after",
      `
Examples:
  provisio fleet --devices 1000 --profile-rule 'http://127.0.0.1:8080/$MA.xml' --duration 24h
  provisio fleet --devices-csv phones.csv --dhcp-tftp 127.0.0.1:6969 --report run.html
  provisio fleet --devices 20000 --reboot-storm --speed 1 --duration 10m \\
    --profile-rule 'http://127.0.0.1:8080/$MA.xml'
  provisio fleet --devices 100 --model CP-8841-3PCC --inactive-load sip88xx.11-3-1MPP-678 \\
    --compat reportHidePasswords --profile-rule 'http://127.0.0.1:8080/$MA.xml'
${COMPAT_HELP}`,
    )
    .action(async (flags: FleetFlags) => {
      if (flags.devices !== undefined && flags.devicesCsv !== undefined) {
        throw cliError("CLI_BAD_OPTION", "--devices and --devices-csv exclude each other");
      }
      const devices =
        flags.devicesCsv !== undefined
          ? await csvDevices(flags.devicesCsv, flags.model)
          : sequentialDevices(wholeNumber(flags.devices ?? "100", "--devices", 1), flags.model);
      const options = emulatorOptions(flags);
      const durationMs = parseDuration(flags.duration, "--duration");
      if (durationMs <= 0) throw cliError("CLI_BAD_OPTION", "--duration must be positive");
      const serverCas = flags.serverCa.map((f) => {
        try {
          return readFileSync(f, "utf8");
        } catch (error) {
          throw cliError(
            "CLI_INPUT_UNREADABLE",
            `--server-ca: cannot read ${f}: ${(error as Error).message}`,
            {
              cause: error,
            },
          );
        }
      });
      const showBar = flags.progress && process.stderr.isTTY === true;
      const { SingleBar, Presets } = await import("cli-progress");
      const bar = new SingleBar(
        {
          format:
            "{bar} {percentage}% | {vtime} simulated | up {powered}/{devices} | resyncs {ok} ok, {failed} failed | in flight {inflight}",
          hideCursor: true,
          stream: process.stderr,
        },
        Presets.shades_classic,
      );
      const fleet = new Fleet({
        devices,
        durationMs,
        speed: parseSpeed(flags.speed),
        concurrency: wholeNumber(flags.concurrency, "--concurrency", 1),
        seed: wholeNumber(flags.seed, "--seed", 0),
        sourceAddresses: wholeNumber(flags.sourceAddresses, "--source-addresses", 1),
        maxSkewMs: parseDuration(flags.maxSkew, "--max-skew"),
        rebootStorm: flags.rebootStorm === true,
        ...(flags.ramp === undefined ? {} : { rampMs: parseDuration(flags.ramp, "--ramp") }),
        ...(flags.set.length === 0 ? {} : { settings: settingsOf(flags.set) }),
        ...(flags.profileRule === undefined ? {} : { profileRule: flags.profileRule }),
        ...(flags.dhcpTftp === undefined ? {} : { dhcpTftp: flags.dhcpTftp }),
        ...(serverCas.length === 0 ? {} : { trustedServerCas: serverCas }),
        ...options,
        onProgress: (p) => {
          if (!showBar) return;
          bar.update(Math.min(p.durationMs, p.virtualMs), {
            vtime: `${(p.virtualMs / 3_600_000).toFixed(2)} h`,
            powered: p.poweredOn,
            devices: devices.length,
            ok: p.resyncsOk,
            failed: p.resyncsFailed,
            inflight: p.inFlight,
          });
        },
      });
      if (showBar)
        bar.start(durationMs, 0, {
          vtime: "0.00 h",
          powered: 0,
          devices: devices.length,
          ok: 0,
          failed: 0,
          inflight: 0,
        });
      const interrupt = () => fleet.stop();
      process.once("SIGINT", interrupt);
      let summary: Awaited<ReturnType<Fleet["run"]>>;
      try {
        summary = await fleet.run();
      } finally {
        process.removeListener("SIGINT", interrupt);
        if (showBar) bar.stop();
      }
      process.stdout.write(
        flags.json === true ? `${JSON.stringify(summary, null, 2)}\n` : formatFleetSummary(summary),
      );
      if (flags.report !== undefined) {
        try {
          writeFileSync(flags.report, fleetReportHtml(summary));
        } catch (error) {
          throw cliError(
            "CLI_OUTPUT_UNWRITABLE",
            `cannot write ${flags.report}: ${(error as Error).message}`,
            {
              cause: error,
            },
          );
        }
        process.stderr.write(`report written to ${flags.report}\n`);
      }
      if (summary.resyncsOk === 0) process.exitCode = 1;
    });
};
