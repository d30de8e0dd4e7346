/** Public surface of the store. */

export type { StoreErrorCode } from "./errors.ts";
export { layerKey } from "./layer_key.ts";
export { formatMac, parseMac, tryParseMac } from "./mac_address.ts";
export { isSecret, Secret } from "./secret.ts";
export * from "./store.ts";
export { hashToken } from "./tokens.ts";
export * from "./types.ts";
