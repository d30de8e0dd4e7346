/**
 * The one certificate-fingerprint type of the project (kernel, like `mac_address.ts`): the
 * SHA-256 of a certificate's DER as 64 lower-case hex digits without separators — the form
 * the store keeps and the server compares. Node writes `AB:CD:…`; admins paste either.
 */
import { createHash } from "node:crypto";
import { ProvisioError } from "./errors.ts";

declare const fingerprintBrand: unique symbol;

/** A SHA-256 certificate fingerprint in canonical form; only the parsers below make one. */
export type CertificateFingerprint = string & { readonly [fingerprintBrand]: true };

const HEX64 = /^[0-9a-f]{64}$/;

/** `AB:CD:…`, `ab cd …`, `abcd…` → canonical; `undefined` when it is not a SHA-256. */
export function tryParseCertificateFingerprint(input: string): CertificateFingerprint | undefined {
  if (input.length > 200) return undefined;
  const hex = input.toLowerCase().replace(/[:\s-]/g, "");
  return HEX64.test(hex) ? (hex as CertificateFingerprint) : undefined;
}

/**
 * Like {@link tryParseCertificateFingerprint}, but throws a 400 `ProvisioError`; `code` names
 * the module asking (`STORE_INVALID_INPUT`, …).
 */
export function parseCertificateFingerprint(
  input: string,
  code = "FINGERPRINT_INVALID",
  details: Readonly<Record<string, unknown>> = {},
): CertificateFingerprint {
  const fingerprint = tryParseCertificateFingerprint(input);
  if (fingerprint === undefined) {
    throw new ProvisioError(code, "certificate fingerprint must be a SHA-256 in hex", {
      status: 400,
      details,
    });
  }
  return fingerprint;
}

/** The fingerprint of a DER-encoded certificate. */
export function fingerprintOfDer(der: Uint8Array): CertificateFingerprint {
  return createHash("sha256").update(der).digest("hex") as CertificateFingerprint;
}
