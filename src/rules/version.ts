/**
 * Firmware versions and their ordering (spec §4.3.1).
 *
 * SPA: `N.N.N` followed by an optional tag written `(tag)`, `tag` or `.tag`, all three
 * normalising to the same value (`7.4.8a` = `7.4.8(a)` = `7.4.8.a`). The Sipura legacy
 * conditions also compare two-part versions (`(<1.0)?`), so `N.N` is accepted (no tag) and
 * compares as `N.N.0`. Missing tag < any tag (adopted).
 *
 * MPP: `[sipMODEL.]MAJOR-MINOR-MICRO-BUILD`, e.g. `sip88xx.11-3-1MPP-678`,
 * `sip7832.11-3-2MPP0001-609`, `11-1-0MPP-19` (ATA19x). MICRO is everything between the
 * second dash and the last one (`0MN-1MPP` in `11-0-0MN-1MPP-BN`) and must contain a letter,
 * which is what tells an MPP version from a dashed number. Parts compare left to right;
 * within a part the digit runs compare numerically first, then the letter runs
 * alphabetically; the build breaks ties. The model is not compared (a rule written for
 * `sip78xx` is meant to match a `sip7832` unit). Comparing SPA with MPP is an error.
 */
import { ProvisioError } from "../errors.ts";
import type { RuleErrorCode } from "./errors.ts";

export interface SpaVersion {
  readonly format: "spa";
  readonly major: number;
  readonly minor: number;
  readonly build: number;
  /** Tag without its punctuation (`b` for `2.0.6(b)`), undefined when absent. */
  readonly tag: string | undefined;
  /** As written. */
  readonly text: string;
}

export interface MppVersion {
  readonly format: "mpp";
  /** `88xx` for `sip88xx.…`; undefined when written without the model prefix. */
  readonly model: string | undefined;
  readonly major: string;
  readonly minor: string;
  readonly micro: string;
  readonly build: string;
  readonly text: string;
}

export type FirmwareVersion = SpaVersion | MppVersion;

const SPA =
  /^(\d{1,15})\.(\d{1,15})(?:\.(\d{1,15})(?:\(([A-Za-z0-9]+)\)|\.([A-Za-z0-9]+)|([A-Za-z][A-Za-z0-9]*))?)?$/;
const MPP =
  /^(?:([A-Za-z][A-Za-z0-9_]*)\.)?(\d+)-(\d+)-(\d[A-Za-z0-9]*(?:-[A-Za-z0-9]+)*)-([A-Za-z0-9]+)$/;
const LETTER = /[A-Za-z]/;

/** Parses a version or returns undefined (for literal classification in conditions). */
export function tryParseVersion(text: string): FirmwareVersion | undefined {
  const spa = SPA.exec(text);
  if (spa !== null) {
    return {
      format: "spa",
      major: Number(spa[1]),
      minor: Number(spa[2]),
      build: spa[3] === undefined ? 0 : Number(spa[3]),
      tag: spa[4] ?? spa[5] ?? spa[6],
      text,
    };
  }
  const mpp = MPP.exec(text);
  if (mpp !== null) {
    const model = mpp[1];
    const micro = mpp[4]!;
    if (!LETTER.test(micro)) return undefined;
    return {
      format: "mpp",
      // `sip88xx` → `88xx`; any other prefix kept whole.
      model: model === undefined ? undefined : model.replace(/^sip/i, ""),
      major: mpp[2]!,
      minor: mpp[3]!,
      micro,
      build: mpp[5]!,
      text,
    };
  }
  return undefined;
}

export function parseVersion(text: string): FirmwareVersion {
  const v = tryParseVersion(text);
  if (v === undefined) {
    throw new ProvisioError<RuleErrorCode>(
      "RULE_VERSION_SYNTAX",
      `"${text}" is neither an SPA version (1.0.31(b), 7.4.8a) nor an MPP version (sip88xx.11-3-1MPP-678)`,
    );
  }
  return v;
}

/** Compares two digit strings numerically, at any length. */
function compareDigits(a: string, b: string): number {
  let i = 0;
  while (i < a.length - 1 && a.charCodeAt(i) === 48) i++;
  let j = 0;
  while (j < b.length - 1 && b.charCodeAt(j) === 48) j++;
  const la = a.length - i;
  const lb = b.length - j;
  if (la !== lb) return la < lb ? -1 : 1;
  const x = a.slice(i);
  const y = b.slice(j);
  return x === y ? 0 : x < y ? -1 : 1;
}

const RUN = /\d+|[A-Za-z]+/g;

/** The shared part rule: digit runs numerically first, then letter runs alphabetically. */
export function comparePart(a: string, b: string): -1 | 0 | 1 {
  const ra = a.match(RUN) ?? [];
  const rb = b.match(RUN) ?? [];
  const c = compareSeq(digitRuns(ra), digitRuns(rb), compareDigits);
  if (c !== 0) return c;
  return compareSeq(letterRuns(ra), letterRuns(rb), compareText);
}

function isDigitRun(run: string): boolean {
  return run.charCodeAt(0) <= 57;
}

function digitRuns(runs: readonly string[]): string[] {
  const out: string[] = [];
  for (const r of runs) if (isDigitRun(r)) out.push(r);
  return out;
}

function letterRuns(runs: readonly string[]): string[] {
  const out: string[] = [];
  for (const r of runs) if (!isDigitRun(r)) out.push(r);
  return out;
}

function compareText(x: string, y: string): number {
  return x === y ? 0 : x < y ? -1 : 1;
}

function compareSeq(
  a: readonly string[],
  b: readonly string[],
  cmp: (x: string, y: string) => number,
): -1 | 0 | 1 {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = cmp(a[i]!, b[i]!);
    if (c !== 0) return c < 0 ? -1 : 1;
  }
  // A proper prefix is smaller: `0MPP` (digits [0]) < `0MN-1MPP` (digits [0, 1]).
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

function sign(n: number): -1 | 0 | 1 {
  return n < 0 ? -1 : n > 0 ? 1 : 0;
}

/** Total order within one format; throws RULE_VERSION_MISMATCH across formats. */
export function compareVersions(a: FirmwareVersion, b: FirmwareVersion): -1 | 0 | 1 {
  if (a.format === "spa" && b.format === "spa") {
    const c = sign(a.major - b.major) || sign(a.minor - b.minor) || sign(a.build - b.build);
    if (c !== 0) return c;
    if (a.tag === undefined || b.tag === undefined) {
      // Adopted: missing tag < any tag.
      return a.tag === b.tag ? 0 : a.tag === undefined ? -1 : 1;
    }
    return comparePart(a.tag, b.tag);
  }
  if (a.format === "mpp" && b.format === "mpp") {
    return (compareDigits(a.major, b.major) ||
      compareDigits(a.minor, b.minor) ||
      comparePart(a.micro, b.micro) ||
      comparePart(a.build, b.build)) as -1 | 0 | 1;
  }
  throw new ProvisioError<RuleErrorCode>(
    "RULE_VERSION_MISMATCH",
    `cannot compare ${a.format.toUpperCase()} version "${a.text}" with ${b.format.toUpperCase()} version "${b.text}"`,
  );
}

/** Convenience: parse both sides, then compare. */
export function compareVersionText(a: string, b: string): -1 | 0 | 1 {
  return compareVersions(parseVersion(a), parseVersion(b));
}
