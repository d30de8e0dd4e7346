import { parseUserAccess, type UserAccess } from "./access.ts";
import { hasLoneSurrogate, hasNonAscii } from "./ascii.ts";
import {
  ProfileErrorCode,
  type ProfileWarning,
  ProfileWarningCode,
  profileError,
  type SourcePosition,
} from "./errors.ts";
import type { ParsedProfile, Profile, ProfileEntry, SerializedProfile } from "./profile.ts";
import { LineIndex } from "./source_position.ts";

/*
 * XML flat profiles (§3.2). The parser is written by hand rather than on fast-xml-parser:
 * fast-xml-parser reports no source positions for elements, needs a separate validation
 * pass for errors with line/column, and its text handling (trim, entity decoding) is not
 * the device's (§3.2.4), so we would re-walk its output anyway. Measured on a 10,000-
 * parameter, 600 KiB profile (bench/profile_parse.ts, Node 20, CPU time): this parser
 * 9–13 ms; XMLParser with preserveOrder 31–36 ms, plus 8–9 ms for XMLValidator.
 *
 * Decisions the spec leaves open, taken here:
 * - Literal text is trimmed and its line breaks (CRLF, CR or LF) become one space each;
 *   text written as character references (`&#10;`, `&#32;`) is kept verbatim, as in any
 *   XML processor. That lets the serializer round-trip every value exactly.
 * - CDATA is literal text (trimmed, line breaks → spaces, no entity decoding).
 * - A document without `<flat-profile>` parses to no entries plus a warning: with
 *   `--alias` (§4.5.3) such documents are legitimate, and a device applies nothing.
 * - DOCTYPE is refused (entity expansion is an attack surface, and profiles never need it).
 * - A child of `<flat-profile>` that has element children is a container, not a
 *   parameter; `<flat-profile>` elements inside it are still processed.
 * - Non-ASCII is accepted (with a non-ASCII warning). Control characters XML 1.0 does not
 *   allow (see `isForbiddenControl`) are errors in a value, raw or as references, and so
 *   are `&#0;` and references to surrogates: the serializer refuses to write them.
 */

/** A leaf element outside `<flat-profile>`, with its path, for `--alias` maps (§4.5.3). */
export interface XmlLeaf {
  /** `/CPE/SIP-Credentials/name` */
  readonly path: string;
  readonly value: string;
  readonly position: SourcePosition;
}

export interface XmlParseOptions {
  /** Also collect leaf elements that are not parameters (for `--alias`). */
  readonly collectLeaves?: boolean;
  /** Name of the document: shown in positions and in `details.file` of errors. */
  readonly file?: string;
}

export interface ParsedXmlProfile extends ParsedProfile {
  readonly format: "xml";
  /** Present when `collectLeaves` was asked for. */
  readonly leaves?: readonly XmlLeaf[];
}

type FrameKind = "flat" | "param" | "other";

interface Frame {
  readonly name: string;
  readonly start: number;
  readonly kind: FrameKind;
  /** Text pieces; `literal` pieces get trimmed and their line breaks turned into spaces. */
  parts: { text: string; literal: boolean }[] | undefined;
  hasChildElements: boolean;
  readonly attributes: readonly XmlAttribute[];
  /** `/a/b/c`, kept only when leaves are collected. */
  readonly path: string | undefined;
}

interface XmlAttribute {
  readonly name: string;
  readonly value: string;
  readonly quoted: boolean;
  readonly offset: number;
}

const FLAT_PROFILE = "flat-profile";

type MalformedReason =
  | "no-root"
  | "text-outside-root"
  | "second-root"
  | "unclosed-element"
  | "mismatched-tag"
  | "unexpected-close"
  | "bad-name"
  | "bad-attribute"
  | "duplicate-attribute"
  | "bad-entity"
  | "control-character"
  | "unclosed-comment"
  | "unclosed-cdata"
  | "unclosed-pi"
  | "doctype"
  | "unclosed-tag";

function isNameStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 58 || c >= 0xc0;
}

function isNameChar(c: number): boolean {
  return isNameStart(c) || (c >= 48 && c <= 57) || c === 45 || c === 46 || c === 0xb7;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}

/** An XML Name as this codec reads it (ASCII rules exact; non-ASCII approximated). */
export function isXmlName(name: string): boolean {
  if (name.length === 0 || !isNameStart(name.charCodeAt(0))) return false;
  for (let i = 1; i < name.length; i++) if (!isNameChar(name.charCodeAt(i))) return false;
  return true;
}

const LINE_BREAKS = /\r\n|\r|\n/g;

/**
 * Trims XML white space only (space, tab, CR, LF). `String.prototype.trim` would also eat
 * U+00A0, U+3000 and friends, which are data.
 */
function xmlTrim(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && isSpace(text.charCodeAt(start))) start++;
  while (end > start && isSpace(text.charCodeAt(end - 1))) end--;
  return start === 0 && end === text.length ? text : text.slice(start, end);
}

function finishValue(parts: readonly { text: string; literal: boolean }[]): string {
  if (parts.length === 1 && parts[0]!.literal) {
    return xmlTrim(parts[0]!.text).replace(LINE_BREAKS, " ");
  }
  let first = 0;
  let last = parts.length - 1;
  const texts = parts.map((p) => p.text);
  // Trim literal white space at both ends; references stop the trimming.
  while (first <= last && parts[first]!.literal) {
    const trimmed = texts[first]!.replace(/^[ \t\r\n]+/, "");
    texts[first] = trimmed;
    if (trimmed.length > 0) break;
    first++;
  }
  while (last >= first && parts[last]!.literal) {
    const trimmed = texts[last]!.replace(/[ \t\r\n]+$/, "");
    texts[last] = trimmed;
    if (trimmed.length > 0) break;
    last--;
  }
  let value = "";
  for (let i = first; i <= last; i++) {
    value += parts[i]!.literal ? texts[i]!.replace(LINE_BREAKS, " ") : texts[i]!;
  }
  return value;
}

/**
 * Code points a profile may not carry, written or referenced: the C0 controls XML 1.0
 * forbids (all but tab, LF, CR), the non-characters U+FFFE/U+FFFF it also forbids, and
 * DEL (U+007F), which it discourages and which is a control character inside the ASCII
 * range devices read. C1 controls are non-ASCII and already get the non-ASCII warning.
 */
export function isForbiddenControl(code: number): boolean {
  return (
    (code < 0x20 && code !== 9 && code !== 10 && code !== 13) ||
    code === 0x7f ||
    code === 0xfffe ||
    code === 0xffff
  );
}

const FORBIDDEN_CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\ufffe\uffff]/;

/** The first forbidden control character of `value` (see `isForbiddenControl`), if any. */
export function forbiddenControlIn(value: string): number | undefined {
  const match = FORBIDDEN_CONTROL.exec(value);
  return match === null ? undefined : match.index;
}

const NAMED_ENTITIES: Readonly<Record<string, string>> = {
  amp: "&",
  lt: "<",
  gt: ">",
  apos: "'",
  quot: '"',
};

class XmlParser {
  private readonly lines: LineIndex;
  private pos = 0;
  private readonly stack: Frame[] = [];
  private readonly entries: ProfileEntry[] = [];
  private readonly warnings: ProfileWarning[] = [];
  private readonly leaves: XmlLeaf[] | undefined;
  private readonly seenNames = new Set<string>();
  private readonly reportedDuplicates = new Set<string>();
  private rootSeen = false;
  private rootClosed = false;
  private flatProfiles = 0;
  private readonly file: string | undefined;

  constructor(
    private readonly text: string,
    options: XmlParseOptions,
  ) {
    this.file = options.file;
    this.lines = new LineIndex(text, options.file);
    this.leaves = options.collectLeaves ? [] : undefined;
  }

  parse(): ParsedXmlProfile {
    const { text } = this;
    if (text.charCodeAt(0) === 0xfeff) this.pos = 1;
    while (this.pos < text.length) {
      const lt = text.indexOf("<", this.pos);
      const end = lt === -1 ? text.length : lt;
      if (end > this.pos) this.handleText(this.pos, end);
      if (lt === -1) break;
      this.pos = lt;
      this.handleMarkup();
    }
    const open = this.stack[this.stack.length - 1];
    if (open) {
      this.fail("unclosed-element", `<${open.name}> is never closed`, open.start);
    }
    if (!this.rootSeen) this.fail("no-root", "the document has no root element", this.pos);
    if (this.flatProfiles === 0) {
      this.warnings.push({
        code: ProfileWarningCode.NoFlatProfile,
        message: "no <flat-profile> element: the document sets no parameters",
      });
    }
    const result: ParsedXmlProfile = {
      format: "xml",
      entries: this.entries,
      warnings: this.warnings,
    };
    return this.leaves ? { ...result, leaves: this.leaves } : result;
  }

  /** Next-occurrence caches: searches only move forward, so each stays O(n) per parse. */
  private readonly nextAt: Record<"&" | "<", number> = { "&": -2, "<": -2 };

  private nextIndexOf(char: "&" | "<", from: number): number {
    const cached = this.nextAt[char];
    if (cached === -1 || cached >= from) return cached;
    const found = this.text.indexOf(char, from);
    this.nextAt[char] = found;
    return found;
  }

  private fail(reason: MalformedReason, message: string, offset: number): never {
    const position = this.lines.positionOf(offset);
    throw profileError(ProfileErrorCode.XmlMalformed, `malformed XML profile: ${message}`, {
      line: position.line,
      column: position.column,
      details: this.file === undefined ? { reason } : { reason, file: this.file },
    });
  }

  private handleText(start: number, end: number): void {
    const top = this.stack[this.stack.length - 1];
    if (!top) {
      for (let i = start; i < end; i++) {
        if (!isSpace(this.text.charCodeAt(i))) {
          this.fail(
            "text-outside-root",
            this.rootClosed ? "text after the root element" : "text before the root element",
            i,
          );
        }
      }
      return;
    }
    const parts = top.parts;
    const amp = this.nextIndexOf("&", start);
    if (amp === -1 || amp >= end) {
      parts?.push({ text: this.text.slice(start, end), literal: true });
      return;
    }
    // Entities are checked even where the text is ignored: the document must be well-formed.
    this.decodeText(start, end, parts);
  }

  private decodeText(start: number, end: number, parts: Frame["parts"]): void {
    const { text } = this;
    let at = start;
    while (at < end) {
      const amp = this.nextIndexOf("&", at);
      if (amp === -1 || amp >= end) {
        parts?.push({ text: text.slice(at, end), literal: true });
        return;
      }
      if (amp > at) parts?.push({ text: text.slice(at, amp), literal: true });
      const [decoded, next] = this.readReference(amp, end);
      parts?.push({ text: decoded, literal: false });
      at = next;
    }
  }

  /** Reads `&…;` at `amp`; returns the text and the offset after `;`. */
  private readReference(amp: number, end: number): [string, number] {
    const { text } = this;
    const semi = text.indexOf(";", amp + 1);
    if (semi === -1 || semi >= end || semi - amp > 12) {
      this.fail("bad-entity", 'a bare "&" must be written &amp;', amp);
    }
    const body = text.slice(amp + 1, semi);
    const named = NAMED_ENTITIES[body];
    if (named !== undefined && Object.hasOwn(NAMED_ENTITIES, body)) return [named, semi + 1];
    let code: number | undefined;
    if (/^#[0-9]+$/.test(body)) code = Number(body.slice(1));
    else if (/^#x[0-9a-fA-F]+$/.test(body)) code = Number.parseInt(body.slice(2), 16);
    if (code === undefined) {
      this.fail(
        "bad-entity",
        `unknown entity &${body}; (only &amp; &lt; &gt; &apos; &quot; and numeric references)`,
        amp,
      );
    }
    if (code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) {
      this.fail("bad-entity", `&${body}; is not a valid character`, amp);
    }
    if (isForbiddenControl(code)) {
      this.fail(
        "bad-entity",
        `&${body}; is a control character, which XML 1.0 does not allow in a document`,
        amp,
      );
    }
    return [String.fromCodePoint(code), semi + 1];
  }

  private handleMarkup(): void {
    const { text } = this;
    const lt = this.pos;
    const next = text.charCodeAt(lt + 1);
    if (next === 33 /* ! */) {
      if (text.startsWith("<!--", lt)) {
        const close = text.indexOf("-->", lt + 4);
        if (close === -1) this.fail("unclosed-comment", "comment is never closed (-->)", lt);
        this.pos = close + 3;
        return;
      }
      if (text.startsWith("<![CDATA[", lt)) {
        const close = text.indexOf("]]>", lt + 9);
        if (close === -1) this.fail("unclosed-cdata", "CDATA section is never closed (]]>)", lt);
        const top = this.stack[this.stack.length - 1];
        if (!top) this.fail("text-outside-root", "CDATA outside the root element", lt);
        top.parts?.push({ text: text.slice(lt + 9, close), literal: true });
        this.pos = close + 3;
        return;
      }
      if (text.startsWith("<!DOCTYPE", lt)) {
        this.fail("doctype", "DOCTYPE declarations are not accepted in profiles", lt);
      }
      this.fail("bad-name", 'unexpected "<!"', lt);
    }
    if (next === 63 /* ? */) {
      const close = text.indexOf("?>", lt + 2);
      if (close === -1) this.fail("unclosed-pi", "processing instruction is never closed (?>)", lt);
      this.pos = close + 2;
      return;
    }
    if (next === 47 /* / */) {
      this.handleCloseTag(lt);
      return;
    }
    this.handleOpenTag(lt);
  }

  /** Offset just after the name `readName` last returned (saves a tuple per name). */
  private nameEnd = 0;

  private readName(at: number, what: string): string {
    const { text } = this;
    if (at >= text.length || !isNameStart(text.charCodeAt(at))) {
      const shown = at >= text.length ? "end of input" : JSON.stringify(text[at]);
      this.fail("bad-name", `expected ${what}, found ${shown}`, at);
    }
    let end = at + 1;
    while (end < text.length && isNameChar(text.charCodeAt(end))) end++;
    this.nameEnd = end;
    return text.slice(at, end);
  }

  private skipSpace(at: number): number {
    const { text } = this;
    while (at < text.length && isSpace(text.charCodeAt(at))) at++;
    return at;
  }

  private handleCloseTag(lt: number): void {
    const name = this.readName(lt + 2, "an element name after </");
    const afterName = this.nameEnd;
    const gt = this.skipSpace(afterName);
    if (this.text.charCodeAt(gt) !== 62 /* > */) {
      this.fail("unclosed-tag", `expected ">" to end </${name}`, gt);
    }
    const top = this.stack.pop();
    if (!top) this.fail("unexpected-close", `</${name}> closes nothing`, lt);
    if (top.name !== name) {
      const opened = this.lines.positionOf(top.start);
      this.fail(
        "mismatched-tag",
        `</${name}> does not match <${top.name}> opened at ${opened.line}:${opened.column}`,
        lt,
      );
    }
    this.pos = gt + 1;
    this.closeFrame(top, false);
  }

  private handleOpenTag(lt: number): void {
    const { text } = this;
    const name = this.readName(lt + 1, 'an element name after "<"');
    const afterName = this.nameEnd;
    const attributes: XmlAttribute[] = [];
    let at = afterName;
    let selfClosing = false;
    for (;;) {
      const spaced = at;
      at = this.skipSpace(at);
      if (at >= text.length) this.fail("unclosed-tag", `<${name} is never closed with ">"`, lt);
      const c = text.charCodeAt(at);
      if (c === 62 /* > */) {
        at++;
        break;
      }
      if (c === 47 /* / */) {
        if (text.charCodeAt(at + 1) !== 62) this.fail("unclosed-tag", 'expected "/>"', at);
        at += 2;
        selfClosing = true;
        break;
      }
      if (at === spaced)
        this.fail("bad-attribute", "attributes must be separated by white space", at);
      at = this.readAttribute(at, attributes);
    }
    this.pos = at;

    const parent = this.stack[this.stack.length - 1];
    if (!parent) {
      if (this.rootClosed) this.fail("second-root", `a second root element <${name}>`, lt);
      this.rootSeen = true;
    } else {
      parent.hasChildElements = true;
      if (parent.kind !== "flat" && parent.parts !== undefined && parent.kind !== "param") {
        parent.parts = undefined; // not a leaf any more
      }
    }
    let kind: FrameKind;
    if (name === FLAT_PROFILE) {
      kind = "flat";
      this.flatProfiles++;
    } else {
      kind = parent?.kind === "flat" ? "param" : "other";
    }
    const frame: Frame = {
      name,
      start: lt,
      kind,
      parts: kind === "param" || (kind === "other" && this.leaves) ? [] : undefined,
      hasChildElements: false,
      attributes,
      path: this.leaves ? `${parent?.path ?? ""}/${name}` : undefined,
    };
    if (selfClosing) {
      this.closeFrame(frame, true);
    } else {
      this.stack.push(frame);
    }
  }

  /** Linear for the usual one or two attributes; a Set only for tags with many (no O(n²)). */
  private hasAttribute(attributes: readonly XmlAttribute[], name: string): boolean {
    if (attributes.length < 16) return attributes.some((a) => a.name === name);
    if (this.attributeNames?.owner !== attributes) {
      this.attributeNames = { owner: attributes, names: new Set(attributes.map((a) => a.name)) };
    }
    const found = this.attributeNames.names.has(name);
    this.attributeNames.names.add(name);
    return found;
  }

  private attributeNames: { owner: readonly XmlAttribute[]; names: Set<string> } | undefined;

  private readAttribute(at: number, attributes: XmlAttribute[]): number {
    const { text } = this;
    const name = this.readName(at, "an attribute name");
    const afterName = this.nameEnd;
    let cursor = this.skipSpace(afterName);
    if (text.charCodeAt(cursor) !== 61 /* = */) {
      this.fail("bad-attribute", `attribute ${name} has no value (write ${name}="…")`, cursor);
    }
    cursor = this.skipSpace(cursor + 1);
    if (attributes.length > 0 && this.hasAttribute(attributes, name)) {
      this.fail("duplicate-attribute", `attribute ${name} appears twice`, at);
    }
    const quote = text.charCodeAt(cursor);
    if (quote === 34 || quote === 39) {
      const close = text.indexOf(quote === 34 ? '"' : "'", cursor + 1);
      if (close === -1)
        this.fail("bad-attribute", `value of attribute ${name} is never closed`, cursor);
      const lt = this.nextIndexOf("<", cursor + 1);
      if (lt !== -1 && lt < close)
        this.fail("bad-attribute", `"<" inside the value of attribute ${name}`, lt);
      const amp = this.nextIndexOf("&", cursor + 1);
      let value: string;
      if (amp === -1 || amp >= close) value = text.slice(cursor + 1, close);
      else {
        const parts: { text: string; literal: boolean }[] = [];
        this.decodeText(cursor + 1, close, parts);
        value = parts.map((p) => p.text).join("");
      }
      attributes.push({ name, value, quoted: true, offset: at });
      return close + 1;
    }
    // Lenient: `ua=na` (some renderings print it; §3.2.3 asks the emulator to accept it).
    let end = cursor;
    while (end < text.length) {
      const c = text.charCodeAt(end);
      if (isSpace(c) || c === 62 || c === 60 || c === 34 || c === 39) break;
      if (c === 47 && text.charCodeAt(end + 1) === 62) break;
      end++;
    }
    if (end === cursor) this.fail("bad-attribute", `attribute ${name} has no value`, cursor);
    const parts: { text: string; literal: boolean }[] = [];
    this.decodeText(cursor, end, parts);
    attributes.push({ name, value: parts.map((p) => p.text).join(""), quoted: false, offset: at });
    return end;
  }

  private closeFrame(frame: Frame, selfClosing: boolean): void {
    if (this.stack.length === 0) this.rootClosed = true;
    if (frame.kind === "param") {
      if (frame.hasChildElements) {
        this.warnings.push({
          code: ProfileWarningCode.NestedParameter,
          message: `<${frame.name}> inside <flat-profile> has child elements; it is not a parameter`,
          name: frame.name,
          position: this.lines.positionOf(frame.start),
        });
        return;
      }
      this.addEntry(frame, selfClosing);
    } else if (frame.kind === "other" && this.leaves && !frame.hasChildElements && frame.parts) {
      const path = frame.path ?? `/${frame.name}`;
      this.leaves.push({
        path,
        value: finishValue(frame.parts),
        position: this.lines.positionOf(frame.start),
      });
    }
  }

  private addEntry(frame: Frame, selfClosing: boolean): void {
    const position = this.lines.nextPositionOf(frame.start);
    const { name } = frame;
    let access: UserAccess | undefined;
    let invalidAccess: string | undefined;
    let preserveValue = false;
    for (const attribute of frame.attributes) {
      if (attribute.name === "ua") {
        if (!attribute.quoted) {
          this.warnings.push({
            code: ProfileWarningCode.UnquotedAttribute,
            message: `ua=${attribute.value} on <${name}> should be quoted: ua="${attribute.value}"`,
            name,
            position,
          });
        }
        access = parseUserAccess(xmlTrim(attribute.value));
        if (access === undefined) {
          invalidAccess = attribute.value;
          this.warnings.push({
            code: ProfileWarningCode.AccessIgnored,
            message: `ua=${JSON.stringify(attribute.value)} on <${name}> is not na, ro or rw; the device ignores it`,
            name,
            position,
          });
        }
      } else if (attribute.name === "preserve-value") {
        if (attribute.value === "y" || attribute.value === "Y") preserveValue = true;
        else {
          this.warnings.push({
            code: ProfileWarningCode.PreserveValueIgnored,
            message: `preserve-value=${JSON.stringify(attribute.value)} on <${name}> is not "y"; ignored`,
            name,
            position,
          });
        }
      }
    }
    // `<X/>` and `<X group="…"/>` (annotations only, as device exports write every empty
    // parameter) set empty; only `ua` or `preserve-value="y"` make `<X …/>` keep the value.
    const keepsValue = access !== undefined || invalidAccess !== undefined || preserveValue;
    const value = selfClosing ? (keepsValue ? undefined : "") : finishValue(frame.parts ?? []);
    const entry: {
      name: string;
      value: string | undefined;
      access: UserAccess | undefined;
      preserveValue?: boolean;
      invalidAccess?: string;
      position: SourcePosition;
    } = { name, value, access, position };
    if (value !== undefined) {
      const control = forbiddenControlIn(value);
      if (control !== undefined) {
        const code = value.charCodeAt(control).toString(16).toUpperCase().padStart(4, "0");
        this.fail(
          "control-character",
          `<${name}> contains the control character U+${code}, which XML 1.0 does not allow`,
          frame.start,
        );
      }
    }
    if (preserveValue) entry.preserveValue = true;
    if (invalidAccess !== undefined) entry.invalidAccess = invalidAccess;
    this.entries.push(entry);
    if (hasNonAscii(name) || (value !== undefined && hasNonAscii(value))) {
      this.warnings.push({
        code: ProfileWarningCode.NonAscii,
        message: `<${name}> has non-ASCII characters; SPA devices accept only ASCII`,
        name,
        position,
      });
    }
    if (this.seenNames.has(name)) {
      if (!this.reportedDuplicates.has(name)) {
        this.reportedDuplicates.add(name);
        this.warnings.push({
          code: ProfileWarningCode.DuplicateName,
          message: `<${name}> appears more than once; the last occurrence wins`,
          name,
          position,
        });
      }
    } else {
      this.seenNames.add(name);
    }
  }
}

/**
 * Parses an XML flat profile (§3.2). Every child element of every `<flat-profile>` (at
 * any depth, in document order) becomes an entry; nothing is merged or dropped. Throws
 * `ProvisioError` `PROFILE_XML_MALFORMED` with line and column on malformed input.
 */
export function parseXmlProfile(text: string, options: XmlParseOptions = {}): ParsedXmlProfile {
  return new XmlParser(text, options).parse();
}

export interface XmlSerializeOptions {
  /** Emit `<?xml version="1.0" encoding="UTF-8"?>` first. Default false. */
  readonly declaration?: boolean;
  /** Indentation of parameter lines. Default two spaces. */
  readonly indent?: string;
  /** Write non-ASCII characters as numeric references (an ASCII-only file). Default false. */
  readonly escapeNonAscii?: boolean;
}

const NEEDS_ESCAPE = /[&<>"'\u0000-\u001f\u007f]|^[ ]|[ ]$/;
const ESCAPE_CHARS = /[&<>"'\u0000-\u001f\u007f]|^[ ]+|[ ]+$/g;

function escapeMatch(match: string): string {
  switch (match) {
    case "&":
      return "&amp;";
    case "<":
      return "&lt;";
    case ">":
      return "&gt;";
    case '"':
      return "&quot;";
    case "'":
      return "&apos;";
    default:
      // Control characters, and spaces at either end (the parser trims literal ones).
      return match
        .split("")
        .map((c) => `&#${c.charCodeAt(0)};`)
        .join("");
  }
}

/**
 * Escapes a value so `parseXmlProfile` returns it exactly: markup characters, control
 * characters (a literal newline would become a space) and edge spaces (would be trimmed).
 */
export function escapeXmlValue(value: string, escapeNonAscii = false): string {
  let escaped = NEEDS_ESCAPE.test(value) ? value.replace(ESCAPE_CHARS, escapeMatch) : value;
  if (escapeNonAscii && hasNonAscii(escaped)) {
    escaped = escaped.replace(/[^\u0000-\u007f]/gu, (c) => `&#x${c.codePointAt(0)!.toString(16)};`);
  }
  return escaped;
}

/** Points at the statement that set the value, when the profile was parsed from a file. */
function unrepresentable(name: string, why: string, position?: SourcePosition): never {
  const where =
    position === undefined
      ? {}
      : {
          line: position.line,
          column: position.column,
        };
  const file = position?.file === undefined ? {} : { file: position.file };
  throw profileError(
    ProfileErrorCode.ValueUnrepresentable,
    `value of ${name} cannot be written as XML: ${why}`,
    { ...where, details: { name, ...file } },
  );
}

/**
 * Renders a profile as `<flat-profile>`, one element per line, in entry order. `group` (an
 * annotation) is written when the entry has one, before `ua`; `ua` is
 * written whenever access is known (§3.2.3: deterministic results need it). A value of
 * `undefined` becomes a self-closing element, which only means "keep the value" when it
 * carries `ua`; an entry with neither value nor access is left out (warning). A value with
 * a control character XML 1.0 does not allow is refused (PROFILE_VALUE_UNREPRESENTABLE).
 */
export function serializeXmlProfile(
  profile: Profile,
  options: XmlSerializeOptions = {},
): SerializedProfile {
  const warnings: ProfileWarning[] = [];
  const lines: string[] = [];
  if (options.declaration) lines.push('<?xml version="1.0" encoding="UTF-8"?>');
  lines.push(`<${FLAT_PROFILE}>`);
  for (const item of profile.entries) {
    const line = serializeXmlEntry(item, options, warnings);
    if (line !== undefined) lines.push(line);
  }
  lines.push(`</${FLAT_PROFILE}>`);
  return { text: `${lines.join("\n")}\n`, warnings };
}

/**
 * What `serializeXmlProfile` writes around its entries (no declaration): the text of a
 * profile is `open`, then each entry's line (`serializeXmlEntry`) followed by a newline, then
 * `close` — so a renderer that keeps the lines of unchanging entries can assemble the same
 * bytes without serializing them again.
 */
export const XML_FLAT_PROFILE_FRAME = {
  open: `<${FLAT_PROFILE}>\n`,
  close: `</${FLAT_PROFILE}>\n`,
} as const;

/**
 * One entry's line as `serializeXmlProfile` writes it (no newline); undefined when XML cannot
 * express it (neither value nor access: a warning is added). Throws as the profile's
 * serialization would for this entry.
 */
export function serializeXmlEntry(
  item: Profile["entries"][number],
  options: XmlSerializeOptions = {},
  warnings: ProfileWarning[] = [],
): string | undefined {
  const indent = options.indent ?? "  ";
  const { name, value } = item;
  if (!isXmlName(name) || name === FLAT_PROFILE) {
    throw profileError(
      ProfileErrorCode.NameInvalid,
      `${JSON.stringify(name)} cannot be an XML element name`,
      {
        details: { name },
      },
    );
  }
  let attributes = "";
  if (item.access !== undefined) attributes += ` ua="${item.access}"`;
  else if (item.invalidAccess !== undefined)
    attributes += ` ua="${escapeXmlValue(item.invalidAccess)}"`;
  if (item.preserveValue && value !== undefined) attributes += ' preserve-value="y"';
  // Only `ua` makes `<X …/>` mean "keep the value"; `group` alone would set it empty.
  const keepsValue = attributes !== "";
  // Exports write the group first: `<Proxy_1_ group="Ext_1/…" ua="na">`.
  if (item.group !== undefined) attributes = ` group="${escapeXmlValue(item.group)}"${attributes}`;
  if (value === undefined) {
    if (!keepsValue) {
      warnings.push({
        code: ProfileWarningCode.NoOpEntry,
        message: `${name} has neither value nor access; XML cannot express that, so it is left out`,
        name,
      });
      return undefined;
    }
    return `${indent}<${name}${attributes}/>`;
  }
  const control = forbiddenControlIn(value);
  if (control !== undefined) {
    const code = value.charCodeAt(control);
    unrepresentable(
      name,
      `it contains the control character U+${code.toString(16).toUpperCase().padStart(4, "0")} (at offset ${control}), which XML 1.0 does not allow`,
      item.position,
    );
  }
  if (hasLoneSurrogate(value)) {
    unrepresentable(name, "it contains an unpaired UTF-16 surrogate", item.position);
  }
  if (hasNonAscii(value) || hasNonAscii(name)) {
    warnings.push({
      code: ProfileWarningCode.NonAscii,
      message: `${name} has non-ASCII characters; SPA devices accept only ASCII`,
      name,
    });
  }
  return `${indent}<${name}${attributes}>${escapeXmlValue(value, options.escapeNonAscii)}</${name}>`;
}
