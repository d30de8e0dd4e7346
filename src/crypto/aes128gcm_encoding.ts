import { createCipheriv, createDecipheriv, createHmac, randomBytes } from "node:crypto";
import { CryptoErrorCode, cryptoError } from "./errors.ts";

/**
 * RFC 8188 `Content-Encoding: aes128gcm`, written by hand over node:crypto (MPP profiles,
 * keyed by the phone's `IKM_HTTP_Encrypt_Content`). Body:
 *
 *   salt (16) | rs (uint32) | idlen (uint8) | keyid (idlen) | records
 *
 * PRK = HMAC-SHA-256(salt, IKM); CEK = HMAC-SHA-256(PRK, "Content-Encoding: aes128gcm\0" ‖ 1)[0..16];
 * NONCE = HMAC-SHA-256(PRK, "Content-Encoding: nonce\0" ‖ 1)[0..12]. Record i (from 0) is
 * AES-128-GCM(CEK, NONCE xor i, data ‖ delimiter ‖ zero padding) with its 16-byte tag; the
 * delimiter is 2 in the last record, 1 in the others; every record but the last is exactly
 * rs bytes.
 */

export const AES128GCM_CONTENT_ENCODING = "aes128gcm";
const SALT_BYTES = 16;
const HEADER_FIXED_BYTES = SALT_BYTES + 4 + 1;
const TAG_BYTES = 16;
/** Smallest record size the RFC allows: tag + delimiter + one byte. */
export const AES128GCM_MIN_RECORD_SIZE = 18;
export const AES128GCM_DEFAULT_RECORD_SIZE = 4096;
const LABEL_CEK = Buffer.from("Content-Encoding: aes128gcm\0\x01", "latin1");
const LABEL_NONCE = Buffer.from("Content-Encoding: nonce\0\x01", "latin1");

export interface Aes128gcmEncodeOptions {
  /** Record size, tag included (18 … 2^32−1; default 4096). */
  readonly recordSize?: number;
  /** Key id carried in the header (0–255 bytes; default empty). */
  readonly keyId?: Uint8Array;
  /** Fixed 16-byte salt, for test vectors only. */
  readonly salt?: Uint8Array;
  /**
   * Zero bytes of padding in record i (default none). Data fills what is left of each
   * record; records follow until the data is used up.
   */
  readonly padding?: readonly number[];
}

export interface Aes128gcmDecoded {
  readonly plaintext: Buffer;
  readonly keyId: Buffer;
  readonly recordSize: number;
}

export interface Aes128gcmDecodeOptions {
  /** Refuse bodies whose plaintext would exceed this many bytes (default 16 MiB). */
  readonly maxPlaintextBytes?: number;
}

const DEFAULT_MAX_PLAINTEXT = 16 * 1024 * 1024;

/** An IKM given as a string (the parameter value) is its UTF-8 bytes. */
export type Aes128gcmIkm = string | Uint8Array;

function ikmBytes(ikm: Aes128gcmIkm): Buffer {
  const bytes = typeof ikm === "string" ? Buffer.from(ikm, "utf8") : Buffer.from(ikm);
  if (bytes.length === 0) {
    throw cryptoError(CryptoErrorCode.KeyEmpty, "refusing an empty aes128gcm input key (IKM)");
  }
  return bytes;
}

function deriveKeys(ikm: Buffer, salt: Uint8Array): { cek: Buffer; nonce: Buffer } {
  const prk = createHmac("sha256", salt).update(ikm).digest();
  return {
    cek: createHmac("sha256", prk).update(LABEL_CEK).digest().subarray(0, 16),
    nonce: createHmac("sha256", prk).update(LABEL_NONCE).digest().subarray(0, 12),
  };
}

function recordNonce(base: Buffer, seq: number): Buffer {
  const nonce = Buffer.from(base);
  // seq < 2^53: XOR it into the low 8 bytes, big-endian (the high 4 stay as they are).
  const high = Math.floor(seq / 0x1_0000_0000);
  const low = seq >>> 0;
  nonce.writeUInt32BE((nonce.readUInt32BE(4) ^ high) >>> 0, 4);
  nonce.writeUInt32BE((nonce.readUInt32BE(8) ^ low) >>> 0, 8);
  return nonce;
}

/** Encode `plaintext` as an `aes128gcm` body. */
export function encodeAes128gcm(
  plaintext: Uint8Array,
  ikm: Aes128gcmIkm,
  options: Aes128gcmEncodeOptions = {},
): Buffer {
  const rs = options.recordSize ?? AES128GCM_DEFAULT_RECORD_SIZE;
  if (!Number.isInteger(rs) || rs < AES128GCM_MIN_RECORD_SIZE || rs > 0xffff_ffff) {
    throw cryptoError(
      CryptoErrorCode.OptionInvalid,
      `aes128gcm record size must be ${AES128GCM_MIN_RECORD_SIZE} to 4294967295`,
    );
  }
  const keyId = Buffer.from(options.keyId ?? new Uint8Array(0));
  if (keyId.length > 255) {
    throw cryptoError(CryptoErrorCode.OptionInvalid, "aes128gcm key id is at most 255 bytes");
  }
  const salt = options.salt === undefined ? randomBytes(SALT_BYTES) : Buffer.from(options.salt);
  if (salt.length !== SALT_BYTES) {
    throw cryptoError(CryptoErrorCode.OptionInvalid, `aes128gcm salt must be ${SALT_BYTES} bytes`);
  }
  const { cek, nonce } = deriveKeys(ikmBytes(ikm), salt);
  const header = Buffer.alloc(HEADER_FIXED_BYTES + keyId.length);
  salt.copy(header, 0);
  header.writeUInt32BE(rs, SALT_BYTES);
  header[SALT_BYTES + 4] = keyId.length;
  keyId.copy(header, HEADER_FIXED_BYTES);
  const out: Buffer[] = [header];
  const room = rs - TAG_BYTES; // plaintext bytes (data + delimiter + padding) per record
  let offset = 0;
  let seq = 0;
  for (;;) {
    const pad = options.padding?.[seq] ?? 0;
    if (!Number.isInteger(pad) || pad < 0 || pad > room - 1) {
      throw cryptoError(CryptoErrorCode.OptionInvalid, "aes128gcm padding does not fit the record");
    }
    const take = Math.min(plaintext.length - offset, room - 1 - pad);
    const last = offset + take >= plaintext.length;
    if (take === 0 && !last) {
      throw cryptoError(CryptoErrorCode.OptionInvalid, "aes128gcm padding leaves no room for data");
    }
    const record = Buffer.alloc(take + 1 + pad);
    Buffer.from(plaintext.buffer, plaintext.byteOffset + offset, take).copy(record, 0);
    record[take] = last ? 2 : 1;
    const cipher = createCipheriv("aes-128-gcm", cek, recordNonce(nonce, seq));
    out.push(cipher.update(record), cipher.final(), cipher.getAuthTag());
    offset += take;
    seq += 1;
    if (last) break;
  }
  return Buffer.concat(out);
}

function malformed(message: string) {
  return cryptoError(CryptoErrorCode.Aes128gcmMalformed, `aes128gcm body: ${message}`);
}

/** Read the header without a key (salt, record size, key id). */
export function parseAes128gcmHeader(body: Uint8Array): {
  readonly salt: Buffer;
  readonly recordSize: number;
  readonly keyId: Buffer;
  readonly headerBytes: number;
} {
  const data = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (data.length < HEADER_FIXED_BYTES) throw malformed("shorter than its header");
  const rs = data.readUInt32BE(SALT_BYTES);
  if (rs < AES128GCM_MIN_RECORD_SIZE) throw malformed(`record size ${rs} is below 18`);
  const idlen = data[SALT_BYTES + 4]!;
  if (data.length < HEADER_FIXED_BYTES + idlen) throw malformed("key id runs past the end");
  return {
    salt: data.subarray(0, SALT_BYTES),
    recordSize: rs,
    keyId: data.subarray(HEADER_FIXED_BYTES, HEADER_FIXED_BYTES + idlen),
    headerBytes: HEADER_FIXED_BYTES + idlen,
  };
}

/**
 * Decode an `aes128gcm` body. Errors: `CRYPTO_AES128GCM_MALFORMED` (header, record sizes,
 * delimiters, padding, truncation), `CRYPTO_AES128GCM_AUTH_FAILED` (wrong IKM or modified).
 */
export function decodeAes128gcm(
  body: Uint8Array,
  ikm: Aes128gcmIkm,
  options: Aes128gcmDecodeOptions = {},
): Aes128gcmDecoded {
  const header = parseAes128gcmHeader(body);
  const data = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const { cek, nonce } = deriveKeys(ikmBytes(ikm), header.salt);
  const rs = header.recordSize;
  const max = options.maxPlaintextBytes ?? DEFAULT_MAX_PLAINTEXT;
  if (data.length === header.headerBytes) throw malformed("no records");
  const parts: Buffer[] = [];
  let total = 0;
  let at = header.headerBytes;
  let seq = 0;
  while (at < data.length) {
    const end = Math.min(at + rs, data.length);
    const record = data.subarray(at, end);
    const isLast = end === data.length;
    if (record.length < TAG_BYTES + 1) throw malformed("a record is shorter than its tag");
    const decipher = createDecipheriv("aes-128-gcm", cek, recordNonce(nonce, seq));
    decipher.setAuthTag(record.subarray(record.length - TAG_BYTES));
    let plain: Buffer;
    try {
      plain = Buffer.concat([
        decipher.update(record.subarray(0, record.length - TAG_BYTES)),
        decipher.final(),
      ]);
    } catch {
      throw cryptoError(
        CryptoErrorCode.Aes128gcmAuthFailed,
        "aes128gcm body does not authenticate: wrong key (IKM), or the body was modified",
      );
    }
    let d = plain.length - 1;
    while (d >= 0 && plain[d] === 0) d--;
    if (d < 0) throw malformed("a record has no delimiter");
    const delimiter = plain[d]!;
    if (isLast && delimiter !== 2)
      throw malformed("truncated (the last record is not marked last)");
    if (!isLast && delimiter !== 1) throw malformed("a record before the last is marked last");
    total += d;
    if (total > max) throw malformed(`plaintext exceeds ${max} bytes`);
    parts.push(plain.subarray(0, d));
    at = end;
    seq += 1;
  }
  return { plaintext: Buffer.concat(parts), keyId: Buffer.from(header.keyId), recordSize: rs };
}
