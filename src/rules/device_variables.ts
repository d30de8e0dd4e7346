/**
 * The macro variables of a device (spec §5.3), built from a plain description so the device
 * emulator (its live state) and the server (a device record, e.g. to preview what a rule will
 * request) produce exactly the same names and formats.
 *
 * The result is a lookup function, not a snapshot: GPP and User_ID values are read through
 * `params` at expansion time, so assignments made by an earlier rule of the same resync are
 * visible to the next one (§6.7) without rebuilding anything.
 */
import { macColon, macUpper, parseMac } from "../mac_address.ts";
import type { RuleErrorCode } from "./errors.ts";
import type { MacroVariables } from "./macro.ts";

/** `$PRVST`: why this resync runs (§5.3, §6.2). */
export type ProvisioningState = -1 | 0 | 1 | 2;
/** `$UPGST`: 1 first attempt, 2 retry after failure. */
export type UpgradeState = 1 | 2;

/** The request most recently made by the same subsystem (`$SCHEME`, `$SERV`, … §5.3 notes). */
export interface LastRequest {
  readonly scheme?: string;
  readonly server?: string;
  readonly serverIp?: string;
  readonly port?: number;
  readonly path?: string;
  /** `$ERR` (§6.6). */
  readonly error?: string;
}

export interface DeviceDescription {
  /** Any accepted MAC spelling (`00:0E:08:01:23:45`, `000e08012345`, …). */
  readonly mac: string;
  /** `$PN`, e.g. `SPA2102`, `CP-8841-3PCC`. */
  readonly productName: string;
  /** `$PSN`, e.g. `2102`. */
  readonly productSeries: string;
  /** `$SN`. */
  readonly serial: string;
  /** `$SWVER`, e.g. `2.0.6(b)` or `sip88xx.11-3-1MPP-678`. */
  readonly swVersion: string;
  /** `$HWVER`. */
  readonly hwVersion: string;
  /** `$IP`, `$EXTIP` (empty until known). */
  readonly ip?: string;
  readonly extIp?: string;
  /** `$CCERT`. */
  readonly certStatus?: "Installed" | "Not Installed";
  /**
   * Current parameter values by XML element name: `GPP_A`..`GPP_P`, `GPP_SA`..`GPP_SD`,
   * `User_ID_1_`… Undefined means "no such parameter".
   */
  readonly params?: (name: string) => string | undefined;
  /** Seconds; rendered as whole seconds. `$PRVTMR`, `$UPGTMR`, `$REGTMR1`, `$REGTMR2`. */
  readonly timers?: {
    readonly prvtmr?: number;
    readonly upgtmr?: number;
    /** Per line, index 0 = line 1. 0 while registered. */
    readonly regtmr?: readonly number[];
  };
  readonly provisioningState?: ProvisioningState;
  readonly upgradeState?: UpgradeState;
  /** `$UPGERR`: `$ERR` of the previous upgrade attempt. */
  readonly upgradeError?: string;
  readonly lastRequest?: LastRequest;
  /** `$ISCUST`: unit customised (RC). */
  readonly customized?: boolean;
  /** MPP licensing values, passed through verbatim (semantics unverified, §5.3). */
  readonly origType?: string;
  readonly authStatus?: string;
}

const GPP_LETTER = /^[A-P]$/;
const SECRET_GPP = /^S[A-D]$/;
const UID = /^UID([1-9][0-9]?)$/;
const REGTMR = /^REGTMR([1-9][0-9]?)$/;

function seconds(value: number | undefined): string {
  return value === undefined || !Number.isFinite(value)
    ? ""
    : String(Math.max(0, Math.floor(value)));
}

/**
 * Builds the §5.3 variable lookup. Every documented name is known (value `""` when the
 * description does not say), so `$EXTIP` before it is known expands to the empty string as
 * §5.2 requires, and only truly unknown names stay as written.
 */
export function deviceVariables(device: DeviceDescription): MacroVariables {
  const mac = parseMac(device.mac, "RULE_MAC_INVALID" satisfies RuleErrorCode);
  const params = device.params ?? (() => undefined);
  const last = device.lastRequest ?? {};
  const fixed = new Map<string, string>([
    ["MA", mac],
    ["MAU", macUpper(mac)],
    ["MAC", macColon(mac)],
    ["PN", device.productName],
    ["PSN", device.productSeries],
    ["SN", device.serial],
    ["CCERT", device.certStatus ?? "Not Installed"],
    ["IP", device.ip ?? ""],
    ["EXTIP", device.extIp ?? ""],
    ["SWVER", device.swVersion],
    ["HWVER", device.hwVersion],
    ["PRVST", device.provisioningState === undefined ? "" : String(device.provisioningState)],
    ["UPGST", device.upgradeState === undefined ? "" : String(device.upgradeState)],
    ["UPGERR", device.upgradeError ?? ""],
    ["PRVTMR", seconds(device.timers?.prvtmr)],
    ["UPGTMR", seconds(device.timers?.upgtmr)],
    // Legacy; `true` on firmware ≥ 2.0.6 (§5.3).
    ["UPGCOND", "true"],
    ["SCHEME", last.scheme ?? ""],
    ["METH", last.scheme ?? ""],
    ["SERV", last.server ?? ""],
    ["SERVIP", last.serverIp ?? ""],
    ["PORT", last.port === undefined ? "" : String(last.port)],
    ["PATH", last.path ?? ""],
    ["ERR", last.error ?? ""],
    ["ISCUST", device.customized === true ? "1" : "0"],
    ["ORIGTYPE", device.origType ?? ""],
    ["AUTHSTATUS", device.authStatus ?? ""],
  ]);
  const regtmr = device.timers?.regtmr ?? [];

  return (name: string): string | undefined => {
    const value = fixed.get(name);
    if (value !== undefined) return value;
    if (GPP_LETTER.test(name) || SECRET_GPP.test(name)) return params(`GPP_${name}`) ?? "";
    let m = UID.exec(name);
    if (m !== null) {
      const n = Number(m[1]);
      const v = params(`User_ID_${n}_`);
      // UID1/UID2 exist on every device (§5.3); higher lines only where the device has them.
      return v ?? (n <= 2 ? "" : undefined);
    }
    m = REGTMR.exec(name);
    if (m !== null) {
      const n = Number(m[1]);
      return n <= 2 || n <= regtmr.length ? seconds(regtmr[n - 1]) : undefined;
    }
    return undefined;
  };
}
