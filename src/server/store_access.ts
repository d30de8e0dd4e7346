/**
 * How a process reaches an installation's store: the database options its configuration
 * names and the sealer over its master key. Shared by the server node and the management
 * commands, and kept apart from `bootstrap.ts` (which creates certificates with the x509
 * stack) so a command on an initialised installation loads neither that nor the node.
 */
import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import {
  type MasterKey,
  needsReseal,
  openSecret,
  parseMasterKey,
  sealSecret,
} from "../crypto/index.ts";
import type { SecretSealer, StoreOptions } from "../store/index.ts";
import type { ServeConfig } from "./config.ts";

export const MASTER_KEY_ID = "k1";

export function storeOptionsFor(config: ServeConfig): StoreOptions {
  return config.database.kind === "sqlite"
    ? { kind: "sqlite", file: config.database.file }
    : {
        kind: "postgres",
        connectionString: config.database.url,
        ...(config.database.schema === undefined ? {} : { schema: config.database.schema }),
      };
}

/** Reads an existing master key file. */
export function readMasterKey(file: string): MasterKey {
  return parseMasterKey(MASTER_KEY_ID, readFileSync(file, "utf8"));
}

/**
 * The fingerprint the database records for a master key: an HMAC of a constant under the
 * key, so it names the key without revealing anything about it.
 */
export function masterKeyId(masterKey: MasterKey): string {
  return createHmac("sha256", masterKey.key)
    .update("provisio master key id v1")
    .digest("hex")
    .slice(0, 16);
}

/** The sealer over an installation's master key; `source` (the key file) names it in errors. */
export function sealerFor(masterKey: MasterKey, source?: string): SecretSealer {
  return {
    keyId: masterKeyId(masterKey),
    ...(source === undefined ? {} : { keySource: source }),
    // The context binds a sealed value to its row (GCM additional data): copied into
    // another row, it no longer opens.
    seal: (plaintext, context) => sealSecret(masterKey, plaintext, context ? { context } : {}),
    open: (sealed, context) => openSecret(masterKey, sealed, context ? { context } : {}),
    needsReseal: (sealed) => needsReseal(masterKey, sealed),
  };
}

/**
 * The sealer of a re-seal from `previous` to `next`: seals under `next`, opens values sealed
 * under either (both carry the same key id in the sealed text, so it tries `next` first), and
 * lets the store move its master-key record from `previous` to `next` once every secret is
 * sealed again. Without `needsReseal`, `resealSecrets` seals every value again, so an
 * interrupted re-seal is finished by running it again.
 */
export function resealSealer(previous: MasterKey, next: MasterKey, source?: string): SecretSealer {
  const open = (sealed: string, context?: string): string => {
    const options = context ? { context } : {};
    try {
      return openSecret(next, sealed, options);
    } catch {
      return openSecret(previous, sealed, options);
    }
  };
  return {
    keyId: masterKeyId(next),
    previousKeyId: masterKeyId(previous),
    ...(source === undefined ? {} : { keySource: source }),
    seal: (plaintext, context) => sealSecret(next, plaintext, context ? { context } : {}),
    open,
  };
}
