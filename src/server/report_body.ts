/**
 * The body of a Report_Rule upload: a `<flat-profile>` listing the unit's parameters (all of
 * them, or with `--delta` those changed since the last resync) or, with `--status`, a
 * `<status>` document with one element per Info-page field. An MPP unit whose Report_Rule has
 * no `--key` and which holds an IKM (`IKM_HTTP_Encrypt_Content`) sends it RFC 8188
 * `aes128gcm`-encoded: `reportCoding` tells such a body, `decodeReport` opens it. Pure: bytes
 * in, entries out. The body is the device's (or anyone's) to choose: sizes are bounded and
 * every failure is a `ProvisioError` with a `SERVER_REPORT_*` code.
 */
import {
  AES128GCM_CONTENT_ENCODING,
  CryptoErrorCode,
  decodeAes128gcm,
  parseAes128gcmHeader,
} from "../crypto/index.ts";
import { type ErrorCodeList, isProvisioError, ProvisioError } from "../errors.ts";
import { type Catalogue, parseXmlProfile } from "../profile/index.ts";
import { MAX_REPORT_ENTRIES, type ReportEntry } from "../store/index.ts";

export type ReportErrorCode =
  | "SERVER_REPORT_MALFORMED"
  | "SERVER_REPORT_TOO_LARGE"
  | "SERVER_REPORT_ENCRYPTED"
  | "SERVER_REPORT_NO_IKM"
  | "SERVER_REPORT_UNDECODABLE";

export const REPORT_ERRORS = {
  SERVER_REPORT_MALFORMED: {
    status: 400,
    meaning:
      "A device's report upload is not a flat profile or a status document (the message says where).",
  },
  SERVER_REPORT_TOO_LARGE: {
    status: 413,
    meaning: "A device's report upload is over the size or parameter-count limit.",
  },
  SERVER_REPORT_ENCRYPTED: {
    status: 415,
    meaning:
      "A device's report upload is encrypted (Report_Rule with --key); send reports over HTTPS without --key.",
  },
  SERVER_REPORT_NO_IKM: {
    status: 415,
    meaning:
      "A device's report upload is aes128gcm-encoded, but the device's configuration sets no IKM_HTTP_Encrypt_Content to decode it with.",
  },
  SERVER_REPORT_UNDECODABLE: {
    status: 400,
    meaning:
      "A device's aes128gcm-encoded report does not decode with the IKM_HTTP_Encrypt_Content its configuration sets (another IKM on the unit, or a damaged body).",
  },
} as const satisfies ErrorCodeList<ReportErrorCode>;

function reportError(code: ReportErrorCode, message: string): ProvisioError<ReportErrorCode> {
  return new ProvisioError(code, message, { status: REPORT_ERRORS[code].status });
}

/** Default largest report body (a full MPP configuration export is about 150 KiB). */
export const DEFAULT_MAX_REPORT_BYTES = 1024 * 1024;

export interface ParsedReport {
  readonly document: "flat-profile" | "status";
  readonly entries: readonly ReportEntry[];
}

const ENTITY: Readonly<Record<string, string>> = {
  lt: "<",
  gt: ">",
  amp: "&",
  quot: '"',
  apos: "'",
};

function unescapeXml(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|[a-z]{2,4});/g, (all, ref: string) => {
    if (ref.startsWith("#")) {
      const code = ref[1] === "x" ? Number.parseInt(ref.slice(2), 16) : Number(ref.slice(1));
      return code <= 0x10ffff ? String.fromCodePoint(code) : all;
    }
    return ENTITY[ref] ?? all;
  });
}

/** The root element's name (after a declaration and comments), or undefined. */
function rootName(text: string): string | undefined {
  let rest = text.replace(/^\uFEFF/, "");
  for (;;) {
    rest = rest.trimStart();
    if (rest.startsWith("<?")) {
      const end = rest.indexOf("?>");
      if (end < 0) return undefined;
      rest = rest.slice(end + 2);
    } else if (rest.startsWith("<!--")) {
      const end = rest.indexOf("-->");
      if (end < 0) return undefined;
      rest = rest.slice(end + 3);
    } else break;
  }
  return /^<([A-Za-z_][\w.-]{0,63})[\s/>]/.exec(rest)?.[1];
}

function parseStatus(text: string): ReportEntry[] {
  const open = /<status(\s[^>]*)?>/.exec(text);
  const close = text.lastIndexOf("</status>");
  if (open === null || close < open.index) {
    throw reportError("SERVER_REPORT_MALFORMED", "status report has no <status> element");
  }
  const inner = text.slice(open.index + open[0].length, close);
  const entries: ReportEntry[] = [];
  const seen = new Set<string>();
  const element =
    /<([A-Za-z_][\w.-]{0,127})(?:\s[^<>]*)?>([^<]*)<\/\1\s*>|<([A-Za-z_][\w.-]{0,127})(?:\s[^<>]*)?\/>/g;
  let consumed = 0;
  for (const m of inner.matchAll(element)) {
    if (inner.slice(consumed, m.index).trim() !== "") {
      throw reportError(
        "SERVER_REPORT_MALFORMED",
        "status report holds text or markup outside its fields",
      );
    }
    consumed = m.index + m[0].length;
    const name = m[1] ?? m[3]!;
    if (seen.has(name)) continue;
    seen.add(name);
    if (entries.length >= MAX_REPORT_ENTRIES) {
      throw reportError(
        "SERVER_REPORT_TOO_LARGE",
        `status report has more than ${MAX_REPORT_ENTRIES} fields`,
      );
    }
    entries.push({
      name,
      value: m[2] === undefined ? "" : unescapeXml(m[2]),
      access: null,
      secret: false,
    });
  }
  if (inner.slice(consumed).trim() !== "") {
    throw reportError(
      "SERVER_REPORT_MALFORMED",
      "status report holds text or markup outside its fields",
    );
  }
  return entries;
}

/**
 * How a report body is encoded. Over HTTP the `Content-Encoding` header says so: `aes128gcm`,
 * or none (`identity`); another coding is refused (`SERVER_REPORT_MALFORMED`). Over TFTP
 * (`contentEncoding` undefined, `sniff` true) there is no header: a body that is not text and
 * reads as an RFC 8188 header (salt, record size, key id) is taken for `aes128gcm` — an encoded
 * body's record size holds zero bytes, which no text report does.
 */
export function reportCoding(
  body: Uint8Array,
  contentEncoding: string | undefined,
  sniff: boolean,
): "aes128gcm" | "none" {
  if (contentEncoding !== undefined) {
    const coding = contentEncoding.trim().toLowerCase();
    if (coding === AES128GCM_CONTENT_ENCODING) return "aes128gcm";
    if (coding === "" || coding === "identity") return "none";
    throw reportError(
      "SERVER_REPORT_MALFORMED",
      `reports with Content-Encoding ${JSON.stringify(coding.slice(0, 40))} are not accepted`,
    );
  }
  if (!sniff || !body.includes(0)) return "none";
  const bytes = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (bytes.subarray(0, 8).toString("latin1") === "Salted__") return "none";
  try {
    const header = parseAes128gcmHeader(bytes);
    return header.headerBytes < bytes.length ? "aes128gcm" : "none";
  } catch (e) {
    if (!isProvisioError(e)) throw e;
    return "none";
  }
}

/**
 * Opens an `aes128gcm` report with the device's IKM. The encoded body may be at most twice the
 * report limit (the records' tags and padding), its plaintext at most the limit. Throws
 * `SERVER_REPORT_NO_IKM` (no IKM to decode with), `SERVER_REPORT_UNDECODABLE` (another IKM,
 * damaged framing) or `SERVER_REPORT_TOO_LARGE`.
 */
export function decodeReport(
  body: Uint8Array,
  ikm: string | undefined,
  maxBytes = DEFAULT_MAX_REPORT_BYTES,
): Buffer {
  if (body.byteLength > 2 * maxBytes) {
    throw reportError(
      "SERVER_REPORT_TOO_LARGE",
      `encoded report of ${body.byteLength} bytes is over the limit of ${2 * maxBytes}`,
    );
  }
  if (ikm === undefined || ikm === "") {
    throw reportError(
      "SERVER_REPORT_NO_IKM",
      "aes128gcm report, but the device's configuration sets no IKM_HTTP_Encrypt_Content",
    );
  }
  let plaintext: Buffer;
  try {
    // Bounded by the body (at most twice the limit); the limit itself is checked below, so
    // an over-long plaintext is "too large", not "undecodable".
    plaintext = decodeAes128gcm(body, ikm, { maxPlaintextBytes: body.byteLength }).plaintext;
  } catch (e) {
    if (
      !isProvisioError(e) ||
      (e.code !== CryptoErrorCode.Aes128gcmMalformed &&
        e.code !== CryptoErrorCode.Aes128gcmAuthFailed)
    ) {
      throw e;
    }
    throw reportError(
      "SERVER_REPORT_UNDECODABLE",
      e.code === CryptoErrorCode.Aes128gcmAuthFailed
        ? "aes128gcm report does not decode with the device's IKM_HTTP_Encrypt_Content"
        : `aes128gcm report is damaged: ${e.message}`,
    );
  }
  if (plaintext.length > maxBytes) {
    throw reportError(
      "SERVER_REPORT_TOO_LARGE",
      `decoded report of ${plaintext.length} bytes is over the limit of ${maxBytes}`,
    );
  }
  return plaintext;
}

/**
 * Parses a report body. `catalogue` marks secret parameters (passwords), which the store
 * seals. Throws `SERVER_REPORT_MALFORMED`, `SERVER_REPORT_TOO_LARGE` or
 * `SERVER_REPORT_ENCRYPTED`.
 */
export function parseReportBody(
  body: Uint8Array,
  catalogue: Pick<Catalogue, "isSecret">,
  maxBytes = DEFAULT_MAX_REPORT_BYTES,
): ParsedReport {
  if (body.byteLength > maxBytes) {
    throw reportError(
      "SERVER_REPORT_TOO_LARGE",
      `report of ${body.byteLength} bytes is over the limit of ${maxBytes}`,
    );
  }
  const bytes = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (bytes.subarray(0, 8).toString("latin1") === "Salted__") {
    throw reportError("SERVER_REPORT_ENCRYPTED", "encrypted reports are not accepted");
  }
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    throw reportError("SERVER_REPORT_MALFORMED", "compressed reports are not accepted");
  }
  const text = bytes.toString("utf8");
  if (text.includes("\uFFFD") || text.includes("\0")) {
    throw reportError("SERVER_REPORT_MALFORMED", "report is not UTF-8 text");
  }
  const root = rootName(text);
  if (root === "status") return { document: "status", entries: parseStatus(text) };
  if (root !== "flat-profile") {
    throw reportError(
      "SERVER_REPORT_MALFORMED",
      "report is neither a <flat-profile> nor a <status> document",
    );
  }
  let parsed: ReturnType<typeof parseXmlProfile>;
  try {
    parsed = parseXmlProfile(text, { file: "report" });
  } catch (e) {
    if (!isProvisioError(e)) throw e;
    throw reportError(
      "SERVER_REPORT_MALFORMED",
      `report is not a well-formed flat profile: ${e.message}`,
    );
  }
  if (parsed.entries.length > MAX_REPORT_ENTRIES) {
    throw reportError(
      "SERVER_REPORT_TOO_LARGE",
      `report has more than ${MAX_REPORT_ENTRIES} parameters`,
    );
  }
  // A name reported twice: the last one is what the unit holds (as a profile applies).
  const byName = new Map<string, ReportEntry>();
  for (const e of parsed.entries) {
    byName.delete(e.name);
    byName.set(e.name, {
      name: e.name,
      value: e.value ?? null,
      access: e.access ?? null,
      secret: catalogue.isSecret(e.name),
    });
  }
  return { document: "flat-profile", entries: [...byName.values()] };
}
