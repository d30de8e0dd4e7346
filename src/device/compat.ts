/**
 * The behaviour switches of the conflict register (§0.3), C12 and three emulator options,
 * with each family's defaults, so one emulator reproduces every documented reading.
 */
import type { KdfDigest } from "../crypto/index.ts";
import type { DeviceFamily } from "../profile/index.ts";
import type { RandomDelayUnitSeconds } from "../rules/index.ts";

export interface CompatSwitches {
  /** C1. */
  readonly randomDelayUnitSeconds: RandomDelayUnitSeconds;
  /** C2. */
  readonly zeroRetryMeans: "never" | "immediate";
  /** C3: SPA `trigger`, MPP `gate`. */
  readonly triggerSemantics: "trigger" | "gate";
  /** C4. */
  readonly forcedDelayMode: "cap" | "idleCountdown";
  /** C5. */
  readonly uaAbsent: "factoryDefault" | "retain";
  /** C6. */
  readonly emptyXmlValue: "emptyString" | "default";
  /** C11. */
  readonly kdfDigests: readonly KdfDigest[];
  /** C12: a reboot caused by an applied profile also resyncs on reset. */
  readonly resyncAfterProfileReboot: boolean;
  /** C9: firmware over HTTPS (SPA ATAs and SPA9000 no; SPA9x2 phones and MPP yes). */
  readonly upgradeHttps: boolean;
  /** §5.2 `macroPrefixFallback`. */
  readonly macroPrefixFallback: boolean;
  /** §8.2.2: User-Agent with `(<MAU>)(<SN>)`. */
  readonly uaIncludesMac: boolean;
  /**
   * §8.4 `reportHidePasswords`: configuration reports leave the passwords out (by default
   * they carry `Admin_Passwd` and `User_Password`, an admin-equivalent document).
   */
  readonly reportHidePasswords: boolean;
}

/**
 * The SPA9x2 phones (SPA922, SPA942, SPA962, by `$PN`): SPA firmware, but with HTTPS
 * upgrades (C9). SPA9000 and the SPA ATAs are not among them.
 */
export function isSpa9x2(productName: string): boolean {
  return /^SPA9\d2(?!\d)/i.test(productName.trim());
}

/** Each family's defaults; `productName` picks the model-specific ones (C9 on SPA9x2). */
export function defaultCompat(family: DeviceFamily, productName = ""): CompatSwitches {
  return {
    randomDelayUnitSeconds: 20,
    zeroRetryMeans: "never",
    triggerSemantics: family === "mpp" ? "gate" : "trigger",
    forcedDelayMode: "cap",
    uaAbsent: family === "mpp" ? "retain" : "factoryDefault",
    emptyXmlValue: "emptyString",
    kdfDigests: family === "mpp" ? ["md5", "sha256"] : ["md5"],
    resyncAfterProfileReboot: false,
    upgradeHttps: family === "mpp" || (family === "spa" && isSpa9x2(productName)),
    macroPrefixFallback: false,
    uaIncludesMac: false,
    reportHidePasswords: false,
  };
}
