/**
 * Conditional expressions (spec §4.3): comparisons joined by `and`.
 *
 * Conditions are parsed from text that has ALREADY been macro-expanded (the whole rule is
 * expanded first, §4.2 rule 1), so operands are literals:
 *   - integer: optionally signed decimal digits (`300`, `-1`);
 *   - version: SPA or MPP (version.ts);
 *   - quoted string: `"…"` (no escapes; only `=`/`!=` apply);
 *   - anything else is a "word" (an unexpanded `$REGTMR1`, `Installed`, a garbled version):
 *     it parses, but comparing it is a type error.
 * Type errors make the comparison false and produce a diagnostic instead of an exception
 * (the spec's adopted emulator behaviour). Syntax errors throw `RULE_SYNTAX` with a column.
 *
 * Legacy forms (fw < 2.0.6): a lone `!` means not-equal; a comparison without a left operand
 * compares `$SWVER` (`(<1.0)?`, `(! 1.0.33)?`). The evaluator is given the SWVER value.
 */
import { ruleSyntaxError } from "./errors.ts";
import { compareVersions, type FirmwareVersion, tryParseVersion } from "./version.ts";

export type ComparisonOperator = "eq" | "ne" | "lt" | "le" | "gt" | "ge";

export type Operand =
  | { readonly kind: "integer"; readonly value: bigint; readonly text: string }
  | { readonly kind: "version"; readonly version: FirmwareVersion; readonly text: string }
  | { readonly kind: "string"; readonly value: string; readonly text: string }
  | { readonly kind: "word"; readonly text: string };

/** The legacy implicit left operand: the device's `$SWVER`. */
export interface ImplicitSwver {
  readonly kind: "implicit-swver";
}

export interface Comparison {
  readonly left: Operand | ImplicitSwver;
  readonly operator: ComparisonOperator;
  readonly right: Operand;
  /** 0-based offsets in the parsed text. */
  readonly start: number;
  readonly end: number;
}

export interface Condition {
  /** All must hold. Never empty. */
  readonly comparisons: readonly Comparison[];
  readonly start: number;
  readonly end: number;
}

export interface ConditionContext {
  /** Value of `$SWVER`, for the legacy implicit left operand. */
  readonly swver?: string;
}

export interface ConditionProblem {
  readonly message: string;
  /** 0-based offset of the comparison in the parsed text. */
  readonly offset: number;
}

export interface ConditionResult {
  readonly value: boolean;
  readonly problems: readonly ConditionProblem[];
}

// ---------------------------------------------------------------- tokenizer

type Token =
  | {
      readonly t: "op";
      readonly op: ComparisonOperator;
      readonly start: number;
      readonly end: number;
    }
  | { readonly t: "and"; readonly start: number; readonly end: number }
  | {
      readonly t: "operand";
      readonly operand: Operand;
      readonly start: number;
      readonly end: number;
    }
  /** End of the condition: `)?` in a rule, end of text (or `#`) for a bare trigger. */
  | { readonly t: "end"; readonly start: number; readonly end: number };

/** `eq ne lt le gt ge` in any case; a switch, not a table: most words miss (`300`, `1.0`). */
function wordOperator(word: string): ComparisonOperator | "and" | undefined {
  if (word.length === 2) {
    switch (word.toLowerCase()) {
      case "eq":
        return "eq";
      case "ne":
        return "ne";
      case "lt":
        return "lt";
      case "le":
        return "le";
      case "gt":
        return "gt";
      case "ge":
        return "ge";
    }
    return undefined;
  }
  return word.length === 3 && word.toLowerCase() === "and" ? "and" : undefined;
}

export function isWhitespace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

/** Characters that end a bare operand. */
function endsWord(c: number): boolean {
  // ws " # ( ) = < > ! |
  return (
    isWhitespace(c) ||
    c === 34 ||
    c === 35 ||
    c === 40 ||
    c === 41 ||
    c === 61 ||
    c === 60 ||
    c === 62 ||
    c === 33 ||
    c === 124
  );
}

const INTEGER = /^[+-]?\d+$/;
const PAREN_TAG = /\([A-Za-z0-9]+\)/y;

function classify(text: string): Operand {
  if (INTEGER.test(text)) return { kind: "integer", value: BigInt(text), text };
  const version = tryParseVersion(text);
  if (version !== undefined) return { kind: "version", version, text };
  return { kind: "word", text };
}

class Scanner {
  pos: number;
  constructor(
    readonly text: string,
    start: number,
    /** True inside `( … )?`: the condition ends at `)?`. */
    readonly inRule: boolean,
  ) {
    this.pos = start;
  }

  next(): Token {
    const s = this.text;
    const n = s.length;
    while (this.pos < n && isWhitespace(s.charCodeAt(this.pos))) this.pos++;
    const start = this.pos;
    if (start >= n || s.charCodeAt(start) === 35 /* # */) {
      if (this.inRule) throw ruleSyntaxError(s, start, "condition not closed with `)?`");
      return { t: "end", start, end: start };
    }
    const c = s.charCodeAt(start);
    const c2 = start + 1 < n ? s.charCodeAt(start + 1) : -1;
    switch (c) {
      case 41: // )
        if (this.inRule && c2 === 63 /* ? */) {
          this.pos = start + 2;
          return { t: "end", start, end: this.pos };
        }
        throw ruleSyntaxError(s, start, this.inRule ? "expected `)?`" : "unexpected `)`");
      case 34: {
        // "
        const close = s.indexOf('"', start + 1);
        if (close < 0) throw ruleSyntaxError(s, start, "unterminated string");
        this.pos = close + 1;
        const value = s.slice(start + 1, close);
        return {
          t: "operand",
          operand: { kind: "string", value, text: s.slice(start, this.pos) },
          start,
          end: this.pos,
        };
      }
      case 33: // ! or !=
        this.pos = start + (c2 === 61 ? 2 : 1);
        return { t: "op", op: "ne", start, end: this.pos };
      case 61: // =
        this.pos = start + 1;
        return { t: "op", op: "eq", start, end: this.pos };
      case 60: // < <=
        this.pos = start + (c2 === 61 ? 2 : 1);
        return { t: "op", op: c2 === 61 ? "le" : "lt", start, end: this.pos };
      case 62: // > >=
        this.pos = start + (c2 === 61 ? 2 : 1);
        return { t: "op", op: c2 === 61 ? "ge" : "gt", start, end: this.pos };
      case 40: // (
        throw ruleSyntaxError(s, start, "parentheses are not allowed inside a condition");
      case 124: // |
        throw ruleSyntaxError(s, start, "`|` inside a condition");
    }
    let k = start + 1;
    while (k < n && !endsWord(s.charCodeAt(k))) k++;
    // A parenthesised version tag belongs to the word: `2.0.6(b)`.
    if (k < n && s.charCodeAt(k) === 40) {
      PAREN_TAG.lastIndex = k;
      const m = PAREN_TAG.exec(s);
      if (m !== null) k += m[0].length;
    }
    this.pos = k;
    const word = s.slice(start, k);
    const op = wordOperator(word);
    if (op === "and") return { t: "and", start, end: k };
    if (op !== undefined) return { t: "op", op, start, end: k };
    return { t: "operand", operand: classify(word), start, end: k };
  }
}

// ---------------------------------------------------------------- parser

/**
 * Parses a condition starting at `start` of `text`. With `inRule`, the condition is the
 * inside of `( … )?` (start just after the `(`) and `end` is just after the `?`; otherwise it
 * runs to the end of the text or a `#` comment.
 */
export function parseConditionAt(
  text: string,
  start: number,
  inRule: boolean,
): { condition: Condition; end: number } {
  const sc = new Scanner(text, start, inRule);
  const comparisons: Comparison[] = [];
  for (;;) {
    let t = sc.next();
    const cmpStart = t.start;
    let left: Operand | ImplicitSwver;
    if (t.t === "operand") {
      left = t.operand;
      t = sc.next();
    } else {
      left = { kind: "implicit-swver" };
    }
    if (t.t !== "op") {
      if (t.t === "end" && comparisons.length === 0 && left.kind === "implicit-swver") {
        throw ruleSyntaxError(text, t.start, "empty condition");
      }
      throw ruleSyntaxError(
        text,
        t.start,
        "expected a comparison operator (eq ne lt le gt ge = != < <= > >=)",
      );
    }
    const operator = t.op;
    t = sc.next();
    if (t.t !== "operand") throw ruleSyntaxError(text, t.start, "expected an operand");
    comparisons.push({ left, operator, right: t.operand, start: cmpStart, end: t.end });
    t = sc.next();
    if (t.t === "and") continue;
    if (t.t === "end") {
      return {
        condition: { comparisons, start, end: comparisons[comparisons.length - 1]!.end },
        end: t.end,
      };
    }
    throw ruleSyntaxError(text, t.start, inRule ? "expected `and` or `)?`" : "expected `and`");
  }
}

/**
 * Parses a bare condition (Resync_Trigger_n, §4.7): the whole text, `#` starts a comment.
 * Returns undefined for an empty (or comment-only) text. Throws RULE_SYNTAX.
 */
export function parseCondition(text: string): Condition | undefined {
  let i = 0;
  while (i < text.length && isWhitespace(text.charCodeAt(i))) i++;
  if (i >= text.length || text.charCodeAt(i) === 35) return undefined;
  return parseConditionAt(text, 0, false).condition;
}

// ---------------------------------------------------------------- evaluation

function holds(op: ComparisonOperator, c: number): boolean {
  switch (op) {
    case "eq":
      return c === 0;
    case "ne":
      return c !== 0;
    case "lt":
      return c < 0;
    case "le":
      return c <= 0;
    case "gt":
      return c > 0;
    case "ge":
      return c >= 0;
  }
}

function describeComparison(
  left: Operand,
  op: ComparisonOperator,
  right: Operand,
  implicit: boolean,
): string {
  // An empty macro before the operator also lands on the implicit form; say so, it is the
  // usual cause.
  return `${implicit ? `[implicit $SWVER = ${left.text}]` : left.text} ${op} ${right.text}`;
}

/** Evaluates one comparison: a boolean, or a type-error message. */
export function evaluateComparison(
  cmp: Comparison,
  context: ConditionContext,
): boolean | { readonly error: string } {
  let left: Operand;
  const implicit = cmp.left.kind === "implicit-swver";
  if (cmp.left.kind === "implicit-swver") {
    if (context.swver === undefined) return { error: "no $SWVER for the implicit left operand" };
    left = classify(context.swver);
  } else {
    left = cmp.left;
  }
  const right = cmp.right;
  const op = cmp.operator;
  if (left.kind === "word" || right.kind === "word") {
    const w = left.kind === "word" ? left : right;
    return {
      error: `"${w.text}" is not an integer, a version or a quoted string (in \`${describeComparison(left, op, right, implicit)}\`)`,
    };
  }
  if (left.kind !== right.kind) {
    return {
      error: `cannot compare ${left.kind} with ${right.kind} (in \`${describeComparison(left, op, right, implicit)}\`)`,
    };
  }
  if (left.kind === "string" && right.kind === "string") {
    if (op !== "eq" && op !== "ne") {
      return {
        error: `strings compare only with eq/ne (in \`${describeComparison(left, op, right, implicit)}\`)`,
      };
    }
    return holds(op, left.value === right.value ? 0 : 1);
  }
  if (left.kind === "integer" && right.kind === "integer") {
    return holds(op, left.value < right.value ? -1 : left.value > right.value ? 1 : 0);
  }
  if (left.kind === "version" && right.kind === "version") {
    if (left.version.format !== right.version.format) {
      return {
        error: `cannot compare ${left.version.format.toUpperCase()} version with ${right.version.format.toUpperCase()} version (in \`${describeComparison(left, op, right, implicit)}\`)`,
      };
    }
    return holds(op, compareVersions(left.version, right.version));
  }
  return { error: `cannot compare (in \`${describeComparison(left, op, right, implicit)}\`)` };
}

/**
 * Evaluates a condition: true when every comparison holds. Stops at the first false
 * comparison, as the device would; a type error counts as false and is reported.
 */
export function evaluateCondition(
  cond: Condition,
  context: ConditionContext = {},
): ConditionResult {
  for (const cmp of cond.comparisons) {
    const r = evaluateComparison(cmp, context);
    if (r === true) continue;
    if (r === false) return { value: false, problems: [] };
    return { value: false, problems: [{ message: r.error, offset: cmp.start }] };
  }
  return { value: true, problems: [] };
}
