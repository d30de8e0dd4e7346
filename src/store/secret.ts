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
  /** True when the value should be sealed again (sealed under a retired master key). */
  needsReseal?(sealed: string): boolean;
  /**
   * A fingerprint of the master key that seals (never the key). When set, the store records
   * it on first open and refuses to open a database sealed under another key
   * (`STORE_MASTER_KEY_MISMATCH`).
   */
  readonly keyId?: string;
  /** Where the key comes from, for that refusal's message (e.g. the key file). */
  readonly keySource?: string;
  /**
   * A re-seal in progress: the fingerprint of the key being replaced. The sealer opens values
   * sealed under either key; `resealSecrets` then moves the record to `keyId`.
   */
  readonly previousKeyId?: string;
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
