import {
  detectEnvelope,
  encodeProfileBytes,
  type KdfDigest,
  decodeProfileBytes as unwrapEnvelope,
} from "../crypto/index.ts";
import {
  decodeProfileBytes as bytesToText,
  type Catalogue,
  checkProfile,
  defaultCatalogue,
  detectProfileFormat,
  type ImportResolver,
  type ParsedProfile,
  type ProfileTextFormat,
  type ProfileWarning,
  ProfileWarningCode,
  parseTextProfile,
  parseXmlProfile,
  serializeTextProfile,
  serializeXmlProfile,
} from "../profile/index.ts";
import { cliError } from "./errors.ts";

/** What `provisio compile` and `provisio decode` report besides their output. */
export interface CompileDiagnostic {
  readonly message: string;
  readonly line?: number;
  readonly column?: number;
}

/** Where a profile came from: its name in messages, its identity for import cycles. */
export interface ProfileSource {
  /** Name shown in diagnostics and errors (`file:line:col`); also the base for `import`. */
  readonly source?: string;
  /** Identity of the top file in the resolver's terms (an absolute path); default `source`. */
  readonly sourceId?: string;
  readonly resolveImport?: ImportResolver;
}

export interface CompileOptions extends ProfileSource {
  readonly to?: ProfileTextFormat;
  readonly gzip?: boolean;
  readonly key?: string;
  readonly digest?: KdfDigest;
  readonly catalogue?: Catalogue;
}

export interface CompileResult {
  readonly bytes: Buffer;
  readonly inputFormat: ProfileTextFormat;
  readonly parameters: number;
  readonly warnings: readonly CompileDiagnostic[];
  /** True when gzip or encryption made the output binary. */
  readonly binary: boolean;
}

function fromProfileWarning(w: ProfileWarning): CompileDiagnostic {
  return { message: w.message, line: w.position?.line, column: w.position?.column };
}

/** A profile full of another vendor's names or values should not bury the first, useful warnings. */
const MAX_REPORTED_PER_KIND = 50;

/**
 * Catalogue lint (unknown names with "did you mean", values that fail their type). Warnings
 * only — a device ignores unknown names (§3.2.5) and keeps its value on a bad one.
 */
export function catalogueWarnings(profile: ParsedProfile, catalogue: Catalogue): ProfileWarning[] {
  // The codec already reported non-ASCII values; say it once per parameter.
  const seen = new Set(profile.warnings.map((w) => `${w.code}|${w.name}`));
  const out: ProfileWarning[] = [];
  for (const w of checkProfile(profile, catalogue, { suggestFor: MAX_REPORTED_PER_KIND })) {
    if (!seen.has(`${w.code}|${w.name}`)) out.push(w);
  }
  return out;
}

/**
 * §3.3.4: `*` sets the value and keeps the user access. XML cannot say that to SPA firmware:
 * an element without `ua` resets access to the factory default there (C5; MPP keeps it).
 */
function keepAccessWarnings(profile: ParsedProfile, to: ProfileTextFormat): ProfileWarning[] {
  if (profile.format !== "text" || to !== "xml") return [];
  const out: ProfileWarning[] = [];
  for (const e of profile.entries) {
    if (e.access !== undefined || e.value === undefined) continue;
    out.push({
      code: ProfileWarningCode.AttributeDropped,
      message: `${e.name}: \`*\` keeps the user access, which XML cannot express for SPA firmware: without ua it resets to the factory default (C5; MPP keeps it)`,
      name: e.name,
      ...(e.position === undefined ? {} : { position: e.position }),
    });
  }
  return out;
}

/** The first 50 warnings of each kind, then one line counting the rest of that kind. */
export function foldWarnings(warnings: readonly ProfileWarning[]): CompileDiagnostic[] {
  const counts = new Map<string, number>();
  const out: CompileDiagnostic[] = [];
  for (const w of warnings) {
    const n = (counts.get(w.code) ?? 0) + 1;
    counts.set(w.code, n);
    if (n <= MAX_REPORTED_PER_KIND) out.push(fromProfileWarning(w));
  }
  for (const n of counts.values()) {
    if (n > MAX_REPORTED_PER_KIND) {
      out.push({
        message: `${n - MAX_REPORTED_PER_KIND} more warnings like the above not listed (${n} in all)`,
      });
    }
  }
  return out;
}

/**
 * Parses plain bytes as XML or SPC text, whichever they are (§3.1 step 3). Errors carry the
 * file in `details.file`, so the CLI prints `file:line:col: message [CODE]`.
 */
export function parseProfileSource(bytes: Uint8Array, options: ProfileSource = {}): ParsedProfile {
  const text = bytesToText(bytes);
  return detectProfileFormat(text) === "xml"
    ? parseXmlProfile(text, { file: options.source })
    : parseTextProfile(text, {
        file: options.source,
        id: options.sourceId,
        resolveImport: options.resolveImport,
      });
}

function serialize(profile: ParsedProfile, to: ProfileTextFormat) {
  return to === "xml" ? serializeXmlProfile(profile) : serializeTextProfile(profile);
}

/**
 * The profile compiler: SPC text or XML in; XML flat profile (or text) out, then
 * gzip, then AES-256-CBC — the order devices unwrap (§3.5: compress first).
 */
export function compileProfile(input: Uint8Array, options: CompileOptions = {}): CompileResult {
  const envelope = detectEnvelope(input);
  if (envelope !== "plain") {
    throw cliError(
      "CLI_INPUT_NOT_PLAIN",
      `input is ${envelope === "gzip" ? "gzip-compressed" : "encrypted"}; use \`provisio decode\` to read it`,
    );
  }
  const profile = parseProfileSource(input, options);
  const to = options.to ?? "xml";
  const rendered = serialize(profile, to);
  const parsedKeys = new Set(profile.warnings.map((w) => `${w.code}|${w.name}`));
  const warnings = foldWarnings([
    ...profile.warnings,
    ...keepAccessWarnings(profile, to),
    ...catalogueWarnings(profile, options.catalogue ?? defaultCatalogue),
    // The serializer repeats what the parser already found about the same parameter.
    ...rendered.warnings.filter((w) => !parsedKeys.has(`${w.code}|${w.name}`)),
  ]);
  const plain = Buffer.from(rendered.text, "utf8");
  const bytes =
    options.gzip || options.key !== undefined
      ? encodeProfileBytes(plain, { gzip: options.gzip, key: options.key, digest: options.digest })
      : plain;
  return {
    bytes,
    inputFormat: profile.format,
    parameters: profile.entries.length,
    warnings,
    binary: bytes !== plain,
  };
}

export interface DecodeOptions {
  /** Name shown in errors. */
  readonly source?: string;
  readonly key?: string;
  readonly digests?: readonly KdfDigest[];
  readonly to?: ProfileTextFormat;
}

export interface DecodeResult {
  readonly text: string;
  readonly layers: readonly string[];
  readonly inputFormat: ProfileTextFormat;
  readonly warnings: readonly CompileDiagnostic[];
}

/** The reverse of `compileProfile`: unwrap encryption and gzip, parse, render. */
export function decodeProfile(input: Uint8Array, options: DecodeOptions = {}): DecodeResult {
  const unwrapped = unwrapEnvelope(input, {
    key: options.key,
    digests: options.digests ?? ["md5", "sha256"],
    // A tool reads back SPC text too (`compile --to text --key`), which no device receives.
    contentCheck: "source",
  });
  const profile = parseProfileSource(unwrapped.bytes, { source: options.source });
  const rendered = serialize(profile, options.to ?? profile.format);
  return {
    text: rendered.text,
    layers: unwrapped.layers,
    inputFormat: profile.format,
    warnings: foldWarnings([...profile.warnings, ...rendered.warnings]),
  };
}
