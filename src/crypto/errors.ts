import { ProvisioError, type ProvisioErrorOptions } from "../errors.ts";

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
} as const;

export type CryptoErrorCode = (typeof CryptoErrorCode)[keyof typeof CryptoErrorCode];

export function cryptoError(
  code: CryptoErrorCode,
  message: string,
  options: ProvisioErrorOptions = {},
): ProvisioError<CryptoErrorCode> {
  return new ProvisioError(code, message, options);
}
