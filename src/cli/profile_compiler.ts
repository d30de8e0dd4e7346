import { constants as bufferConstants } from "node:buffer";
import {
  CryptoErrorCode,
  decodeAes128gcm,
  detectEnvelope,
  encodeAes128gcm,
  encodeProfileBytes,
  inspectSpcContainer,
  isSpcContainer,
  type KdfDigest,
  looksLikeUnsaltedCiphertext,
  openSpcContainer,
  type SealSpcOptions,
  type SpcContainerInfo,
  type SpcOpener,
  sealSpcContainer,
  decodeProfileBytes as unwrapEnvelope,
} from "../crypto/index.ts";
import { isProvisioError, ProvisioError } from "../errors.ts";
import {
  decodeProfileBytes as bytesToText,
  type Catalogue,
  checkProfile,
  defaultCatalogue,
  detectProfileFormat,
  type ImportResolver,
  type ParsedProfile,
  type ProfileEntry,
  type ProfileTextFormat,
  type ProfileWarning,
  ProfileWarningCode,
  parseBool,
  parseTextProfile,
  parseXmlProfile,
  serializeTextProfile,
  serializeXmlProfile,
} from "../profile/index.ts";
import {
  type Diagnostic,
  evaluateProfileRule,
  evaluateReportRule,
  evaluateResyncTrigger,
  evaluateUpgradeRule,
  ruleKindOf,
  tryParseVersion,
} from "../rules/index.ts";
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
  /**
   * Wrap the output in a Provisio SPC container (`--target`, `--target-cert`, `--scramble`,
   * `--aes --ascii-key/--hex-key`); exclusive with `key` (the OpenSSL envelope).
   */
  readonly container?: Omit<SealSpcOptions, "salt">;
  /** MPP: encode the output as RFC 8188 `aes128gcm` with this IKM (served with `Content-Encoding: aes128gcm`). */
  readonly aes128gcmIkm?: string;
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
 * Unstated access means different things in the two formats. Text `*` sets the value and
 * keeps the user access; XML cannot say that to SPA firmware, where an element without
 * `ua` resets access to the factory default (MPP keeps it). So each direction warns.
 */
function keepAccessWarnings(profile: ParsedProfile, to: ProfileTextFormat): ProfileWarning[] {
  if (profile.format === to) return [];
  const out: ProfileWarning[] = [];
  for (const e of profile.entries) {
    if (e.access !== undefined || e.invalidAccess !== undefined) continue;
    let message: string;
    if (profile.format === "text") {
      if (e.value === undefined) continue;
      message = `${e.name}: \`*\` keeps the user access, which XML cannot express for SPA firmware: without ua it resets to the factory default (MPP keeps it)`;
    } else {
      message = `${e.name}: no ua in XML, written as \`*\` (keep the user access) in plain text; SPA firmware would instead reset an element without ua to its factory access (MPP keeps it)`;
    }
    out.push({
      code: ProfileWarningCode.AttributeDropped,
      message,
      name: e.name,
      ...(e.position === undefined ? {} : { position: e.position }),
    });
  }
  return out;
}

/** Macro values while checking a rule's syntax: a device expands first, then parses. */
const PLACEHOLDER_VARIABLES = (): string => "0";

function ruleSyntaxProblem(name: string, value: string): Diagnostic | undefined {
  const kind = ruleKindOf(name);
  if (kind === undefined) return undefined;
  let diagnostics: readonly Diagnostic[];
  if (kind === "trigger")
    diagnostics = evaluateResyncTrigger(value, PLACEHOLDER_VARIABLES).diagnostics;
  else if (kind === "report")
    diagnostics = evaluateReportRule(value, PLACEHOLDER_VARIABLES).diagnostics;
  else if (kind === "upgrade")
    diagnostics = evaluateUpgradeRule(value, PLACEHOLDER_VARIABLES).diagnostics;
  else diagnostics = evaluateProfileRule(value, PLACEHOLDER_VARIABLES).diagnostics;
  return diagnostics.find((d) => d.code === "RULE_SYNTAX");
}

/**
 * Checks the catalogue's type checks cannot do: rule-valued parameters through the rule
 * parser, version-valued ones through the version parser (any text is storable, but a
 * device skips a rule that does not parse and cannot compare a version it cannot read).
 */
export function grammarWarnings(profile: ParsedProfile, catalogue: Catalogue): ProfileWarning[] {
  const out: ProfileWarning[] = [];
  for (const e of profile.entries) {
    if (e.value === undefined || e.value.trim() === "") continue;
    const where = e.position === undefined ? {} : { position: e.position };
    const rule = ruleSyntaxProblem(e.name, e.value);
    if (rule !== undefined) {
      const at = rule.column === undefined ? "" : ` (column ${rule.column} of the rule)`;
      out.push({
        code: ProfileWarningCode.ValueInvalid,
        message: `${e.name}: the rule does not parse, so a device skips it: ${rule.message}${at}`,
        name: e.name,
        ...where,
      });
      continue;
    }
    const type = catalogue.lookup(e.name)?.definition.type;
    if (type?.kind === "version" && tryParseVersion(e.value.trim()) === undefined) {
      out.push({
        code: ProfileWarningCode.ValueInvalid,
        message: `${e.name}: ${JSON.stringify(e.value)} is neither an SPA version (7.4.8a) nor an MPP version (sip88xx.11-3-1MPP-678)`,
        name: e.name,
        ...where,
      });
    }
  }
  return out;
}

/** Boolean parameters written `Enable`, `1`, `yes`… become the `Yes`/`No` devices export. */
export function normaliseBooleans(profile: ParsedProfile, catalogue: Catalogue): ParsedProfile {
  let entries: ProfileEntry[] | undefined;
  profile.entries.forEach((e, i) => {
    if (e.value === undefined || e.value === "Yes" || e.value === "No") return;
    if (catalogue.lookup(e.name)?.definition.type.kind !== "bool") return;
    const flag = parseBool(e.value);
    if (flag === undefined) return;
    entries ??= [...profile.entries];
    entries[i] = { ...e, value: flag ? "Yes" : "No" };
  });
  return entries === undefined ? profile : { ...profile, entries };
}

/** Parser warnings first; a later list's repeat of a finding about the same parameter goes. */
function mergeWarnings(
  parsed: readonly ProfileWarning[],
  ...more: ReadonlyArray<readonly ProfileWarning[]>
): CompileDiagnostic[] {
  const seen = new Set(parsed.map((w) => `${w.code}|${w.name}`));
  const out = [...parsed];
  for (const list of more) {
    const kept = list.filter((w) => !seen.has(`${w.code}|${w.name}`));
    for (const w of kept) seen.add(`${w.code}|${w.name}`);
    out.push(...kept);
  }
  return foldWarnings(out);
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
  const catalogue = options.catalogue ?? defaultCatalogue;
  const profile = normaliseBooleans(parseProfileSource(input, options), catalogue);
  const to = options.to ?? "xml";
  const rendered = serialize(profile, to);
  const warnings = mergeWarnings(
    profile.warnings,
    keepAccessWarnings(profile, to),
    catalogueWarnings(profile, catalogue),
    grammarWarnings(profile, catalogue),
    rendered.warnings,
  );
  const plain = Buffer.from(rendered.text, "utf8");
  const wrappers = [
    options.key !== undefined ? "--key" : undefined,
    options.container !== undefined
      ? "a container option (--target, --scramble, --aes …)"
      : undefined,
    options.aes128gcmIkm !== undefined ? "--aes128gcm-ikm" : undefined,
  ].filter((w) => w !== undefined);
  if (wrappers.length > 1) {
    throw cliError(
      "CLI_BAD_OPTION",
      `${wrappers.join(" and ")} are different encryption layers a device reads one of: choose one`,
    );
  }
  let bytes: Buffer =
    options.gzip || options.key !== undefined
      ? encodeProfileBytes(plain, { gzip: options.gzip, key: options.key, digest: options.digest })
      : plain;
  if (options.container !== undefined) bytes = sealSpcContainer(bytes, options.container);
  if (options.aes128gcmIkm !== undefined) bytes = encodeAes128gcm(bytes, options.aes128gcmIkm);
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
  /**
   * Refuse a gzip layer inflating beyond this many bytes. Default: the largest profile
   * `compileProfile` can write (its text is one JavaScript string), so `decode` reads back
   * whatever `compile` wrote; lower it for files from elsewhere.
   */
  readonly maxInflatedBytes?: number;
  /**
   * What opens a Provisio SPC container: the device's MAC with the installation secret,
   * the device's private key; `key` above doubles as the container's explicit key.
   */
  readonly opener?: Omit<SpcOpener, "key">;
  /** The input is an RFC 8188 `aes128gcm` body: decode it with this IKM first. */
  readonly aes128gcmIkm?: string;
}

/** UTF-8 of the longest string Node can hold, capped at the largest Buffer. */
export const DECODE_MAX_INFLATED_BYTES = Math.min(
  bufferConstants.MAX_LENGTH,
  3 * bufferConstants.MAX_STRING_LENGTH,
);

export interface DecodeResult {
  readonly text: string;
  readonly layers: readonly string[];
  readonly inputFormat: ProfileTextFormat;
  readonly warnings: readonly CompileDiagnostic[];
  /** The container's header, when the input was one. */
  readonly container?: SpcContainerInfo;
}

/** How `decode` names what a container needs, in its own flags. */
function containerHint(info: SpcContainerInfo): string {
  const needs: string[] = [];
  if (info.modes.targetMac)
    needs.push("--as-device MAC (with the installation's targeting secret)");
  if (info.modes.targetCertificate) {
    needs.push(`--device-key FILE (the private key of certificate key id ${info.recipientKeyId})`);
  }
  if (info.modes.key !== undefined)
    needs.push(`--key (the ${info.modes.key} key it was compiled with)`);
  return needs.join(" and ");
}

/** Open a Provisio SPC container, turning "identity required" into the flags that give it. */
function openContainer(input: Uint8Array, options: DecodeOptions) {
  try {
    return openSpcContainer(input, {
      ...options.opener,
      ...(options.key === undefined ? {} : { key: options.key }),
    });
  } catch (error) {
    if (isProvisioError(error) && error.code === CryptoErrorCode.ContainerIdentityRequired) {
      throw new ProvisioError(
        error.code,
        `${error.message}: give ${containerHint(inspectSpcContainer(input))}`,
        { status: error.status },
      );
    }
    throw error;
  }
}

/** The reverse of `compileProfile`: unwrap encryption and gzip, parse, render. */
export function decodeProfile(input: Uint8Array, options: DecodeOptions = {}): DecodeResult {
  const outer: string[] = [];
  let container: SpcContainerInfo | undefined;
  if (options.aes128gcmIkm !== undefined) {
    input = decodeAes128gcm(input, options.aes128gcmIkm, {
      maxPlaintextBytes: options.maxInflatedBytes ?? DECODE_MAX_INFLATED_BYTES,
    }).plaintext;
    outer.push("aes128gcm");
  }
  if (isSpcContainer(input)) {
    const opened = openContainer(input, options);
    input = opened.payload;
    container = opened.info;
    outer.push("container");
    // The container's key was its own; the payload carries no further key layer.
    options = { ...options, key: undefined };
  }
  if (options.key === undefined && looksLikeUnsaltedCiphertext(input)) {
    throw cliError(
      "CLI_INPUT_UNREADABLE",
      "input is binary data with no Salted__ header; whole AES blocks like these are what `openssl enc -nosalt` writes, which devices cannot read: encrypt without -nosalt",
    );
  }
  const unwrapped = unwrapEnvelope(input, {
    key: options.key,
    digests: options.digests ?? ["md5", "sha256"],
    // A tool reads back SPC text too (`compile --to text --key`), which no device receives.
    contentCheck: "source",
    maxOutputBytes: options.maxInflatedBytes ?? DECODE_MAX_INFLATED_BYTES,
  });
  const profile = parseProfileSource(unwrapped.bytes, { source: options.source });
  const to = options.to ?? profile.format;
  const rendered = serialize(profile, to);
  return {
    text: rendered.text,
    layers: [...outer, ...unwrapped.layers],
    inputFormat: profile.format,
    warnings: mergeWarnings(profile.warnings, keepAccessWarnings(profile, to), rendered.warnings),
    ...(container === undefined ? {} : { container }),
  };
}
