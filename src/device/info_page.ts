/**
 * The Info page's "Product Information" block (§12.1), the way a person or a `--status`
 * report reads it.
 */
import type { Customization } from "./customization.ts";
import type { DeviceIdentity } from "./identity.ts";

export interface ProductInformation {
  readonly productName: string;
  readonly serialNumber: string;
  readonly softwareVersion: string;
  readonly hardwareVersion: string;
  /** `$MAU` style. */
  readonly macAddress: string;
  readonly clientCertificate: "Installed" | "Not Installed";
  readonly customization: Customization;
}

export function productInformation(
  identity: DeviceIdentity,
  customization: Customization,
): ProductInformation {
  return {
    productName: identity.productName,
    serialNumber: identity.serial,
    softwareVersion: identity.swVersion,
    hardwareVersion: identity.hwVersion,
    macAddress: identity.mac.toUpperCase(),
    clientCertificate: identity.clientCertificate === undefined ? "Not Installed" : "Installed",
    customization,
  };
}
