import { createHash, createPrivateKey, X509Certificate as NodeX509, webcrypto } from "node:crypto";
import { isProvisioError } from "../errors.ts";
import { CryptoErrorCode, cryptoError } from "./errors.ts";
import { x509 } from "./x509_lib.ts";

/**
 * Shared X.509 plumbing for the device CA, device and server certificates. All signing goes
 * through node's WebCrypto passed explicitly to @peculiar/x509 (never its global provider),
 * so the library keeps no global state.
 */

/**
 * `ec-p256` (default): ECDSA P-256 / SHA-256 — key generation in ~1 ms, accepted by node,
 * curl and openssl. `rsa-2048`: RSASSA-PKCS1-v1_5 / SHA-256 — what real SPA units carry
 * (their TLS list in §8.3.2 has only RSA suites), ~50–200 ms per key — and what server
 * certificates default to (`DEFAULT_SERVER_KEY_TYPE`).
 */
export type KeyType = "ec-p256" | "rsa-2048";

export const DEFAULT_KEY_TYPE: KeyType = "ec-p256";

/** A certificate and its PKCS#8 private key, both PEM — what files, databases and TLS take. */
export interface CertificateWithKey {
  readonly certificatePem: string;
  readonly privateKeyPem: string;
}

export interface IssuedCertificate extends CertificateWithKey {
  /** Upper-case colon-separated SHA-256 of the DER, the format of node's `fingerprint256`. */
  readonly fingerprint256: string;
  /** Certificate serial number, lower-case hex. */
  readonly serialNumber: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
}

export interface ValidityOptions {
  /** Clock for notBefore/notAfter (inject a virtual clock in emulators and tests). */
  readonly now?: Date;
  /** Lifetime in days from `now`. */
  readonly validityDays?: number;
}

/** Certificates start a few minutes in the past so a peer with a slow clock accepts them. */
const BACKDATE_MS = 5 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;
type Algorithm = webcrypto.Algorithm;
type EcdsaParams = webcrypto.EcdsaParams;

export const subtle = webcrypto.subtle;
/** The WebCrypto instance handed to every @peculiar/x509 call. */
export const webCrypto: webcrypto.Crypto = webcrypto;

interface KeyAlgorithms {
  readonly generate: webcrypto.RsaHashedKeyGenParams | webcrypto.EcKeyGenParams;
  readonly import: webcrypto.RsaHashedImportParams | webcrypto.EcKeyImportParams;
  readonly sign: Algorithm | EcdsaParams;
}

function algorithmsFor(keyType: KeyType): KeyAlgorithms {
  switch (keyType) {
    case "ec-p256":
      return {
        generate: { name: "ECDSA", namedCurve: "P-256" },
        import: { name: "ECDSA", namedCurve: "P-256" },
        sign: { name: "ECDSA", hash: "SHA-256" } as EcdsaParams,
      };
    case "rsa-2048":
      return {
        generate: {
          name: "RSASSA-PKCS1-v1_5",
          modulusLength: 2048,
          publicExponent: new Uint8Array([1, 0, 1]),
          hash: "SHA-256",
        },
        import: { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" },
        sign: { name: "RSASSA-PKCS1-v1_5" },
      };
    default:
      throw cryptoError(
        CryptoErrorCode.OptionInvalid,
        `key type must be "ec-p256" or "rsa-2048", got ${JSON.stringify(keyType)}`,
      );
  }
}

export async function generateKeyPair(keyType: KeyType): Promise<webcrypto.CryptoKeyPair> {
  const algorithms = algorithmsFor(keyType);
  return (await subtle.generateKey(algorithms.generate, true, ["sign", "verify"])) as CryptoKeyPair;
}

export function signingAlgorithm(keyType: KeyType): Algorithm | EcdsaParams {
  return algorithmsFor(keyType).sign;
}

/** A signing key loaded from PEM, with the key type read from the key itself. */
export interface LoadedPrivateKey {
  readonly keyType: KeyType;
  readonly key: CryptoKey;
}

/** Import a PKCS#8 (or traditional RSA/EC) PEM private key for signing. */
export async function importPrivateKey(pem: string): Promise<LoadedPrivateKey> {
  let keyType: KeyType;
  let pkcs8: Buffer;
  try {
    const keyObject = createPrivateKey(pem);
    const details = keyObject.asymmetricKeyDetails;
    if (keyObject.asymmetricKeyType === "ec" && details?.namedCurve === "prime256v1") {
      keyType = "ec-p256";
    } else if (keyObject.asymmetricKeyType === "rsa" && (details?.modulusLength ?? 0) >= 2048) {
      keyType = "rsa-2048";
    } else {
      throw cryptoError(
        CryptoErrorCode.CertificateInvalid,
        `unsupported key ${keyObject.asymmetricKeyType ?? "?"} ${details?.namedCurve ?? details?.modulusLength ?? ""}`,
      );
    }
    pkcs8 = keyObject.export({ type: "pkcs8", format: "der" });
  } catch (error) {
    throw cryptoError(
      CryptoErrorCode.CertificateInvalid,
      `private key is not a P-256 or RSA ≥ 2048 PEM key: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
  const key = await subtle.importKey("pkcs8", pkcs8, algorithmsFor(keyType).import, false, [
    "sign",
  ]);
  return { keyType, key };
}

export async function exportPrivateKeyPem(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await subtle.exportKey("pkcs8", key));
  return toPem(der, "PRIVATE KEY");
}

export function toPem(der: Uint8Array, label: string): string {
  const base64 = Buffer.from(der).toString("base64");
  const lines = base64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}

/** Accepted certificate inputs: PEM text, DER or PEM bytes, or node's X509Certificate. */
export type CertificateInput = string | Uint8Array | NodeX509;

/** DER of the first certificate in the input. */
export function certificateDer(input: CertificateInput): Buffer {
  if (input instanceof NodeX509) return input.raw;
  if (typeof input === "string") return pemToDer(input);
  if (input instanceof Uint8Array) {
    const bytes = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
    // A DER certificate starts with a SEQUENCE tag (0x30); PEM starts with "-----".
    return bytes[0] === 0x2d ? pemToDer(bytes.toString("latin1")) : bytes;
  }
  throw cryptoError(
    CryptoErrorCode.CertificateInvalid,
    "certificate must be PEM, DER or X509Certificate",
  );
}

function pemToDer(pem: string): Buffer {
  const match = /-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]+)-----END CERTIFICATE-----/.exec(pem);
  if (match === null) {
    throw cryptoError(CryptoErrorCode.CertificateInvalid, "no PEM CERTIFICATE block found");
  }
  return Buffer.from((match[1] ?? "").replace(/\s+/g, ""), "base64");
}

/** Parse with @peculiar/x509, mapping its exceptions to `CRYPTO_CERTIFICATE_INVALID`. */
export function parseCertificate(input: CertificateInput): x509.X509Certificate {
  const der = certificateDer(input);
  try {
    return new x509.X509Certificate(der);
  } catch (error) {
    throw cryptoError(
      CryptoErrorCode.CertificateInvalid,
      `not a valid X.509 certificate: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
}

/** What the identity parser needs, read without a full ASN.1 decode of the certificate. */
export interface CertificateSummary {
  readonly subjectName: x509.Name;
  readonly issuerName: x509.Name;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** Lower-case hex. */
  readonly serialNumber: string;
  readonly fingerprint256: string;
}

/**
 * Node's native parser validates the certificate and gives dates, serial and fingerprint;
 * only the two Name structures go through @peculiar/x509. A full @peculiar/x509 decode
 * costs ~1 ms per certificate, too much on the per-request HTTPS path; this is ~10× less.
 */
export function summarizeCertificate(input: CertificateInput): CertificateSummary {
  const cert = toNodeCertificate(input);
  const der = cert.raw;
  try {
    const { issuer, subject } = tbsNames(der);
    return {
      subjectName: new x509.Name(subject),
      issuerName: new x509.Name(issuer),
      notBefore: new Date(cert.validFrom),
      notAfter: new Date(cert.validTo),
      serialNumber: cert.serialNumber.toLowerCase(),
      fingerprint256: cert.fingerprint256,
    };
  } catch (error) {
    throw cryptoError(
      CryptoErrorCode.CertificateInvalid,
      `certificate names cannot be read: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
}

/** Locate issuer and subject Name DER in TBSCertificate (RFC 5280 §4.1), bounds-checked. */
function tbsNames(der: Buffer): { issuer: Buffer; subject: Buffer } {
  const certificate = derElement(der, 0, 0x30);
  const tbs = derElement(der, certificate.content, 0x30);
  let element = derElement(der, tbs.content);
  if (element.tag === 0xa0) element = derElement(der, element.end); // [0] version
  const signature = derElement(der, element.end, 0x30); // after serialNumber
  const issuer = derElement(der, signature.end, 0x30);
  const validity = derElement(der, issuer.end, 0x30);
  const subject = derElement(der, validity.end, 0x30);
  return {
    issuer: der.subarray(issuer.start, issuer.end),
    subject: der.subarray(subject.start, subject.end),
  };
}

function derElement(
  der: Buffer,
  start: number,
  expectedTag?: number,
): { tag: number; start: number; content: number; end: number } {
  const tag = der[start];
  let length = der[start + 1];
  if (tag === undefined || length === undefined)
    throw cryptoError(CryptoErrorCode.CertificateInvalid, "truncated DER");
  if (expectedTag !== undefined && tag !== expectedTag)
    throw cryptoError(CryptoErrorCode.CertificateInvalid, "unexpected DER tag");
  let content = start + 2;
  if (length & 0x80) {
    const octets = length & 0x7f;
    if (octets === 0 || octets > 4)
      throw cryptoError(CryptoErrorCode.CertificateInvalid, "unsupported DER length");
    length = 0;
    for (let i = 0; i < octets; i++) length = length * 256 + (der[content++] ?? 0);
  }
  const end = content + length;
  if (end > der.length) throw cryptoError(CryptoErrorCode.CertificateInvalid, "truncated DER");
  return { tag, start, content, end };
}

export function fingerprint256(der: Uint8Array): string {
  const hex = createHash("sha256").update(der).digest("hex").toUpperCase();
  return (hex.match(/../g) ?? []).join(":");
}

/** 16 random bytes with the top bit clear: a positive INTEGER, unique per certificate. */
export function randomSerialNumber(): string {
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x01;
  return Buffer.from(bytes).toString("hex");
}

export function validityWindow(
  options: ValidityOptions,
  defaultDays: number,
): { notBefore: Date; notAfter: Date } {
  const days = options.validityDays ?? defaultDays;
  if (!Number.isFinite(days) || days <= 0 || days > 36_500) {
    throw cryptoError(
      CryptoErrorCode.OptionInvalid,
      `validityDays must be in 1..36500, got ${days}`,
    );
  }
  const now = (options.now ?? new Date()).getTime();
  if (!Number.isFinite(now)) {
    throw cryptoError(CryptoErrorCode.OptionInvalid, "now is not a valid date");
  }
  // Whole seconds: X.509 times have no fractions, so the Date returned equals the one encoded.
  const start = Math.floor((now - BACKDATE_MS) / 1000) * 1000;
  return { notBefore: new Date(start), notAfter: new Date(start + BACKDATE_MS + days * DAY_MS) };
}

export async function describeIssued(
  certificate: x509.X509Certificate,
  privateKey: CryptoKey,
): Promise<IssuedCertificate> {
  return {
    certificatePem: certificate.toString("pem").replace(/\r\n/g, "\n").trimEnd() + "\n",
    privateKeyPem: await exportPrivateKeyPem(privateKey),
    fingerprint256: fingerprint256(new Uint8Array(certificate.rawData)),
    serialNumber: certificate.serialNumber.toLowerCase(),
    notBefore: certificate.notBefore,
    notAfter: certificate.notAfter,
  };
}

export interface IssuerCheckOptions {
  /** Also check the validity window at this time (default: not checked). */
  readonly at?: Date;
}

export type IssuerCheck =
  | { readonly ok: true }
  | {
      readonly ok: false;
      readonly reason: "issuer-mismatch" | "bad-signature" | "not-yet-valid" | "expired";
    };

/**
 * Is `certificate` issued and signed by `issuer`? (node's checkIssued + verify). TLS does
 * full chain building; this is for the emulator, the CLI and tests that hold PEM files.
 */
export function checkIssuedBy(
  certificate: CertificateInput,
  issuer: CertificateInput,
  options: IssuerCheckOptions = {},
): IssuerCheck {
  const cert = toNodeCertificate(certificate);
  const ca = toNodeCertificate(issuer);
  if (!cert.checkIssued(ca)) return { ok: false, reason: "issuer-mismatch" };
  if (!cert.verify(ca.publicKey)) return { ok: false, reason: "bad-signature" };
  if (options.at !== undefined) {
    const t = options.at.getTime();
    if (t < new Date(cert.validFrom).getTime()) return { ok: false, reason: "not-yet-valid" };
    if (t > new Date(cert.validTo).getTime()) return { ok: false, reason: "expired" };
  }
  return { ok: true };
}

export function toNodeCertificate(input: CertificateInput): NodeX509 {
  if (input instanceof NodeX509) return input;
  try {
    return new NodeX509(certificateDer(input));
  } catch (error) {
    if (isProvisioError(error)) throw error;
    throw cryptoError(
      CryptoErrorCode.CertificateInvalid,
      `not a valid X.509 certificate: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
}
