/**
 * Who the emulated unit is: the facts behind `$MA`, `$PN`, `$PSN`, `$SN`, `$SWVER`,
 * `$HWVER`, `$CCERT` (§5.3), the User-Agent (§8.2.2) and the client certificate (§8.3.3).
 */
import { type MacAddress, tryParseMac } from "../mac_address.ts";
import type { DeviceFamily } from "../profile/index.ts";
import { tryParseVersion } from "../rules/index.ts";
import { deviceError } from "./errors.ts";

export interface ClientCertificate {
  /** PEM, as `provisio pki issue-device` writes it. */
  readonly certificatePem: string;
  readonly privateKeyPem: string;
}

export interface DeviceIdentityInput {
  /** Any accepted spelling (`00:0E:08:01:23:45`, `000e08012345`, …). */
  readonly mac: string;
  /** `$PN`, e.g. `SPA2102`, `CP-8841-3PCC`. */
  readonly productName: string;
  /** `$PSN`, e.g. `2102`; default: the digits of the product name. */
  readonly productSeries?: string;
  readonly serial?: string;
  readonly swVersion?: string;
  readonly hwVersion?: string;
  /** Firmware generation (§0.1); default `spa`. */
  readonly family?: DeviceFamily;
  /** User-Agent vendor (`Cisco`, `Linksys`, `Sipura`); default by family. */
  readonly vendor?: string;
  readonly clientCertificate?: ClientCertificate;
}

export interface DeviceIdentity {
  readonly mac: MacAddress;
  readonly productName: string;
  readonly productSeries: string;
  readonly serial: string;
  readonly swVersion: string;
  readonly hwVersion: string;
  readonly family: DeviceFamily;
  readonly vendor: string;
  readonly clientCertificate: ClientCertificate | undefined;
}

const DEFAULT_VERSION: Readonly<Record<DeviceFamily, string>> = {
  sipura: "1.0.31(b)",
  spa: "2.0.6(b)",
  mpp: "sip88xx.11-3-1MPP-678",
};

export function createIdentity(input: DeviceIdentityInput): DeviceIdentity {
  const mac = tryParseMac(input.mac);
  if (mac === undefined) {
    throw deviceError("DEVICE_IDENTITY_INVALID", `not a MAC address: ${JSON.stringify(input.mac)}`);
  }
  const productName = input.productName.trim();
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/.test(productName)) {
    throw deviceError(
      "DEVICE_IDENTITY_INVALID",
      `product name ${JSON.stringify(input.productName)} is not a model name like SPA2102`,
    );
  }
  const family = input.family ?? "spa";
  const swVersion = input.swVersion ?? DEFAULT_VERSION[family];
  if (tryParseVersion(swVersion) === undefined) {
    throw deviceError(
      "DEVICE_IDENTITY_INVALID",
      `firmware version ${JSON.stringify(swVersion)} is neither SPA (2.0.6(b)) nor MPP (sip88xx.11-3-1MPP-678) style`,
    );
  }
  const series = input.productSeries ?? productName.replace(/^\D+/, "").replace(/\D.*$/, "");
  const cert = input.clientCertificate;
  if (
    cert !== undefined &&
    (!cert.certificatePem.includes("-----BEGIN") || !cert.privateKeyPem.includes("-----BEGIN"))
  ) {
    throw deviceError("DEVICE_IDENTITY_INVALID", "the client certificate and key must be PEM");
  }
  return {
    mac,
    productName,
    productSeries: series,
    serial: input.serial ?? `88012${mac.slice(6).toUpperCase()}`.slice(0, 12),
    swVersion,
    hwVersion: input.hwVersion ?? (family === "mpp" ? "4" : "1.88.1"),
    family,
    vendor: input.vendor ?? (family === "sipura" ? "Sipura" : "Cisco"),
    clientCertificate: cert,
  };
}

/**
 * §8.2.2: SPA `<Vendor>/<PN>-<SWVER> (<SN>)`, optionally with the MAC first
 * (`(<MAU>)(<SN>)`, as SPA50x phones send); MPP `<Vendor>-<PN>/<SWVER> (<MA>)`.
 */
export function userAgent(identity: DeviceIdentity, includeMac = false): string {
  if (identity.family === "mpp") {
    return `${identity.vendor}-${identity.productName}/${identity.swVersion} (${identity.mac})`;
  }
  const ids = includeMac
    ? `(${identity.mac.toUpperCase()})(${identity.serial})`
    : `(${identity.serial})`;
  return `${identity.vendor}/${identity.productName}-${identity.swVersion} ${ids}`;
}
