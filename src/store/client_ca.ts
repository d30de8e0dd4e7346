/**
 * Trusted client CAs as tenants write them: PEM text holding one or more `CERTIFICATE`
 * blocks, each an X.509 CA certificate. OpenSSL's trust store also loads other armors
 * (`X509 CERTIFICATE`, `TRUSTED CERTIFICATE`); a check that reads only `CERTIFICATE` blocks
 * would let such a block through unchecked, so nothing but `CERTIFICATE` blocks and
 * whitespace is accepted, and whoever builds trust from stored text uses the certificates
 * read here (re-encoded), never the text itself.
 *
 * What identifies a trusted client CA to a verifier: its subject name (how a chain finds its
 * issuer), its Subject Key Identifier (how OpenSSL prefers to pick among same-named issuers)
 * and its public key (what actually verifies). Two different CAs that share any of the three
 * can be confused for one another when a chain is built (a look-alike); the same certificate
 * in two places cannot.
 */
import { createHash, X509Certificate } from "node:crypto";
import { storeError } from "./errors.ts";

export interface CaIdentity {
  /** Subject name, canonical (case and runs of spaces folded, as OpenSSL compares names). */
  readonly subject: string;
  /** Subject Key Identifier, hex, when the certificate has one. */
  readonly keyId: string | undefined;
  /** SHA-256 of the DER SubjectPublicKeyInfo. */
  readonly publicKey: string;
  /** SHA-256 of the DER certificate, to tell "the same CA again" from "another CA". */
  readonly fingerprint: string;
}

export interface CaBundle {
  /** The CA certificates of well-formed `CERTIFICATE` blocks, in order. */
  readonly certificates: readonly X509Certificate[];
  /** What else the text holds, one sentence each; empty when the text is acceptable. */
  readonly problems: readonly string[];
}

// Armor lines as RFC 7468 writes them; the label is what OpenSSL dispatches on.
const ARMOR = /-----(BEGIN|END) ([^\r\n]{0,64}?)-----/g;
const MAX_PROBLEMS = 8;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function label(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
}

function readBlock(body: string, ordinal: number): X509Certificate | string {
  const base64 = body.replace(/[ \t\r\n]+/g, "");
  if (!BASE64.test(base64) || base64.length % 4 !== 0 || base64.length === 0) {
    return `certificate block ${ordinal} is not plain base64 (no headers or other text inside a block)`;
  }
  const der = Buffer.from(base64, "base64");
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(der);
  } catch {
    return `certificate block ${ordinal} is not a readable X.509 certificate`;
  }
  // d2i stops after the certificate: bytes after it would be carried along unchecked.
  if (cert.raw.length !== der.length) {
    return `certificate block ${ordinal} holds data after the certificate`;
  }
  if (!cert.ca) {
    return `certificate block ${ordinal} (${label(cert.subject.replaceAll("\n", ", "))}) is not a CA certificate (basicConstraints CA:TRUE)`;
  }
  return cert;
}

/**
 * Reads one `trustedClientCas` entry. Lenient: every well-formed CA `CERTIFICATE` block is
 * returned and everything else is reported, so text stored before this check was made
 * strict still yields exactly what would pass it now.
 */
export function readCaBundle(text: string): CaBundle {
  const certificates: X509Certificate[] = [];
  const problems: string[] = [];
  // Hostile text can hold thousands of faults; a few say enough (and keep log lines short).
  const problem = (text: string): void => {
    if (problems.length < MAX_PROBLEMS) problems.push(text);
  };
  let at = 0;
  let ordinal = 0;
  let stray = false;
  let armored = false;
  const between = (from: number, to: number): void => {
    if (!stray && text.slice(from, to).trim() !== "") {
      stray = true;
      problem("holds text outside its certificate blocks (only whitespace may separate them)");
    }
  };
  const armor = new RegExp(ARMOR.source, "g");
  for (let m = armor.exec(text); m !== null; m = armor.exec(text)) {
    armored = true;
    const line = m[0];
    const kind = m[1];
    const name = m[2] ?? "";
    between(at, m.index);
    at = m.index + line.length;
    if (kind === "END") {
      problem(`has an END ${label(name)} line without its BEGIN line`);
      continue;
    }
    // The block runs to the next armor line, which must be its END.
    const end = armor.exec(text);
    if (end === null || end[1] !== "END" || end[2] !== name) {
      problem(`has a BEGIN ${label(name)} line without its END line`);
      if (end === null) {
        at = text.length;
        break;
      }
      at = end.index;
      armor.lastIndex = end.index;
      continue;
    }
    const body = text.slice(at, end.index);
    at = end.index + end[0].length;
    ordinal++;
    if (name !== "CERTIFICATE") {
      problem(`block ${ordinal} is a ${label(name)} block; only "CERTIFICATE" blocks are accepted`);
      continue;
    }
    const read = readBlock(body, ordinal);
    if (typeof read === "string") problem(read);
    else certificates.push(read);
  }
  between(at, text.length);
  if (!armored) problems.unshift("holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
  return { certificates, problems };
}

function invalidCa(message: string): never {
  throw storeError("STORE_INVALID_SETTINGS", `tenant settings: ${message}`, {
    field: "trustedClientCas",
  });
}

/** Reads one entry as written by a user: any problem refuses it (`STORE_INVALID_SETTINGS`). */
export function parseCaBundle(text: string, index = 0): readonly X509Certificate[] {
  const bundle = readCaBundle(text);
  const problem = bundle.problems[0];
  if (problem !== undefined) invalidCa(`trustedClientCas entry ${index + 1} ${problem}`);
  return bundle.certificates;
}

export function caIdentity(cert: X509Certificate): CaIdentity {
  return {
    subject: canonicalName(cert.subject),
    keyId: subjectKeyIdentifier(cert.raw),
    publicKey: createHash("sha256")
      .update(cert.publicKey.export({ type: "spki", format: "der" }))
      .digest("hex"),
    fingerprint: createHash("sha256").update(cert.raw).digest("hex"),
  };
}

/** Every certificate of one entry, strictly (a PEM may hold a bundle). */
export function caIdentities(pem: string): CaIdentity[] {
  return parseCaBundle(pem).map(caIdentity);
}

/** The identities of what the server trusts from stored entries (see `readCaBundle`). */
export function storedCaIdentities(pems: readonly string[]): CaIdentity[] {
  return pems.flatMap((pem) => readCaBundle(pem).certificates.map(caIdentity));
}

/**
 * True when a verifier could take one CA for the other: they share subject name, key
 * identifier or key but are different certificates. The same certificate (same DER) is not a
 * look-alike of itself: each tenant's trust is decided by signature, per tenant.
 */
export function isLookAlike(a: CaIdentity, b: CaIdentity): boolean {
  return a.fingerprint !== b.fingerprint && casCollide(a, b);
}

/** True when the two CAs share subject name, key identifier or key (identical ones do). */
export function casCollide(a: CaIdentity, b: CaIdentity): boolean {
  return (
    a.subject === b.subject ||
    a.publicKey === b.publicKey ||
    (a.keyId !== undefined && a.keyId === b.keyId)
  );
}

function canonicalName(subject: string): string {
  return subject
    .split("\n")
    .map((part) => part.trim().replace(/\s+/g, " ").toLowerCase())
    .join("\n");
}

// ---------------------------------------------------------------------------------------------
// The Subject Key Identifier extension, read from the DER certificate (node:crypto does not
// expose extensions). Certificate → tbsCertificate → [3] extensions → id-ce-subjectKeyIdentifier.

interface Tlv {
  readonly tag: number;
  readonly start: number;
  readonly end: number;
}

function readTlv(der: Uint8Array, offset: number, limit: number): Tlv | undefined {
  if (offset + 2 > limit) return undefined;
  const tag = der[offset]!;
  let length = der[offset + 1]!;
  let start = offset + 2;
  if (length & 0x80) {
    const bytes = length & 0x7f;
    if (bytes === 0 || bytes > 4 || start + bytes > limit) return undefined;
    length = 0;
    for (let i = 0; i < bytes; i++) length = length * 256 + der[start + i]!;
    start += bytes;
  }
  const end = start + length;
  return end > limit ? undefined : { tag, start, end };
}

function children(der: Uint8Array, parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let at = parent.start; at < parent.end; ) {
    const tlv = readTlv(der, at, parent.end);
    if (tlv === undefined) break;
    out.push(tlv);
    at = tlv.end;
  }
  return out;
}

const SKI_OID = "551d0e"; // 2.5.29.14

function subjectKeyIdentifier(raw: Buffer): string | undefined {
  const der = new Uint8Array(raw);
  const certificate = readTlv(der, 0, der.length);
  if (certificate === undefined) return undefined;
  const tbs = children(der, certificate)[0];
  if (tbs === undefined) return undefined;
  const extensions = children(der, tbs).find((t) => t.tag === 0xa3);
  if (extensions === undefined) return undefined;
  const list = children(der, extensions)[0];
  if (list === undefined) return undefined;
  for (const extension of children(der, list)) {
    const [oid, ...rest] = children(der, extension);
    if (oid?.tag !== 0x06 || raw.subarray(oid.start, oid.end).toString("hex") !== SKI_OID) continue;
    const value = rest.find((t) => t.tag === 0x04);
    if (value === undefined) return undefined;
    const inner = readTlv(der, value.start, value.end);
    return inner?.tag === 0x04 ? raw.subarray(inner.start, inner.end).toString("hex") : undefined;
  }
  return undefined;
}
