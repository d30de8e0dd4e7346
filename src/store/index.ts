/**
 * Public surface of the store (`src/store`). Other modules import from here only.
 *
 * - `openStore(options, { sealer })` → `Store` (see `store.ts` for every repository).
 * - Records and constants: `types.ts`.
 * - `parseMac` / `tryParseMac` make the branded `MacAddress`.
 * - `Secret`: sealed-at-rest values, redacted when serialised.
 */

export { formatMac, parseMac, tryParseMac } from "../mac_address.ts";
export { type CaBundle, readCaBundle } from "./client_ca.ts";
export { STORE_ERRORS, type StoreErrorCode } from "./errors.ts";
export { layerKey } from "./layer_key.ts";
export { parseLayerKey } from "./layers.ts";
export { isSecret, Secret, type SecretSealer } from "./secret.ts";
export * from "./store.ts";
export { generateToken, hashToken } from "./tokens.ts";
export * from "./types.ts";
