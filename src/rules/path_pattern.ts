/**
 * Profile path patterns written with the device's macros (`/profile/$MA.xml`, `/spa$PSN.cfg`,
 * `/cgi-bin/prov?mac=$MAU`), compiled once and matched against request targets to extract
 * what the path says about the device.
 *
 * Macro syntax follows spec §5.2: `$NAME` takes the maximal run of `[A-Z0-9]`, `$(NAME)`
 * delimits explicitly, `$$` is a literal `$`, and a name that is not a macro stays literal
 * text. Only macros that identify or describe a device may appear in a path pattern; a
 * pattern using a runtime-only macro (`$IP`, `$PRVST`, …) or a substring form `$(MA:4)` is
 * rejected when compiled, so a typo fails at configuration time and not per request.
 *
 * Pattern text comes from tenant admins and request paths from anyone, so matching never
 * backtracks: whether the parts of a pattern (literals, macros) can match from each position is
 * filled in one backward pass, then the captures are read in one forward pass (see
 * `matchParts`). A match costs at most `size × (path length + 1)` steps, independent of the
 * macros' repetition bounds, and a path longer than the longest text the pattern can match is
 * refused before any step. Captures are the leftmost-greedy ones a backtracking regex gives,
 * so the facts extracted are those of the anchored regular expression `^…$` this replaced.
 */

import { ProvisioError } from "../errors.ts";
import { tryParseMac } from "../mac_address.ts";
import type { RuleErrorCode } from "./errors.ts";
import { expandMacros } from "./macro.ts";

/** What a matched request target says about the device. */
export interface PathFacts {
  readonly mac?: string;
  readonly serial?: string;
  readonly product?: string;
  readonly series?: string;
  readonly firmware?: string;
  /** Values of `$A`…`$P` (e.g. a random directory `$B`), by letter. */
  readonly gpp?: Readonly<Record<string, string>>;
}

/** Counts the work of a match or an overlap decision (the proof of linear time). */
export interface MatchStats {
  steps: number;
}

export interface PathPattern {
  /** The pattern as written. */
  readonly source: string;
  /** True when the pattern includes a query part (`?`); it is then matched against path+query. */
  readonly withQuery: boolean;
  /** Macros that appear in the pattern, in order. */
  readonly macros: readonly string[];
  /** True when a match yields the device's MAC (a `$MA`, `$MAU` or `$MAC` in the pattern). */
  readonly identifiesByMac: boolean;
  /** Work per character of a target (the `m` of the `O(n·m)` bound on a match). */
  readonly size: number;
  /** Shortest and longest target the pattern can match. */
  readonly minLength: number;
  readonly maxLength: number;
  /** Matches a decoded path (and query when {@link withQuery}); `undefined` if no match. */
  match(target: string, stats?: MatchStats): PathFacts | undefined;
}

/** Longest pattern text accepted (the store enforces the same bound on what it saves). */
export const MAX_PATH_PATTERN_LENGTH = 255;
/** Macros one pattern may use: bounds the program, hence the cost of every request. */
export const MAX_PATH_PATTERN_MACROS = 16;

function pathPatternError(source: string, reason: string): ProvisioError<RuleErrorCode> {
  return new ProvisioError<RuleErrorCode>(
    "RULE_PATH_PATTERN_INVALID",
    `path pattern ${JSON.stringify(source)}: ${reason}`,
  );
}

// ---------------------------------------------------------------------------------------------
// Character sets: one UTF-16 code unit, an ASCII set (every macro class is ASCII), or any.

type CharSet =
  | { readonly kind: "char"; readonly code: number }
  | { readonly kind: "set"; readonly bits: Uint32Array }
  | { readonly kind: "any" };

function asciiSet(chars: string): CharSet {
  const bits = new Uint32Array(4);
  const add = (c: number) => {
    bits[c >>> 5]! |= 1 << (c & 31);
  };
  for (let i = 0; i < chars.length; i++) {
    // `a-z` ranges; a `-` first or last is literal.
    if (chars[i + 1] === "-" && i + 2 < chars.length) {
      for (let c = chars.charCodeAt(i); c <= chars.charCodeAt(i + 2); c++) add(c);
      i += 2;
    } else {
      add(chars.charCodeAt(i));
    }
  }
  return { kind: "set", bits };
}

function inSet(set: CharSet, c: number): boolean {
  switch (set.kind) {
    case "char":
      return set.code === c;
    case "set":
      return c < 128 && (set.bits[c >>> 5]! & (1 << (c & 31))) !== 0;
    case "any":
      return true;
  }
}

function setsIntersect(a: CharSet, b: CharSet): boolean {
  if (a.kind === "any" || b.kind === "any") return true;
  if (a.kind === "char") return inSet(b, a.code);
  if (b.kind === "char") return inSet(a, b.code);
  for (let i = 0; i < 4; i++) if ((a.bits[i]! & b.bits[i]!) !== 0) return true;
  return false;
}

// ---------------------------------------------------------------------------------------------
// Macros

type Fact = "mac" | "serial" | "product" | "series" | "firmware" | "gpp";

/** `set{min,max}`, one step of a macro's shape. */
interface Atom {
  readonly set: CharSet;
  readonly min: number;
  readonly max: number;
}

interface MacroSpec {
  readonly atoms: readonly Atom[];
  readonly fact: Fact;
  /** Turns the captured text into the fact's value; `undefined` rejects the match. */
  readonly normalize: (captured: string) => string | undefined;
}

const HEX = asciiSet("0-9a-fA-F");
const COLON = { kind: "char", code: 58 } as const;
const same = (s: string): string => s;
const MAC_COLON: Atom[] = [{ set: HEX, min: 2, max: 2 }];
for (let i = 0; i < 5; i++) MAC_COLON.push({ set: COLON, min: 1, max: 1 }, MAC_COLON[0]!);
const MACROS: Readonly<Record<string, MacroSpec>> = {
  MA: { atoms: [{ set: HEX, min: 12, max: 12 }], fact: "mac", normalize: tryParseMac },
  MAU: { atoms: [{ set: HEX, min: 12, max: 12 }], fact: "mac", normalize: tryParseMac },
  MAC: { atoms: MAC_COLON, fact: "mac", normalize: tryParseMac },
  SN: { atoms: [{ set: asciiSet("A-Za-z0-9"), min: 1, max: 32 }], fact: "serial", normalize: same },
  PN: {
    atoms: [{ set: asciiSet("A-Za-z0-9._-"), min: 1, max: 32 }],
    fact: "product",
    normalize: same,
  },
  PSN: {
    atoms: [{ set: asciiSet("A-Za-z0-9"), min: 1, max: 16 }],
    fact: "series",
    normalize: same,
  },
  SWVER: {
    atoms: [{ set: asciiSet("A-Za-z0-9._()-"), min: 1, max: 32 }],
    fact: "firmware",
    normalize: same,
  },
};
const GPP = /^[A-P]$/;
const GPP_SPEC: MacroSpec = {
  atoms: [{ set: asciiSet("A-Za-z0-9._-"), min: 1, max: 64 }],
  fact: "gpp",
  normalize: same,
};

/** Macros that exist (§5.3) but describe the request or device state, not its identity. */
const KNOWN_RUNTIME_MACROS: ReadonlySet<string> = new Set([
  "SA",
  "SB",
  "SC",
  "SD",
  "CCERT",
  "IP",
  "EXTIP",
  "HWVER",
  "PRVST",
  "UPGST",
  "UPGERR",
  "PRVTMR",
  "UPGTMR",
  "REGTMR1",
  "REGTMR2",
  "UPGCOND",
  "SCHEME",
  "METH",
  "SERV",
  "SERVIP",
  "PORT",
  "PATH",
  "ERR",
  "UID1",
  "UID2",
  "ISCUST",
  "ORIGTYPE",
  "AUTHSTATUS",
]);

// ---------------------------------------------------------------------------------------------
// Tokens

const SENTINEL = "\u0000";
const SENTINEL_SPLIT = /\u0000([A-Z0-9]+)\u0000/;
const SUBSTRING_FORM = /\$\([A-Z0-9]+:\d/;

export type PatternToken = { readonly literal: string } | { readonly macro: string };

/**
 * Splits a pattern into literal text and macro names, with the rules module's own expander
 * (§5.2 tokenization, `$$`, `$(NAME)`, unknown names left as written): every macro a path may
 * use expands to a NUL-delimited sentinel, which the decoded request path can never contain.
 */
export function tokenizePattern(source: string): PatternToken[] {
  if (SUBSTRING_FORM.test(source.replaceAll("$$", ""))) {
    throw pathPatternError(source, "substring macros like $(MA:4) cannot be matched");
  }
  const runtime: string[] = [];
  const expanded = expandMacros(source, (name) => {
    if (MACROS[name] !== undefined || GPP.test(name)) return `${SENTINEL}${name}${SENTINEL}`;
    if (KNOWN_RUNTIME_MACROS.has(name)) runtime.push(name);
    return undefined;
  });
  if (runtime.length > 0) {
    throw pathPatternError(
      source,
      `$${runtime[0]} is not known to the server when a request arrives; use $MA, $MAU, $MAC, $SN, $PN, $PSN, $SWVER or $A…$P`,
    );
  }
  const parts = expanded.split(SENTINEL_SPLIT);
  const out: PatternToken[] = [];
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    if (i % 2 === 1) {
      out.push({ macro: part });
    } else if (part.includes(SENTINEL)) {
      throw pathPatternError(source, "substring macros like $(MA:4) cannot be matched");
    } else if (part !== "") {
      out.push({ literal: part });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Matching. A pattern is a sequence of parts: literal text, a macro of one character class
// repeated `min..max` times, or a macro of fixed shape (`$MAC`). Because there is no
// alternation, "can parts k.. match the target from position i" is a table filled backwards in
// O(1) per cell for a class (a window query over the next part's row, with the length of the
// run of class characters at i) and O(length) for a literal. The captures are then read
// forwards by taking, for each macro, the longest length after which the rest still matches —
// exactly the choice a backtracking regex makes first and keeps. No step ever depends on the
// repetition bounds, and nothing is retried.

type Part =
  | { readonly kind: "literal"; readonly text: string }
  | {
      readonly kind: "repeat";
      readonly set: CharSet;
      /** Index of `set` in the pattern's distinct sets (run lengths are shared). */
      readonly run: number;
      readonly min: number;
      readonly max: number;
    }
  | { readonly kind: "fixed"; readonly atoms: readonly Atom[]; readonly length: number };

interface Capture {
  readonly name: string;
  readonly spec: MacroSpec;
  /** Index of the macro's part. */
  readonly part: number;
}

interface Matcher {
  readonly parts: readonly Part[];
  readonly sets: readonly CharSet[];
  readonly captures: readonly Capture[];
  /** Work per input character (the `m` of the `O(n·m)` bound). */
  readonly weight: number;
  readonly deterministic: boolean;
}

function fixedAt(atoms: readonly Atom[], target: string, at: number): boolean {
  let i = at;
  for (const atom of atoms) {
    for (let k = 0; k < atom.min; k++, i++)
      if (!inSet(atom.set, target.charCodeAt(i))) return false;
  }
  return true;
}

/**
 * True when each class macro is followed by a literal starting with a character outside its
 * class, or ends the pattern (`/profile/$MA.xml`, `/p/$B/$(MAC).cfg`): the macro can then only
 * take the whole run of class characters, and one forward scan decides the match.
 */
function isDeterministic(parts: readonly Part[]): boolean {
  return parts.every((part, k) => {
    if (part.kind !== "repeat") return true;
    const next = parts[k + 1];
    return (
      next === undefined || (next.kind === "literal" && !inSet(part.set, next.text.charCodeAt(0)))
    );
  });
}

/** {@link matchParts} for a deterministic pattern: one pass, at most `n + parts` steps. */
function scanParts(m: Matcher, target: string, stats: MatchStats | undefined): Int32Array | null {
  const { parts } = m;
  const bounds = new Int32Array(2 * parts.length);
  let i = 0;
  let steps = 0;
  let ok = true;
  for (let k = 0; k < parts.length && ok; k++) {
    const part = parts[k]!;
    steps++;
    let length = 0;
    if (part.kind === "literal") {
      length = part.text.length;
      ok = target.startsWith(part.text, i);
    } else if (part.kind === "fixed") {
      length = part.length;
      ok = i + length <= target.length && fixedAt(part.atoms, target, i);
    } else {
      while (length <= part.max && i + length < target.length) {
        if (!inSet(part.set, target.charCodeAt(i + length))) break;
        length++;
        steps++;
      }
      ok = length >= part.min && length <= part.max;
    }
    bounds[2 * k] = i;
    bounds[2 * k + 1] = i + length;
    i += length;
  }
  if (stats !== undefined) stats.steps += steps;
  return ok && i === target.length ? bounds : null;
}

/**
 * Start and end of each part's text in the match (`bounds[2k]`, `bounds[2k + 1]`), or null.
 * At most `weight × (n + 1)` steps.
 */
function matchParts(m: Matcher, target: string, stats: MatchStats | undefined): Int32Array | null {
  if (m.deterministic) return scanParts(m, target, stats);
  const n = target.length;
  const { parts } = m;
  let steps = 0;
  const runs = m.sets.map((set) => {
    const run = new Int32Array(n + 1);
    for (let i = n - 1; i >= 0; i--) {
      steps++;
      run[i] = inSet(set, target.charCodeAt(i)) ? run[i + 1]! + 1 : 0;
    }
    return run;
  });
  // rows[k][i] = 1 when parts k.. match target[i..].
  const rows: Uint8Array[] = new Array(parts.length + 1);
  rows[parts.length] = new Uint8Array(n + 1);
  rows[parts.length]![n] = 1;
  const prefix = new Int32Array(n + 2);
  for (let k = parts.length - 1; k >= 0; k--) {
    const part = parts[k]!;
    const after = rows[k + 1]!;
    const here = new Uint8Array(n + 1);
    if (part.kind === "literal") {
      const length = part.text.length;
      for (let i = 0; i + length <= n; i++) {
        steps++;
        if (after[i + length] === 1) {
          steps += length;
          if (target.startsWith(part.text, i)) here[i] = 1;
        }
      }
    } else if (part.kind === "fixed") {
      for (let i = 0; i + part.length <= n; i++) {
        steps++;
        if (after[i + part.length] === 1) {
          steps += part.length;
          if (fixedAt(part.atoms, target, i)) here[i] = 1;
        }
      }
    } else {
      for (let t = 0; t <= n; t++) prefix[t + 1] = prefix[t]! + after[t]!;
      steps += n + 1;
      const run = runs[part.run]!;
      for (let i = 0; i <= n; i++) {
        steps += 2;
        const lo = i + part.min;
        const hi = i + Math.min(part.max, run[i]!);
        if (hi >= lo && prefix[hi + 1]! - prefix[lo]! > 0) here[i] = 1;
      }
    }
    rows[k] = here;
  }
  let result: Int32Array | null = null;
  if (rows[0]![0] === 1) {
    result = new Int32Array(2 * parts.length);
    let i = 0;
    for (let k = 0; k < parts.length; k++) {
      const part = parts[k]!;
      let length: number;
      if (part.kind === "repeat") {
        // Longest first, as a greedy regex tries it; one length is known to work.
        length = Math.min(part.max, runs[part.run]![i]!);
        while (rows[k + 1]![i + length] !== 1) {
          steps++;
          length--;
        }
      } else {
        length = part.kind === "literal" ? part.text.length : part.length;
      }
      result[2 * k] = i;
      result[2 * k + 1] = i + length;
      i += length;
    }
  }
  if (stats !== undefined) stats.steps += steps;
  return result;
}

// ---------------------------------------------------------------------------------------------
// The automaton for overlap decisions: a Thompson NFA. `split` prefers `next` over `alt`;
// `match` accepts at the end of the input.

type Insn =
  | { readonly op: "consume"; readonly set: CharSet; readonly next: number }
  | { readonly op: "split"; readonly next: number; readonly alt: number }
  | { readonly op: "match" };

interface Program {
  readonly insns: readonly Insn[];
}

class ProgramBuilder {
  readonly insns: Insn[] = [];

  consume(set: CharSet): void {
    this.insns.push({ op: "consume", set, next: this.insns.length + 1 });
  }

  /** `set{min,max}` as min mandatory steps then nested optional ones: `x(x(x)?)?`. */
  atom(atom: Atom): void {
    for (let i = 0; i < atom.min; i++) this.consume(atom.set);
    const optional = atom.max - atom.min;
    const end = this.insns.length + 2 * optional;
    for (let i = 0; i < optional; i++) {
      this.insns.push({ op: "split", next: this.insns.length + 1, alt: end });
      this.consume(atom.set);
    }
  }
}

function automaton(parts: readonly Part[]): Program {
  const builder = new ProgramBuilder();
  for (const part of parts) {
    if (part.kind === "literal") {
      for (let i = 0; i < part.text.length; i++) {
        builder.consume({ kind: "char", code: part.text.charCodeAt(i) });
      }
    } else if (part.kind === "fixed") {
      for (const atom of part.atoms) builder.atom(atom);
    } else {
      builder.atom(part);
    }
  }
  builder.insns.push({ op: "match" });
  return { insns: builder.insns };
}

const ANY: CharSet = { kind: "any" };
const QUESTION: CharSet = { kind: "char", code: 63 };

/** `program` followed by `?` and anything: what a path-only pattern claims of path+query. */
function withAnyQuery(program: Program): Program {
  const insns = program.insns.slice();
  const tail = insns.length;
  for (let i = 0; i < tail; i++) {
    if (insns[i]!.op === "match") insns[i] = { op: "consume", set: QUESTION, next: tail };
  }
  insns.push(
    { op: "split", next: tail + 1, alt: tail + 2 },
    { op: "consume", set: ANY, next: tail },
    { op: "match" },
  );
  return { insns };
}

// ---------------------------------------------------------------------------------------------
// Compilation

interface Shape {
  /** The automaton, built on first use (only tenant writes and route-table builds need it). */
  readonly program: () => Program;
  /** Literal text before the first macro and after the last one. */
  readonly prefix: string;
  readonly suffix: string;
}

const shapes = new WeakMap<PathPattern, Shape>();

/** Compiles one pattern; throws `RULE_PATH_PATTERN_INVALID` on a pattern that cannot work. */
export function compilePathPattern(source: string): PathPattern {
  if (!source.startsWith("/")) throw pathPatternError(source, 'must start with "/"');
  if (source.length > MAX_PATH_PATTERN_LENGTH) {
    throw pathPatternError(source, `longer than ${MAX_PATH_PATTERN_LENGTH} characters`);
  }
  const tokens = tokenizePattern(source);
  const parts: Part[] = [];
  const sets: CharSet[] = [];
  const captures: Capture[] = [];
  let min = 0;
  let max = 0;
  let weight = 0;
  for (const token of tokens) {
    if ("literal" in token) {
      parts.push({ kind: "literal", text: token.literal });
      min += token.literal.length;
      max += token.literal.length;
      weight += token.literal.length + 1;
      continue;
    }
    if (captures.length === MAX_PATH_PATTERN_MACROS) {
      throw pathPatternError(source, `more than ${MAX_PATH_PATTERN_MACROS} macros`);
    }
    const spec = MACROS[token.macro] ?? GPP_SPEC;
    captures.push({ name: token.macro, spec, part: parts.length });
    const [only] = spec.atoms;
    if (spec.atoms.length === 1 && only !== undefined) {
      let run = sets.indexOf(only.set);
      if (run < 0) {
        run = sets.push(only.set) - 1;
        weight += 1;
      }
      parts.push({ kind: "repeat", set: only.set, run, min: only.min, max: only.max });
      min += only.min;
      max += only.max;
      // Prefix sums, the window test (2) and the forward read: 4 steps per position.
      weight += 4;
    } else {
      const length = spec.atoms.reduce((sum, a) => sum + a.min, 0);
      parts.push({ kind: "fixed", atoms: spec.atoms, length });
      min += length;
      max += length;
      weight += length + 1;
    }
  }
  const matcher: Matcher = {
    parts,
    sets,
    captures,
    weight,
    deterministic: isDeterministic(parts),
  };
  // Literal text before the first and after the last macro: a cheap necessary condition that
  // turns most requests away from most routes before any table is built.
  const first = parts[0];
  const last = parts[parts.length - 1];
  const prefix = first?.kind === "literal" ? first.text : "";
  const suffix = parts.length > 1 && last?.kind === "literal" ? last.text : "";
  let program: Program | undefined;

  const pattern: PathPattern = {
    source,
    withQuery: source.includes("?"),
    macros: captures.map((c) => c.name),
    identifiesByMac: captures.some((c) => c.spec.fact === "mac"),
    size: weight,
    minLength: min,
    maxLength: max,
    match(target: string, stats?: MatchStats): PathFacts | undefined {
      // The bound on the matched length: nothing longer is even looked at.
      if (target.length > max || target.length < min) return undefined;
      if (!target.startsWith(prefix) || !target.endsWith(suffix)) return undefined;
      const bounds = matchParts(matcher, target, stats);
      if (bounds === null) return undefined;
      const facts: { -readonly [K in keyof PathFacts]: PathFacts[K] } = {};
      for (const { name, spec, part } of captures) {
        const value = spec.normalize(target.slice(bounds[2 * part]!, bounds[2 * part + 1]!));
        if (value === undefined) return undefined;
        if (spec.fact === "gpp") {
          facts.gpp = { ...facts.gpp, [name]: value };
          continue;
        }
        const previous = facts[spec.fact];
        // `/$MA/$MAU.cfg` must name one device twice, not two devices.
        if (previous !== undefined && previous !== value) return undefined;
        facts[spec.fact] = value;
      }
      return facts;
    },
  };
  shapes.set(pattern, {
    program: () => {
      program ??= automaton(parts);
      return program;
    },
    prefix,
    suffix,
  });
  return pattern;
}

/**
 * What the store checks before saving a tenant's pattern: it compiles, and no two macros touch
 * (`$A$B` can split a path many ways, so what the path says about the device would be a guess).
 */
export function validatePathPattern(source: string): PathPattern {
  const pattern = compilePathPattern(source);
  const tokens = tokenizePattern(source);
  for (let i = 1; i < tokens.length; i++) {
    const [before, after] = [tokens[i - 1]!, tokens[i]!];
    if ("macro" in before && "macro" in after) {
      throw pathPatternError(
        source,
        `$${before.macro} and $${after.macro} touch; put literal text (e.g. "-" or "/") between two macros`,
      );
    }
  }
  return pattern;
}

// ---------------------------------------------------------------------------------------------
// Overlap

/** Overlap decisions give up (and answer "overlaps") after this many steps. */
export const MAX_OVERLAP_STEPS = 1_000_000;

/** Instructions that consume or accept, reachable from `pc` without consuming. */
function closure(insns: readonly Insn[], pc: number, memo: Map<number, number[]>): number[] {
  const known = memo.get(pc);
  if (known !== undefined) return known;
  const out: number[] = [];
  memo.set(pc, out);
  const seen = new Set<number>();
  const stack = [pc];
  while (stack.length > 0) {
    const at = stack.pop()!;
    if (seen.has(at)) continue;
    seen.add(at);
    const insn = insns[at]!;
    if (insn.op === "split") stack.push(insn.alt, insn.next);
    else out.push(at);
  }
  return out;
}

function programOf(pattern: PathPattern): Program {
  const shape = shapes.get(pattern);
  if (shape !== undefined) return shape.program();
  // A pattern object made elsewhere: compile its source (throws if it cannot be compiled).
  return programOf(compilePathPattern(pattern.source));
}

/** Instructions of the pattern's automaton (the overlap decision's work is their product). */
export function pathPatternAutomatonSize(pattern: PathPattern): number {
  return programOf(pattern).insns.length;
}

/** A character in both sets (they are known to intersect), for a witness text. */
function commonChar(a: CharSet, b: CharSet): number {
  if (a.kind === "char") return a.code;
  if (b.kind === "char") return b.code;
  if (a.kind === "any" && b.kind === "any") return 120; // "x"
  for (let c = 0; c < 128; c++) if (inSet(a, c) && inSet(b, c)) return c;
  return 120;
}

/** The outcome of an overlap decision. */
export interface PathPatternOverlap {
  readonly overlap: boolean;
  /**
   * A request target both patterns match (path, plus `?query` when either pattern has a query
   * part); absent when there is no overlap or when the step budget ran out.
   */
  readonly witness?: string;
}

/**
 * Decides whether some request target would be matched by both patterns — the intersection of
 * their languages is not empty — exactly, by a breadth-first walk over the product of the two
 * NFAs (captures and the MAC-agreement check ignored, which can only make the answer "overlaps"
 * more often). A path-only pattern sees just the path of a request, so against a pattern with a
 * query part it claims its language followed by `?` and any query. Work is bounded by
 * `size(a) × size(b)` pairs; past {@link MAX_OVERLAP_STEPS} the answer is "overlaps", the safe
 * side for a uniqueness check.
 */
export function findPathPatternOverlap(
  a: PathPattern,
  b: PathPattern,
  stats?: MatchStats,
): PathPatternOverlap {
  // Targets start with both literal prefixes (and, for two patterns of one kind, end with both
  // suffixes): most pairs of tenants' paths part here, before any automaton is walked.
  const [sa, sb] = [shapes.get(a), shapes.get(b)];
  if (sa !== undefined && sb !== undefined) {
    if (!sa.prefix.startsWith(sb.prefix) && !sb.prefix.startsWith(sa.prefix)) {
      return { overlap: false };
    }
    if (
      a.withQuery === b.withQuery &&
      !sa.suffix.endsWith(sb.suffix) &&
      !sb.suffix.endsWith(sa.suffix)
    ) {
      return { overlap: false };
    }
  }
  let pa = programOf(a);
  let pb = programOf(b);
  if (a.withQuery !== b.withQuery) {
    if (a.withQuery) pb = withAnyQuery(pb);
    else pa = withAnyQuery(pa);
  } else if (a.maxLength < b.minLength || b.maxLength < a.minLength) {
    return { overlap: false };
  }
  const ia = pa.insns;
  const ib = pb.insns;
  const width = ib.length;
  // Pair key → the pair it was reached from and the character read on the way (for the witness).
  const parent = new Map<number, { readonly from: number; readonly code: number }>();
  const queue: number[] = [];
  const memoA = new Map<number, number[]>();
  const memoB = new Map<number, number[]>();
  let steps = 0;
  const enqueue = (fromA: number, fromB: number, via: number, code: number): void => {
    for (const x of closure(ia, fromA, memoA)) {
      for (const y of closure(ib, fromB, memoB)) {
        steps++;
        const key = x * width + y;
        if (!parent.has(key)) {
          parent.set(key, { from: via, code });
          queue.push(key);
        }
      }
    }
  };
  enqueue(0, 0, -1, -1);
  let outcome: PathPatternOverlap = { overlap: false };
  for (let head = 0; head < queue.length; head++) {
    if (steps > MAX_OVERLAP_STEPS) {
      outcome = { overlap: true };
      break;
    }
    const key = queue[head]!;
    const x = ia[Math.floor(key / width)]!;
    const y = ib[key % width]!;
    steps++;
    if (x.op === "match" && y.op === "match") {
      const codes: number[] = [];
      for (let at = key; at >= 0; ) {
        const step = parent.get(at)!;
        if (step.code >= 0) codes.push(step.code);
        at = step.from;
      }
      outcome = { overlap: true, witness: String.fromCharCode(...codes.reverse()) };
      break;
    }
    if (x.op === "consume" && y.op === "consume" && setsIntersect(x.set, y.set)) {
      enqueue(x.next, y.next, key, commonChar(x.set, y.set));
    }
  }
  if (stats !== undefined) stats.steps += steps;
  return outcome;
}

/** True when some request target would be matched by both patterns (see {@link findPathPatternOverlap}). */
export function pathPatternsOverlap(a: PathPattern, b: PathPattern, stats?: MatchStats): boolean {
  return findPathPatternOverlap(a, b, stats).overlap;
}
