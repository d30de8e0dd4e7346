/**
 * Firmware versions as operators write them in the image registry and in upgrade policies.
 *
 * An image's version is exactly what the unit reports as `$SWVER` once it runs the image, so
 * it must be a full version the device's own rule engine parses (`5.1.6`, `7.4.8a`,
 * `sip88xx.11-3-1MPP-678`): the Upgrade_Rule conditions the server writes compare against it
 * on the device. A policy's target and intermediate versions may also name an MPP release
 * without its build (`11-3-7MPP`, `sip78xx.14-1-1MN`): release notes name releases that way,
 * and such a version is met by any build of that release.
 */
import { compareVersions, type FirmwareVersion, tryParseVersion } from "../rules/index.ts";

export type FirmwareFormat = "spa" | "mpp";

export interface ReleaseVersion {
  readonly format: FirmwareFormat;
  /** The full version, or for an MPP release without build the version with build `0`. */
  readonly version: FirmwareVersion;
  /** False for an MPP release written without its build (any build meets it). */
  readonly hasBuild: boolean;
  readonly text: string;
}

/** `[sipMODEL.]MAJOR-MINOR-MICRO` with a letter in MICRO: an MPP release, no build. */
const MPP_RELEASE = /^(?:([A-Za-z][A-Za-z0-9_]*)\.)?(\d{1,9})-(\d{1,9})-(\d[A-Za-z0-9]*)$/;
const LETTER = /[A-Za-z]/;
const MAX_VERSION_LENGTH = 64;

/** A full version (what `$SWVER` can be), or undefined. */
export function parseImageVersion(text: string): FirmwareVersion | undefined {
  if (text.length === 0 || text.length > MAX_VERSION_LENGTH) return undefined;
  return tryParseVersion(text);
}

/** A full version or an MPP release without build; undefined when neither. */
export function parseReleaseVersion(text: string): ReleaseVersion | undefined {
  if (text.length === 0 || text.length > MAX_VERSION_LENGTH) return undefined;
  const full = tryParseVersion(text);
  if (full !== undefined) return { format: full.format, version: full, hasBuild: true, text };
  const m = MPP_RELEASE.exec(text);
  if (m === null || !LETTER.test(m[4]!)) return undefined;
  const model = m[1];
  return {
    format: "mpp",
    version: {
      format: "mpp",
      model: model === undefined ? undefined : model.replace(/^sip/i, ""),
      major: m[2]!,
      minor: m[3]!,
      micro: m[4]!,
      build: "0",
      text,
    },
    hasBuild: false,
    text,
  };
}

/**
 * Orders a reported (or image) version against a release: below, meets (0) or above. A
 * release without build is met by every build of it. Undefined across formats (an SPA
 * version says nothing about an MPP release).
 */
export function compareToRelease(
  version: FirmwareVersion,
  release: ReleaseVersion,
): -1 | 0 | 1 | undefined {
  if (version.format !== release.format) return undefined;
  if (release.hasBuild || version.format !== "mpp") {
    return compareVersions(version, release.version);
  }
  return compareVersions({ ...version, build: "0" }, release.version);
}

/** Total order of two releases of one format (for sorting a policy's hops). */
export function compareReleases(a: ReleaseVersion, b: ReleaseVersion): -1 | 0 | 1 | undefined {
  if (a.format !== b.format) return undefined;
  if (a.hasBuild && b.hasBuild) return compareVersions(a.version, b.version);
  const strip = (v: FirmwareVersion): FirmwareVersion =>
    v.format === "mpp" ? { ...v, build: "0" } : v;
  return compareVersions(strip(a.version), strip(b.version));
}
