import { tryParseMac } from "../mac_address.ts";
import { type CertificateInput, summarizeCertificate } from "./pki.ts";

/**
 * What a device client certificate says about the device (§8.3.3, §10.2 step 2), for the
 * server to match against the device a request claims to be.
 */
export interface DeviceCertificateIdentity {
  /** 12 lower-case hex digits, when the certificate carries one. */
  readonly mac?: string;
  /** Which subject attribute the MAC came from. */
  readonly macField?: "ST" | "surname" | "CN";
  /** Unit serial number (`L`, or the `SN:` part of a `serialNumber` attribute). */
  readonly serial?: string;
  /** Product name (`OU`), e.g. `SPA-962`. */
  readonly product?: string;
  /**
   * The generic certificate of units made before fw 2.0 (`L=ciscogeneric`, §8.3.3): it
   * proves the vendor, not the unit — identify such devices from the URL / User-Agent.
   */
  readonly generic: boolean;
  /** RFC 4514-style strings, for logs and audit. */
  readonly subject: string;
  readonly issuer: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** Upper-case colon-separated SHA-256 of the DER (node's `fingerprint256` format). */
  readonly fingerprint256: string;
  /** Certificate serial number, lower-case hex. */
  readonly certificateSerial: string;
}

const OID = {
  commonName: "2.5.4.3",
  surname: "2.5.4.4",
  serialNumber: "2.5.4.5",
  locality: "2.5.4.7",
  stateOrProvince: "2.5.4.8",
  organizationalUnit: "2.5.4.11",
} as const;

/**
 * Read the device identity from a client certificate (PEM, DER, or the node
 * `X509Certificate` that `tlsSocket.getPeerX509Certificate()` returns).
 *
 * The MAC is looked for, in order, in: `ST` (what the guides document and what Provisio
 * issues); surname (mod_ssl calls surname `S`, so a CA following the guides' "S=" through
 * mod_ssl naming would have used it); the CN when it ends in a MAC or `SEP<mac>` (the
 * Cisco MIC style of CP phones). The first value that is a well-formed MAC wins; a
 * certificate without one yields `mac: undefined`, never an error. Only an unparsable
 * certificate throws (`CRYPTO_CERTIFICATE_INVALID`).
 */
export function parseDeviceCertificateIdentity(input: CertificateInput): DeviceCertificateIdentity {
  const cert = summarizeCertificate(input);
  const name = cert.subjectName;
  const field = (oid: string): string[] => name.getField(oid);

  const product = field(OID.organizationalUnit)[0];
  const locality = field(OID.locality)[0];
  const state = field(OID.stateOrProvince)[0];
  const generic = [locality, state].some((v) => v !== undefined && /^[a-z]*generic$/i.test(v));

  let mac: string | undefined;
  let macField: DeviceCertificateIdentity["macField"];
  if (!generic) {
    const candidates: [NonNullable<DeviceCertificateIdentity["macField"]>, string | undefined][] = [
      ...field(OID.stateOrProvince).map(
        (v) => ["ST", tryParseMac(v)] as ["ST", string | undefined],
      ),
      ...field(OID.surname).map(
        (v) => ["surname", tryParseMac(v)] as ["surname", string | undefined],
      ),
      ...field(OID.commonName).map(
        (v) => ["CN", macFromCommonName(v)] as ["CN", string | undefined],
      ),
    ];
    const found = candidates.find(([, value]) => value !== undefined);
    if (found !== undefined) [macField, mac] = found;
  }

  let serial: string | undefined;
  if (!generic) serial = locality ?? serialFromSerialNumber(field(OID.serialNumber)[0]);

  return {
    ...(mac === undefined ? {} : { mac, macField }),
    ...(serial === undefined || serial === "" ? {} : { serial }),
    ...(product === undefined || generic ? {} : { product }),
    generic,
    subject: name.toString(),
    issuer: cert.issuerName.toString(),
    notBefore: cert.notBefore,
    notAfter: cert.notAfter,
    fingerprint256: cert.fingerprint256,
    certificateSerial: cert.serialNumber,
  };
}

/** `SEP00562B043615`, `CP-8841-3PCC-SEP00562b043615`, or a bare MAC as the whole CN. */
function macFromCommonName(value: string): string | undefined {
  const sep = /(?:^|[^0-9a-z])SEP([0-9a-f]{12})$/i.exec(value.trim());
  if (sep?.[1] !== undefined) return sep[1].toLowerCase();
  return tryParseMac(value);
}

/** `serialNumber` is either the bare serial or the MIC form `PID:CP-8841 SN:FCH1234ABCD`. */
function serialFromSerialNumber(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const sn = /(?:^|\s)SN:(\S+)/.exec(value);
  return sn?.[1] ?? value.trim();
}
