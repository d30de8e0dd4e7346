import { isIP } from "node:net";
import type { CertificateAuthority } from "./device_ca.ts";
import { authorityKeyIdentifier } from "./device_ca.ts";
import { CryptoErrorCode, cryptoError } from "./errors.ts";
import {
  describeIssued,
  generateKeyPair,
  type IssuedCertificate,
  importPrivateKey,
  type KeyType,
  parseCertificate,
  randomSerialNumber,
  signingAlgorithm,
  type ValidityOptions,
  validityWindow,
  webCrypto,
} from "./pki.ts";
import { x509 } from "./x509_lib.ts";

export interface CreateServerCertificateOptions extends ValidityOptions {
  /**
   * Host names and IP addresses the server is reached by. The first DNS name becomes the
   * CN: SPA firmware matches the CN against the host (§8.3.1); MPP checks the SAN.
   */
  readonly hostnames?: readonly string[];
  /** Add `localhost`, `127.0.0.1` and `::1` (default true: tests and local emulators). */
  readonly includeLoopback?: boolean;
  /** Sign with this CA (e.g. the emulator's test server CA); default self-signed. */
  readonly issuer?: CertificateAuthority;
  /** Default {@link DEFAULT_SERVER_KEY_TYPE}. */
  readonly keyType?: KeyType;
}

/**
 * RSA: the SPA/MPP client offers only RSA key exchange and DHE-RSA suites, so a unit cannot
 * complete a handshake with a server that has only an ECDSA certificate.
 */
export const DEFAULT_SERVER_KEY_TYPE: KeyType = "rsa-2048";

/** A TLS server certificate with SANs for every name given (and loopback). */
export async function createServerCertificate(
  options: CreateServerCertificateOptions = {},
): Promise<IssuedCertificate> {
  const { dnsNames, ipAddresses } = splitNames(options);
  const commonName = dnsNames[0] ?? ipAddresses[0];
  if (commonName === undefined) {
    throw cryptoError(
      CryptoErrorCode.OptionInvalid,
      "a server certificate needs at least one name",
    );
  }
  const keyType = options.keyType ?? DEFAULT_SERVER_KEY_TYPE;
  const keys = await generateKeyPair(keyType);
  const { notBefore, notAfter } = validityWindow(options, 825);
  const subject = new x509.Name([{ "2.5.4.3": [commonName] }]);
  const usage =
    keyType === "rsa-2048"
      ? x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment
      : x509.KeyUsageFlags.digitalSignature;
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(usage, true),
    new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
    new x509.SubjectAlternativeNameExtension([
      ...dnsNames.map((value) => ({ type: "dns" as const, value })),
      ...ipAddresses.map((value) => ({ type: "ip" as const, value })),
    ]),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, webCrypto),
  ];
  let certificate: x509.X509Certificate;
  if (options.issuer === undefined) {
    certificate = await x509.X509CertificateGenerator.create(
      {
        serialNumber: randomSerialNumber(),
        subject,
        issuer: subject,
        notBefore,
        notAfter,
        publicKey: keys.publicKey,
        signingKey: keys.privateKey,
        signingAlgorithm: signingAlgorithm(keyType),
        extensions,
      },
      webCrypto,
    );
  } else {
    const caCert = parseCertificate(options.issuer.certificatePem);
    const signer = await importPrivateKey(options.issuer.privateKeyPem);
    extensions.push(await authorityKeyIdentifier(caCert));
    certificate = await x509.X509CertificateGenerator.create(
      {
        serialNumber: randomSerialNumber(),
        subject,
        issuer: caCert.subjectName,
        notBefore,
        notAfter,
        publicKey: keys.publicKey,
        signingKey: signer.key,
        signingAlgorithm: signingAlgorithm(signer.keyType),
        extensions,
      },
      webCrypto,
    );
  }
  return describeIssued(certificate, keys.privateKey);
}

function splitNames(options: CreateServerCertificateOptions): {
  dnsNames: string[];
  ipAddresses: string[];
} {
  const names = [...(options.hostnames ?? [])];
  if (options.includeLoopback !== false) names.push("localhost", "127.0.0.1", "::1");
  const dnsNames: string[] = [];
  const ipAddresses: string[] = [];
  for (const raw of names) {
    const name = raw.trim().toLowerCase();
    if (isIP(name) !== 0) {
      if (!ipAddresses.includes(name)) ipAddresses.push(name);
    } else if (
      /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(
        name,
      ) &&
      name.length <= 253
    ) {
      if (!dnsNames.includes(name)) dnsNames.push(name);
    } else {
      throw cryptoError(
        CryptoErrorCode.OptionInvalid,
        `not a host name or IP address: ${JSON.stringify(raw)}`,
      );
    }
  }
  return { dnsNames, ipAddresses };
}
