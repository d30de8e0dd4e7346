/**
 * Chain verification by signatures, for per-tenant client-CA trust.
 *
 * The certificates a client presents are untrusted input: a copy of a CA certificate proves
 * nothing, and neither does a subject name or key identifier that equals a trusted CA's. A
 * chain is trusted when, starting at the leaf, each certificate's signature verifies under
 * the public key of the next one, ending at an anchor (a CA the caller trusts, as parsed from
 * its own configuration); every certificate on the way must be within its validity dates,
 * and everything above the leaf must be a CA.
 */
import { X509Certificate } from "node:crypto";
import { readCaBundle } from "../store/index.ts";

export type ChainVerdict =
  | {
      readonly ok: true;
      readonly anchor: X509Certificate;
      /** When the first certificate on the verified path expires (ms since the epoch). */
      readonly validUntil: number;
    }
  | { readonly ok: false; readonly reason: string };

/**
 * The trusted CAs with duplicates (the same certificate trusted twice, by several tenants or
 * as built-in and by a tenant) left out, in their first order.
 */
export function uniqueCertificates(certs: Iterable<X509Certificate>): X509Certificate[] {
  const seen = new Set<string>();
  const out: X509Certificate[] = [];
  for (const cert of certs) {
    const fingerprint = cert.fingerprint256;
    if (seen.has(fingerprint)) continue;
    seen.add(fingerprint);
    out.push(cert);
  }
  return out;
}

/** Longest chain walked (leaf + intermediates); deeper chains are not trusted. */
const MAX_DEPTH = 8;

/**
 * Parses certificates: a Buffer is one DER certificate (as TLS presents it); a string is a
 * trusted-CA entry, read as the store validates it (`readCaBundle`): every well-formed CA
 * `CERTIFICATE` block, nothing else. An item that does not parse, or a string that also holds
 * anything else (another armor, stray text, a non-CA), is reported through `onBad`.
 */
export function parseCertificates(
  items: readonly (Buffer | string)[],
  onBad?: (index: number, problems: readonly string[]) => void,
): X509Certificate[] {
  const out: X509Certificate[] = [];
  items.forEach((item, index) => {
    if (typeof item === "string") {
      const bundle = readCaBundle(item);
      out.push(...bundle.certificates);
      if (bundle.problems.length > 0) onBad?.(index, bundle.problems);
      return;
    }
    try {
      const cert = new X509Certificate(item);
      if (cert.raw.length === item.length) out.push(cert);
      else onBad?.(index, ["data after the certificate"]);
    } catch {
      onBad?.(index, ["not a readable X.509 certificate"]);
    }
  });
  return out;
}

function dateProblem(cert: X509Certificate, now: number): string | undefined {
  if (now < Date.parse(cert.validFrom)) return "certificate is not yet valid";
  if (now > Date.parse(cert.validTo)) return "certificate has expired";
  return undefined;
}

/** True when `issuer` names, and its key verifies, the signature of `subject`. */
function issued(subject: X509Certificate, issuer: X509Certificate): boolean {
  try {
    return subject.checkIssued(issuer) && subject.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

/**
 * Walks from `chain[0]` (the leaf) up to one of `anchors`, verifying each signature.
 * Intermediates come from `chain[1…]` (any order, each used once); anchors are matched by the
 * key that verifies the signature, never by name alone.
 */
export function verifyChain(
  chain: readonly X509Certificate[],
  anchors: readonly X509Certificate[],
  now: number,
): ChainVerdict {
  const leaf = chain[0];
  if (leaf === undefined) return { ok: false, reason: "no certificate" };
  const leafDates = dateProblem(leaf, now);
  if (leafDates !== undefined) return { ok: false, reason: leafDates };
  const unused = chain.slice(1);
  let current = leaf;
  let validUntil = Date.parse(leaf.validTo);
  let sawExpiredAnchor = false;
  for (let depth = 0; depth < MAX_DEPTH; depth++) {
    for (const anchor of anchors) {
      if (!anchor.ca || !issued(current, anchor)) continue;
      if (dateProblem(anchor, now) !== undefined) {
        sawExpiredAnchor = true;
        continue;
      }
      return { ok: true, anchor, validUntil: Math.min(validUntil, Date.parse(anchor.validTo)) };
    }
    const index = unused.findIndex(
      (c) => c.ca && dateProblem(c, now) === undefined && issued(current, c),
    );
    if (index < 0) break;
    current = unused[index]!;
    validUntil = Math.min(validUntil, Date.parse(current.validTo));
    unused.splice(index, 1);
  }
  return {
    ok: false,
    reason: sawExpiredAnchor
      ? "issuer certificate has expired"
      : "unable to verify the certificate chain to a trusted CA",
  };
}
