/**
 * What identifies a trusted client CA to a verifier: its subject name (how a chain finds its
 * issuer), its Subject Key Identifier (how OpenSSL prefers to pick among same-named issuers)
 * and its public key (what actually verifies). Two tenants' CAs that share any of the three can
 * be confused for one another when a chain is built, so the store refuses such a pair.
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
  /** SHA-256 of the certificate, to tell "the same CA again" from "another CA". */
  readonly fingerprint: string;
}

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

function invalidCa(message: string): never {
  throw storeError("STORE_INVALID_SETTINGS", `tenant settings: ${message}`, {
    field: "trustedClientCas",
  });
}

/** Every certificate of one `trustedClientCas` entry (a PEM may hold a bundle). */
export function caIdentities(pem: string): CaIdentity[] {
  const blocks = pem.match(PEM_BLOCK) ?? [];
  if (blocks.length === 0) invalidCa("trustedClientCas must hold PEM certificates");
  return blocks.map((block) => {
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(block);
    } catch {
      return invalidCa("a trustedClientCas entry is not a readable X.509 certificate");
    }
    return {
      subject: canonicalName(cert.subject),
      keyId: subjectKeyIdentifier(cert.raw),
      publicKey: createHash("sha256")
        .update(cert.publicKey.export({ type: "spki", format: "der" }))
        .digest("hex"),
      fingerprint: createHash("sha256").update(cert.raw).digest("hex"),
    };
  });
}

/** True when a verifier could take one CA for the other. */
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
