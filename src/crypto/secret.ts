import {
  createCipheriv,
  createDecipheriv,
  createHash,
  randomBytes,
  randomInt,
  timingSafeEqual,
} from "node:crypto";
import { CryptoErrorCode, cryptoError } from "./errors.ts";

/**
 * Secrets the server hands out (per-device profile keys, random directory names, §10) and
 * secrets it keeps (sealed at rest under a master key, ARCHITECTURE "Storage").
 */

// ---------------------------------------------------------------------------------------
// Generation

export interface GenerateOptions {
  /** Minimum entropy in bits (default 128 for names, 256 for keys). */
  readonly bits?: number;
}

/**
 * A per-device `--key` passphrase: 256 random bits as 64 lower-case hex digits, the form
 * §10.2 installs in `GPP_SA`. Hex survives every hop unchanged — macro expansion, XML, the
 * plain-text format, a shell `openssl -k` — so the server and the device agree on the bytes.
 */
export function generateDeviceKey(options: GenerateOptions = {}): string {
  const bits = checkBits(options.bits ?? 256, 128);
  return randomBytes(Math.ceil(bits / 8)).toString("hex");
}

/**
 * A random directory name for SEC-PRV-2 paths (`…/profiles/$B/$MA.cfg`): lower-case letters
 * and digits only, so it needs no escaping in URLs, rules, TFTP file names or shells, and
 * survives case-insensitive file systems. 128 bits (25 characters) by default: the name is
 * what stops enumeration of TFTP paths (§10.4), so it has to be unguessable on its own.
 */
export function generateDirectoryName(options: GenerateOptions = {}): string {
  return randomString(LOWER_ALNUM, checkBits(options.bits ?? 128, 64));
}

/**
 * A passphrase for humans and third-party fields (mixed-case letters and digits), 128 bits
 * by default (22 characters).
 */
export function generatePassphrase(options: GenerateOptions = {}): string {
  return randomString(ALNUM, checkBits(options.bits ?? 128, 64));
}

const LOWER_ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789";
const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** Uniform characters (randomInt rejects biased draws) until `bits` of entropy are reached. */
function randomString(alphabet: string, bits: number): string {
  const length = Math.ceil(bits / Math.log2(alphabet.length));
  let out = "";
  for (let i = 0; i < length; i++) out += alphabet[randomInt(alphabet.length)];
  return out;
}

function checkBits(bits: number, minimum: number): number {
  if (!Number.isInteger(bits) || bits < minimum || bits > 4096) {
    throw cryptoError(
      CryptoErrorCode.OptionInvalid,
      `entropy must be an integer number of bits in ${minimum}..4096, got ${bits}`,
    );
  }
  return bits;
}

// ---------------------------------------------------------------------------------------
// Comparison

/**
 * Constant-time equality for secrets (activation PINs, API tokens, keys). Both sides are
 * hashed first, so neither the position of the first difference nor the length of the
 * expected value leaks through timing.
 */
export function secretsEqual(a: string | Uint8Array, b: string | Uint8Array): boolean {
  const ha = createHash("sha256").update(a).digest();
  const hb = createHash("sha256").update(b).digest();
  return timingSafeEqual(ha, hb);
}

// ---------------------------------------------------------------------------------------
// Sealing at rest (AES-256-GCM)

/** A master key with the id that sealed values carry, so keys can rotate. */
export interface MasterKey {
  /** 1–32 characters `[A-Za-z0-9_-]`, e.g. `"k1"` or `"2026-11"`. */
  readonly id: string;
  /** 32 bytes. */
  readonly key: Uint8Array;
}

/**
 * Keys able to open sealed values. `current` seals; every key in `keys` opens. Rotation:
 * add the new key, make it current, re-seal the values whose {@link sealedKeyId} is old,
 * then drop the old key.
 */
export interface MasterKeyRing {
  readonly current: MasterKey;
  readonly previous?: readonly MasterKey[];
}

export type MasterKeys = MasterKey | MasterKeyRing;

/** Version tag of the sealed format; a new format gets a new tag, never a reinterpretation. */
const SEAL_VERSION = "pv1";
const GCM_IV_BYTES = 12;
const GCM_TAG_BYTES = 16;
const MASTER_KEY_BYTES = 32;
const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;
const SEALED = /^pv1:([A-Za-z0-9_-]{1,32}):([A-Za-z0-9_-]+)$/;

export interface SealOptions {
  /**
   * Bound into the authentication tag (GCM additional data) but not stored, e.g.
   * `"device:000e08abcdef:GPP_SA"`: a sealed value copied to another row will not open.
   */
  readonly context?: string;
}

/**
 * Seal a secret: `pv1:<keyId>:<base64url(iv ‖ ciphertext ‖ tag)>`. The version and key id
 * are authenticated too, so neither can be swapped without `openSecret` failing.
 */
export function sealSecret(
  masterKey: MasterKeys,
  plaintext: string | Uint8Array,
  options: SealOptions = {},
): string {
  const key = "current" in masterKey ? masterKey.current : masterKey;
  checkMasterKey(key);
  const iv = randomBytes(GCM_IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key.key, iv);
  cipher.setAAD(sealAad(key.id, options.context));
  const body = Buffer.concat([
    iv,
    cipher.update(typeof plaintext === "string" ? Buffer.from(plaintext, "utf8") : plaintext),
    cipher.final(),
    cipher.getAuthTag(),
  ]);
  return `${SEAL_VERSION}:${key.id}:${body.toString("base64url")}`;
}

/** Open a value sealed by {@link sealSecret} and return its bytes. */
export function openSecretBytes(
  masterKeys: MasterKeys,
  sealed: string,
  options: SealOptions = {},
): Buffer {
  const match = typeof sealed === "string" ? SEALED.exec(sealed) : null;
  if (match === null) {
    throw cryptoError(CryptoErrorCode.SealedMalformed, "sealed secret is not pv1:<keyId>:<data>");
  }
  const keyId = match[1] ?? "";
  const body = Buffer.from(match[2] ?? "", "base64url");
  if (body.length < GCM_IV_BYTES + GCM_TAG_BYTES) {
    throw cryptoError(CryptoErrorCode.SealedMalformed, "sealed secret is too short");
  }
  const key = findKey(masterKeys, keyId);
  checkMasterKey(key);
  const decipher = createDecipheriv("aes-256-gcm", key.key, body.subarray(0, GCM_IV_BYTES));
  decipher.setAAD(sealAad(keyId, options.context));
  decipher.setAuthTag(body.subarray(body.length - GCM_TAG_BYTES));
  const ciphertext = body.subarray(GCM_IV_BYTES, body.length - GCM_TAG_BYTES);
  try {
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  } catch (error) {
    throw cryptoError(
      CryptoErrorCode.SealedAuthFailed,
      `sealed secret does not authenticate under master key "${keyId}" (tampered, wrong key or wrong context)`,
      { status: 500, details: { keyId }, cause: error },
    );
  }
}

/** Open a value sealed by {@link sealSecret} as UTF-8 text. */
export function openSecret(
  masterKeys: MasterKeys,
  sealed: string,
  options: SealOptions = {},
): string {
  return openSecretBytes(masterKeys, sealed, options).toString("utf8");
}

/** The master key id a sealed value names, or undefined when it is not a sealed value. */
export function sealedKeyId(sealed: string): string | undefined {
  return SEALED.exec(sealed)?.[1];
}

/** True when the value was sealed with a key other than the ring's current one. */
export function needsReseal(masterKeys: MasterKeys, sealed: string): boolean {
  const current = "current" in masterKeys ? masterKeys.current : masterKeys;
  return sealedKeyId(sealed) !== current.id;
}

/** A fresh master key; `text` is the 64-hex-digit form for configuration files. */
export function generateMasterKey(id: string): MasterKey & { readonly text: string } {
  const key = randomBytes(MASTER_KEY_BYTES);
  const masterKey = { id, key };
  checkMasterKey(masterKey);
  return { ...masterKey, text: key.toString("hex") };
}

/**
 * Read a master key from configuration: 64 hex digits, or base64/base64url of 32 bytes.
 * Anything else is refused rather than stretched — a short key in config is a mistake.
 */
export function parseMasterKey(id: string, text: string): MasterKey {
  const trimmed = text.trim();
  let key: Buffer | undefined;
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) key = Buffer.from(trimmed, "hex");
  else if (/^[A-Za-z0-9+/_-]{43}=?$/.test(trimmed)) key = Buffer.from(trimmed, "base64url");
  if (key === undefined || key.length !== MASTER_KEY_BYTES) {
    throw cryptoError(
      CryptoErrorCode.MasterKeyInvalid,
      `master key "${id}" must be 64 hex digits or base64 of 32 bytes`,
      { status: 500 },
    );
  }
  const masterKey = { id, key };
  checkMasterKey(masterKey);
  return masterKey;
}

function findKey(masterKeys: MasterKeys, id: string): MasterKey {
  const candidates =
    "current" in masterKeys ? [masterKeys.current, ...(masterKeys.previous ?? [])] : [masterKeys];
  const found = candidates.find((k) => k.id === id);
  if (found === undefined) {
    throw cryptoError(
      CryptoErrorCode.SealedKeyUnknown,
      `sealed secret names master key "${id}", which is not configured`,
      { status: 500, details: { keyId: id } },
    );
  }
  return found;
}

function checkMasterKey(key: MasterKey): void {
  if (!KEY_ID.test(key.id)) {
    throw cryptoError(
      CryptoErrorCode.MasterKeyInvalid,
      "master key id must be 1–32 characters [A-Za-z0-9_-]",
      { status: 500 },
    );
  }
  if (!(key.key instanceof Uint8Array) || key.key.length !== MASTER_KEY_BYTES) {
    throw cryptoError(
      CryptoErrorCode.MasterKeyInvalid,
      `master key "${key.id}" must be ${MASTER_KEY_BYTES} bytes`,
      { status: 500 },
    );
  }
}

function sealAad(keyId: string, context: string | undefined): Buffer {
  // NUL separates fields: ids cannot contain it, so "a"+"b:c" never equals "a:b"+"c".
  return Buffer.from(`${SEAL_VERSION}\0${keyId}\0${context ?? ""}`, "utf8");
}
