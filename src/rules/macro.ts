/**
 * Macro expansion, spec §5.2, exactly:
 *
 * - `$NAME`: NAME is the maximal run of `[A-Z0-9]` after the `$`; replaced only when NAME is
 *   a known variable, otherwise the text stays as written (`$A1` stays `$A1`).
 * - `$(NAME)`, `$(NAME:p)`, `$(NAME:p:q)`: explicit delimiting and substrings (p = 0-based
 *   offset, q = length; offsets beyond the end give the empty string).
 * - `$$` is a literal `$`.
 * - Single pass: inserted values are never re-scanned (`$$MAU` → `$MAU`).
 * - `$SA`..`$SD` (secret GPPs) expand only when the caller says it is expanding a `--key`
 *   (or MPP `--uid`/`--pwd`) argument; everywhere else they stay literal (§11, App. D #3).
 * - Lower case never names a macro (`$ma` stays).
 *
 * The variable source is a lookup (a read-only map or a function) so the device emulator and
 * the server share one implementation and one set of names (see device_variables.ts).
 */

/** Where macro values come from. `undefined` means "not a known variable" (left as written). */
export type MacroVariables = ReadonlyMap<string, string> | ((name: string) => string | undefined);

export type SecretMacroName = "SA" | "SB" | "SC" | "SD";

export function isSecretMacro(name: string): name is SecretMacroName {
  return name === "SA" || name === "SB" || name === "SC" || name === "SD";
}

export interface ExpandOptions {
  /** True only while expanding a `--key` (SPA) or `--key/--uid/--pwd` (MPP) argument. */
  readonly secrets?: boolean;
  /**
   * Emulator switch `macroPrefixFallback` (§5.2, default off): when the maximal run is not a
   * known name, use its longest known prefix (`$A1` → value of A, then `1`).
   */
  readonly prefixFallback?: boolean;
}

export function lookupMacro(vars: MacroVariables, name: string): string | undefined {
  return typeof vars === "function" ? vars(name) : vars.get(name);
}

/** One place where the output differs from the input (for mapping positions back). */
export interface MacroReplacement {
  readonly sourceStart: number;
  readonly sourceEnd: number;
  readonly outputStart: number;
  readonly outputEnd: number;
}

/** A secret macro left unexpanded in the output, so a later pass can expand it in place. */
export interface SecretReference {
  /** Offsets of the macro text (`$SA`, `$(SB:2)`) in the expanded output. */
  readonly start: number;
  readonly end: number;
  readonly name: SecretMacroName;
  readonly offset: number | undefined;
  readonly length: number | undefined;
}

export interface Expansion {
  readonly text: string;
  /** In output order; only spans that changed (identity spans are implied). */
  readonly replacements: readonly MacroReplacement[];
  /** Secret macros written in the source (not produced by `$$` or by a value), in order. */
  readonly secrets: readonly SecretReference[];
}

const DOLLAR = 36;
const MAX_PREFIX = 32;
const OPEN = 40;
const CLOSE = 41;
const COLON = 58;

function isNameChar(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 48 && c <= 57); // A-Z 0-9
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** `$(NAME:p:q)` substring semantics: clamp, never throw. */
export function macroSubstring(value: string, offset?: number, length?: number): string {
  if (offset === undefined) return value;
  const start = Math.min(offset, value.length);
  const end = length === undefined ? value.length : Math.min(value.length, start + length);
  return value.slice(start, end);
}

/** Expands `text` (§5.2). */
export function expandMacros(text: string, vars: MacroVariables, options?: ExpandOptions): string {
  // Fast path: most parameter values contain no macro at all.
  if (text.indexOf("$") < 0) return text;
  return expand(text, vars, options ?? {}, false).text;
}

/**
 * Same as `expandMacros`, plus the bookkeeping the rule evaluator needs: where each
 * replacement happened (to report errors at the column the admin wrote) and where the
 * unexpanded `$SA`..`$SD` written in the source ended up (to expand them inside key
 * arguments only, after parsing — see rule_evaluate.ts).
 */
export function expandMacrosTracked(
  text: string,
  vars: MacroVariables,
  options?: ExpandOptions,
): Expansion {
  if (text.indexOf("$") < 0) return { text, replacements: [], secrets: [] };
  return expand(text, vars, options ?? {}, true);
}

/** Maps an offset in an expansion's output back to the source offset that produced it. */
export function sourceOffset(expansion: Expansion, outputOffset: number): number {
  let delta = 0;
  for (const r of expansion.replacements) {
    if (outputOffset < r.outputStart) break;
    if (outputOffset < r.outputEnd) return r.sourceStart;
    delta = r.sourceEnd - r.outputEnd;
  }
  return outputOffset + delta;
}

function expand(
  text: string,
  vars: MacroVariables,
  options: ExpandOptions,
  track: boolean,
): Expansion {
  return new Expander(text, vars, options, track).run();
}

/** One expansion pass. A class rather than closures: the hot path allocates nothing else. */
class Expander {
  readonly replacements: MacroReplacement[] = [];
  readonly secrets: SecretReference[] = [];
  readonly allowSecrets: boolean;
  readonly prefixFallback: boolean;
  out = "";
  /** Next source char not yet copied to `out`. */
  i = 0;

  constructor(
    readonly text: string,
    readonly vars: MacroVariables,
    options: ExpandOptions,
    readonly track: boolean,
  ) {
    this.allowSecrets = options.secrets === true;
    this.prefixFallback = options.prefixFallback === true;
  }

  known(name: string): string | undefined {
    if (!this.allowSecrets && isSecretMacro(name)) return undefined;
    return lookupMacro(this.vars, name);
  }

  /** Copies the identity text up to `start`, then writes `value` for source [start, end). */
  replace(start: number, end: number, value: string): void {
    this.out += this.text.slice(this.i, start);
    if (this.track) {
      const outputStart = this.out.length;
      this.replacements.push({
        sourceStart: start,
        sourceEnd: end,
        outputStart,
        outputEnd: outputStart + value.length,
      });
    }
    this.out += value;
    this.i = end;
  }

  /** A secret written in the source but not expandable here: left as is, position kept. */
  keepSecret(start: number, end: number, name: string, offset?: number, length?: number): void {
    if (!this.track || !isSecretMacro(name)) return;
    const outStart = this.out.length + (start - this.i);
    this.secrets.push({ start: outStart, end: outStart + (end - start), name, offset, length });
  }

  run(): Expansion {
    const text = this.text;
    const n = text.length;
    let j = text.indexOf("$");
    while (j >= 0) {
      const c = j + 1 < n ? text.charCodeAt(j + 1) : -1;
      let resume: number;
      if (c === DOLLAR) {
        this.replace(j, j + 2, "$");
        resume = j + 2;
      } else if (c === OPEN) {
        const token = parseParenthesised(text, j);
        if (token === undefined) {
          resume = j + 1; // not a well-formed `$(…)`: the `$` is literal
        } else {
          const value = this.known(token.name);
          if (value === undefined) {
            // Unknown (incl. `$(STRANGE)`): left exactly as written.
            this.keepSecret(j, token.end, token.name, token.offset, token.length);
          } else {
            this.replace(j, token.end, macroSubstring(value, token.offset, token.length));
          }
          resume = token.end;
        }
      } else if (c >= 0 && isNameChar(c)) {
        let k = j + 2;
        while (k < n && isNameChar(text.charCodeAt(k))) k++;
        let nameEnd = k;
        let value = this.known(text.slice(j + 1, k));
        if (value === undefined && this.prefixFallback) {
          // Names are short (the longest in §5.3 has 10 letters): bound the search so a
          // long run of capitals stays linear.
          for (nameEnd = Math.min(k - 1, j + 1 + MAX_PREFIX); nameEnd > j + 1; nameEnd--) {
            value = this.known(text.slice(j + 1, nameEnd));
            if (value !== undefined) break;
          }
        }
        if (value === undefined) {
          this.keepSecret(j, k, text.slice(j + 1, k));
          // With prefix fallback, `$SA1` outside a key argument still hides `$SA`.
          if (this.prefixFallback && k - j > 3) this.keepSecret(j, j + 3, text.slice(j + 1, j + 3));
          resume = k;
        } else {
          this.replace(j, nameEnd, value);
          resume = nameEnd;
        }
      } else {
        resume = j + 1; // `$` before anything else (lower case, space, end): literal
      }
      j = text.indexOf("$", resume);
    }
    return {
      text: this.i === 0 ? text : this.out + text.slice(this.i),
      replacements: this.replacements,
      secrets: this.secrets,
    };
  }
}

interface ParenToken {
  readonly name: string;
  readonly offset: number | undefined;
  readonly length: number | undefined;
  /** Source offset just past the `)`. */
  readonly end: number;
}

/** Parses `$(NAME[:p[:q]])` starting at the `$`; undefined when malformed. */
function parseParenthesised(text: string, dollar: number): ParenToken | undefined {
  const n = text.length;
  let k = dollar + 2;
  const nameStart = k;
  while (k < n && isNameChar(text.charCodeAt(k))) k++;
  if (k === nameStart) return undefined;
  const name = text.slice(nameStart, k);
  const numbers: number[] = [];
  while (k < n && text.charCodeAt(k) === COLON && numbers.length < 2) {
    const numStart = ++k;
    while (k < n && isDigit(text.charCodeAt(k))) k++;
    if (k === numStart) return undefined;
    numbers.push(Number(text.slice(numStart, k)));
  }
  if (k >= n || text.charCodeAt(k) !== CLOSE) return undefined;
  return { name, offset: numbers[0], length: numbers[1], end: k + 1 };
}
