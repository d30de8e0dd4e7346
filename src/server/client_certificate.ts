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
 * TLS connection (the result is remembered per socket), so keep-alive requests pay nothing.
 */

import type { DetailedPeerCertificate, TLSSocket } from "node:tls";
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
   * the client sent (and OpenSSL found) above it. Untrusted input: only signatures verified
   * against it count.
   */
  readonly chain: readonly Buffer[];
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

function describeSubject(subject: Record<string, string | string[] | undefined>): string {
  return Object.entries(subject)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join("+") : v}`)
    .join(", ");
}

const perSocket = new WeakMap<TLSSocket, ClientCertificate | null>();
/** Identities by certificate fingerprint: a device reconnecting is not parsed again. */
const identities = new Map<string, CertificateIdentity>();

/**
 * Identity from the DER with the crypto library's parser (subject `ST`, surname, or a
 * `SEP<mac>` CN), falling back to node's subject fields when the DER does not parse.
 */
function identityOf(
  fingerprint: string,
  raw: Buffer,
  subject: Record<string, string | string[] | undefined>,
): CertificateIdentity {
  let identity = identities.get(fingerprint);
  if (identity !== undefined) return identity;
  try {
    const parsed = parseDeviceCertificateIdentity(raw);
    identity = parsed.generic
      ? { mac: undefined, serial: undefined, product: parsed.product, generic: true }
      : {
          mac: parsed.mac === undefined ? undefined : tryParseMac(parsed.mac),
          serial: parsed.serial,
          product: parsed.product,
          generic: false,
        };
  } catch {
    identity = certificateIdentity(subject);
  }
  if (identities.size >= 10_000) identities.clear();
  identities.set(fingerprint, identity);
  return identity;
}

/** The client certificate of a TLS connection, or null when the client sent none. */
export function clientCertificateOf(socket: TLSSocket): ClientCertificate | null {
  const known = perSocket.get(socket);
  if (known !== undefined) return known;
  const peer = socket.getPeerCertificate(true);
  let result: ClientCertificate | null = null;
  if (peer !== null && typeof peer === "object" && peer.raw !== undefined) {
    const chain: Buffer[] = [peer.raw];
    let node: DetailedPeerCertificate | undefined = peer.issuerCertificate;
    let previous: DetailedPeerCertificate = peer;
    // node links a self-signed root to itself; stop there.
    while (node !== undefined && node !== previous && node.raw !== undefined && chain.length < 9) {
      chain.push(node.raw);
      previous = node;
      node = node.issuerCertificate;
    }
    const subject = (peer.subject ?? {}) as unknown as Record<
      string,
      string | string[] | undefined
    >;
    const authorizationError = socket.authorizationError as unknown;
    const fingerprint = fingerprintOfDer(peer.raw);
    result = {
      fingerprint,
      subject: describeSubject(subject),
      identity: identityOf(fingerprint, peer.raw, subject),
      verified: socket.authorized,
      verifyError:
        socket.authorized || authorizationError == null
          ? undefined
          : authorizationError instanceof Error
            ? authorizationError.message
            : String(authorizationError),
      chain,
    };
  }
  perSocket.set(socket, result);
  return result;
}
