import { gunzipSync, gzipSync } from "node:zlib";
import { CryptoErrorCode, cryptoError } from "./errors.ts";

/**
 * gzip layer of a profile (§3.5). The device recognises compression only by the gzip
 * header magic `1f 8b`, so raw zlib/deflate streams are never produced here.
 */

/** First two bytes of every gzip member (RFC 1952 ID1 ID2). */
export const GZIP_MAGIC: Readonly<Uint8Array> = Uint8Array.of(0x1f, 0x8b);

/**
 * Default ceiling for inflated output. A 10,000-parameter profile is ~400 KB of XML;
 * 16 MiB leaves a 40× margin while a 1 MB zip bomb (which inflates ~1000×) is stopped
 * long before it can exhaust memory.
 */
export const DEFAULT_MAX_INFLATED_BYTES = 16 * 1024 * 1024;

const DEFAULT_GZIP_LEVEL = 6;

/** Byte 9 of the gzip header: the OS that wrote it. 3 = Unix, what `gzip` on Linux writes. */
const GZIP_OS_OFFSET = 9;
const GZIP_OS_UNIX = 3;

export interface GzipOptions {
  /**
   * zlib level 0–9; default 6 (gzip's own default). Measured on a 10,000-parameter profile:
   * level 9 is 5× slower than 6 for 0.5 % smaller output, not worth it even for cached files.
   */
  readonly level?: number;
}

export interface GunzipOptions {
  /** Refuse to inflate beyond this many bytes (default {@link DEFAULT_MAX_INFLATED_BYTES}). */
  readonly maxOutputBytes?: number;
}

/** True when `bytes` starts with the gzip magic (how the device decides, §3.1 step 2). */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * gzip-compress with a deterministic header: zlib writes MTIME 0 and no file name, and the
 * OS byte is pinned to Unix, so identical input (and level) gives identical bytes on every
 * host running the same zlib — the server derives ETags from the encoded bytes.
 */
export function gzipCompress(bytes: Uint8Array, options: GzipOptions = {}): Buffer {
  const level = options.level ?? DEFAULT_GZIP_LEVEL;
  if (!Number.isInteger(level) || level < 0 || level > 9) {
    throw cryptoError(CryptoErrorCode.OptionInvalid, `gzip level must be 0..9, got ${level}`);
  }
  const out = gzipSync(bytes, { level });
  // zlib already writes MTIME = 0; the OS byte is compile-time (0x0a on Windows builds).
  out[GZIP_OS_OFFSET] = GZIP_OS_UNIX;
  return out;
}

/**
 * Inflate a gzip stream (one or more members). Corrupt or truncated input and input that
 * inflates beyond `maxOutputBytes` fail with a ProvisioError; nothing else escapes.
 */
export function gzipDecompress(bytes: Uint8Array, options: GunzipOptions = {}): Buffer {
  const maxOutputBytes = options.maxOutputBytes ?? DEFAULT_MAX_INFLATED_BYTES;
  if (!Number.isSafeInteger(maxOutputBytes) || maxOutputBytes < 1) {
    throw cryptoError(
      CryptoErrorCode.OptionInvalid,
      `maxOutputBytes must be a positive integer, got ${maxOutputBytes}`,
    );
  }
  if (!isGzip(bytes)) {
    throw cryptoError(CryptoErrorCode.GzipCorrupt, "not a gzip stream (no 1f 8b magic)");
  }
  try {
    return gunzipSync(bytes, { maxOutputLength: maxOutputBytes });
  } catch (error) {
    const code = errorCode(error);
    if (code === "ERR_BUFFER_TOO_LARGE") {
      throw cryptoError(
        CryptoErrorCode.GzipTooLarge,
        `gzip stream inflates beyond ${maxOutputBytes} bytes`,
        { status: 413, details: { maxOutputBytes }, cause: error },
      );
    }
    throw cryptoError(
      CryptoErrorCode.GzipCorrupt,
      `corrupt gzip stream: ${error instanceof Error ? error.message : String(error)}`,
      { details: { zlibCode: code }, cause: error },
    );
  }
}

function errorCode(error: unknown): string | undefined {
  if (typeof error === "object" && error !== null && "code" in error) {
    const code = (error as { code: unknown }).code;
    return typeof code === "string" ? code : undefined;
  }
  return undefined;
}
