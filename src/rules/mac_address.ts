import { type MacAddress, parseMac } from "../mac_address.ts";
import type { RuleErrorCode } from "./errors.ts";

export { type MacAddress, macColon, macUpper } from "../mac_address.ts";

/** Parses a MAC or throws `RULE_MAC_INVALID`. */
export function parseMacAddress(input: string): MacAddress {
  return parseMac(input, "RULE_MAC_INVALID" satisfies RuleErrorCode);
}
