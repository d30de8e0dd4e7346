/**
 * The device-side decoding pipeline of §3.1: decrypt with the rule's `--key` (OpenSSL
 * format, §3.6), gunzip on the gzip magic (§3.5), then parse XML (§3.2), remapping
 * foreign element paths with an `--alias` map (§4.5.3). Anything else is a corrupt file
 * (the SPC binary of §3.4 is not emulated).
 */
import { type KdfDigest, decodeProfileBytes as unwrapEnvelope } from "../crypto/index.ts";
import { isProvisioError } from "../errors.ts";
import {
  applyAliasMap,
  decodeProfileBytes as bytesToText,
  detectProfileFormat,
  type Profile,
  type ProfileEntry,
  parseAliasMap,
  parseXmlProfile,
} from "../profile/index.ts";

export interface DecodeOptions {
  /** `--key` argument, secrets already expanded. */
  readonly key?: string;
  /** Value of the GPP parameter `--alias` names. */
  readonly aliasMap?: string;
  /** C11 digests to try, in order. */
  readonly digests: readonly KdfDigest[];
}

export type DecodeOutcome =
  | {
      readonly ok: true;
      readonly profile: Profile;
      /** Layers removed, outermost first. */
      readonly layers: readonly string[];
      /** Non-fatal findings (non-ASCII replaced, alias problems, parser warnings). */
      readonly notes: readonly string[];
    }
  | { readonly ok: false; readonly detail: string };

/** §3.2.4: values are ASCII; the emulator replaces other code points. */
function asciiOnly(entry: ProfileEntry): ProfileEntry {
  if (entry.value === undefined || !/[^\x00-\x7f]/.test(entry.value)) return entry;
  return { ...entry, value: entry.value.replace(/[^\x00-\x7f]/gu, "?") };
}

export function decodeProfile(body: Uint8Array, options: DecodeOptions): DecodeOutcome {
  let bytes: Uint8Array;
  let layers: readonly string[];
  try {
    const unwrapped = unwrapEnvelope(body, {
      ...(options.key === undefined ? {} : { key: options.key }),
      digests: options.digests,
    });
    bytes = unwrapped.bytes;
    layers = unwrapped.layers;
  } catch (e) {
    if (!isProvisioError(e)) throw e;
    return { ok: false, detail: e.message };
  }
  if (bytes.length === 0) return { ok: false, detail: "the file is empty" };
  if (detectProfileFormat(bytes) !== "xml") {
    return { ok: false, detail: "not an XML profile (and SPC binaries are not emulated)" };
  }
  const aliases = options.aliasMap === undefined ? undefined : parseAliasMap(options.aliasMap);
  try {
    const parsed = parseXmlProfile(bytesToText(bytes), { collectLeaves: aliases !== undefined });
    const notes = parsed.warnings.map((w) => w.message);
    let entries: readonly ProfileEntry[] = parsed.entries;
    if (aliases !== undefined) {
      notes.push(...aliases.problems);
      entries = [...entries, ...applyAliasMap(parsed.leaves ?? [], aliases.aliases)];
    }
    const ascii = entries.map(asciiOnly);
    return { ok: true, profile: { format: "xml", entries: ascii }, layers, notes };
  } catch (e) {
    if (!isProvisioError(e)) throw e;
    return { ok: false, detail: e.message };
  }
}
