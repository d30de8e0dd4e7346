/**
 * Parser for Profile_Rule*, Upgrade_Rule and Report_Rule (spec §4.2, §7.2, §8.4) and the bare
 * Resync_Trigger_n expression (§4.7). Input is macro-expanded text; errors throw
 * `RULE_SYNTAX` with the position.
 *
 * Grammar decisions beyond the spec's EBNF (each follows from one of its rules):
 * - `#` outside a quoted string starts a comment that runs to the end of the value, wherever
 *   it appears (so it truncates a URL or a bare key, as §4.2 rule 2 warns).
 * - A `(` block is an assignment if it parses as one, otherwise a condition; when both fail
 *   the error that got further is reported. Both are tried because after expansion a
 *   condition's left operand can be any word.
 * - An empty alternative (`a || b`, a trailing `|`) and options without a URL are errors;
 *   so is a repeated option and an option the rule kind does not take (`--delta` outside
 *   Report_Rule, any option in Upgrade_Rule).
 * - Report_Rule: `;` outside quotes and assignment blocks separates targets (§4.5.5), so it
 *   also ends a URL there. In the other rules `;` is an ordinary URL character.
 */

import { isProvisioError, type ProvisioError } from "../errors.ts";
import { type Condition, isWhitespace, parseCondition, parseConditionAt } from "./condition.ts";
import { ruleSyntaxError } from "./errors.ts";
import type {
  Assignment,
  GppLetter,
  GppParamName,
  OptionArgument,
  OptionName,
  ParsedReportRule,
  ParsedRule,
  RuleAlternative,
  RuleKind,
  RuleOptions,
} from "./rule.ts";
import { parseRuleUrlAt, type RuleUrlSyntax } from "./rule_url.ts";

const ALLOWED_OPTIONS: Readonly<Record<RuleKind, ReadonlySet<OptionName>>> = {
  profile: new Set<OptionName>(["key", "uid", "pwd", "post", "alias"]),
  // §7.2: firmware images are not encrypted with a profile key; no options at all.
  upgrade: new Set<OptionName>(),
  report: new Set<OptionName>(["key", "uid", "pwd", "delta", "status"]),
};

const KNOWN_OPTIONS: ReadonlySet<string> = new Set([
  "key",
  "uid",
  "pwd",
  "post",
  "alias",
  "delta",
  "status",
]);

const NAME = /[A-Za-z_][A-Za-z0-9_-]*/y;
const OPTION_NAME = /[A-Za-z]+/y;

/** `a`–`p` → `GPP_A`..`GPP_P` (§4.4). */
export function gppShortcut(name: string): GppParamName | undefined {
  if (name.length !== 1) return undefined;
  const c = name.charCodeAt(0);
  return c >= 97 && c <= 112 ? (`GPP_${name.toUpperCase() as GppLetter}` as const) : undefined;
}

class Parser {
  pos = 0;
  readonly n: number;
  constructor(
    readonly s: string,
    readonly kind: RuleKind,
  ) {
    this.n = s.length;
  }

  fail(offset: number, message: string): ProvisioError {
    return ruleSyntaxError(this.s, offset, message);
  }

  skipWs(): void {
    while (this.pos < this.n && isWhitespace(this.s.charCodeAt(this.pos))) this.pos++;
  }

  /** End of the value, or a `#` comment. */
  atEnd(at = this.pos): boolean {
    return at >= this.n || this.s.charCodeAt(at) === 35;
  }

  peek(): number {
    return this.pos < this.n ? this.s.charCodeAt(this.pos) : -1;
  }

  /** True at `|`, `;` (Report_Rule), or the end: where an alternative stops. */
  atAlternativeEnd(): boolean {
    const c = this.peek();
    return this.atEnd() || c === 124 || (this.kind === "report" && c === 59);
  }

  parseTargets(): { targets: RuleAlternative[][]; comment: string | undefined } {
    const targets: RuleAlternative[][] = [];
    for (;;) {
      targets.push(this.parseChain());
      this.skipWs();
      if (this.kind === "report" && this.peek() === 59) {
        this.pos++;
        continue;
      }
      break;
    }
    this.skipWs();
    if (!this.atEnd()) {
      throw this.fail(
        this.pos,
        `unexpected "${this.s[this.pos]}" (alternatives are separated by \`|\`)`,
      );
    }
    const comment = this.pos < this.n ? this.s.slice(this.pos + 1) : undefined;
    const nonEmpty: RuleAlternative[][] = [];
    for (const t of targets) if (t.length > 0) nonEmpty.push(t);
    return { targets: nonEmpty, comment };
  }

  parseChain(): RuleAlternative[] {
    this.skipWs();
    const alternatives: RuleAlternative[] = [];
    if (this.atAlternativeEnd() && this.peek() !== 124) return alternatives;
    for (;;) {
      alternatives.push(this.parseAlternative(alternatives.length));
      this.skipWs();
      if (this.peek() !== 124) break;
      this.pos++;
    }
    // §4.2 rule 3: every alternative except the last must have a condition.
    for (let i = 0; i < alternatives.length - 1; i++) {
      const alt = alternatives[i]!;
      if (alt.condition === undefined) {
        throw this.fail(
          alt.span.start,
          "every alternative except the last needs a condition `( … )?`",
        );
      }
    }
    return alternatives;
  }

  parseAlternative(index: number): RuleAlternative {
    this.skipWs();
    const start = this.pos;
    let condition: Condition | undefined;
    let assignments: Assignment[] | undefined;
    let options: RuleOptions = {};
    let url: RuleUrlSyntax | undefined;

    if (this.peek() === 40) {
      const tried = this.tryAssignments();
      if (tried.ok) {
        assignments = tried.assignments;
      } else {
        try {
          const r = parseConditionAt(this.s, this.pos + 1, true);
          condition = r.condition;
          this.pos = r.end;
        } catch (e) {
          // Report whichever reading got further; on a tie, the assignment reading if it
          // had already matched `Name =` (e.g. `(a = "x")!` lacks its `;`).
          const offset = isProvisioError(e) ? (e.details?.offset as number) : 0;
          if (offset < tried.offset || (offset === tried.offset && tried.committed)) {
            throw this.fail(tried.offset, tried.message);
          }
          throw e;
        }
      }
      this.skipWs();
    }
    if (assignments === undefined && this.peek() === 40) {
      const tried = this.tryAssignments();
      if (!tried.ok) throw this.fail(tried.offset, tried.message);
      assignments = tried.assignments;
      this.skipWs();
    }
    if (this.peek() === 91) {
      const optionsStart = this.pos;
      options = this.parseOptions();
      this.skipWs();
      if (this.atAlternativeEnd())
        throw this.fail(optionsStart, "options `[…]` must be followed by a URL");
    }
    if (!this.atAlternativeEnd()) {
      const urlStart = this.pos;
      let k = urlStart;
      const s = this.s;
      while (k < this.n) {
        const c = s.charCodeAt(k);
        if (isWhitespace(c) || c === 124 || c === 35 || (this.kind === "report" && c === 59)) break;
        k++;
      }
      url = parseRuleUrlAt(s, urlStart, k);
      this.pos = k;
    }
    if (condition === undefined && assignments === undefined && url === undefined) {
      throw this.fail(start, "empty alternative");
    }
    return { index, condition, assignments, options, url, span: { start, end: this.pos } };
  }

  /**
   * Tries `( Name = "value" ; … )!` at `(`. On success advances; on failure reports how far
   * it got (so the caller can pick the more helpful error) without moving.
   */
  tryAssignments():
    | { ok: true; assignments: Assignment[] }
    | { ok: false; offset: number; committed: boolean; message: string } {
    // Failures are returned as data, not Errors: building one (stack trace) costs more than
    // the whole parse, and most failed attempts are simply conditions.
    const s = this.s;
    let k = this.pos + 1;
    const items: Assignment[] = [];
    let committed = false;
    for (;;) {
      k = this.wsFrom(k);
      if (s.charCodeAt(k) === 41 /* ) */) {
        if (s.charCodeAt(k + 1) !== 33 /* ! */) {
          return {
            ok: false,
            offset: k,
            committed,
            message: "expected `)!` to end the assignments",
          };
        }
        this.pos = k + 2;
        return { ok: true, assignments: items };
      }
      NAME.lastIndex = k;
      const m = NAME.exec(s);
      if (m === null) {
        return { ok: false, offset: k, committed, message: "expected a parameter name or `)!`" };
      }
      const written = m[0];
      k = this.wsFrom(k + written.length);
      if (s.charCodeAt(k) !== 61 /* = */) {
        return {
          ok: false,
          offset: k,
          committed,
          message: "expected `=` after the parameter name",
        };
      }
      committed = true;
      k = this.wsFrom(k + 1);
      if (s.charCodeAt(k) !== 34 /* " */) {
        return { ok: false, offset: k, committed, message: 'expected a quoted value `"…"`' };
      }
      const close = s.indexOf('"', k + 1);
      if (close < 0) return { ok: false, offset: k, committed, message: "unterminated string" };
      const value = s.slice(k + 1, close);
      k = this.wsFrom(close + 1);
      if (s.charCodeAt(k) !== 59 /* ; */) {
        return { ok: false, offset: k, committed, message: "expected `;` after the value" };
      }
      k++;
      const gpp = gppShortcut(written);
      items.push({ name: gpp ?? written, value, shortcut: gpp !== undefined });
    }
  }

  wsFrom(k: number): number {
    while (k < this.n && isWhitespace(this.s.charCodeAt(k))) k++;
    return k;
  }

  parseOptions(): RuleOptions {
    const s = this.s;
    const allowed = ALLOWED_OPTIONS[this.kind];
    const out: {
      key?: OptionArgument;
      uid?: OptionArgument;
      pwd?: OptionArgument;
      post?: GppParamName;
      alias?: GppParamName;
      delta?: true;
      status?: true;
    } = {};
    const bracket = this.pos;
    if (this.kind === "upgrade") throw this.fail(bracket, "Upgrade_Rule takes no `[--options]`");
    this.pos++;
    for (;;) {
      this.skipWs();
      if (this.peek() === 93 /* ] */) {
        this.pos++;
        return out;
      }
      if (this.atEnd()) throw this.fail(bracket, "`[` is not closed");
      const optStart = this.pos;
      if (s.charCodeAt(this.pos) !== 45 || s.charCodeAt(this.pos + 1) !== 45) {
        throw this.fail(this.pos, "expected an option (`--key`, `--post`, …) or `]`");
      }
      OPTION_NAME.lastIndex = this.pos + 2;
      const m = OPTION_NAME.exec(s);
      const name = m === null ? "" : m[0].toLowerCase();
      if (!KNOWN_OPTIONS.has(name)) throw this.fail(optStart, `unknown option "--${m?.[0] ?? ""}"`);
      const option = name as OptionName;
      if (!allowed.has(option)) {
        throw this.fail(optStart, `option --${option} is not allowed in ${this.ruleName()}`);
      }
      if (out[option] !== undefined) throw this.fail(optStart, `option --${option} given twice`);
      this.pos += 2 + name.length;
      switch (option) {
        case "key":
        case "uid":
        case "pwd":
          out[option] = this.parseArgument(option);
          break;
        case "post":
        case "alias": {
          const arg = this.parseArgument(option);
          const gpp = gppShortcut(arg.value.toLowerCase());
          if (gpp === undefined) {
            throw this.fail(
              arg.span.start,
              `--${option} takes a GPP letter a–p, not "${arg.value}"`,
            );
          }
          out[option] = gpp;
          break;
        }
        case "delta":
        case "status":
          out[option] = true;
          break;
      }
    }
  }

  parseArgument(option: string): OptionArgument {
    const s = this.s;
    this.skipWs();
    const start = this.pos;
    if (s.charCodeAt(start) === 34) {
      const close = s.indexOf('"', start + 1);
      if (close < 0) throw this.fail(start, "unterminated string");
      this.pos = close + 1;
      return {
        value: s.slice(start + 1, close),
        quoted: true,
        span: { start: start + 1, end: close },
      };
    }
    let k = start;
    while (k < this.n) {
      const c = s.charCodeAt(k);
      if (isWhitespace(c) || c === 93 || c === 35) break;
      k++;
    }
    if (k === start) throw this.fail(start, `--${option} needs an argument`);
    this.pos = k;
    return { value: s.slice(start, k), quoted: false, span: { start, end: k } };
  }

  ruleName(): string {
    return this.kind === "profile"
      ? "Profile_Rule"
      : this.kind === "upgrade"
        ? "Upgrade_Rule"
        : "Report_Rule";
  }
}

function parseChainRule(text: string, kind: "profile" | "upgrade"): ParsedRule {
  const p = new Parser(text, kind);
  const { targets, comment } = p.parseTargets();
  return { kind, alternatives: targets[0] ?? [], comment };
}

/** Profile_Rule, Profile_Rule_B/C/D (§4.2). Throws RULE_SYNTAX. */
export function parseProfileRule(text: string): ParsedRule {
  return parseChainRule(text, "profile");
}

/** Upgrade_Rule (§7.2): like a profile rule without options. Throws RULE_SYNTAX. */
export function parseUpgradeRule(text: string): ParsedRule {
  return parseChainRule(text, "upgrade");
}

/** Report_Rule (§8.4): `;`-separated targets, `--delta`/`--status` allowed. Throws RULE_SYNTAX. */
export function parseReportRule(text: string): ParsedReportRule {
  const p = new Parser(text, "report");
  const { targets, comment } = p.parseTargets();
  return { kind: "report", targets, comment };
}

/** Resync_Trigger_n (§4.7): a bare condition; undefined when empty. Throws RULE_SYNTAX. */
export function parseResyncTrigger(text: string): Condition | undefined {
  return parseCondition(text);
}
