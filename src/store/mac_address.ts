import { type MacAddress, parseMac as parseAnyMac } from "../mac_address.ts";

export { formatMac, type MacAddress, tryParseMac } from "../mac_address.ts";

/** Parses a MAC or throws `STORE_INVALID_MAC` (400). */
export function parseMac(input: string): MacAddress {
  return parseAnyMac(input, "STORE_INVALID_MAC");
}
