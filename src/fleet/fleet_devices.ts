/**
 * Who the fleet's units are: the sequential MAC range `000e08000000 + i` (so a `device
 * import` of the same range matches them), or the rows of a `device import` CSV
 * (`mac`, `model`, `serial`, … — other columns are the server's business and ignored).
 */
import { deviceError } from "../device/index.ts";
import { tryParseMac } from "../mac_address.ts";
import type { DeviceFamily } from "../profile/index.ts";

export interface FleetDeviceSpec {
  readonly mac: string;
  readonly model: string;
  readonly serial?: string;
}

/** First MAC of the default range (the Cisco/Linksys OUI 00:0E:08). */
export const FIRST_FLEET_MAC = 0x000e08000000;
const LAST_MAC = 0xffffffffffff;

/** The MAC `000e08000000 + index`, canonical form. */
export function fleetMac(index: number): string {
  return (FIRST_FLEET_MAC + index).toString(16).padStart(12, "0");
}

export function sequentialDevices(count: number, model: string): FleetDeviceSpec[] {
  if (!Number.isInteger(count) || count < 1 || FIRST_FLEET_MAC + count - 1 > LAST_MAC) {
    throw deviceError("DEVICE_OPTION_INVALID", `device count must be a whole number ≥ 1`);
  }
  return Array.from({ length: count }, (_, i) => ({ mac: fleetMac(i), model }));
}

export interface CsvRow {
  /** 1-based line of the record. */
  readonly line: number;
  readonly fields: readonly string[];
}

/**
 * The units of an import CSV: header row first (case-insensitive, any order, `mac`
 * required); an empty `model` cell takes `defaultModel`. A bad MAC or repeated MAC is an
 * error naming its line — a rehearsal with a different fleet than the server's is no
 * rehearsal.
 */
export function devicesFromCsv(rows: Iterable<CsvRow>, defaultModel: string): FleetDeviceSpec[] {
  let columns: string[] | undefined;
  const out: FleetDeviceSpec[] = [];
  const seen = new Set<string>();
  for (const row of rows) {
    if (columns === undefined) {
      columns = row.fields.map((f) => f.trim().toLowerCase());
      if (!columns.includes("mac")) {
        throw deviceError(
          "DEVICE_OPTION_INVALID",
          `line ${row.line}: the header has no mac column`,
        );
      }
      continue;
    }
    const cell = (name: string) => {
      const i = columns!.indexOf(name);
      return i < 0 ? "" : (row.fields[i] ?? "").trim();
    };
    const mac = tryParseMac(cell("mac"));
    if (mac === undefined) {
      throw deviceError(
        "DEVICE_OPTION_INVALID",
        `line ${row.line}: not a MAC address: ${JSON.stringify(cell("mac").slice(0, 40))}`,
      );
    }
    if (seen.has(mac)) {
      throw deviceError("DEVICE_OPTION_INVALID", `line ${row.line}: MAC ${mac} appears twice`);
    }
    seen.add(mac);
    const model = cell("model") || defaultModel;
    const serial = cell("serial");
    out.push({ mac, model, ...(serial === "" ? {} : { serial }) });
  }
  if (out.length === 0) {
    throw deviceError("DEVICE_OPTION_INVALID", "the CSV lists no devices");
  }
  return out;
}

/** Firmware generation of a product name: Cisco `CP-…`/`…-3PCC` phones are MPP. */
export function familyOfModel(model: string): DeviceFamily {
  return /^CP-|3PCC$|MPP/i.test(model) ? "mpp" : "spa";
}
