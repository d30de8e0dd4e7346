/**
 * The SIP message codec (RFC 3261 §7): start line, headers (folded lines joined, compact
 * forms expanded), body by Content-Length. Bytes are read as latin1 so every input decodes
 * and a message serialises back to the same bytes. What arrives on a UDP port is anyone's:
 * sizes are bounded and malformed input is a `ProvisioError`, never an exception of another
 * kind or a hang.
 */
import { sipError } from "./errors.ts";

/** The largest UDP payload; nothing bigger can arrive over UDP. */
export const MAX_SIP_MESSAGE_BYTES = 65_535;
export const MAX_SIP_HEADERS = 128;
export const MAX_SIP_HEADER_LINE = 8_192;

/** A header as written: its name as sent, its value trimmed. */
export type SipHeader = readonly [name: string, value: string];

interface MessageBase {
  readonly headers: readonly SipHeader[];
  readonly body: string;
}

export interface SipRequest extends MessageBase {
  readonly kind: "request";
  readonly method: string;
  readonly uri: string;
}

export interface SipResponse extends MessageBase {
  readonly kind: "response";
  readonly status: number;
  readonly reason: string;
}

export type SipMessage = SipRequest | SipResponse;

const COMPACT: Readonly<Record<string, string>> = {
  v: "via",
  f: "from",
  t: "to",
  i: "call-id",
  m: "contact",
  l: "content-length",
  o: "event",
  c: "content-type",
  e: "content-encoding",
  k: "supported",
  s: "subject",
  u: "allow-events",
};

/** The long, lower-case form of a header name (`v` → `via`). */
export function headerKey(name: string): string {
  const lower = name.toLowerCase();
  return COMPACT[lower] ?? lower;
}

/** Every value of a header, in order. */
export function headerValues(message: MessageBase, name: string): string[] {
  const key = headerKey(name);
  const out: string[] = [];
  for (const [n, v] of message.headers) if (headerKey(n) === key) out.push(v);
  return out;
}

/** The first value of a header. */
export function headerValue(message: MessageBase, name: string): string | undefined {
  const key = headerKey(name);
  for (const [n, v] of message.headers) if (headerKey(n) === key) return v;
  return undefined;
}

const TOKEN = /^[A-Za-z0-9.!%*_+`'~-]+$/;
const METHOD = /^[A-Z][A-Z0-9._!%*+`'~-]*$/;
const REQUEST_LINE = /^(\S+) (\S+) SIP\/2\.0$/;
const STATUS_LINE = /^SIP\/2\.0 ([1-6]\d\d) ([^\r\n]*)$/;

function malformed(message: string): never {
  throw sipError("SIP_MESSAGE_MALFORMED", message);
}

/**
 * Parses one SIP message. Throws `SIP_MESSAGE_MALFORMED` or `SIP_MESSAGE_TOO_LARGE`. A body
 * longer than Content-Length is cut to it (RFC 3261 §18.3, datagrams); a shorter one is an
 * error; without Content-Length the rest of the datagram is the body.
 */
export function parseSipMessage(bytes: Uint8Array | string): SipMessage {
  const size = typeof bytes === "string" ? bytes.length : bytes.byteLength;
  if (size > MAX_SIP_MESSAGE_BYTES) {
    throw sipError("SIP_MESSAGE_TOO_LARGE", `SIP message of ${size} bytes is over the limit`);
  }
  let text = typeof bytes === "string" ? bytes : Buffer.from(bytes).toString("latin1");
  // RFC 3261 §7.5: empty lines before the start line are ignored (keep-alive CRLFs).
  while (text.startsWith("\r\n")) text = text.slice(2);
  const end = text.indexOf("\r\n\r\n");
  if (end < 0) malformed("SIP message has no end of headers (CRLF CRLF)");
  const lines = text.slice(0, end).split("\r\n");
  const start = lines[0]!;
  if (start.length > MAX_SIP_HEADER_LINE) {
    throw sipError("SIP_MESSAGE_TOO_LARGE", "SIP start line is over the limit");
  }
  const headers: [string, string][] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.length > MAX_SIP_HEADER_LINE) {
      throw sipError("SIP_MESSAGE_TOO_LARGE", "SIP header line is over the limit");
    }
    if (/[\0\r\n]/.test(line)) malformed(`SIP header line ${i} holds a NUL or a bare CR/LF`);
    if (line.startsWith(" ") || line.startsWith("\t")) {
      const last = headers[headers.length - 1];
      if (last === undefined) malformed("SIP message starts its headers with a continuation line");
      last[1] = `${last[1]} ${line.trim()}`;
      if (last[1].length > MAX_SIP_HEADER_LINE) {
        throw sipError("SIP_MESSAGE_TOO_LARGE", "SIP header line is over the limit");
      }
      continue;
    }
    const colon = line.indexOf(":");
    if (colon <= 0) malformed(`SIP header line ${i} has no name`);
    const name = line.slice(0, colon).trimEnd();
    if (!TOKEN.test(name)) malformed(`SIP header line ${i} has an invalid name`);
    if (headers.length >= MAX_SIP_HEADERS) {
      throw sipError(
        "SIP_MESSAGE_TOO_LARGE",
        `SIP message has more than ${MAX_SIP_HEADERS} headers`,
      );
    }
    headers.push([name, line.slice(colon + 1).trim()]);
  }
  let body = text.slice(end + 4);
  const lengths = headers.filter(([n]) => headerKey(n) === "content-length").map(([, v]) => v);
  if (lengths.length > 1 && new Set(lengths).size > 1) {
    malformed("SIP message has conflicting Content-Length headers");
  }
  if (lengths.length > 0) {
    if (!/^\d{1,5}$/.test(lengths[0]!)) malformed("SIP Content-Length is not a number");
    const declared = Number(lengths[0]);
    if (declared > body.length) malformed("SIP body is shorter than its Content-Length");
    body = body.slice(0, declared);
  }
  const base = { headers, body };
  if (start.startsWith("SIP/2.0 ")) {
    const m = STATUS_LINE.exec(start);
    if (m === null) malformed("SIP status line is malformed");
    return { kind: "response", status: Number(m[1]), reason: m[2]!, ...base };
  }
  const m = REQUEST_LINE.exec(start);
  if (m === null || !METHOD.test(m[1]!)) malformed("SIP request line is malformed");
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:[!-~]+$/.test(m[2]!)) malformed("SIP Request-URI is malformed");
  return { kind: "request", method: m[1]!, uri: m[2]!, ...base };
}

/**
 * Serialises a message; Content-Length is written from the body (any given one is replaced).
 * Throws `SIP_VALUE_INVALID` for a header name or value that would break the framing.
 */
export function serializeSipMessage(message: SipMessage): Buffer {
  const start =
    message.kind === "request"
      ? `${message.method} ${message.uri} SIP/2.0`
      : `SIP/2.0 ${message.status} ${message.reason}`;
  if (/[\0\r\n]/.test(start)) {
    throw sipError("SIP_VALUE_INVALID", "a SIP start line holds a CR, LF or NUL");
  }
  const lines = [start];
  for (const [name, value] of message.headers) {
    if (headerKey(name) === "content-length") continue;
    if (!TOKEN.test(name) || /[\0\r\n]/.test(value)) {
      throw sipError(
        "SIP_VALUE_INVALID",
        `SIP header ${JSON.stringify(name.slice(0, 40))} is invalid`,
      );
    }
    lines.push(`${name}: ${value}`);
  }
  lines.push(`Content-Length: ${Buffer.byteLength(message.body, "latin1")}`, "", "");
  return Buffer.from(lines.join("\r\n") + message.body, "latin1");
}

/** A header parameter (`;branch=…`, `;tag=…`) of a header value, case-insensitive name. */
export function headerParam(value: string, name: string): string | undefined {
  const want = name.toLowerCase();
  // Parameters follow the `>` of a name-addr, or the URI in a Via.
  const afterUri = value.includes(">") ? value.slice(value.lastIndexOf(">") + 1) : value;
  for (const part of afterUri.split(";").slice(1)) {
    const eq = part.indexOf("=");
    const key = (eq < 0 ? part : part.slice(0, eq)).trim().toLowerCase();
    if (key === want) return eq < 0 ? "" : part.slice(eq + 1).trim();
  }
  return undefined;
}
