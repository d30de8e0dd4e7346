/**
 * Decoded profiles shared between the units of one process: units that fetch identical bytes
 * (a model-wide file, a fleet's common `Profile_Rule`) decode them once. Decoding is a pure
 * function of what the fingerprint covers, and a decoded profile is never changed, so
 * sharing it is invisible to each unit. A few recent files are kept.
 *
 * Units that fetch per-unit files of one template (a provider's profile with the unit's MAC,
 * serial or account in a few values) get bytes that differ from a file decoded earlier only
 * inside a few parameter values. Such a file is derived from that earlier decoding instead
 * of parsed again, when the difference provably cannot change anything but those values
 * (`derive` says what is checked); anything else is decoded in full. The outcome is the
 * one `decodeProfile` gives (test/device/shared_decodes.test.ts compares them).
 */
import type { ProfileEntry } from "../profile/index.ts";
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
  const plain = plainOptions(options);
  let decoded = plain ? derive(bytes) : undefined;
  if (decoded === undefined) {
    decoded = decodeProfile(bytes, options);
    if (plain) remember(bytes, decoded);
  }
  recent.set(fingerprint, decoded);
  if (recent.size > KEPT) recent.delete(recent.keys().next().value!);
  return decoded;
}

/** Decoding depends on the bytes alone: no key, alias map, container identity or IKM. */
function plainOptions(options: DecodeOptions): boolean {
  return (
    options.key === undefined &&
    options.aliasMap === undefined &&
    options.identity === undefined &&
    options.aes128gcmIkm === undefined
  );
}

/** A plain XML file decoded in full, kept to derive files of the same template from. */
interface Template {
  readonly bytes: Uint8Array;
  readonly outcome: DecodeOutcome & { ok: true };
  /** Offset of each entry's `<` ▸ the entry's index. */
  readonly entryAt: ReadonlyMap<number, number>;
}

/** Templates by byte length (a derived file has the template's length). */
const templates = new Map<number, Template>();
const TEMPLATES_KEPT = 8;
/** A file differing in more bytes than this is decoded in full. */
const MAX_CHANGED_BYTES = 4096;

/**
 * Keeps a successful decoding of a plain XML file as a template: pure ASCII (so byte and
 * character offsets agree and UTF-8 decoding is the identity), no envelope, every entry's
 * position known.
 */
function remember(bytes: Uint8Array, decoded: DecodeOutcome): void {
  if (!decoded.ok) return;
  const outcome = decoded;
  if (outcome.layers.length > 0 || outcome.targeted) return;
  if (outcome.profile.format !== "xml") return;
  for (let i = 0; i < bytes.length; i++) if (bytes[i]! > 0x7e) return;
  const lineStarts = [0];
  for (let i = 0; i < bytes.length; i++) if (bytes[i] === 0x0a) lineStarts.push(i + 1);
  const entryAt = new Map<number, number>();
  const entries = outcome.profile.entries;
  for (let k = 0; k < entries.length; k++) {
    const p = entries[k]!.position;
    if (p === undefined || p.line < 1 || p.line > lineStarts.length) return;
    entryAt.set(lineStarts[p.line - 1]! + p.column - 1, k);
  }
  templates.delete(bytes.length);
  templates.set(bytes.length, { bytes: new Uint8Array(bytes), outcome, entryAt });
  if (templates.size > TEMPLATES_KEPT) templates.delete(templates.keys().next().value!);
}

const LT = 0x3c;
const GT = 0x3e;

/**
 * A byte that may differ inside a value: printable ASCII other than markup (`<`, `>`, `&`,
 * quotes) — no white space, no control character, nothing the parser treats specially.
 */
function plainByte(c: number): boolean {
  return c > 0x20 && c < 0x7f && c !== LT && c !== GT && c !== 0x26 && c !== 0x22 && c !== 0x27;
}

/**
 * `bytes` decoded from the template of its length, or undefined (decode in full). Exact when
 * every byte that differs lies in the text of a parameter element whose decoded value is
 * that text verbatim (no reference, no white space to trim, no line break, ASCII), the
 * element being written `<Name attr="…">text</Name>` with no markup in its attributes, and
 * the differing bytes on both sides are plain (`plainByte`): the parser then sees the same
 * elements, attributes and warnings at the same offsets, and each changed element's value is
 * its new text verbatim — which is what parsing the new file gives.
 */
function derive(bytes: Uint8Array): DecodeOutcome | undefined {
  const t = templates.get(bytes.length);
  if (t === undefined) return undefined;
  const old = t.bytes;
  const n = old.length;
  const entries = t.outcome.profile.entries;
  let replaced: Map<number, ProfileEntry> | undefined;
  let changedBytes = 0;
  let i = 0;
  while (i < n) {
    // Skip equal stretches a chunk at a time (memcmp), then find the first differing byte.
    const end = Math.min(n, i + CHUNK);
    if (Buffer.compare(old.subarray(i, end), bytes.subarray(i, end)) === 0) {
      i = end;
      continue;
    }
    while (old[i] === bytes[i]) i++;
    // The differing byte must sit in the text of one parameter element.
    const s = old.lastIndexOf(GT, i) + 1;
    const e = old.indexOf(LT, i);
    if (s === 0 || s > i || e <= i) return undefined;
    const lt = old.lastIndexOf(LT, s - 1);
    const k = lt === -1 ? undefined : t.entryAt.get(lt);
    if (k === undefined) return undefined;
    const entry = entries[k]!;
    if (!verbatimElement(old, lt, s, e, entry)) return undefined;
    for (let j = i; j < e; j++) {
      if (old[j] === bytes[j]) continue;
      if (!plainByte(old[j]!) || !plainByte(bytes[j]!)) return undefined;
      if (++changedBytes > MAX_CHANGED_BYTES) return undefined;
    }
    replaced ??= new Map();
    replaced.set(k, { ...entry, value: latin1(bytes, s, e) });
    i = e;
  }
  if (replaced === undefined) return t.outcome;
  const next = entries.slice();
  for (const [k, entry] of replaced) next[k] = entry;
  return { ...t.outcome, profile: { ...t.outcome.profile, entries: next } };
}

const CHUNK = 512;

function latin1(bytes: Uint8Array, start: number, end: number): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString("latin1");
}

/**
 * The template's element at `lt` is `<Name attr="…" …>text</Name>`, its `>` at `s - 1` and
 * its close tag at `e`, with attribute values free of `<`, `>`, `&`, and its decoded value
 * is the text verbatim.
 */
function verbatimElement(
  bytes: Uint8Array,
  lt: number,
  s: number,
  e: number,
  entry: ProfileEntry,
): boolean {
  const { name, value } = entry;
  if (value === undefined || value.length !== e - s) return false;
  for (let j = 0; j < value.length; j++) if (value.charCodeAt(j) !== bytes[s + j]) return false;
  const close = `</${name}>`;
  if (e + close.length > bytes.length) return false;
  for (let j = 0; j < close.length; j++) {
    if (bytes[e + j] !== close.charCodeAt(j)) return false;
  }
  return OPEN_TAG.exec(latin1(bytes, lt, s))?.[1] === name;
}

const OPEN_TAG =
  /^<([A-Za-z_][-A-Za-z0-9_.:]*)(?:[ \t\r\n]+[A-Za-z_][-A-Za-z0-9_.:]*="[^"<>&]*")*[ \t\r\n]*>$/;
