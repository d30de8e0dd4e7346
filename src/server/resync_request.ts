/**
 * The transport-neutral request and response of the resync pipeline. HTTP, HTTPS and TFTP
 * adapters translate their wire format into a {@link ResyncRequest}, call
 * `ResyncPipeline.handle`, and write the {@link ResyncResponse} back; a TFTP RRQ for
 * `/profile/000e08abcdef.xml` is the same request as an HTTP GET of that path.
 */
import type { ClientCertificate } from "./client_certificate.ts";
import type { ResyncResult, Transport } from "./metrics.ts";

export type { Transport } from "./metrics.ts";

export interface ResyncRequest {
  readonly transport: Transport;
  /** `GET`, `HEAD`, `POST` (HTTP), or `GET` for a TFTP RRQ. */
  readonly method: string;
  /** Path as received (still percent-encoded for HTTP; TFTP file names as sent). */
  readonly path: string;
  /** Query string without the `?` (empty when none). */
  readonly query: string;
  readonly remoteAddress: string;
  /**
   * False when nothing yet shows the client receives at `remoteAddress` (a TFTP RRQ from a
   * source that never completed a transfer: UDP sources can be forged). Default true (TCP).
   */
  readonly sourceProven?: boolean | undefined;
  readonly userAgent?: string | undefined;
  /** The `Host` header as sent (HTTP only; client-chosen, check before use). */
  readonly host?: string | undefined;
  /** The TLS client certificate (HTTPS only). */
  readonly clientCert?: ClientCertificate | undefined;
  /** Conditional-request headers (HTTP only). */
  readonly ifNoneMatch?: string | undefined;
  readonly ifModifiedSince?: string | undefined;
  /** The request body (HTTP `POST`/`PUT`, within `maxBodyBytes`): report uploads read it. */
  readonly body?: Uint8Array | undefined;
  /** The `Content-Encoding` header of the body (HTTP only; an MPP report's `aes128gcm`). */
  readonly contentEncoding?: string | undefined;
  /** The `Range` header (HTTP only; firmware downloads). */
  readonly range?: string | undefined;
  /**
   * The transport refused the request before reading it whole (a body over the limit, a
   * request target too long, a TFTP upload of something other than a report): the pipeline
   * answers with this refusal without looking further, and records it like every other one
   * (event row, and a line in the rate-limited security log with `security` as the reason).
   */
  readonly refused?: TransportRefusal | undefined;
}

/** A request its transport adapter refused before the pipeline saw it whole. */
export interface TransportRefusal {
  readonly status: 400 | 405 | 408 | 413 | 414 | 431;
  readonly reason: string;
  /**
   * The security log's reason (`body-too-large`, `target-too-long`, `upload-refused`, and for
   * what Node's HTTP parser refuses `malformed-request`, `headers-too-large`, `request-timeout`).
   */
  readonly security: string;
}

/** Response headers the pipeline sets; adapters add transport framing (length, connection). */
export interface ResyncHeaders {
  readonly "content-type"?: string;
  readonly etag?: string;
  readonly "last-modified"?: string;
  readonly "cache-control"?: string;
  /** MPP `aes128gcm` profiles (RFC 8188). */
  readonly "content-encoding"?: string;
  readonly "retry-after"?: string;
  /** Firmware downloads (HTTP Range). */
  readonly "accept-ranges"?: string;
  readonly "content-range"?: string;
  /** The customer's activation page (`activation_page.ts`): a browser's, not a unit's. */
  readonly "content-security-policy"?: string;
  readonly "x-content-type-options"?: string;
  readonly "x-frame-options"?: string;
  readonly "referrer-policy"?: string;
  readonly location?: string;
  readonly allow?: string;
}

export interface ResyncResponse {
  /** HTTP status; TFTP maps 404 → error 1 (file not found), 403 → 2, others → 0. */
  readonly status: number;
  readonly headers: ResyncHeaders;
  /** The bytes to send (absent for 304 and for HEAD on the HTTP side). */
  readonly body: Uint8Array | undefined;
  /** Result for metrics and the event log. */
  readonly result: ResyncResult;
  /** Why a request was refused, for logs, the event log and short plain-text bodies. */
  readonly reason?: string;
}

/** A short plain-text refusal; the text is safe to show the client. */
export function refusal(status: number, result: ResyncResult, reason: string): ResyncResponse {
  return {
    status,
    headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" },
    body: Buffer.from(`${reason}\n`),
    result,
    reason,
  };
}

export type TargetCheck =
  | { readonly ok: true; readonly path: string }
  | { readonly ok: false; readonly status: number; readonly reason: string };

/**
 * Decodes and checks a request path before it is matched: percent-decoding once, then
 * refusing what no device sends and what would reach outside the profile namespace —
 * `..` or `.` segments (also when encoded), double encoding (`%252e`), empty segments,
 * backslashes, control characters, non-ASCII. Clear 4xx, never an exception.
 */
export function checkTargetPath(raw: string, maxBytes: number): TargetCheck {
  if (raw.length > maxBytes) return { ok: false, status: 414, reason: "request target too long" };
  let path = raw;
  if (raw.includes("%")) {
    try {
      path = decodeURIComponent(raw);
    } catch {
      return { ok: false, status: 400, reason: "malformed percent-encoding in path" };
    }
    // `%252e` decodes to `%2e`: a second decoding anywhere downstream would make it `.`.
    if (path.includes("%")) {
      return { ok: false, status: 400, reason: "double percent-encoding in path" };
    }
  }
  if (path.length === 0 || path.charCodeAt(0) !== 47 /* / */) {
    return { ok: false, status: 400, reason: "path must start with /" };
  }
  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i);
    if (c < 0x21 || c > 0x7e || c === 92 /* \ */) {
      return { ok: false, status: 400, reason: "path contains a forbidden character" };
    }
    if (c === 47 && i + 1 < path.length) {
      const next = path.charCodeAt(i + 1);
      if (next === 47) return { ok: false, status: 400, reason: "path contains an empty segment" };
      if (next === 46 /* . */) {
        const after = i + 2 < path.length ? path.charCodeAt(i + 2) : 47;
        const after2 = i + 3 < path.length ? path.charCodeAt(i + 3) : 47;
        if (after === 47 || (after === 46 && after2 === 47)) {
          return { ok: false, status: 400, reason: "path traversal is not allowed" };
        }
      }
    }
  }
  return { ok: true, path };
}
