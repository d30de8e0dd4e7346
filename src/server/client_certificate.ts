/**
 * The TLS client certificate of an HTTPS request, reduced to what the pipeline decides on.
 *
 * Spec §8.3.3: the device identity is in the **subject** — `OU` = product name, `L` = serial
 * number, `S`/`ST` = MAC (lower-case hex, no separators). Units without an individual
 * certificate present a generic one (`OU=cisco.com, L=ciscogeneric, S=ciscogeneric`); for
 * those the server identifies the unit from the URL or User-Agent, as for plain HTTP.
 *
 * The TLS layer requests a certificate with `rejectUnauthorized: false`, so an untrusted
 * certificate still reaches the pipeline and gets a clear 403 instead of a handshake failure.
 * The handshake proves the client holds the leaf's private key; OpenSSL's chain verdict is
 * kept for logs only. Trust is decided by the pipeline (`client_cert_policy.ts`) from the
 * DER chain carried here, verifying each signature up to a CA the device's tenant trusts —
 * never from issuer names or fingerprints of what the client sent. Extraction runs once per
 * TLS connection (the result is remembered per socket), so keep-alive requests pay nothing,
 * and the subject is parsed once per certificate (remembered by fingerprint).
 */

import type { X509Certificate } from "node:crypto";
import type { TLSSocket } from "node:tls";
import { type CertificateFingerprint, fingerprintOfDer } from "../certificate_fingerprint.ts";
import { parseDeviceCertificateIdentity } from "../crypto/index.ts";
import type { MacAddress } from "../store/index.ts";
import { tryParseMac } from "../store/index.ts";

export interface CertificateIdentity {
  readonly mac: MacAddress | undefined;
  readonly serial: string | undefined;
  readonly product: string | undefined;
  /** A vendor's generic certificate (no per-unit identity). */
  readonly generic: boolean;
}

export interface ClientCertificate {
  readonly fingerprint: CertificateFingerprint;
  /** Subject as `OU=…, L=…, ST=…` (for logs and the device record). */
  readonly subject: string;
  readonly identity: CertificateIdentity;
  /**
   * True when the chain verified to a trusted client CA. From the TLS adapter this is
   * OpenSSL's verdict against the union of all tenants' CAs; the pipeline replaces it with
   * its own signature walk (`client_cert_policy.ts`) before anything relies on it.
   */
  readonly verified: boolean;
  /** Why it did not verify (`certificate has expired`, …). */
  readonly verifyError: string | undefined;
  /**
   * DER certificates as the TLS layer linked them: the leaf first, then the certificates
   * the client sent above it. Untrusted input: only signatures verified
   * against it count.
   */
  readonly chain: readonly Buffer[];
  /**
   * The TLS session was resumed: `chain` is then the leaf alone (a session keeps no more),
   * and the intermediates it was first verified with must be found elsewhere.
   */
  readonly resumed?: boolean;
}

function field(
  subject: Record<string, string | string[] | undefined>,
  key: string,
): string | undefined {
  const value = subject[key];
  const text = Array.isArray(value) ? value[0] : value;
  return text === undefined || text === "" ? undefined : text;
}

/** Identity from the subject fields (§8.3.3). */
export function certificateIdentity(
  subject: Record<string, string | string[] | undefined>,
): CertificateIdentity {
  const product = field(subject, "OU");
  const serial = field(subject, "L");
  const macText = field(subject, "ST") ?? field(subject, "S");
  const generic = /generic$/i.test(serial ?? "") || /generic$/i.test(macText ?? "");
  if (generic) return { mac: undefined, serial: undefined, product, generic: true };
  return {
    mac: macText === undefined ? undefined : tryParseMac(macText),
    serial,
    product,
    generic: false,
  };
}

/** `OU=…\nL=…` (node's X509Certificate#subject) → fields, a repeated field as a list. */
function subjectFields(subject: string): Record<string, string | string[] | undefined> {
  const fields: Record<string, string | string[] | undefined> = {};
  for (const line of subject.split("\n")) {
    const eq = line.indexOf("=");
    if (eq <= 0) continue;
    const key = line.slice(0, eq);
    const value = line.slice(eq + 1);
    const known = fields[key];
    fields[key] =
      known === undefined ? value : [...(Array.isArray(known) ? known : [known]), value];
  }
  return fields;
}

const perSocket = new WeakMap<TLSSocket, ClientCertificate | null>();

interface Described {
  readonly subject: string;
  readonly identity: CertificateIdentity;
}
/** Subject and identity by certificate fingerprint: a device reconnecting is not parsed again. */
const described = new Map<string, Described>();
const MAX_DESCRIBED = 10_000;

/**
 * Identity from the DER with the crypto library's parser (subject `ST`, surname, or a
 * `SEP<mac>` CN), falling back to the subject fields when the DER does not parse.
 */
function describe(fingerprint: string, leaf: X509Certificate): Described {
  let known = described.get(fingerprint);
  if (known !== undefined) return known;
  const fields = subjectFields(leaf.subject);
  let identity: CertificateIdentity;
  try {
    const parsed = parseDeviceCertificateIdentity(leaf.raw);
    identity = parsed.generic
      ? { mac: undefined, serial: undefined, product: parsed.product, generic: true }
      : {
          mac: parsed.mac === undefined ? undefined : tryParseMac(parsed.mac),
          serial: parsed.serial,
          product: parsed.product,
          generic: false,
        };
  } catch {
    identity = certificateIdentity(fields);
  }
  known = {
    subject: Object.entries(fields)
      .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join("+") : v}`)
      .join(", "),
    identity,
  };
  if (described.size >= MAX_DESCRIBED) described.clear();
  described.set(fingerprint, known);
  return known;
}

/**
 * The client certificate of a TLS connection, or null when the client sent none. Read with
 * `getPeerX509Certificate`: the leaf and the certificates the client sent above it, without
 * building node's detailed certificate objects (three digests and every field per certificate),
 * which cost more than everything else done here per connection.
 */
export function clientCertificateOf(socket: TLSSocket): ClientCertificate | null {
  const known = perSocket.get(socket);
  if (known !== undefined) return known;
  const leaf = socket.getPeerX509Certificate();
  let result: ClientCertificate | null = null;
  if (leaf !== undefined) {
    const chain: Buffer[] = [leaf.raw];
    let previous = leaf;
    let node = leaf.issuerCertificate;
    // A self-signed certificate may be linked to itself; stop there.
    while (node !== undefined && chain.length < 9 && !node.raw.equals(previous.raw)) {
      chain.push(node.raw);
      previous = node;
      node = node.issuerCertificate;
    }
    const fingerprint = fingerprintOfDer(leaf.raw);
    const { subject, identity } = describe(fingerprint, leaf);
    const authorizationError = socket.authorizationError as unknown;
    result = {
      fingerprint,
      subject,
      identity,
      verified: socket.authorized,
      verifyError:
        socket.authorized || authorizationError == null
          ? undefined
          : authorizationError instanceof Error
            ? authorizationError.message
            : String(authorizationError),
      chain,
      resumed: socket.isSessionReused(),
    };
  }
  perSocket.set(socket, result);
  return result;
}
