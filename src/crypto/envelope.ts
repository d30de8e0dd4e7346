import { isProvisioError } from "../errors.ts";
import { CryptoErrorCode, cryptoError } from "./errors.ts";
import { gzipCompress, gzipDecompress, isGzip } from "./gzip_envelope.ts";
import {
  assertDigest,
  isOpensslEnvelope,
  KDF_DIGESTS,
  type KdfDigest,
  opensslDecrypt,
  opensslEncrypt,
  type Passphrase,
  parseOpensslEnvelope,
  passphraseBytes,
} from "./openssl_envelope.ts";
import { looksLikeProfilePlaintext, looksLikeProfileSource } from "./plaintext_check.ts";

/**
 * The layered profile envelope (§3.1, §3.5, §3.6): XML ▸ gzip ▸ AES-256-CBC on the way
 * out, the reverse on the way in. The server and the emulator both go through here, so
 * what one writes the other reads by construction.
 */

/** Outermost layer, recognised from the first bytes like the device does (§3.1). */
export type EnvelopeKind = "plain" | "gzip" | "encrypted";

/** A layer found while decoding. */
export type EnvelopeLayer = "encrypted" | "gzip";

/** Classify by magic bytes only; never throws, whatever the input. */
export function detectEnvelope(bytes: Uint8Array): EnvelopeKind {
  if (isOpensslEnvelope(bytes)) return "encrypted";
  if (isGzip(bytes)) return "gzip";
  return "plain";
}

export interface EncodeProfileOptions {
  /** gzip before encrypting (§3.5: compress first; the reverse is not recognised). */
  readonly gzip?: boolean;
  /** zlib level for the gzip layer (default 6). */
  readonly gzipLevel?: number;
  /** Encrypt with this `--key` passphrase; absent ⇒ no encryption layer. */
  readonly key?: Passphrase;
  /** Key-derivation digest; default `md5`, what every firmware generation reads (§3.6.3). */
  readonly digest?: KdfDigest;
  /** Fixed 8-byte salt, for test vectors only. */
  readonly salt?: Uint8Array;
}

/**
 * Encode profile bytes for the wire: gzip (optional), then encrypt (optional).
 * The gzip layer is deterministic (same bytes ⇒ same output); the encryption layer is not
 * (random salt), so servers cache the encoded bytes rather than re-encode per request.
 */
export function encodeProfileBytes(bytes: Uint8Array, options: EncodeProfileOptions = {}): Buffer {
  const key = options.key;
  if (key !== undefined && passphraseBytes(key).length === 0) {
    throw cryptoError(CryptoErrorCode.KeyEmpty, "refusing to encrypt a profile with an empty key");
  }
  // Input that already carries a layer would be wrapped twice; a device unwraps once.
  if (options.gzip === true && isGzip(bytes)) {
    throw cryptoError(CryptoErrorCode.OptionInvalid, "profile bytes are already gzip-compressed");
  }
  if (key !== undefined && isOpensslEnvelope(bytes)) {
    throw cryptoError(CryptoErrorCode.OptionInvalid, "profile bytes are already encrypted");
  }
  let out: Buffer =
    options.gzip === true
      ? gzipCompress(bytes, options.gzipLevel === undefined ? {} : { level: options.gzipLevel })
      : Buffer.from(bytes);
  if (key !== undefined) {
    out = opensslEncrypt(out, key, {
      digest: options.digest ?? "md5",
      ...(options.salt === undefined ? {} : { salt: options.salt }),
    });
  }
  return out;
}

/**
 * How a decrypted buffer is checked before the key is accepted:
 * - `"profile"` (default): gzip magic or XML-looking text ({@link looksLikeProfilePlaintext});
 * - `"source"`: that, or SPC plain-text source (tools, not devices: {@link looksLikeProfileSource});
 * - `"none"`: PKCS#7 padding only (for payloads that are not profiles);
 * - a predicate over the plaintext.
 */
export type ContentCheck = "profile" | "source" | "none" | ((plaintext: Uint8Array) => boolean);

export interface DecodeEnvelopeOptions {
  /** Digests to try, in order (default `["md5", "sha256"]`; `spa` family: `["md5"]`). */
  readonly digests?: readonly KdfDigest[];
  readonly contentCheck?: ContentCheck;
}

export interface DecodedEnvelope {
  readonly plaintext: Buffer;
  /** The digest whose key decrypted it. */
  readonly digest: KdfDigest;
}

/**
 * Decrypt one `Salted__` layer, trying each digest in order; a digest is accepted when the
 * padding is valid and the plaintext passes the content check (which is what tells MD5
 * from SHA-256, and a right key from the 1-in-256 wrong key with valid padding).
 */
export function decodeEnvelope(
  data: Uint8Array,
  key: Passphrase,
  options: DecodeEnvelopeOptions = {},
): DecodedEnvelope {
  const digests = options.digests ?? KDF_DIGESTS;
  if (digests.length === 0) {
    throw cryptoError(CryptoErrorCode.OptionInvalid, "digests must name at least one digest");
  }
  for (const digest of digests) assertDigest(digest);
  const check = contentPredicate(options.contentCheck ?? "profile");
  parseOpensslEnvelope(data); // header/length errors first: they do not depend on the key
  let paddingPassed = false;
  for (const digest of digests) {
    let plaintext: Buffer;
    try {
      plaintext = opensslDecrypt(data, key, { digest });
    } catch (error) {
      if (isProvisioError(error) && error.code === CryptoErrorCode.BadKey) continue;
      throw error;
    }
    paddingPassed = true;
    if (check(plaintext)) return { plaintext, digest };
  }
  const why = paddingPassed
    ? "decrypted bytes are not a profile"
    : `bad padding with ${digests.join(" and ")} key derivation`;
  throw cryptoError(
    CryptoErrorCode.BadKey,
    `cannot decrypt profile: wrong key (${why}), or the file was encrypted with \`openssl enc -pbkdf2\` or \`-iter\`, a key derivation devices cannot use: encrypt with \`openssl enc -e -aes-256-cbc -md md5 -k KEY\` and neither option`,
    { details: { digests: [...digests] } },
  );
}

export interface DecodeProfileOptions extends DecodeEnvelopeOptions {
  /** The `--key` of the rule that fetched the bytes; absent ⇒ the bytes must not be encrypted. */
  readonly key?: Passphrase;
  /**
   * Accept unencrypted bytes even though a key was given. Off by default: the emulator
   * fails such a file (§3.6.5 [unverified]); a lenient server-side tool may turn it on.
   */
  readonly allowUnencrypted?: boolean;
  /** Zip-bomb guard for the gzip layer (default 16 MiB). */
  readonly maxOutputBytes?: number;
}

export interface DecodedProfile {
  /**
   * The innermost bytes: XML text, or whatever the layers carried. When no layer was
   * removed this is a view of the input (no copy): copy it before mutating either.
   */
  readonly bytes: Buffer;
  /** Layers removed, outermost first: `[]`, `["gzip"]`, `["encrypted"]`, `["encrypted", "gzip"]`. */
  readonly layers: readonly EnvelopeLayer[];
  readonly encrypted: boolean;
  readonly gzip: boolean;
  /** Key-derivation digest that worked, when encrypted. */
  readonly digest: KdfDigest | undefined;
}

/**
 * The device-side decoding pipeline (§3.1 steps 1–2): decrypt when a key is given, then
 * gunzip when the (decrypted) bytes carry the gzip magic. Every failure is a ProvisioError
 * with a `CRYPTO_*` code; the bytes returned are not interpreted further (XML vs SPC is
 * the caller's step 3–4).
 */
export function decodeProfileBytes(
  bytes: Uint8Array,
  options: DecodeProfileOptions = {},
): DecodedProfile {
  const layers: EnvelopeLayer[] = [];
  let current = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let digest: KdfDigest | undefined;
  const encrypted = isOpensslEnvelope(current);
  if (options.key !== undefined) {
    if (encrypted) {
      const decoded = decodeEnvelope(current, options.key, options);
      current = decoded.plaintext;
      digest = decoded.digest;
      layers.push("encrypted");
    } else if (options.allowUnencrypted !== true) {
      assertLayerOrder(current, options.maxOutputBytes);
      throw cryptoError(
        CryptoErrorCode.NotEncrypted,
        looksLikeUnsaltedCiphertext(current)
          ? "a key was given but the file has no Salted__ header; binary data in whole AES blocks is what `openssl enc -nosalt` writes, which devices cannot read: encrypt without -nosalt"
          : "a key was given but the profile is not encrypted (no Salted__ header)",
      );
    }
  } else if (encrypted) {
    throw cryptoError(
      CryptoErrorCode.KeyRequired,
      "profile is encrypted (Salted__ header) but no key was given",
    );
  }
  if (isGzip(current)) {
    current = gzipDecompress(
      current,
      options.maxOutputBytes === undefined ? {} : { maxOutputBytes: options.maxOutputBytes },
    );
    layers.push("gzip");
    if (isOpensslEnvelope(current)) throw layerOrderError();
  }
  return {
    bytes: current,
    layers,
    encrypted: layers.includes("encrypted"),
    gzip: layers.includes("gzip"),
    digest,
  };
}

/**
 * Binary bytes in whole AES blocks with no `Salted__` header: most likely `openssl enc
 * -nosalt` output. Text profiles and gzip never look like that.
 */
export function looksLikeUnsaltedCiphertext(bytes: Uint8Array): boolean {
  return (
    bytes.length >= 16 &&
    bytes.length % 16 === 0 &&
    !isGzip(bytes) &&
    !isOpensslEnvelope(bytes) &&
    !looksLikeProfileSource(bytes)
  );
}

function layerOrderError() {
  return cryptoError(
    CryptoErrorCode.LayerOrder,
    "the file was encrypted and then gzipped; devices decrypt first and gunzip after, so compress before encrypting (`gzip -c profile.xml | openssl enc -e -aes-256-cbc -md md5 -k KEY`, or `provisio compile --gzip --key KEY`)",
  );
}

/** Gzip whose content is an OpenSSL envelope is the wrong order (encrypt, then gzip). */
function assertLayerOrder(bytes: Buffer, maxOutputBytes: number | undefined): void {
  if (!isGzip(bytes)) return;
  let inner: Buffer;
  try {
    inner = gzipDecompress(bytes, maxOutputBytes === undefined ? {} : { maxOutputBytes });
  } catch {
    return; // not readable gzip: the plain "not encrypted" message says enough
  }
  if (isOpensslEnvelope(inner)) throw layerOrderError();
}

function contentPredicate(check: ContentCheck): (plaintext: Uint8Array) => boolean {
  if (check === "profile") return looksLikeProfilePlaintext;
  if (check === "source") return looksLikeProfileSource;
  if (check === "none") return () => true;
  if (typeof check === "function") return check;
  throw cryptoError(CryptoErrorCode.OptionInvalid, `unknown contentCheck ${String(check)}`);
}
