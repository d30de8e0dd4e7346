/**
 * MAC address in the project's canonical form: 12 lower-case hex digits (CONVENTIONS.md).
 * Input may be upper case and `:`/`-` separated, as devices, admins and User-Agents write it.
 */
import { ProvisioError } from "../errors.ts";
import type { RuleErrorCode } from "./errors.ts";

declare const canonicalMac: unique symbol;
/** 12 lower-case hex digits, e.g. `000e08012345`. Only `parseMacAddress` makes one. */
export type MacAddress = string & { readonly [canonicalMac]: true };

const SEPARATED = /^[0-9a-fA-F]{2}([:-])[0-9a-fA-F]{2}(\1[0-9a-fA-F]{2}){4}$/;
const BARE = /^[0-9a-fA-F]{12}$/;

export function parseMacAddress(input: string): MacAddress {
  const text = input.trim();
  if (BARE.test(text)) return text.toLowerCase() as MacAddress;
  // One separator kind throughout: `00:0e-08…` is more likely a typo than a MAC.
  if (SEPARATED.test(text)) return text.replace(/[:-]/g, "").toLowerCase() as MacAddress;
  throw new ProvisioError<RuleErrorCode>("RULE_MAC_INVALID", `not a MAC address: "${input}"`);
}

/** `$MAU` form: `000E08012345`. */
export function macUpper(mac: MacAddress): string {
  return mac.toUpperCase();
}

/** `$MAC` form: `00:0e:08:01:23:45`. */
export function macColon(mac: MacAddress): string {
  return mac.replace(/(..)(?!$)/g, "$1:");
}
