/**
 * Which device is asking — in order of trust (spec §8.2.2): the TLS client certificate, then
 * the MAC in the path, then the User-Agent.
 *
 * A device certificate decides: when the path (or the User-Agent's MAC) names another
 * device, the request is refused (403, a security event) — that is what stops one device's
 * certificate from fetching another device's profile. A generic vendor certificate
 * (`L=ciscogeneric`) carries no identity and falls through to path and User-Agent.
 */

import type { Device, MacAddress } from "../store/index.ts";
import { tryParseMac } from "../store/index.ts";
import type { ClientCertificate } from "./client_certificate.ts";
import type { RouteMatch } from "./path_pattern.ts";
import type { UserAgentIdentity } from "./user_agent.ts";

export type IdentifiedBy = "certificate" | "path" | "user-agent";

export type Identification =
  | { readonly kind: "device"; readonly device: Device; readonly by: IdentifiedBy }
  /** Nothing on record; `mac` is what the request named, for auto-create and the event log. */
  | { readonly kind: "unknown"; readonly mac: MacAddress | undefined }
  | {
      readonly kind: "refused";
      readonly status: number;
      readonly reason: string;
      /** Set for refusals that are security events (fail2ban-friendly log, metric). */
      readonly security: string | undefined;
      readonly mac: MacAddress | undefined;
    };

/** The lookups identification needs (the config cache implements them). */
export interface DeviceDirectory {
  device(mac: MacAddress): Promise<Device | null>;
  /** The record if held in memory (null: known not to exist), else undefined: no await for it. */
  cachedDevice?(mac: MacAddress): Device | null | undefined;
  deviceBySerial(serial: string): Promise<Device | null>;
  deviceByFingerprint(fingerprint: string): Promise<Device | null>;
}

function refuse(
  status: number,
  reason: string,
  security: string | undefined,
  mac: MacAddress | undefined,
): Identification {
  return { kind: "refused", status, reason, security, mac };
}

/**
 * Who is asking. A device named by a MAC whose record is held in memory is identified at
 * once, without a promise (a warm resync); anything else is awaited.
 */
export function identifyDevice(
  directory: DeviceDirectory,
  /** What the request's path says (its route matches, or a MAC a flow read from its own path). */
  matches: readonly Pick<RouteMatch, "facts">[],
  cert: ClientCertificate | undefined,
  ua: UserAgentIdentity | undefined,
): Identification | Promise<Identification> {
  const named = pathNames(matches);
  if (named === undefined || (cert?.verified && !cert.identity.generic)) {
    return identify(directory, named, cert, ua);
  }
  // No device certificate: the MAC in the path, else the User-Agent's, decides when its record
  // is in memory.
  const mac = named.mac ?? (ua?.mac as MacAddress | undefined);
  const device = mac === undefined ? undefined : directory.cachedDevice?.(mac);
  if (mac === undefined || device === undefined) return identify(directory, named, cert, ua);
  if (device === null) return { kind: "unknown", mac };
  return { kind: "device", device, by: named.mac === undefined ? "user-agent" : "path" };
}

/** What a request's path names. */
interface PathNames {
  readonly mac: MacAddress | undefined;
  readonly serial: string | undefined;
}

/** The MAC and serial the path names; undefined when two matching patterns name two MACs. */
function pathNames(matches: readonly Pick<RouteMatch, "facts">[]): PathNames | undefined {
  let mac: MacAddress | undefined;
  let serial: string | undefined;
  for (const { facts } of matches) {
    if (facts.mac !== undefined) {
      if (mac !== undefined && mac !== facts.mac) return undefined;
      mac = facts.mac as MacAddress;
    }
    if (facts.serial !== undefined && serial === undefined) serial = facts.serial;
  }
  // One shape whatever the path names (a spread of optional parts is an object clone per
  // request on the warm path).
  return { mac, serial };
}

async function identify(
  directory: DeviceDirectory,
  named: PathNames | undefined,
  cert: ClientCertificate | undefined,
  ua: UserAgentIdentity | undefined,
): Promise<Identification> {
  // Two matching patterns naming different MACs cannot both be right.
  if (named === undefined) {
    return refuse(400, "the path names two different devices", undefined, undefined);
  }
  const pathMac = named.mac;
  const pathSerial = named.serial;

  // 1. Client certificate with a device identity.
  if (cert?.verified && !cert.identity.generic) {
    const { identity } = cert;
    let device: Device | null = null;
    if (identity.mac !== undefined) device = await directory.device(identity.mac);
    else device = await directory.deviceByFingerprint(cert.fingerprint);
    if (device === null && identity.mac === undefined && identity.serial !== undefined) {
      device = await directory.deviceBySerial(identity.serial);
    }
    const certMac = identity.mac ?? device?.mac;
    // The device the request names (path first, else a MAC the User-Agent certainly carries).
    const namedMac = pathMac ?? (ua?.mac === undefined ? undefined : tryParseMac(ua.mac));
    if (namedMac !== undefined && certMac !== undefined && namedMac !== certMac) {
      return refuse(
        403,
        "the client certificate belongs to another device",
        "certificate-mismatch",
        namedMac,
      );
    }
    const certSerial = identity.serial ?? device?.serial ?? undefined;
    if (pathSerial !== undefined && certSerial !== undefined && pathSerial !== certSerial) {
      return refuse(
        403,
        "the client certificate belongs to another device",
        "certificate-mismatch",
        certMac,
      );
    }
    if (device === null) return { kind: "unknown", mac: identity.mac ?? pathMac };
    if (device.certFingerprint !== null && device.certFingerprint !== cert.fingerprint) {
      return refuse(
        403,
        "the client certificate is not the one registered for this device",
        "certificate-mismatch",
        device.mac,
      );
    }
    if (
      identity.serial !== undefined &&
      device.serial !== null &&
      identity.serial !== device.serial
    ) {
      return refuse(
        403,
        "the client certificate's serial number does not match the device",
        "certificate-mismatch",
        device.mac,
      );
    }
    return { kind: "device", device, by: "certificate" };
  }

  // 2. MAC in the path.
  if (pathMac !== undefined) {
    const device = await directory.device(pathMac);
    return device === null
      ? { kind: "unknown", mac: pathMac }
      : { kind: "device", device, by: "path" };
  }

  // 3. User-Agent (and a serial in the path).
  if (ua?.mac !== undefined) {
    const mac = ua.mac as MacAddress;
    const device = await directory.device(mac);
    return device === null
      ? { kind: "unknown", mac }
      : { kind: "device", device, by: "user-agent" };
  }
  const serial = pathSerial ?? ua?.serial;
  if (serial !== undefined) {
    const device = await directory.deviceBySerial(serial);
    if (device !== null) return { kind: "device", device, by: pathSerial ? "path" : "user-agent" };
  }
  if (ua?.macOrSerial !== undefined) {
    const mac = tryParseMac(ua.macOrSerial);
    if (mac !== undefined) {
      const device = await directory.device(mac);
      if (device !== null) return { kind: "device", device, by: "user-agent" };
    }
    const device = await directory.deviceBySerial(ua.macOrSerial);
    if (device !== null) return { kind: "device", device, by: "user-agent" };
  }
  return { kind: "unknown", mac: undefined };
}
