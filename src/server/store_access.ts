/**
 * How a process reaches an installation's store: the database options its configuration
 * names and the sealer over its master key. Shared by the server node and the management
 * commands, and kept apart from `bootstrap.ts` (which creates certificates with the x509
 * stack) so a command on an initialised installation loads neither that nor the node.
 */
import { createHmac } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import {
  type MasterKey,
  openSecret,
  parseMasterKey,
  sealedKeyId,
  sealSecret,
} from "../crypto/index.ts";
import type { KeyNotice, SealerKeyRing, SecretSealer, StoreOptions } from "../store/index.ts";
import type { ServeConfig } from "./config.ts";
import { serverError } from "./errors.ts";

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

/** Where a node looks for the next master key: beside its own key file. */
export function nextKeyFile(file: string): string {
  return `${file}.next`;
}

/** Where `provisio master-key rotate` keeps the replaced key. */
export function retiredKeyFile(file: string): string {
  return `${file}.retired`;
}

function tryRead(file: string): MasterKey | undefined {
  if (!existsSync(file)) return undefined;
  try {
    return readMasterKey(file);
  } catch {
    return undefined; // half-written or not a key: as if absent (looked for again later)
  }
}

/**
 * A sealer over a ring of master keys, each named by its fingerprint: new values are sealed as
 * `pv1:<fingerprint>:…`, so every value says which key opens it. Values sealed before keys were
 * named carry the constant id `k1` and open under whichever held key authenticates them
 * (GCM: a wrong key fails, it never yields garbage). Which key seals is the installation's
 * choice (the store follows its record); until the store says otherwise, the first key.
 */
class RingSealer implements SecretSealer, SealerKeyRing {
  readonly #keys = new Map<string, MasterKey>();
  #sealing: string;
  readonly #files: readonly string[];
  #listener: ((notice: KeyNotice) => void) | undefined;
  readonly keySource: string | undefined;
  readonly nextFile: string | undefined;

  constructor(keys: readonly MasterKey[], source?: string, files: readonly string[] = []) {
    for (const key of keys) this.#add(key);
    this.#sealing = masterKeyId(keys[0]!);
    this.keySource = source;
    this.#files = files;
    this.nextFile = source === undefined ? undefined : nextKeyFile(source);
  }

  #add(key: MasterKey): string {
    const id = masterKeyId(key);
    if (!this.#keys.has(id)) this.#keys.set(id, { id, key: key.key });
    return id;
  }

  get keyId(): string {
    return this.#sealing;
  }

  get keyRing(): SealerKeyRing {
    return this;
  }

  // The context binds a sealed value to its row (GCM additional data): copied into another
  // row, it no longer opens.
  seal(plaintext: string, context?: string): string {
    return sealSecret(this.#keys.get(this.#sealing)!, plaintext, context ? { context } : {});
  }

  open(sealed: string, context?: string): string {
    const options = context ? { context } : {};
    const id = sealedKeyId(sealed);
    const key = id === undefined ? undefined : this.#keys.get(id);
    if (key !== undefined || id === undefined || FINGERPRINT.test(id)) {
      // Named by a fingerprint: that key or none (a key this process does not hold fails
      // with CRYPTO_SEALED_KEY_UNKNOWN naming it).
      return openSecret(key ?? this.#keys.get(this.#sealing)!, sealed, options);
    }
    // A value from before keys were named (`k1`): the held key that authenticates it.
    let failure: unknown;
    for (const held of this.#keys.values()) {
      try {
        return openSecret({ id, key: held.key }, sealed, options);
      } catch (error) {
        failure = error;
      }
    }
    throw failure;
  }

  needsReseal(sealed: string): boolean {
    return sealedKeyId(sealed) !== this.#sealing;
  }

  keyIdOf(sealed: string): string | undefined {
    return sealedKeyId(sealed);
  }

  held(): readonly string[] {
    return [...this.#keys.keys()];
  }

  sealing(): string {
    return this.#sealing;
  }

  acquire(keyId: string): boolean {
    if (this.#keys.has(keyId)) return true;
    for (const file of this.#files) {
      const key = tryRead(file);
      if (key !== undefined && masterKeyId(key) === keyId) this.#add(key);
    }
    return this.#keys.has(keyId);
  }

  sealWith(keyId: string): void {
    if (!this.#keys.has(keyId)) {
      throw serverError("SERVER_BOOTSTRAP_FAILED", `master key ${keyId} is not held`, {
        status: 500,
      });
    }
    this.#sealing = keyId;
  }

  notify(notice: KeyNotice): void {
    if (this.#listener !== undefined) this.#listener(notice);
    else if (notice.level !== "info") process.stderr.write(`provisio: ${notice.message}\n`);
  }

  onNotice(listener: (notice: KeyNotice) => void): void {
    this.#listener = listener;
  }
}

const FINGERPRINT = /^[0-9a-f]{16}$/;

/**
 * The sealer over an installation's master key file: that key, and the keys of an online
 * rotation beside it (`FILE.next`, the key being moved to, and `FILE.retired`, the key moved
 * from), looked for again when the installation announces a key this process lacks. `source`
 * (the key file) names it in errors; `extra` adds keys read elsewhere (`rotate --to`).
 */
export function keyFileSealer(file: string): SecretSealer {
  const files = [file, nextKeyFile(file), retiredKeyFile(file)];
  const keys = [readMasterKey(file), ...files.slice(1).flatMap((f) => tryRead(f) ?? [])];
  return new RingSealer(keys, file, files);
}

/** The sealer over one master key (and, for opening only, `others`); `source` names it in errors. */
export function sealerFor(
  masterKey: MasterKey,
  source?: string,
  others: readonly MasterKey[] = [],
): SecretSealer {
  return new RingSealer([masterKey, ...others], source);
}
