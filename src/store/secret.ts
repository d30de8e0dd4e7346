/**
 * Encrypts secrets at rest. `src/crypto` provides the implementation
 * (`sealSecret(masterKey, plaintext)` / `openSecret`); the store only needs this shape,
 * injected through `openStore(…, { sealer })`.
 */
export interface SecretSealer {
  /**
   * `context` names where the value lives (`device:<mac>:device_key`,
   * `account:<id>:line:<n>:password`); a sealer that binds it (crypto's `SealOptions.context`,
   * GCM additional data) makes a sealed value copied into another row fail to open.
   */
  seal(plaintext: string, context?: string): string;
  open(sealed: string, context?: string): string;
  /** True when the value should be sealed again (not sealed under the key that seals now). */
  needsReseal?(sealed: string): boolean;
  /** The key id a sealed value names (what a count of values per key groups by). */
  keyIdOf?(sealed: string): string | undefined;
  /**
   * A fingerprint of the master key that seals now (never the key). When set, the store records
   * it on first open and refuses to open a database sealed under another key
   * (`STORE_MASTER_KEY_MISMATCH`).
   */
  readonly keyId?: string;
  /** Where the key comes from, for that refusal's message (e.g. the key file). */
  readonly keySource?: string;
  /**
   * A sealer over several master keys (the server's). The installation, not the process,
   * chooses which of them seals: the store follows its record (`master_key_record.ts`), so
   * every process switches to a new key during an online rotation.
   */
  readonly keyRing?: SealerKeyRing;
}

/** A notice for the operator about the master keys: a node logs it, a command prints it. */
export interface KeyNotice {
  readonly level: "info" | "warn" | "error";
  readonly message: string;
  readonly details?: Readonly<Record<string, unknown>>;
}

/**
 * The keys of a sealer over several master keys, each named by its fingerprint. It opens a
 * value sealed under any key it holds and seals under one of them.
 */
export interface SealerKeyRing {
  /** Fingerprints of the keys held. */
  held(): readonly string[];
  /** The fingerprint of the key that seals now. */
  sealing(): string;
  /** Looks for the key with this fingerprint where this process expects new keys; true when held. */
  acquire(keyId: string): boolean;
  /** Seals under this (held) key from now on. */
  sealWith(keyId: string): void;
  /** Where this process looks for a new key (`<master_key_file>.next`), for messages. */
  readonly nextFile?: string;
  notify(notice: KeyNotice): void;
  /** Routes notices to `listener` (a node's log) instead of standard error. */
  onNotice(listener: (notice: KeyNotice) => void): void;
}

/** Seal contexts of the store's secrets. */
export const sealContext = {
  deviceKey: (mac: string): string => `device:${mac}:device_key`,
  linePassword: (accountId: string, line: number): string =>
    `account:${accountId}:line:${line}:password`,
  /** A secret parameter's value in a layer (`layer:device:<mac>:Admin_Passwd`). */
  layerValue: (layerKey: string, name: string): string => `layer:${layerKey}:${name}`,
  /** A device's secure-provisioning key of one generation (it moves between columns). */
  secureKey: (mac: string, generation: number): string => `device:${mac}:secure_key:${generation}`,
} as const;

const REDACTED = "[redacted]";

/**
 * A secret read from (or headed to) the store: a per-device key or a SIP password.
 * The plaintext is only reachable through {@link Secret.reveal}; `JSON.stringify`,
 * `String()` and `util.inspect` print `[redacted]`, so a record can be logged, audited or
 * serialised without leaking it. Secrets read from the database are opened lazily (on the
 * first `reveal()`), so listing 100,000 devices decrypts nothing.
 */
export class Secret {
  #plain: string | undefined;
  readonly #sealed: string | undefined;
  readonly #sealer: SecretSealer | undefined;
  readonly #context: string | undefined;

  private constructor(
    plain: string | undefined,
    sealed?: string,
    sealer?: SecretSealer,
    context?: string,
  ) {
    this.#plain = plain;
    this.#sealed = sealed;
    this.#sealer = sealer;
    this.#context = context;
  }

  /** Wraps a plaintext secret (e.g. from an API request or a generated key). */
  static of(plaintext: string): Secret {
    return new Secret(plaintext);
  }

  /** Wraps a sealed value read from the database; opened on first {@link reveal}. */
  static sealed(sealed: string, sealer: SecretSealer, context?: string): Secret {
    return new Secret(undefined, sealed, sealer, context);
  }

  /** The plaintext. */
  reveal(): string {
    if (this.#plain === undefined) {
      this.#plain = this.#sealer!.open(this.#sealed!, this.#context);
    }
    return this.#plain;
  }

  toJSON(): string {
    return REDACTED;
  }

  toString(): string {
    return REDACTED;
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return "Secret([redacted])";
  }
}

export function isSecret(value: unknown): value is Secret {
  return value instanceof Secret;
}
