/**
 * How a process reaches an installation's store: the database options its configuration
 * names and the sealer over its master key. Shared by the server node and the management
 * commands, and kept apart from `bootstrap.ts` (which creates certificates with the x509
 * stack) so a command on an initialised installation loads neither that nor the node.
 */
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

export function sealerFor(masterKey: MasterKey): SecretSealer {
  return {
    // The context binds a sealed value to its row (GCM additional data): copied into
    // another row, it no longer opens.
    seal: (plaintext, context) => sealSecret(masterKey, plaintext, context ? { context } : {}),
    open: (sealed, context) => openSecret(masterKey, sealed, context ? { context } : {}),
    needsReseal: (sealed) => needsReseal(masterKey, sealed),
  };
}
