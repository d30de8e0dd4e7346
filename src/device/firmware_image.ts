/**
 * Emulated firmware images (§7.6 Provisio design): real images are proprietary, so the
 * emulator reads files with a small header that names the version and the models the
 * image is for, and carries a SHA-256 of the payload. Servers treat them as opaque blobs.
 *
 *   "PRVFW1\n" {"version":"5.2.12","models":["SPA2102"],"bytes":N,"sha256":"…"} "\n" payload
 */
import { createHash } from "node:crypto";
import { tryParseVersion } from "../rules/index.ts";
import { deviceError } from "./errors.ts";

export const FIRMWARE_MAGIC = "PRVFW1\n";
const MAX_HEADER_BYTES = 4096;

export interface FirmwareImage {
  /** The `$SWVER` the unit reports after installing it. */
  readonly version: string;
  /** Product names (`SPA2102`) or series (`2102`) it installs on; `*` for any. */
  readonly models: readonly string[];
  readonly payload: Buffer;
}

export function encodeFirmwareImage(image: FirmwareImage): Buffer {
  if (tryParseVersion(image.version) === undefined) {
    throw deviceError(
      "DEVICE_OPTION_INVALID",
      `firmware version ${JSON.stringify(image.version)} is not a version`,
    );
  }
  const header = JSON.stringify({
    version: image.version,
    models: image.models,
    bytes: image.payload.length,
    sha256: createHash("sha256").update(image.payload).digest("hex"),
  });
  return Buffer.concat([
    Buffer.from(FIRMWARE_MAGIC),
    Buffer.from(header),
    Buffer.from("\n"),
    image.payload,
  ]);
}

export type DecodedFirmware =
  | { readonly ok: true; readonly image: FirmwareImage }
  | { readonly ok: false; readonly detail: string };

function isStringArray(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((x) => typeof x === "string");
}

/** Validates format, length and digest; never throws. */
export function decodeFirmwareImage(bytes: Buffer): DecodedFirmware {
  if (!bytes.subarray(0, FIRMWARE_MAGIC.length).equals(Buffer.from(FIRMWARE_MAGIC))) {
    return { ok: false, detail: "not a firmware image for this unit (bad magic)" };
  }
  const end = bytes.indexOf(10, FIRMWARE_MAGIC.length);
  if (end < 0 || end - FIRMWARE_MAGIC.length > MAX_HEADER_BYTES) {
    return { ok: false, detail: "firmware header is missing or too long" };
  }
  let header: unknown;
  try {
    header = JSON.parse(bytes.subarray(FIRMWARE_MAGIC.length, end).toString("utf8"));
  } catch {
    return { ok: false, detail: "firmware header is not readable" };
  }
  const h = header as { version?: unknown; models?: unknown; bytes?: unknown; sha256?: unknown };
  if (
    typeof h.version !== "string" ||
    tryParseVersion(h.version) === undefined ||
    !isStringArray(h.models) ||
    typeof h.bytes !== "number" ||
    typeof h.sha256 !== "string"
  ) {
    return { ok: false, detail: "firmware header lacks version, models, bytes or sha256" };
  }
  const payload = bytes.subarray(end + 1);
  if (payload.length !== h.bytes) return { ok: false, detail: "firmware image is truncated" };
  if (createHash("sha256").update(payload).digest("hex") !== h.sha256) {
    return { ok: false, detail: "firmware image digest does not match" };
  }
  return {
    ok: true,
    image: { version: h.version, models: h.models, payload: Buffer.from(payload) },
  };
}

/** Whether an image installs on a unit with this product name and series. */
export function imageFits(
  image: FirmwareImage,
  productName: string,
  productSeries: string,
): boolean {
  return image.models.some((m) => m === "*" || m === productName || m === productSeries);
}
