/**
 * The one MAC address type of the project, shared by every module (like `errors.ts`):
 * canonical form 12 lower-case hex digits (CONVENTIONS.md). Input may be upper case,
 * `:`/`-` separated or Cisco-dotted, as devices, admins and User-Agents write it.
 */
import { ProvisioError } from "./errors.ts";

declare const macBrand: unique symbol;

/**
 * A MAC address in canonical form: 12 lower-case hex digits, no separators
 * (`001122aabbcc`). Only {@link parseMac} / {@link tryParseMac} make one, so a value of this
 * type is valid by construction (parse, don't validate).
 */
export type MacAddress = string & { readonly [macBrand]: true };

const SEPARATED =
  /^([0-9a-f]{2})([:-])([0-9a-f]{2})\2([0-9a-f]{2})\2([0-9a-f]{2})\2([0-9a-f]{2})\2([0-9a-f]{2})$/;
const DOTTED = /^([0-9a-f]{4})\.([0-9a-f]{4})\.([0-9a-f]{4})$/;
const BARE = /^[0-9a-f]{12}$/;

/**
 * Parses `001122AABBCC`, `00:11:22:aa:bb:cc`, `00-11-22-AA-BB-CC` or Cisco's
 * `0011.22aa.bbcc` into the canonical form; `undefined` when the text is not a MAC.
 * Separators must be used consistently.
 */
export function tryParseMac(input: string): MacAddress | undefined {
  const text = input.trim().toLowerCase();
  if (BARE.test(text)) return text as MacAddress;
  const separated = SEPARATED.exec(text);
  if (separated) {
    return (separated[1]! +
      separated[3]! +
      separated[4]! +
      separated[5]! +
      separated[6]! +
      separated[7]!) as MacAddress;
  }
  const dotted = DOTTED.exec(text);
  if (dotted) return (dotted[1]! + dotted[2]! + dotted[3]!) as MacAddress;
  return undefined;
}

/**
 * Like {@link tryParseMac}, but throws a 400 `ProvisioError` on malformed input; `code`
 * names the module asking (`STORE_INVALID_MAC`, `RULE_MAC_INVALID`, …).
 */
export function parseMac(input: string, code = "MAC_INVALID"): MacAddress {
  const mac = tryParseMac(input);
  if (mac === undefined) {
    throw new ProvisioError(code, `not a MAC address: ${JSON.stringify(input.slice(0, 64))}`, {
      status: 400,
      details: { input: input.slice(0, 64) },
    });
  }
  return mac;
}

/** `001122aabbcc` → `00:11:22:aa:bb:cc` (for display). */
export function formatMac(mac: MacAddress, separator = ":"): string {
  return mac.match(/../g)!.join(separator);
}

/** `$MAU` form: `000E08012345`. */
export function macUpper(mac: MacAddress): string {
  return mac.toUpperCase();
}

/** `$MAC` form: `00:0e:08:01:23:45`. */
export function macColon(mac: MacAddress): string {
  return formatMac(mac, ":");
}
