import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import { CryptoErrorCode, cryptoError } from "./errors.ts";

/**
 * The `openssl enc -aes-256-cbc -k <pass>` file format (§3.6.2), written by hand because
 * it is what the device firmware reads:
 *
 *   "Salted__" | salt (8) | AES-256-CBC(key, iv, PKCS#7(plaintext))
 *
 * with key/iv from `EVP_BytesToKey(aes-256-cbc, md, salt, pass, count=1)`. MD5 is the
 * default digest because the firmware was tested against openssl 0.9.7c (§3.6.3, C11);
 * SHA-256 is what openssl ≥ 1.1.0 uses without `-md`.
 */

export type KdfDigest = "md5" | "sha256";

/** The order a device tries digests in (§3.6.3: MD5 first, then SHA-256). */
export const KDF_DIGESTS: readonly KdfDigest[] = ["md5", "sha256"];

/** "Salted__" in ASCII. */
export const OPENSSL_MAGIC: Readonly<Uint8Array> = Uint8Array.from(
  Buffer.from("Salted__", "ascii"),
);
export const OPENSSL_SALT_BYTES = 8;
/** Magic + salt. */
export const OPENSSL_HEADER_BYTES = 16;
export const AES_BLOCK_BYTES = 16;
const AES256_KEY_BYTES = 32;

/** A `--key` argument: a string is taken as its UTF-8 bytes, exactly as `openssl -k` does. */
export type Passphrase = string | Uint8Array;

export interface DerivedKey {
  readonly key: Buffer;
  readonly iv: Buffer;
}

/**
 * OpenSSL `EVP_BytesToKey` with count = 1, sized for AES-256-CBC (32-byte key, 16-byte IV):
 * D_1 = H(pass ‖ salt), D_i = H(D_{i-1} ‖ pass ‖ salt), key ‖ iv = first 48 bytes.
 * Three MD5 or two SHA-256 compressions: cheap enough that nothing needs caching.
 */
export function evpBytesToKey(
  passphrase: Passphrase,
  salt: Uint8Array,
  digest: KdfDigest = "md5",
): DerivedKey {
  assertDigest(digest);
  if (salt.length !== OPENSSL_SALT_BYTES) {
    throw cryptoError(
      CryptoErrorCode.OptionInvalid,
      `salt must be ${OPENSSL_SALT_BYTES} bytes, got ${salt.length}`,
    );
  }
  const pass = passphraseBytes(passphrase);
  const wanted = AES256_KEY_BYTES + AES_BLOCK_BYTES;
  const out = Buffer.allocUnsafe(wanted + 32);
  let filled = 0;
  let previous: Buffer | undefined;
  while (filled < wanted) {
    const hash = createHash(digest);
    if (previous !== undefined) hash.update(previous);
    previous = hash.update(pass).update(salt).digest();
    previous.copy(out, filled);
    filled += previous.length;
  }
  return {
    key: out.subarray(0, AES256_KEY_BYTES),
    iv: out.subarray(AES256_KEY_BYTES, wanted),
  };
}

/** True when `bytes` starts with `Salted__` (how the device recognises the format). */
export function isOpensslEnvelope(bytes: Uint8Array): boolean {
  if (bytes.length < OPENSSL_MAGIC.length) return false;
  for (let i = 0; i < OPENSSL_MAGIC.length; i++) {
    if (bytes[i] !== OPENSSL_MAGIC[i]) return false;
  }
  return true;
}

export interface OpensslEncryptOptions {
  readonly digest?: KdfDigest;
  /** Fixed 8-byte salt, for test vectors only; default is 8 random bytes per call. */
  readonly salt?: Uint8Array;
}

/**
 * Encrypt exactly as `openssl enc -e -aes-256-cbc -md <digest> -k <pass>` does, header
 * included (openssl 3 omits the header when given `-S`; we always write it, §3.6.2).
 */
export function opensslEncrypt(
  plaintext: Uint8Array,
  passphrase: Passphrase,
  options: OpensslEncryptOptions = {},
): Buffer {
  const salt = options.salt ?? randomBytes(OPENSSL_SALT_BYTES);
  const { key, iv } = evpBytesToKey(passphrase, salt, options.digest ?? "md5");
  const cipher = createCipheriv("aes-256-cbc", key, iv);
  const paddedLength = (Math.floor(plaintext.length / AES_BLOCK_BYTES) + 1) * AES_BLOCK_BYTES;
  const out = Buffer.allocUnsafe(OPENSSL_HEADER_BYTES + paddedLength);
  out.set(OPENSSL_MAGIC, 0);
  out.set(salt, OPENSSL_MAGIC.length);
  let offset = OPENSSL_HEADER_BYTES;
  offset += cipher.update(plaintext).copy(out, offset);
  offset += cipher.final().copy(out, offset);
  return offset === out.length ? out : out.subarray(0, offset);
}

export interface OpensslHeader {
  readonly salt: Buffer;
  readonly ciphertext: Buffer;
}

/**
 * Split an envelope into salt and ciphertext, checking what can be checked without a key:
 * the magic, and a ciphertext that is a non-empty whole number of AES blocks.
 */
export function parseOpensslEnvelope(data: Uint8Array): OpensslHeader {
  if (!isOpensslEnvelope(data)) {
    throw cryptoError(CryptoErrorCode.NotEncrypted, "not OpenSSL enc output (no Salted__ header)");
  }
  const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const cipherLength = bytes.length - OPENSSL_HEADER_BYTES;
  if (cipherLength <= 0 || cipherLength % AES_BLOCK_BYTES !== 0) {
    throw cryptoError(
      CryptoErrorCode.EnvelopeMalformed,
      `encrypted profile is truncated or padded: ${bytes.length} bytes is not 16 + a multiple of 16`,
      { details: { length: bytes.length } },
    );
  }
  return {
    salt: bytes.subarray(OPENSSL_MAGIC.length, OPENSSL_HEADER_BYTES),
    ciphertext: bytes.subarray(OPENSSL_HEADER_BYTES),
  };
}

export interface OpensslDecryptOptions {
  readonly digest?: KdfDigest;
}

/**
 * Decrypt OpenSSL `enc` output. A wrong key or digest fails with `CRYPTO_BAD_KEY`
 * (bad PKCS#7 padding) and never yields garbage bytes — except that one wrong key in ~256
 * happens to produce valid padding; {@link decodeProfileBytes} adds a content check for that.
 *
 * The padding is checked on the last block alone before anything else is decrypted
 * (CBC: P_n = D(C_n) ⊕ C_{n-1}), so trying a wrong digest costs one block, not the file.
 */
export function opensslDecrypt(
  data: Uint8Array,
  passphrase: Passphrase,
  options: OpensslDecryptOptions = {},
): Buffer {
  const digest = options.digest ?? "md5";
  const { salt, ciphertext } = parseOpensslEnvelope(data);
  const { key, iv } = evpBytesToKey(passphrase, salt, digest);
  const padding = lastBlockPadding(ciphertext, key, iv);
  if (padding === 0) throw badKey(digest);
  const decipher = createDecipheriv("aes-256-cbc", key, iv).setAutoPadding(false);
  const head = decipher.update(ciphertext);
  const tail = decipher.final(); // empty: the input is block-aligned and padding is ours
  const plain = tail.length === 0 ? head : Buffer.concat([head, tail]);
  // Same bytes as the probe saw; re-checked so this function stands on its own.
  if (plain.length !== ciphertext.length || pkcs7Padding(plain) !== padding) throw badKey(digest);
  return plain.subarray(0, plain.length - padding);
}

/** Decrypt only the final block and return its PKCS#7 pad length, or 0 when invalid. */
function lastBlockPadding(ciphertext: Buffer, key: Buffer, iv: Buffer): number {
  const n = ciphertext.length;
  const chain = n === AES_BLOCK_BYTES ? iv : ciphertext.subarray(n - 32, n - 16);
  const decipher = createDecipheriv("aes-256-cbc", key, chain).setAutoPadding(false);
  const block = decipher.update(ciphertext.subarray(n - AES_BLOCK_BYTES));
  decipher.final();
  return pkcs7Padding(block);
}

/** PKCS#7 pad length of a block-aligned buffer, or 0 when the padding is invalid. */
function pkcs7Padding(buffer: Uint8Array): number {
  const n = buffer.length;
  const pad = buffer[n - 1] ?? 0;
  if (pad < 1 || pad > AES_BLOCK_BYTES || pad > n) return 0;
  // Branch-free over the pad bytes: the check reveals nothing beyond valid / invalid.
  let diff = 0;
  for (let i = n - pad; i < n; i++) diff |= (buffer[i] ?? 0) ^ pad;
  return diff === 0 ? pad : 0;
}

function badKey(digest: KdfDigest) {
  return cryptoError(
    CryptoErrorCode.BadKey,
    `cannot decrypt profile: wrong key (bad padding with the ${digest} key derivation)`,
    { details: { digest } },
  );
}

export function passphraseBytes(passphrase: Passphrase): Buffer {
  if (typeof passphrase === "string") return Buffer.from(passphrase, "utf8");
  if (passphrase instanceof Uint8Array) {
    return Buffer.from(passphrase.buffer, passphrase.byteOffset, passphrase.byteLength);
  }
  throw cryptoError(CryptoErrorCode.OptionInvalid, "passphrase must be a string or bytes");
}

export function assertDigest(digest: unknown): asserts digest is KdfDigest {
  if (digest !== "md5" && digest !== "sha256") {
    throw cryptoError(
      CryptoErrorCode.OptionInvalid,
      `key-derivation digest must be "md5" or "sha256", got ${JSON.stringify(digest)}`,
    );
  }
}
