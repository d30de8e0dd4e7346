import { parseMac } from "../mac_address.ts";
import { CryptoErrorCode, cryptoError } from "./errors.ts";
import {
  type CertificateWithKey,
  DEFAULT_KEY_TYPE,
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

/**
 * The "factory" PKI of emulated devices (§8.3.3 Provisio design): a CA standing in for the
 * vendor client CA, and per-device client certificates carrying the identity the way SPA/MPP
 * units do.
 *
 * Identity placement adopted (§8.3.3, Cisco admin guides: "OU=CP-8841-3PCC, L=88012BA01234,
 * S=000e08abcdef"):
 * - `OU` (2.5.4.11) = product name, e.g. `SPA-962`;
 * - `L`  (2.5.4.7, localityName) = serial number, when known;
 * - `ST` (2.5.4.8, stateOrProvinceName) = MAC, 12 lower-case hex digits, no separators.
 * No CN, no SAN: the guides put the identity in the subject and not in the CN.
 * Generic certificates of pre-2.0 units: `OU=cisco.com, L=ciscogeneric, ST=ciscogeneric`.
 * (Apache mod_ssl exposes stateOrProvinceName as `SSL_CLIENT_S_DN_ST`; its `_S` suffix means
 * surname, which is why the parser also looks at surname — see certificate_identity.ts.)
 */

/** A CA as PEM: serialisable, storable, and what TLS `ca` options take. */
export type CertificateAuthority = CertificateWithKey;

export interface CreateDeviceCaOptions extends ValidityOptions {
  /** Subject CN (default `Provisio Device CA`). */
  readonly commonName?: string;
  /** Subject O (default `Provisio`). */
  readonly organization?: string;
  readonly keyType?: KeyType;
}

/** A self-signed CA for device client certificates (or, with another name, for test servers). */
export async function createDeviceCa(
  options: CreateDeviceCaOptions = {},
): Promise<IssuedCertificate> {
  const keyType = options.keyType ?? DEFAULT_KEY_TYPE;
  const keys = await generateKeyPair(keyType);
  const { notBefore, notAfter } = validityWindow(options, 7300);
  const name = new x509.Name([
    { "2.5.4.10": [options.organization ?? "Provisio"] },
    { "2.5.4.3": [options.commonName ?? "Provisio Device CA"] },
  ]);
  const certificate = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: randomSerialNumber(),
      name,
      notBefore,
      notAfter,
      keys,
      signingAlgorithm: signingAlgorithm(keyType),
      extensions: [
        new x509.BasicConstraintsExtension(true, undefined, true),
        new x509.KeyUsagesExtension(
          x509.KeyUsageFlags.keyCertSign |
            x509.KeyUsageFlags.cRLSign |
            x509.KeyUsageFlags.digitalSignature,
          true,
        ),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, webCrypto),
      ],
    },
    webCrypto,
  );
  return describeIssued(certificate, keys.privateKey);
}

export interface IssueDeviceCertificateOptions extends ValidityOptions {
  /** MAC in any accepted form (`000e08abcdef`, `00:0E:08:AB:CD:EF`, `00-0e-…`). */
  readonly mac?: string;
  /** Serial number, stored in `L` (e.g. `88012BA01234`). */
  readonly serial?: string;
  /** Product name, stored in `OU` (default `SPA-2102`). */
  readonly product?: string;
  /**
   * Issue the generic certificate pre-2.0 units present (§8.3.3) instead of a unique one;
   * `mac`/`serial`/`product` are then ignored. The vendor selects the text (`cisco`).
   */
  readonly generic?: "cisco" | "linksys";
  /** Device key type (default `ec-p256`; `rsa-2048` to look like real SPA units). */
  readonly keyType?: KeyType;
}

/** Issue a device client certificate signed by `ca`. */
export async function issueDeviceCertificate(
  ca: CertificateAuthority,
  options: IssueDeviceCertificateOptions,
): Promise<IssuedCertificate> {
  const subject = deviceSubject(options);
  const caCert = parseCertificate(ca.certificatePem);
  const signer = await importPrivateKey(ca.privateKeyPem);
  const keyType = options.keyType ?? DEFAULT_KEY_TYPE;
  const keys = await generateKeyPair(keyType);
  const { notBefore, notAfter } = validityWindow(options, 3650);
  const usage =
    keyType === "rsa-2048"
      ? x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment
      : x509.KeyUsageFlags.digitalSignature;
  const certificate = await x509.X509CertificateGenerator.create(
    {
      serialNumber: randomSerialNumber(),
      subject,
      issuer: caCert.subjectName,
      notBefore,
      notAfter,
      publicKey: keys.publicKey,
      signingKey: signer.key,
      signingAlgorithm: signingAlgorithm(signer.keyType),
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(usage, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth]),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, webCrypto),
        await authorityKeyIdentifier(caCert),
      ],
    },
    webCrypto,
  );
  return describeIssued(certificate, keys.privateKey);
}

function deviceSubject(options: IssueDeviceCertificateOptions): x509.Name {
  if (options.generic !== undefined) {
    if (options.generic !== "cisco" && options.generic !== "linksys") {
      throw cryptoError(CryptoErrorCode.OptionInvalid, 'generic must be "cisco" or "linksys"');
    }
    const vendor = options.generic;
    return new x509.Name([
      { "2.5.4.11": [`${vendor}.com`] },
      { "2.5.4.7": [`${vendor}generic`] },
      { "2.5.4.8": [`${vendor}generic`] },
    ]);
  }
  if (options.mac === undefined) {
    throw cryptoError(CryptoErrorCode.MacInvalid, "a device certificate needs a MAC (or generic)");
  }
  const mac = parseMac(options.mac, CryptoErrorCode.MacInvalid);
  const product = options.product ?? "SPA-2102";
  const subject: x509.JsonNameParams = [{ "2.5.4.11": [checkField("product", product)] }];
  if (options.serial !== undefined) {
    subject.push({ "2.5.4.7": [checkField("serial", options.serial)] });
  }
  subject.push({ "2.5.4.8": [mac] });
  return new x509.Name(subject);
}

/** Keep subject values printable and short (X.520 upper bounds are 128 characters). */
function checkField(field: string, value: string): string {
  if (!/^[\x20-\x7e]{1,64}$/.test(value)) {
    throw cryptoError(
      CryptoErrorCode.OptionInvalid,
      `${field} must be 1–64 printable ASCII characters`,
    );
  }
  return value;
}

/** AKI = the CA's own SKI when it has one, so chains built by openssl/node line up exactly. */
export async function authorityKeyIdentifier(
  caCert: x509.X509Certificate,
): Promise<x509.AuthorityKeyIdentifierExtension> {
  const ski = caCert.getExtension(x509.SubjectKeyIdentifierExtension);
  if (ski !== null) return new x509.AuthorityKeyIdentifierExtension(ski.keyId);
  return x509.AuthorityKeyIdentifierExtension.create(caCert.publicKey, false, webCrypto);
}
