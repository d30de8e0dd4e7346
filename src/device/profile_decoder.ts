/**
 * The device-side decoding pipeline of §3.1: decrypt with the rule's `--key` (OpenSSL
 * format, §3.6), gunzip on the gzip magic (§3.5), then parse XML (§3.2), remapping
 * foreign element paths with an `--alias` map (§4.5.3). An SPC binary (§3.4) is
 * Provisio's own container (Cisco's layout is undocumented): opened with the unit's own
 * identity — its MAC with the installation's targeting secret, its certificate's private
 * key — and the rule's `--key` for explicit-key files; its payload then goes through the
 * same pipeline (gzip, XML or SPC text). An MPP body marked `Content-Encoding: aes128gcm`
 * is decoded with the unit's IKM first, unless the rule has a `--key` (§3.6.6).
 */
import {
  decodeAes128gcm,
  isSpcContainer,
  type KdfDigest,
  openSpcContainer,
  decodeProfileBytes as unwrapEnvelope,
} from "../crypto/index.ts";
import { isProvisioError } from "../errors.ts";
import {
  applyAliasMap,
  decodeProfileBytes as bytesToText,
  detectProfileFormat,
  type Profile,
  type ProfileEntry,
  parseAliasMap,
  parseTextProfile,
  parseXmlProfile,
} from "../profile/index.ts";

/** What a unit knows that opens a file targeted to it. */
export interface TargetIdentity {
  /** The unit's MAC. */
  readonly mac: string;
  /**
   * The installation's targeting secret, as a real unit would carry SPC's product secret
   * in its firmware: every unit of the installation knows it (the weakness of MAC targeting).
   */
  readonly installationSecret?: Uint8Array;
  /** The private key of the unit's own client certificate. */
  readonly privateKeyPem?: string;
}

export interface DecodeOptions {
  /** `--key` argument, secrets already expanded. */
  readonly key?: string;
  /** Value of the GPP parameter `--alias` names. */
  readonly aliasMap?: string;
  /** C11 digests to try, in order. */
  readonly digests: readonly KdfDigest[];
  /** The unit's identity, for Provisio SPC containers targeted to it. */
  readonly identity?: TargetIdentity;
  /** MPP: the body came with `Content-Encoding: aes128gcm`; this is `IKM_HTTP_Encrypt_Content`. */
  readonly aes128gcmIkm?: string;
}

export type DecodeOutcome =
  | {
      readonly ok: true;
      readonly profile: Profile;
      /** Layers removed, outermost first. */
      readonly layers: readonly string[];
      /** Non-fatal findings (non-ASCII replaced, alias problems, parser warnings). */
      readonly notes: readonly string[];
      /** The file was a container targeted to this unit (MAC or certificate). */
      readonly targeted: boolean;
    }
  | { readonly ok: false; readonly detail: string };

/** §3.2.4: values are ASCII; the emulator replaces other code points. */
function asciiOnly(entry: ProfileEntry): ProfileEntry {
  if (entry.value === undefined || !/[^\x00-\x7f]/.test(entry.value)) return entry;
  return { ...entry, value: entry.value.replace(/[^\x00-\x7f]/gu, "?") };
}

/** Container, then the usual envelope; the container's key was its own, so no `--key` after. */
function unwrap(
  body: Uint8Array,
  options: DecodeOptions,
): { bytes: Uint8Array; layers: string[]; targeted: boolean; fromContainer: boolean } {
  const outer: string[] = [];
  let current = body;
  let key = options.key;
  if (options.aes128gcmIkm !== undefined && key === undefined) {
    current = decodeAes128gcm(current, options.aes128gcmIkm).plaintext;
    outer.push("aes128gcm");
  }
  let targeted = false;
  let fromContainer = false;
  if (isSpcContainer(current)) {
    const id = options.identity;
    const opened = openSpcContainer(current, {
      ...(id === undefined ? {} : { mac: id.mac }),
      ...(id?.installationSecret === undefined
        ? {}
        : { installationSecret: id.installationSecret }),
      ...(id?.privateKeyPem === undefined ? {} : { privateKey: id.privateKeyPem }),
      ...(key === undefined ? {} : { key }),
    });
    current = opened.payload;
    targeted = opened.info.modes.targetMac || opened.info.modes.targetCertificate;
    fromContainer = true;
    outer.push("container");
    key = undefined;
  }
  const unwrapped = unwrapEnvelope(current, {
    ...(key === undefined ? {} : { key }),
    digests: options.digests,
  });
  return {
    bytes: unwrapped.bytes,
    layers: [...outer, ...unwrapped.layers],
    targeted,
    fromContainer,
  };
}

export function decodeProfile(body: Uint8Array, options: DecodeOptions): DecodeOutcome {
  let bytes: Uint8Array;
  let layers: readonly string[];
  let targeted: boolean;
  let fromContainer: boolean;
  try {
    ({ bytes, layers, targeted, fromContainer } = unwrap(body, options));
  } catch (e) {
    if (!isProvisioError(e)) throw e;
    return { ok: false, detail: e.message };
  }
  if (bytes.length === 0) return { ok: false, detail: "the file is empty" };
  const format = detectProfileFormat(bytes);
  if (format !== "xml" && !fromContainer) {
    return { ok: false, detail: "not an XML profile (nor a Provisio SPC container)" };
  }
  const aliases = options.aliasMap === undefined ? undefined : parseAliasMap(options.aliasMap);
  try {
    if (format !== "xml") {
      // SPC statements, what a container carries when compiled `--to text` (§3.4).
      const parsed = parseTextProfile(bytesToText(bytes));
      const entries = parsed.entries.map(asciiOnly);
      const notes = parsed.warnings.map((w) => w.message);
      return { ok: true, profile: { format: "text", entries }, layers, notes, targeted };
    }
    const parsed = parseXmlProfile(bytesToText(bytes), { collectLeaves: aliases !== undefined });
    const notes = parsed.warnings.map((w) => w.message);
    let entries: readonly ProfileEntry[] = parsed.entries;
    if (aliases !== undefined) {
      notes.push(...aliases.problems);
      entries = [...entries, ...applyAliasMap(parsed.leaves ?? [], aliases.aliases)];
    }
    const ascii = entries.map(asciiOnly);
    return { ok: true, profile: { format: "xml", entries: ascii }, layers, notes, targeted };
  } catch (e) {
    if (!isProvisioError(e)) throw e;
    return { ok: false, detail: e.message };
  }
}
