/**
 * The emulator's behaviour switches and MPP inactive load as command-line flags, shared by
 * `provisio emulate` and `provisio fleet`: `--compat NAME[=VALUE]` (repeatable) and
 * `--inactive-load VERSION`.
 */
import type { Command } from "commander";
import type { CompatSwitches } from "../device/index.ts";
import { cliError } from "./errors.ts";

interface SwitchSpec<T> {
  /** Accepted values, as typed; booleans accept true/false/yes/no/on/off/1/0. */
  readonly values: string;
  readonly help: string;
  parse(text: string): T | undefined;
}

const TRUE = new Set(["true", "yes", "on", "1"]);
const FALSE = new Set(["false", "no", "off", "0"]);

function bool(help: string): SwitchSpec<boolean> {
  return {
    values: "true|false",
    help,
    parse: (t) =>
      TRUE.has(t.toLowerCase()) ? true : FALSE.has(t.toLowerCase()) ? false : undefined,
  };
}

function oneOf<const T extends string>(choices: readonly T[], help: string): SwitchSpec<T> {
  return {
    values: choices.join("|"),
    help,
    parse: (t) => choices.find((c) => c === t),
  };
}

/** Every switch of the emulator (a new one fails to compile until it is listed here). */
const SWITCHES: { readonly [K in keyof CompatSwitches]: SwitchSpec<CompatSwitches[K]> } = {
  randomDelayUnitSeconds: {
    values: "20|1",
    help: "seconds per unit of Resync_Random_Delay (default 20)",
    parse: (t) => (t === "20" ? 20 : t === "1" ? 1 : undefined),
  },
  zeroRetryMeans: oneOf(
    ["never", "immediate"],
    "Resync_Error_Retry_Delay 0: no automatic retry, or an immediate one (default never)",
  ),
  triggerSemantics: oneOf(
    ["trigger", "gate"],
    "Resync_Trigger_1/2 start a resync (SPA default) or gate due ones (MPP default)",
  ),
  forcedDelayMode: oneOf(
    ["cap", "idleCountdown"],
    "Forced_Resync_Delay caps the wait for idle, or counts down once idle (default cap)",
  ),
  uaAbsent: oneOf(
    ["factoryDefault", "retain"],
    "a profile element without ua resets its access (SPA default) or keeps it (MPP default)",
  ),
  emptyXmlValue: oneOf(
    ["emptyString", "default"],
    "an empty XML element sets the empty string or the factory default (default emptyString)",
  ),
  kdfDigests: {
    values: "md5,sha256",
    help: "key-derivation digests tried on --key files, in order (SPA md5; MPP md5,sha256)",
    parse: (t) => {
      const list = t.split(",").map((d) => d.trim().toLowerCase());
      if (list.length === 0 || list.some((d) => d !== "md5" && d !== "sha256")) return undefined;
      return list as ("md5" | "sha256")[];
    },
  },
  resyncAfterProfileReboot: bool(
    "a reboot caused by an applied profile also resyncs on reset (default false)",
  ),
  upgradeHttps: bool(
    "firmware over HTTPS (default true on MPP and the SPA9x2 phones, false on SPA ATAs and SPA9000)",
  ),
  macroPrefixFallback: bool(
    "an unknown macro name falls back to its longest known prefix (default false)",
  ),
  uaIncludesMac: bool("the User-Agent carries (<MAC>)(<serial>) (default false)"),
  reportHidePasswords: bool(
    "configuration reports leave the passwords out (default false: they carry Admin_Passwd and User_Password)",
  ),
};

/** Help text listing every switch. */
export const COMPAT_HELP = `
Behaviour switches (--compat NAME=VALUE, repeatable; a boolean NAME alone means true;
defaults follow the model's family):
${Object.entries(SWITCHES)
  .map(([name, s]) => `  ${name}=${s.values}\n      ${s.help}`)
  .join("\n")}`;

/** `--compat` and `--inactive-load` on a command. */
export function addEmulatorFlags(command: Command): Command {
  return command
    .option(
      "--compat <name[=value]>",
      "set an emulator behaviour switch (repeatable; listed below)",
      (value: string, list: string[]) => [...list, value],
      [] as string[],
    )
    .option(
      "--inactive-load <version>",
      "MPP: the load in the inactive partition (sip88xx.11-3-1MPP-678); an Upgrade_Rule naming <version>.loads activates it without a download",
    );
}

/** The switches `--compat` set; CLI_BAD_OPTION names an unknown switch or a bad value. */
export function parseCompat(pairs: readonly string[]): Partial<CompatSwitches> {
  const out: Record<string, unknown> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf("=");
    const name = (eq < 0 ? pair : pair.slice(0, eq)).trim();
    const spec = Object.hasOwn(SWITCHES, name) ? SWITCHES[name as keyof CompatSwitches] : undefined;
    if (spec === undefined) {
      throw cliError(
        "CLI_BAD_OPTION",
        `--compat: unknown switch ${JSON.stringify(name)} (one of ${Object.keys(SWITCHES).join(", ")})`,
      );
    }
    const text = eq < 0 ? (spec.values === "true|false" ? "true" : "") : pair.slice(eq + 1).trim();
    const value = spec.parse(text);
    if (value === undefined) {
      throw cliError(
        "CLI_BAD_OPTION",
        `--compat ${name}: ${JSON.stringify(text)} is not one of ${spec.values}`,
      );
    }
    out[name] = value;
  }
  return out as Partial<CompatSwitches>;
}

/** The Device options the flags give (none when not given). */
export function emulatorOptions(flags: {
  readonly compat: readonly string[];
  readonly inactiveLoad?: string;
}): { compat?: Partial<CompatSwitches>; inactiveLoad?: string } {
  const compat = parseCompat(flags.compat);
  return {
    ...(Object.keys(compat).length === 0 ? {} : { compat }),
    ...(flags.inactiveLoad === undefined ? {} : { inactiveLoad: flags.inactiveLoad }),
  };
}
