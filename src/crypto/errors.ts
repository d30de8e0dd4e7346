import { type ErrorCodeList, ProvisioError, type ProvisioErrorOptions } from "../errors.ts";

/**
 * Stable codes thrown by the crypto library. The emulator maps the envelope codes to a
 * resync failure ("corrupt/decrypt", §3.1), the server and API map them to HTTP status;
 * so a code is never renamed, new failures get new codes. Messages never contain keys,
 * passphrases or plaintext.
 */
export const CryptoErrorCode = {
  /** Decryption failed: bad PKCS#7 padding, or the plaintext is not a profile (wrong key). */
  BadKey: "CRYPTO_BAD_KEY",
  /** Encrypted (`Salted__`) input but no key was supplied (§3.6.5). */
  KeyRequired: "CRYPTO_KEY_REQUIRED",
  /** A key was supplied but the input is not encrypted (§3.6.5 emulator behaviour). */
  NotEncrypted: "CRYPTO_NOT_ENCRYPTED",
  /** `Salted__` header present but the rest cannot be OpenSSL `enc` output (length). */
  EnvelopeMalformed: "CRYPTO_ENVELOPE_MALFORMED",
  /** Refusing to encrypt with an empty passphrase (it protects nothing). */
  KeyEmpty: "CRYPTO_KEY_EMPTY",
  /** gzip magic present but the stream is corrupt or truncated. */
  GzipCorrupt: "CRYPTO_GZIP_CORRUPT",
  /** gzip stream inflates beyond the caller's limit (zip-bomb guard). */
  GzipTooLarge: "CRYPTO_GZIP_TOO_LARGE",
  /** An option outside its domain (unknown digest, salt of the wrong length, …). */
  OptionInvalid: "CRYPTO_OPTION_INVALID",
  /** A sealed secret that is not `pv1:<keyId>:<base64url>` or is too short. */
  SealedMalformed: "CRYPTO_SEALED_MALFORMED",
  /** A sealed secret names a master key id the key ring does not hold. */
  SealedKeyUnknown: "CRYPTO_SEALED_KEY_UNKNOWN",
  /** GCM authentication failed: tampered value, wrong master key or wrong context. */
  SealedAuthFailed: "CRYPTO_SEALED_AUTH_FAILED",
  /** A master key that is not 32 bytes (64 hex digits or base64 of 32 bytes). */
  MasterKeyInvalid: "CRYPTO_MASTER_KEY_INVALID",
  /** A certificate or key that cannot be parsed (PEM/DER/PKCS#8). */
  CertificateInvalid: "CRYPTO_CERTIFICATE_INVALID",
  /** A MAC address that is not 12 hex digits (optionally `:`/`-` separated). */
  MacInvalid: "CRYPTO_MAC_INVALID",
  /** gzip of an encrypted file (encrypt-then-gzip): devices decrypt first, then gunzip. */
  LayerOrder: "CRYPTO_LAYER_ORDER",
  /** A Provisio SPC container whose framing is wrong (truncated, unknown flags or key kind). */
  ContainerMalformed: "CRYPTO_CONTAINER_MALFORMED",
  /** A Provisio SPC container of a version this build cannot read. */
  ContainerVersion: "CRYPTO_CONTAINER_VERSION",
  /** The container needs a MAC + installation secret, a device key or a `--key` not given. */
  ContainerIdentityRequired: "CRYPTO_CONTAINER_IDENTITY_REQUIRED",
  /** The container is targeted to another device (MAC or certificate key). */
  ContainerNotForDevice: "CRYPTO_CONTAINER_NOT_FOR_DEVICE",
  /** The container does not authenticate: wrong key, or modified bytes. */
  ContainerAuthFailed: "CRYPTO_CONTAINER_AUTH_FAILED",
  /** An RFC 8188 `aes128gcm` body whose framing is wrong (header, record size, padding). */
  Aes128gcmMalformed: "CRYPTO_AES128GCM_MALFORMED",
  /** An RFC 8188 `aes128gcm` record does not authenticate: wrong key, or modified bytes. */
  Aes128gcmAuthFailed: "CRYPTO_AES128GCM_AUTH_FAILED",
} as const;

export type CryptoErrorCode = (typeof CryptoErrorCode)[keyof typeof CryptoErrorCode];

export const CRYPTO_ERRORS = {
  CRYPTO_BAD_KEY: {
    status: 400,
    meaning: "Decryption failed: the key is wrong, or the decrypted bytes are not a profile.",
  },
  CRYPTO_KEY_REQUIRED: { status: 400, meaning: "The input is encrypted and no key was given." },
  CRYPTO_NOT_ENCRYPTED: { status: 400, meaning: "A key was given but the input is not encrypted." },
  CRYPTO_ENVELOPE_MALFORMED: {
    status: 400,
    meaning: "The input starts like an encrypted profile but cannot be one (wrong length).",
  },
  CRYPTO_KEY_EMPTY: { status: 400, meaning: "Refusing to encrypt with an empty key." },
  CRYPTO_GZIP_CORRUPT: { status: 400, meaning: "The gzip stream is corrupt or truncated." },
  CRYPTO_GZIP_TOO_LARGE: {
    status: 400,
    meaning: "The gzip stream inflates beyond the size limit.",
  },
  CRYPTO_OPTION_INVALID: {
    status: 400,
    meaning: "An encryption option is outside its domain (unknown digest, wrong salt length, ...).",
  },
  CRYPTO_SEALED_MALFORMED: {
    status: 500,
    meaning: "A secret stored in the database is not in the sealed format.",
  },
  CRYPTO_SEALED_KEY_UNKNOWN: {
    status: 500,
    meaning: "A stored secret was sealed under a master key this installation does not hold.",
  },
  CRYPTO_SEALED_AUTH_FAILED: {
    status: 500,
    meaning: "A stored secret fails authentication: tampered, or sealed under another master key.",
  },
  CRYPTO_MASTER_KEY_INVALID: {
    status: 500,
    meaning: "The master key is not 32 bytes (64 hex digits, or base64 of 32 bytes).",
  },
  CRYPTO_CERTIFICATE_INVALID: { status: 400, meaning: "A certificate or key cannot be parsed." },
  CRYPTO_MAC_INVALID: { status: 400, meaning: "A MAC address is not 12 hex digits." },
  CRYPTO_LAYER_ORDER: {
    status: 400,
    meaning:
      "The file was encrypted, then gzipped; devices decrypt first and gunzip after, so compress before encrypting.",
  },
  CRYPTO_CONTAINER_MALFORMED: {
    status: 400,
    meaning: "A Provisio SPC container is truncated or its header is not valid.",
  },
  CRYPTO_CONTAINER_VERSION: {
    status: 400,
    meaning: "A Provisio SPC container has a version this build cannot read.",
  },
  CRYPTO_CONTAINER_IDENTITY_REQUIRED: {
    status: 400,
    meaning:
      "The file is targeted or key-encrypted and the device MAC with the installation secret, the device key or the --key is missing.",
  },
  CRYPTO_CONTAINER_NOT_FOR_DEVICE: {
    status: 400,
    meaning: "The file is targeted to another device.",
  },
  CRYPTO_CONTAINER_AUTH_FAILED: {
    status: 400,
    meaning: "The file does not authenticate: wrong key, or it was modified.",
  },
  CRYPTO_AES128GCM_MALFORMED: {
    status: 400,
    meaning: "An aes128gcm-encoded body is truncated or its header or padding is not valid.",
  },
  CRYPTO_AES128GCM_AUTH_FAILED: {
    status: 400,
    meaning: "An aes128gcm-encoded body does not authenticate: wrong key, or it was modified.",
  },
} as const satisfies ErrorCodeList<CryptoErrorCode>;

export function cryptoError(
  code: CryptoErrorCode,
  message: string,
  options: ProvisioErrorOptions = {},
): ProvisioError<CryptoErrorCode> {
  return new ProvisioError(code, message, options);
}
