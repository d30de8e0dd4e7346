import { hasNonAscii } from "./ascii.ts";

/**
 * Parameter value types of §12.2, plus the few provisioning-specific shapes the guides
 * describe in prose (schedules §6.4, `HHmm` §6.2.3, domain lists §9.3). Validation
 * answers with a result and never throws: values come from users and profiles.
 */
export type ValueType =
  | { readonly kind: "bool" }
  /** Time<n>: seconds with up to n decimals (extra decimals are ignored by devices). */
  | {
      readonly kind: "time";
      readonly decimals: number;
      readonly min?: number;
      readonly max?: number;
      /** Empty is accepted (some exports leave a timer empty for "none"). */
      readonly emptyOk?: boolean;
    }
  /** §6.4 `seconds[+random]{,…}`; empty or `0` disables. */
  | { readonly kind: "schedule" }
  /** §6.2.3 four digits 0000–2400, or empty. */
  | { readonly kind: "hhmm" }
  | { readonly kind: "str"; readonly maxLength?: number }
  /** A secret string: same rules as `str`, flagged so UIs and reports hide it. */
  | { readonly kind: "password"; readonly maxLength?: number }
  | { readonly kind: "uns"; readonly bits: 8 | 16 | 32 }
  | { readonly kind: "sig"; readonly bits: 8 | 16 | 32 }
  /** Decimal integer in [min, max]. */
  | { readonly kind: "int"; readonly min: number; readonly max: number }
  | { readonly kind: "float"; readonly decimals: number }
  | { readonly kind: "enum"; readonly choices: readonly string[] }
  | { readonly kind: "ip" }
  | { readonly kind: "port" }
  /** Host name or IP with optional `:port`, up to 63 characters. */
  | { readonly kind: "fqdn" }
  | { readonly kind: "userId" }
  | { readonly kind: "phone" }
  | { readonly kind: "url" }
  | { readonly kind: "version" }
  /** Comma-separated domains, at most `maxItems` (§9.3: five on SPA). */
  | { readonly kind: "domainList"; readonly maxItems: number }
  /** Comma-separated option numbers (`66,160,159,150`). */
  | { readonly kind: "numberList" }
  | { readonly kind: "profileScript" }
  | { readonly kind: "profileMsg" }
  | { readonly kind: "dialPlan" }
  /** Call-progress tone script: frequencies then cadence sections (`350@-19;10(.5/.5/1)`). */
  | { readonly kind: "toneScript" }
  /** Ring or call-waiting cadence (`60(2/4)`, `30(.1/.1, .1/9.7)`); empty allowed. */
  | { readonly kind: "cadence" }
  /** Daylight-saving rule: `start=3/-1/7/2;end=10/-1/7/2;save=1`; empty allowed. */
  | { readonly kind: "dstRule" }
  /** Vertical service (star) code: `*69`, `#99`; empty allowed. */
  | { readonly kind: "starCode" };

export type ValueTypeKind = ValueType["kind"];

export interface ValueIssue {
  readonly severity: "error" | "warning";
  readonly message: string;
}

export interface ValueCheck {
  /** False when a device would refuse the value (§3.2.5: it keeps the previous one). */
  readonly valid: boolean;
  readonly issues: readonly ValueIssue[];
}

const OK: ValueCheck = { valid: true, issues: [] };

/** True/false spellings of §3.3.2 / §12.2; XML profiles normally use `Yes`/`No`. */
export function parseBool(value: string): boolean | undefined {
  switch (value) {
    case "Yes":
    case "yes":
    case "Enable":
    case "enable":
    case "1":
      return true;
    case "No":
    case "no":
    case "Disable":
    case "disable":
    case "0":
      return false;
    default:
      return undefined;
  }
}

/** Decimal or `0x` hex, optionally signed; undefined when not an integer literal. */
function parseIntLiteral(value: string, signed: boolean): number | undefined {
  const match = (
    signed ? /^([+-]?)(?:0[xX]([0-9a-fA-F]+)|(\d+))$/ : /^()(?:0[xX]([0-9a-fA-F]+)|(\d+))$/
  ).exec(value);
  if (!match) return undefined;
  const magnitude = match[2] !== undefined ? Number.parseInt(match[2], 16) : Number(match[3]);
  return match[1] === "-" ? -magnitude : magnitude;
}

function isIPv4(value: string): boolean {
  const parts = value.split(".");
  return parts.length === 4 && parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255);
}

const HOST_LABEL = /^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?$/;

function isHost(value: string): boolean {
  if (isIPv4(value)) return true;
  if (value.length === 0 || value.length > 253) return false;
  return value.split(".").every((label) => HOST_LABEL.test(label));
}

function error(message: string, extra: readonly ValueIssue[] = []): ValueCheck {
  return { valid: false, issues: [{ severity: "error", message }, ...extra] };
}

function maxLength(value: string, max: number | undefined, what: string): ValueCheck {
  if (max !== undefined && value.length > max) {
    return error(`${what} is ${value.length} characters long; at most ${max} are allowed`);
  }
  return OK;
}

/** §6.4 schedule grammar; whitespace around tokens tolerated. */
export function isSchedule(value: string): boolean {
  if (value.trim() === "") return true;
  return value.split(",").every((item) => /^\s*\d+\s*(\+\s*\d+\s*)?$/.test(item));
}

const NUMBER = String.raw`(?:\d+(?:\.\d*)?|\.\d+)`;
const DURATION = String.raw`\s*(?:\*|${NUMBER})\s*`;
// One cadence section: total duration, then on/off pairs (tones add `/frequencies`).
const CADENCE_SECTION = new RegExp(
  String.raw`^${DURATION}\((${DURATION}/${DURATION}(?:,${DURATION}/${DURATION})*)\)\s*$`,
);
const TONE_SECTION = new RegExp(
  String.raw`^${DURATION}\(${DURATION}/${DURATION}/\s*\d+(?:\+\d+)*\s*(?:,${DURATION}/${DURATION}/\s*\d+(?:\+\d+)*\s*)*\)\s*$`,
);
const TONE_FREQUENCY = /^\s*\d+(?:\.\d+)?@[+-]?\d+(?:\.\d+)?\s*$/;

/** Ring / call-waiting cadence: one or more `duration(on/off,…)` sections joined by `;`. */
export function isCadence(value: string): boolean {
  if (value.trim() === "") return true;
  return value.split(";").every((section) => CADENCE_SECTION.test(section));
}

/** Tone script: `freq@level,…;duration(on/off/freqs,…);…` (the frequency list may be absent). */
export function isToneScript(value: string): boolean {
  if (value.trim() === "") return true;
  const [first, ...sections] = value.split(";");
  if (sections.length === 0) return false;
  if (!first!.split(",").every((f) => TONE_FREQUENCY.test(f))) return false;
  return sections.every((section) => TONE_SECTION.test(section));
}

/** DST rule: `;`-separated `start=…`, `end=…`, `save=…` (order free, each once at most). */
export function isDstRule(value: string): boolean {
  if (value.trim() === "") return true;
  const seen = new Set<string>();
  for (const part of value.split(";")) {
    if (part.trim() === "") continue;
    const match = /^\s*(start|end|save)\s*=\s*([+-]?[\d/:.+-]+)\s*$/.exec(part);
    if (!match || seen.has(match[1]!)) return false;
    seen.add(match[1]!);
  }
  return seen.has("start") && seen.has("end");
}

function checkType(type: ValueType, value: string): ValueCheck {
  switch (type.kind) {
    case "bool":
      return parseBool(value) === undefined
        ? error(`expected Yes or No, got ${JSON.stringify(value)}`)
        : OK;
    case "time": {
      if (value === "" && type.emptyOk === true) return OK;
      // Devices write fractions without a leading zero (`.5`), so the integer part is optional.
      const match = /^(\d*)(?:\.(\d*))?$/.exec(value);
      if (!match || !/\d/.test(value)) {
        return error(`expected a number of seconds, got ${JSON.stringify(value)}`);
      }
      const seconds = Number(match[1] === "" ? "0" : match[1]);
      if (type.min !== undefined && seconds < type.min)
        return error(`${seconds} is below the minimum ${type.min}`);
      if (type.max !== undefined && seconds > type.max)
        return error(`${seconds} is above the maximum ${type.max}`);
      if (match[2] !== undefined && match[2].length > type.decimals) {
        return {
          valid: true,
          issues: [
            {
              severity: "warning",
              message: `decimals beyond ${type.decimals} are ignored by the device`,
            },
          ],
        };
      }
      return OK;
    }
    case "schedule":
      return isSchedule(value)
        ? OK
        : error(`expected a schedule like 3600 or 1800,3600+600, got ${JSON.stringify(value)}`);
    case "hhmm": {
      if (value === "") return OK;
      const match = /^(\d\d)(\d\d)$/.exec(value);
      const valid =
        match !== null && ((Number(match[1]) < 24 && Number(match[2]) < 60) || value === "2400");
      return valid
        ? OK
        : error(`expected a time of day HHmm (0000–2400) or empty, got ${JSON.stringify(value)}`);
    }
    case "str":
    case "password":
      return maxLength(value, type.maxLength, "value");
    case "uns": {
      const n = parseIntLiteral(value, false);
      if (n === undefined)
        return error(
          `expected an unsigned integer (decimal or 0x hex), got ${JSON.stringify(value)}`,
        );
      return n < 2 ** type.bits ? OK : error(`${value} does not fit in ${type.bits} bits`);
    }
    case "sig": {
      const n = parseIntLiteral(value, true);
      if (n === undefined) return error(`expected a signed integer, got ${JSON.stringify(value)}`);
      const limit = 2 ** (type.bits - 1);
      return n >= -limit && n < limit
        ? OK
        : error(`${value} does not fit in ${type.bits} signed bits`);
    }
    case "int": {
      if (!/^[+-]?\d+$/.test(value))
        return error(`expected an integer, got ${JSON.stringify(value)}`);
      const n = Number(value);
      return n >= type.min && n <= type.max
        ? OK
        : error(`${value} is outside ${type.min}–${type.max}`);
    }
    case "float": {
      const match = /^[+-]?\d*(?:\.(\d+))?$/.exec(value);
      if (!match || value === "" || value === "." || /^[+-]$/.test(value)) {
        return error(`expected a number, got ${JSON.stringify(value)}`);
      }
      return (match[1]?.length ?? 0) <= type.decimals
        ? OK
        : error(`at most ${type.decimals} decimals are allowed`);
    }
    case "enum":
      return type.choices.includes(value)
        ? OK
        : error(
            `expected one of ${type.choices.map((c) => JSON.stringify(c)).join(", ")}, got ${JSON.stringify(value)}`,
          );
    case "ip":
      return value === "" || isIPv4(value)
        ? OK
        : error(`expected a dotted-quad IPv4 address, got ${JSON.stringify(value)}`);
    case "port": {
      const n = parseIntLiteral(value, false);
      return n !== undefined && n <= 65535
        ? OK
        : error(`expected a port 0–65535, got ${JSON.stringify(value)}`);
    }
    case "fqdn": {
      if (value === "") return OK;
      if (value.length > 63) return error("host names are limited to 63 characters");
      const match = /^(.*?)(?::(\d+))?$/.exec(value)!;
      const port = match[2] === undefined ? 0 : Number(match[2]);
      return isHost(match[1]!) && port <= 65535
        ? OK
        : error(`expected host[:port], got ${JSON.stringify(value)}`);
    }
    case "userId":
      return maxLength(value, 63, "user ID");
    case "phone":
      return maxLength(value, 39, "phone number");
    case "url":
      return /\s/.test(value.trim()) ? error("a URL cannot contain white space") : OK;
    case "version":
      return /^[\w.()-]*$/.test(value)
        ? OK
        : error(`expected a version like 7.4.8, got ${JSON.stringify(value)}`);
    case "domainList": {
      if (value.trim() === "") return OK;
      const domains = value.split(",").map((d) => d.trim());
      if (domains.length > type.maxItems) {
        return error(
          `${domains.length} domains listed; the device honours at most ${type.maxItems}`,
        );
      }
      const bad = domains.find((d) => !isHost(d));
      return bad === undefined ? OK : error(`${JSON.stringify(bad)} is not a domain name`);
    }
    case "numberList":
      return value.trim() === "" || /^\s*\d+\s*(,\s*\d+\s*)*$/.test(value)
        ? OK
        : error(`expected comma-separated numbers, got ${JSON.stringify(value)}`);
    case "profileScript":
    case "profileMsg":
    case "dialPlan":
      // Their grammars belong to the rules module; here any text is storable.
      return OK;
    case "toneScript":
      return isToneScript(value)
        ? OK
        : error(
            `expected a tone script like 350@-19,440@-19;10(*/0/1+2), got ${JSON.stringify(value)}`,
          );
    case "cadence":
      return isCadence(value)
        ? OK
        : error(`expected a cadence like 60(2/4) or *(.3/9.7), got ${JSON.stringify(value)}`);
    case "dstRule":
      return isDstRule(value)
        ? OK
        : error(
            `expected a daylight-saving rule like start=3/-1/7/2;end=10/-1/7/2;save=1, got ${JSON.stringify(value)}`,
          );
    case "starCode":
      return /^[*#]?[0-9*#]*$/.test(value)
        ? OK
        : error(`expected a star code like *69, got ${JSON.stringify(value)}`);
  }
}

/**
 * Checks `value` against `type`. Non-ASCII text is always reported as a warning: SPA
 * firmware handles only ASCII (§3.2.4), yet the value must never be altered.
 */
export function validateValue(type: ValueType, value: string): ValueCheck {
  const result = checkType(type, value);
  if (!hasNonAscii(value)) return result;
  return {
    valid: result.valid,
    issues: [
      ...result.issues,
      {
        severity: "warning",
        message: "value contains non-ASCII characters; SPA devices accept only ASCII",
      },
    ],
  };
}

/** Short human description of a type, for docs and error messages (`Int 0–65535`). */
export function describeValueType(type: ValueType): string {
  switch (type.kind) {
    case "bool":
      return "Bool";
    case "time":
      return `Time${type.decimals}${type.max !== undefined ? ` ${type.min ?? 0}–${type.max}` : ""}`;
    case "int":
      return `Int ${type.min}–${type.max}`;
    case "uns":
      return `Uns${type.bits}`;
    case "sig":
      return `Sig${type.bits}`;
    case "float":
      return `Float${type.decimals}`;
    case "str":
      return type.maxLength === undefined ? "Str" : `Str${type.maxLength}`;
    case "password":
      return "Password";
    case "enum":
      return `{${type.choices.join(",")}}`;
    case "domainList":
      return `DomainList(${type.maxItems})`;
    case "ip":
      return "IP";
    case "fqdn":
      return "FQDN";
    case "hhmm":
      return "HHmm";
    default:
      return type.kind.charAt(0).toUpperCase() + type.kind.slice(1);
  }
}
