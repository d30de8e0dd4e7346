import { ProvisioError } from "../errors.ts";
import { accessToSpcTag, type SpcTag, type StarTagMeaning, spcTagToAccess } from "./access.ts";
import { hasLoneSurrogate, hasNonAscii } from "./ascii.ts";
import {
  ProfileErrorCode,
  type ProfileWarning,
  ProfileWarningCode,
  profileError,
} from "./errors.ts";
import {
  nameToBracketForm,
  normalizeParameterName,
  parameterNameProblem,
} from "./parameter_name.ts";
import type { ParsedProfile, Profile, ProfileEntry, SerializedProfile } from "./profile.ts";
import { LineIndex } from "./source_position.ts";

/*
 * The SPC plain-text source format (§3.3):
 *
 *   # comment
 *   import base.txt
 *   Name [tag] ["value"] ;      tag: ! (rw)  ? (ro)  * (keep access, §3.3.4)  none (na)
 *
 * Decisions the spec leaves open, taken here:
 * - A literal `"` cannot appear in a value: the first `"` ends it (the guides document no
 *   escape). The parser then expects `;` and reports the stray text; the serializer
 *   refuses such values with PROFILE_VALUE_UNREPRESENTABLE, as §3.3.1 asks of generators.
 * - Values are taken verbatim: no trimming, no escapes, and they may span lines.
 * - Whitespace (newlines included) and comments may separate any two tokens.
 * - `import` must start in column 1 (§3.3.3); the file name runs to the end of the line or
 *   a `#`. The resolver gets the name and the importing file. `import` followed by a tag,
 *   a quote or `;` is a statement about a parameter called "import", not an import.
 * - A name written as several words (`Restricted Access Domains "…";`, the seed RC
 *   template §1.1.2) is joined with `_` and reported as a warning.
 */

export interface ImportedText {
  readonly text: string;
  /** Identity used for cycle detection and positions; defaults to the import name. */
  readonly id?: string;
}

/** Returns the text of `name` imported from `fromFile` (undefined for the top file). */
export type ImportResolver = (name: string, fromFile: string | undefined) => string | ImportedText;

export interface TextParseOptions {
  /** Name of the file being parsed: shown in positions; its identity unless `id` is given. */
  readonly file?: string;
  /**
   * Identity of the file being parsed for cycle detection, in the resolver's terms (e.g. an
   * absolute path when `file` is relative); defaults to `file`.
   */
  readonly id?: string;
  readonly resolveImport?: ImportResolver;
  /** What `*` means (§3.3.4); default keepAccess. */
  readonly starTag?: StarTagMeaning;
  /** Deepest import nesting accepted; default 32. */
  readonly maxImportDepth?: number;
}

export interface ParsedTextProfile extends ParsedProfile {
  readonly format: "text";
}

type SyntaxReason =
  | "expected-name"
  | "bad-name"
  | "unterminated-value"
  | "expected-semicolon"
  | "unquoted-value"
  | "empty-import";

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 11 || c === 12;
}

function isLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

function isWordChar(c: number): boolean {
  return (
    isLetter(c) || (c >= 48 && c <= 57) || c === 95 || c === 45 || c === 46 || c === 91 || c === 93
  );
}

interface Context {
  readonly options: TextParseOptions;
  readonly entries: ProfileEntry[];
  readonly warnings: ProfileWarning[];
  /** Files currently being read, outermost first (cycle detection). */
  readonly chain: string[];
}

class TextFileParser {
  private pos = 0;
  private readonly lines: LineIndex;

  constructor(
    private readonly text: string,
    private readonly file: string | undefined,
    private readonly context: Context,
    private readonly imported = false,
  ) {
    this.lines = new LineIndex(text, file);
  }

  private fail(reason: SyntaxReason, message: string, offset: number): never {
    const position = this.lines.positionOf(offset);
    // details.file always names the file; the message names it only for an imported one,
    // since a caller printing `file:line:col` already shows the top file.
    const where = this.file === undefined || !this.imported ? "" : ` in ${this.file}`;
    throw profileError(
      ProfileErrorCode.TextSyntax,
      `plain-text profile syntax${where}: ${message}`,
      {
        line: position.line,
        column: position.column,
        details: { reason, ...(this.file === undefined ? {} : { file: this.file }) },
      },
    );
  }

  parse(): void {
    const { text } = this;
    if (text.charCodeAt(0) === 0xfeff) this.pos = 1;
    let lineStart = true;
    while (this.pos < text.length) {
      const c = text.charCodeAt(this.pos);
      if (c === 10) {
        this.pos++;
        lineStart = true;
        continue;
      }
      if (isSpace(c)) {
        this.pos++;
        lineStart = false;
        continue;
      }
      if (c === 35 /* # */) {
        this.skipComment();
        continue;
      }
      if (lineStart && this.isImportAt(this.pos)) {
        this.parseImport();
        continue;
      }
      lineStart = false;
      this.parseStatement();
    }
  }

  private skipComment(): void {
    const eol = this.text.indexOf("\n", this.pos);
    this.pos = eol === -1 ? this.text.length : eol;
  }

  /** Whitespace and comments between tokens. */
  private skipGap(): void {
    const { text } = this;
    while (this.pos < text.length) {
      const c = text.charCodeAt(this.pos);
      if (isSpace(c)) this.pos++;
      else if (c === 35) this.skipComment();
      else break;
    }
  }

  private isImportAt(at: number): boolean {
    const { text } = this;
    if (!text.startsWith("import", at)) return false;
    const after = text.charCodeAt(at + 6);
    if (after !== 32 && after !== 9) return false;
    let next = at + 7;
    while (text.charCodeAt(next) === 32 || text.charCodeAt(next) === 9) next++;
    // `import ! "x" ;` would be a parameter called import, not an import line.
    const c = text.charCodeAt(next);
    return !(c === 33 || c === 63 || c === 42 || c === 34 || c === 59);
  }

  private parseImport(): void {
    const { text } = this;
    const start = this.pos;
    let eol = text.indexOf("\n", start);
    if (eol === -1) eol = text.length;
    const hash = text.slice(start, eol).indexOf("#");
    const end = hash === -1 ? eol : start + hash;
    const name = text.slice(start + 7, end).trim();
    if (name === "") this.fail("empty-import", "import needs a file name", start);
    this.pos = end;
    importFile(name, this.file, this.lines.positionOf(start), this.context);
  }

  /**
   * `Profile_Rule tftp.callme.com/profile/$MA/spa962.cfg;` (the seed's form): text up to a
   * `;` on the same line after a name, with no quotes, is a value someone forgot to quote.
   * Saying so beats "expected ; after Profile_Rule_tftp". Returns when it is not that case.
   */
  private failUnquotedValue(name: string, nameEnd: number, start: number): void {
    const { text } = this;
    let eol = text.indexOf("\n", nameEnd);
    if (eol === -1) eol = text.length;
    const semi = text.indexOf(";", nameEnd);
    if (semi === -1 || semi > eol) return;
    let rest = text.slice(nameEnd, semi).trim();
    if (rest.startsWith("!") || rest.startsWith("?") || rest.startsWith("*")) {
      rest = rest.slice(1).trim();
    }
    if (rest === "" || rest.includes('"') || rest.includes("#")) return;
    const tag = text.slice(nameEnd, semi).trim().charAt(0);
    const shownTag = tag === "!" || tag === "?" || tag === "*" ? ` ${tag}` : "";
    this.fail(
      "unquoted-value",
      `the value of ${name} must be in double quotes: ${name}${shownTag} "${rest}" ;`,
      start,
    );
  }

  private readWord(): string {
    const { text } = this;
    const start = this.pos;
    while (this.pos < text.length && isWordChar(text.charCodeAt(this.pos))) this.pos++;
    return text.slice(start, this.pos);
  }

  private parseStatement(): void {
    const { text } = this;
    const start = this.pos;
    const first = text.charCodeAt(start);
    if (!isLetter(first)) {
      this.fail(
        "expected-name",
        `expected a parameter name, found ${JSON.stringify(text[start])}`,
        start,
      );
    }
    const words = [this.readWord()];
    const firstWordEnd = this.pos;
    // Several words on one line before the tag/value: the seed's "Restricted Access Domains".
    for (;;) {
      let at = this.pos;
      while (text.charCodeAt(at) === 32 || text.charCodeAt(at) === 9) at++;
      const c = text.charCodeAt(at);
      if (at === this.pos || !(isLetter(c) || (c >= 48 && c <= 57))) break;
      this.pos = at;
      words.push(this.readWord());
    }
    const position = this.lines.nextPositionOf(start);
    const written = words.join("_");
    let name: string;
    try {
      name = normalizeParameterName(written);
    } catch (error) {
      const message = error instanceof ProvisioError ? error.message : String(error);
      this.fail("bad-name", message, start);
    }
    if (words.length > 1) {
      this.context.warnings.push({
        code: ProfileWarningCode.NameWithSpaces,
        message: `"${words.join(" ")}" is written with spaces; read as ${name}`,
        name,
        position,
      });
    }

    this.skipGap();
    let tag: SpcTag = "";
    const t = text.charCodeAt(this.pos);
    if (t === 33 || t === 63 || t === 42) {
      tag = text[this.pos] as SpcTag;
      this.pos++;
      this.skipGap();
    }

    let value: string | undefined;
    let glued = false;
    if (text.charCodeAt(this.pos) === 34 /* " */) {
      const close = text.indexOf('"', this.pos + 1);
      if (close === -1)
        this.fail("unterminated-value", `value of ${written} has no closing quote`, this.pos);
      value = text.slice(this.pos + 1, close);
      this.pos = close + 1;
      // Text glued to the closing quote usually means a `"` inside the value.
      glued =
        this.pos < text.length &&
        !isSpace(text.charCodeAt(this.pos)) &&
        text.charCodeAt(this.pos) !== 59;
      this.skipGap();
    }

    if (text.charCodeAt(this.pos) !== 59 /* ; */) {
      if (value === undefined) this.failUnquotedValue(words[0]!, firstWordEnd, start);
      const found = this.pos >= text.length ? "end of input" : JSON.stringify(text[this.pos]);
      const hint = glued ? " (a value cannot contain a double quote)" : "";
      this.fail(
        "expected-semicolon",
        `expected ";" after ${written}, found ${found}${hint}`,
        this.pos,
      );
    }
    this.pos++;

    const access = spcTagToAccess(tag, this.context.options.starTag);
    this.context.entries.push({ name, value, access, position });
    if (hasNonAscii(name) || (value !== undefined && hasNonAscii(value))) {
      this.context.warnings.push({
        code: ProfileWarningCode.NonAscii,
        message: `${name} has non-ASCII characters; SPA devices accept only ASCII`,
        name,
        position,
      });
    }
  }
}

function importFile(
  name: string,
  fromFile: string | undefined,
  at: { line: number; column: number; file?: string },
  context: Context,
): void {
  const where = { line: at.line, column: at.column };
  const fromDetails = fromFile === undefined ? {} : { file: fromFile };
  const { resolveImport, maxImportDepth = 32 } = context.options;
  if (!resolveImport) {
    throw profileError(
      ProfileErrorCode.ImportFailed,
      `cannot import ${name}: no import resolver was given`,
      {
        ...where,
        details: { import: name, ...fromDetails },
      },
    );
  }
  const cycleError = (id: string) => {
    const cycle = [...context.chain.slice(context.chain.indexOf(id)), id];
    return profileError(ProfileErrorCode.ImportCycle, `import cycle: ${cycle.join(" → ")}`, {
      ...where,
      details: { cycle, ...fromDetails },
    });
  };
  let resolved: string | ImportedText;
  try {
    resolved = resolveImport(name, fromFile);
  } catch (error) {
    // A name the resolver cannot read but that names a file being read (e.g. the top file,
    // which came from elsewhere) is a cycle. Before resolving, a name proves nothing: it is
    // relative to the importing file, and `base.txt` in another folder is another file.
    if (context.chain.includes(name)) throw cycleError(name);
    const why = error instanceof Error ? error.message : String(error);
    throw profileError(ProfileErrorCode.ImportFailed, `cannot import ${name}: ${why}`, {
      ...where,
      details: { import: name, ...fromDetails },
      cause: error,
    });
  }
  const text = typeof resolved === "string" ? resolved : resolved.text;
  const id = typeof resolved === "string" ? name : (resolved.id ?? name);
  if (context.chain.includes(id)) throw cycleError(id);
  if (context.chain.length > maxImportDepth) {
    throw profileError(
      ProfileErrorCode.ImportDepth,
      `imports nested deeper than ${maxImportDepth} levels`,
      {
        ...where,
        details: { chain: [...context.chain], ...fromDetails },
      },
    );
  }
  context.chain.push(id);
  new TextFileParser(text, id, context, true).parse();
  context.chain.pop();
}

/**
 * Parses plain-text (SPC source) profiles (§3.3), splicing `import`ed files in place.
 * Errors are `ProvisioError`s: PROFILE_TEXT_SYNTAX (line/column, details.file for
 * imported files), PROFILE_IMPORT_CYCLE, PROFILE_IMPORT_DEPTH, PROFILE_IMPORT_FAILED.
 */
export function parseTextProfile(text: string, options: TextParseOptions = {}): ParsedTextProfile {
  const id = options.id ?? options.file;
  const context: Context = {
    options,
    entries: [],
    warnings: [],
    chain: id === undefined ? [] : [id],
  };
  new TextFileParser(text, options.file, context).parse();
  return { format: "text", entries: context.entries, warnings: context.warnings };
}

export interface TextSerializeOptions {
  /** `Proxy[1]` (the guides' notation, default) or `Proxy_1_`. */
  readonly indexStyle?: "bracket" | "underscore";
  /** Pad names so tags and values line up in columns. Default true. */
  readonly align?: boolean;
}

/**
 * Renders plain text, one statement per line. Unstated access is written `*`, which
 * means "keep access" only under the adopted `starTag: keepAccess` (§3.3.4).
 */
export function serializeTextProfile(
  profile: Profile,
  options: TextSerializeOptions = {},
): SerializedProfile {
  const bracket = (options.indexStyle ?? "bracket") === "bracket";
  const warnings: ProfileWarning[] = [];
  const names = profile.entries.map((item) => {
    const problem = parameterNameProblem(item.name);
    if (problem) {
      throw profileError(ProfileErrorCode.NameInvalid, `cannot write ${problem.message}`, {
        details: { name: item.name, reason: problem.reason },
      });
    }
    return bracket ? nameToBracketForm(item.name) : item.name;
  });
  let width = 0;
  if (options.align !== false)
    for (const n of names) width = Math.max(width, Math.min(40, n.length));
  const lines = profile.entries.map((item, i) => {
    const { name, value } = item;
    if (value !== undefined) {
      if (value.includes('"')) {
        throw profileError(
          ProfileErrorCode.ValueUnrepresentable,
          `value of ${name} contains a double quote, which plain-text profiles cannot express`,
          { details: { name } },
        );
      }
      if (hasLoneSurrogate(value)) {
        throw profileError(
          ProfileErrorCode.ValueUnrepresentable,
          `value of ${name} contains an unpaired UTF-16 surrogate`,
          { details: { name } },
        );
      }
      if (hasNonAscii(value) || hasNonAscii(name)) {
        warnings.push({
          code: ProfileWarningCode.NonAscii,
          message: `${name} has non-ASCII characters; SPA devices accept only ASCII`,
          name,
        });
      }
    }
    if (item.preserveValue || item.invalidAccess !== undefined) {
      warnings.push({
        code: ProfileWarningCode.AttributeDropped,
        message: `${name}: plain text has no ${item.preserveValue ? "preserve-value" : "invalid ua"}; dropped`,
        name,
      });
    }
    const tag = accessToSpcTag(item.access);
    let line = names[i]!.padEnd(width);
    line += tag === "" ? "  " : ` ${tag}`;
    if (value !== undefined) line += ` "${value}"`;
    return `${line} ;`;
  });
  return { text: lines.length === 0 ? "" : `${lines.join("\n")}\n`, warnings };
}
