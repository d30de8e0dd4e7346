/**
 * Protocol versions and cipher suites of the HTTPS listener.
 *
 * SPA/MPP units offer, in their order, DHE-RSA-AES256-SHA, AES256-SHA, DHE-RSA-AES128-SHA,
 * AES128-SHA and then RC4 and export suites (never accepted here). So the listener serves an
 * RSA certificate and keeps those four CBC suites on TLS 1.2, after the forward-secret AEAD
 * suites modern clients take. The server's order wins: a client offering both gets ECDHE, and
 * a unit gets DHE before plain RSA key exchange (forward secrecy for its SIP credentials).
 *
 * `legacy_tls` adds TLS 1.0 and 1.1 for old firmware. Node's OpenSSL 3 refuses those versions
 * below security level 0 (their handshake signatures use MD5/SHA-1), so that setting lowers
 * the level for the whole listener; docs/security.md states the risk.
 */
import type { SecureVersion } from "node:tls";

/** The suites SPA/MPP units offer that are still acceptable, in the units' own order. */
export const UNIT_CIPHERS = [
  "DHE-RSA-AES256-SHA",
  "AES256-SHA",
  "DHE-RSA-AES128-SHA",
  "AES128-SHA",
] as const;

const MODERN_CIPHERS = [
  "ECDHE-ECDSA-AES128-GCM-SHA256",
  "ECDHE-RSA-AES128-GCM-SHA256",
  "ECDHE-ECDSA-AES256-GCM-SHA384",
  "ECDHE-RSA-AES256-GCM-SHA384",
  "ECDHE-ECDSA-CHACHA20-POLY1305",
  "ECDHE-RSA-CHACHA20-POLY1305",
  "DHE-RSA-AES128-GCM-SHA256",
  "DHE-RSA-AES256-GCM-SHA384",
  "ECDHE-ECDSA-AES128-SHA",
  "ECDHE-RSA-AES128-SHA",
  "ECDHE-ECDSA-AES256-SHA",
  "ECDHE-RSA-AES256-SHA",
] as const;

export interface TlsParameters {
  readonly minVersion: SecureVersion;
  /** OpenSSL cipher string for TLS ≤ 1.2 (TLS 1.3 keeps Node's suites). */
  readonly ciphers: string;
  readonly honorCipherOrder: true;
  /** Finite-field DH parameters sized to the certificate's key, for the DHE-RSA suites. */
  readonly dhparam: "auto";
}

export function tlsParameters(legacyTls: boolean): TlsParameters {
  const suites = [...MODERN_CIPHERS, ...UNIT_CIPHERS].join(":");
  return {
    minVersion: legacyTls ? "TLSv1" : "TLSv1.2",
    ciphers: legacyTls ? `${suites}:@SECLEVEL=0` : suites,
    honorCipherOrder: true,
    dhparam: "auto",
  };
}
