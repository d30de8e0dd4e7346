import type { ValueType } from "../value_type.ts";

/**
 * Compact type notation of the catalogue tables, parsed to a `ValueType`:
 *
 * | spec | type |
 * | --- | --- |
 * | `b` | bool |
 * | `s`, `s:63` | string (max length) |
 * | `pw`, `pw:127` | secret string |
 * | `i:MIN..MAX` | integer range (`i:-15..12`) |
 * | `u8`, `u16`, `u32` | unsigned (decimal or 0x hex) |
 * | `t`, `t3`, `t:MIN..MAX`, `t3:MIN..MAX`, `t?` | seconds with up to n decimals (`?`: empty allowed) |
 * | `f3` | decimal number with up to n decimals |
 * | `e:a|b|c`, `e/a/b/c` | enumeration (`/` when a choice holds a bar) |
 * | `tz` | the GMT offset list of the Time Zone menus |
 * | `ip` `port` `host` `url` `uid` `phone` `ver` `dom5` `nums` `rule` `msg` `dp` `hhmm` `sched` | as named |
 * | `tone` `cad` `dst` `code` | tone script, cadence, DST rule, star code |
 *
 * Returns undefined for a spec it does not know (the check script reports it).
 */
export function parseTypeSpec(spec: string): ValueType | undefined {
  const simple = SIMPLE[spec];
  if (simple) return simple;
  if (spec.startsWith("e/")) return enumOf(spec.slice(2).split("/"));
  const colon = spec.indexOf(":");
  const head = colon < 0 ? spec : spec.slice(0, colon);
  const arg = colon < 0 ? undefined : spec.slice(colon + 1);
  if (head === "e" && arg !== undefined) return enumOf(arg.split("|"));
  if ((head === "s" || head === "pw") && arg !== undefined) {
    const max = Number(arg);
    if (!Number.isInteger(max) || max <= 0) return undefined;
    return { kind: head === "s" ? "str" : "password", maxLength: max };
  }
  if (head === "i" && arg !== undefined) {
    const range = parseRange(arg);
    return range && { kind: "int", min: range[0], max: range[1] };
  }
  const time = /^t(\d?)(\??)$/.exec(head);
  if (time) {
    const decimals = time[1] === "" ? 0 : Number(time[1]);
    const empty = time[2] === "?" ? { emptyOk: true } : {};
    if (arg === undefined) return { kind: "time", decimals, ...empty };
    const range = parseRange(arg);
    return range && { kind: "time", decimals, min: range[0], max: range[1], ...empty };
  }
  const float = /^f(\d)$/.exec(spec);
  if (float) return { kind: "float", decimals: Number(float[1]) };
  return undefined;
}

function enumOf(choices: readonly string[]): ValueType | undefined {
  return choices.length > 0 && new Set(choices).size === choices.length
    ? { kind: "enum", choices }
    : undefined;
}

function parseRange(text: string): [number, number] | undefined {
  const match = /^(-?\d+)\.\.(-?\d+)$/.exec(text);
  if (!match) return undefined;
  const min = Number(match[1]);
  const max = Number(match[2]);
  return min <= max ? [min, max] : undefined;
}

/** The Time Zone menu of SPA and MPP firmware (GMT-12:00 … GMT+13:00, with the half hours). */
export const TIME_ZONES: readonly string[] = [
  "GMT-12:00",
  "GMT-11:00",
  "GMT-10:00",
  "GMT-09:00",
  "GMT-08:00",
  "GMT-07:00",
  "GMT-06:00",
  "GMT-05:00",
  "GMT-04:00",
  "GMT-03:30",
  "GMT-03:00",
  "GMT-02:00",
  "GMT-01:00",
  "GMT",
  "GMT+01:00",
  "GMT+02:00",
  "GMT+03:00",
  "GMT+03:30",
  "GMT+04:00",
  "GMT+04:30",
  "GMT+05:00",
  "GMT+05:30",
  "GMT+05:45",
  "GMT+06:00",
  "GMT+06:30",
  "GMT+07:00",
  "GMT+08:00",
  "GMT+09:00",
  "GMT+09:30",
  "GMT+10:00",
  "GMT+10:30",
  "GMT+11:00",
  "GMT+12:00",
  "GMT+13:00",
  "GMT+14:00",
];

const SIMPLE: Readonly<Record<string, ValueType>> = {
  b: { kind: "bool" },
  s: { kind: "str" },
  pw: { kind: "password" },
  u8: { kind: "uns", bits: 8 },
  u16: { kind: "uns", bits: 16 },
  u32: { kind: "uns", bits: 32 },
  ip: { kind: "ip" },
  port: { kind: "port" },
  host: { kind: "fqdn" },
  url: { kind: "url" },
  uid: { kind: "userId" },
  phone: { kind: "phone" },
  ver: { kind: "version" },
  dom5: { kind: "domainList", maxItems: 5 },
  nums: { kind: "numberList" },
  rule: { kind: "profileScript" },
  msg: { kind: "profileMsg" },
  dp: { kind: "dialPlan" },
  hhmm: { kind: "hhmm" },
  sched: { kind: "schedule" },
  tone: { kind: "toneScript" },
  cad: { kind: "cadence" },
  dst: { kind: "dstRule" },
  code: { kind: "starCode" },
  tz: { kind: "enum", choices: TIME_ZONES },
};

/** Type of a row that gives none: from its default. */
export function inferTypeSpec(defaultValue: string): string {
  if (defaultValue === "Yes" || defaultValue === "No") return "b";
  if (/^[*#]\d+$/.test(defaultValue)) return "code";
  return "s";
}
