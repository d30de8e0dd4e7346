/**
 * Decoded profiles shared between the units of one process: units that fetch identical bytes
 * (a model-wide file, a fleet's common `Profile_Rule`) decode them once. Decoding is a pure
 * function of what the fingerprint covers, and a decoded profile is never changed, so
 * sharing it is invisible to each unit. A few recent files are kept.
 */
import type { DecodeOptions, DecodeOutcome } from "./profile_decoder.ts";
import { decodeProfile } from "./profile_decoder.ts";

const KEPT = 16;
const recent = new Map<string, DecodeOutcome>();

export function decodeShared(
  fingerprint: string,
  bytes: Uint8Array,
  options: DecodeOptions,
): DecodeOutcome {
  const hit = recent.get(fingerprint);
  if (hit !== undefined) {
    recent.delete(fingerprint);
    recent.set(fingerprint, hit);
    return hit;
  }
  const decoded = decodeProfile(bytes, options);
  recent.set(fingerprint, decoded);
  if (recent.size > KEPT) recent.delete(recent.keys().next().value!);
  return decoded;
}
