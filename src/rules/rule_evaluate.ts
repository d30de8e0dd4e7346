/**
 * Evaluating rules for one device: text in, typed action out (spec §4.2 rule 6, §7.2, §8.4,
 * §4.7). Never returns a string to re-parse and never throws for bad rule text: a rule that
 * does not parse is a `skip` with reason `syntax-error` (§4.2 rule 3), a condition type error
 * is a false comparison plus a diagnostic (§4.3).
 *
 * Macro expansion and `$SA`..`$SD` — the design choice. The spec says: expand the whole
 * value, then parse (§4.2 rule 1); but the secret GPPs expand only inside `--key` (MPP also
 * `--uid`/`--pwd`) arguments, whose positions are only known after parsing. We do:
 *   1. expand everything except the secrets, keeping a record of where each `$SA`..`$SD`
 *      written in the source landed in the output (`expandMacrosTracked`);
 *   2. parse that text (option arguments keep their span);
 *   3. for the selected alternative's key/uid/pwd arguments, replace the recorded secret
 *      references inside the argument's span by their values.
 * Consequences, all intended: single-pass semantics hold (a `$SA` produced by `$$SA` or by a
 * GPP value is not a reference, so it stays literal); a secret value can never change the
 * rule's structure (a key containing `]`, `"`, `|`, `#` or spaces is taken whole); secrets
 * never appear in the parsed text, so they cannot leak into error messages or diagnostics.
 * Error positions are mapped back through the expansion to the text the admin wrote.
 */

import { isProvisioError } from "../errors.ts";
import type { Condition } from "./condition.ts";
import { evaluateCondition } from "./condition.ts";
import type { Diagnostic } from "./diagnostic.ts";
import {
  type Expansion,
  expandMacros,
  expandMacrosTracked,
  lookupMacro,
  type MacroVariables,
  macroSubstring,
  type SecretReference,
} from "./macro.ts";
import type {
  GppParamName,
  OptionArgument,
  ParsedRule,
  RuleAlternative,
  RuleKind,
} from "./rule.ts";
import {
  parseProfileRule,
  parseReportRule,
  parseResyncTrigger,
  parseUpgradeRule,
} from "./rule_parser.ts";
import {
  type ResolveUrlOptions,
  type RuleUrl,
  type RuleUrlSyntax,
  resolveRuleUrl,
  type Scheme,
} from "./rule_url.ts";
import { SourcePositions, type WorkCounter } from "./source_positions.ts";

/** Compatibility family (§0.1); decides which options expand secrets and upgrade URL rules. */
export type DeviceFamily = "sipura" | "spa" | "mpp";

export interface EvaluateOptions {
  /** Default `spa` (the seed chapter's generation). */
  readonly family?: DeviceFamily;
  /** Scheme for URLs written without one (`Transport_Protocol`, §6.1); default `tftp`. */
  readonly defaultScheme?: Scheme;
  /** Emulator switch `macroPrefixFallback` (§5.2); default off. */
  readonly prefixFallback?: boolean;
  /** C9: firmware over HTTPS. Default: allowed on MPP only. */
  readonly upgradeHttps?: boolean;
  /** Counts the evaluation's work (alternatives tried, positions looked up), for tests and benches. */
  readonly work?: WorkCounter;
}

export interface ParameterAssignment {
  readonly name: string;
  readonly value: string;
}

export type SkipReason = "empty" | "commented" | "no-condition-true" | "syntax-error";

export interface SkipAction {
  readonly kind: "skip";
  readonly reason: SkipReason;
  readonly diagnostics: readonly Diagnostic[];
}

/** The selected alternative sets parameters and fetches nothing (§4.2 rule 4). */
export interface AssignOnlyAction {
  readonly kind: "assign-only";
  readonly assignments: readonly ParameterAssignment[];
  readonly alternativeIndex: number;
  readonly diagnostics: readonly Diagnostic[];
}

export interface FetchAction {
  readonly kind: "fetch";
  readonly url: RuleUrl;
  readonly method: "GET" | "POST";
  /** `--post x`: the GPP parameter whose (macro-expanded) value is the body. */
  readonly post?: { readonly param: GppParamName; readonly body: string };
  /** `--key`: decryption key, secrets expanded. */
  readonly key?: string;
  /** `--alias x`: the GPP parameter holding the alias map (§4.5.3). */
  readonly alias?: GppParamName;
  readonly uid?: string;
  readonly pwd?: string;
  /** Performed before the fetch, not undone if it fails (§4.4). */
  readonly assignments: readonly ParameterAssignment[];
  readonly alternativeIndex: number;
  readonly diagnostics: readonly Diagnostic[];
}

export type ProfileRuleAction = FetchAction | AssignOnlyAction | SkipAction;

export interface UpgradeAction {
  readonly kind: "upgrade";
  readonly url: RuleUrl;
  readonly assignments: readonly ParameterAssignment[];
  readonly alternativeIndex: number;
  /** The condition that selected the URL (Sipura loop protection, §7.3), if any. */
  readonly condition: Condition | undefined;
  readonly diagnostics: readonly Diagnostic[];
}

/** A selected firmware URL this family cannot use (§7.2): the attempt fails. */
export interface UpgradeRejected {
  readonly kind: "reject";
  readonly reason: "https-not-supported" | "server-required";
  readonly url: RuleUrl;
  readonly assignments: readonly ParameterAssignment[];
  readonly alternativeIndex: number;
  readonly diagnostics: readonly Diagnostic[];
}

export type UpgradeRuleAction = UpgradeAction | UpgradeRejected | AssignOnlyAction | SkipAction;

export interface ReportUpload {
  readonly url: RuleUrl;
  /** §8.4: tftp ⇒ TFTP PUT (WRQ); http/https ⇒ HTTP POST of the report. */
  readonly transfer: "tftp-put" | "http-post";
  /** `--status` ⇒ status report; `--delta` ⇒ changed parameters only; else full config. */
  readonly content: "config" | "delta" | "status";
  /** `--key`: encrypt the report with this key. */
  readonly key?: string;
  readonly uid?: string;
  readonly pwd?: string;
  readonly targetIndex: number;
  readonly alternativeIndex: number;
}

export interface ReportAction {
  readonly kind: "report";
  readonly uploads: readonly ReportUpload[];
  readonly assignments: readonly ParameterAssignment[];
  readonly diagnostics: readonly Diagnostic[];
}

export type ReportRuleAction = ReportAction | SkipAction;

export interface TriggerResult {
  /** False for an empty or commented-out trigger (inactive, §4.7). */
  readonly active: boolean;
  /** The expression's value; false when inactive or on a parse error (§6.2.6). */
  readonly value: boolean;
  readonly diagnostics: readonly Diagnostic[];
}

// ---------------------------------------------------------------- shared machinery

interface Context {
  readonly raw: string;
  readonly vars: MacroVariables;
  readonly options: EvaluateOptions;
  readonly expansion: Expansion;
  readonly diagnostics: Diagnostic[];
  readonly positions: SourcePositions;
}

function locate(ctx: Context, offset: number): { line?: number; column: number } {
  return ctx.positions.locate(offset);
}

function begin(raw: string, vars: MacroVariables, options: EvaluateOptions): Context {
  const expansion = expandMacrosTracked(raw, vars, {
    prefixFallback: options.prefixFallback === true,
  });
  const positions = new SourcePositions(raw, expansion, options.work);
  return { raw, vars, options, expansion, diagnostics: [], positions };
}

function syntaxSkip(ctx: Context, e: unknown): SkipAction {
  if (!isProvisioError(e)) throw e;
  const offset = typeof e.details?.offset === "number" ? e.details.offset : 0;
  ctx.diagnostics.push({ code: "RULE_SYNTAX", message: e.message, ...locate(ctx, offset) });
  return { kind: "skip", reason: "syntax-error", diagnostics: ctx.diagnostics };
}

function emptySkip(ctx: Context, comment: string | undefined): SkipAction {
  return {
    kind: "skip",
    reason: comment === undefined ? "empty" : "commented",
    diagnostics: ctx.diagnostics,
  };
}

/** §4.2 rule 6.1: the first alternative whose condition holds, or one without a condition. */
function select(
  ctx: Context,
  alternatives: readonly RuleAlternative[],
): RuleAlternative | undefined {
  const swver = lookupMacro(ctx.vars, "SWVER");
  const condCtx = swver === undefined ? {} : { swver };
  for (const alt of alternatives) {
    if (ctx.options.work !== undefined) ctx.options.work.steps++;
    if (alt.condition === undefined) return alt;
    const r = evaluateCondition(alt.condition, condCtx);
    for (const p of r.problems) {
      ctx.diagnostics.push({
        code: "RULE_CONDITION_TYPE",
        message: p.message,
        ...locate(ctx, p.offset),
      });
    }
    if (r.value) return alt;
  }
  return undefined;
}

/** Appends the alternative's assignments to `out` (a loop: blocks may be huge). */
function assignmentsOf(
  alt: RuleAlternative,
  out: ParameterAssignment[] = [],
): ParameterAssignment[] {
  for (const a of alt.assignments ?? []) out.push({ name: a.name, value: a.value });
  return out;
}

/**
 * The part Profile_Rule and Upgrade_Rule share (§4.2 rule 6, §7.2): expand, parse, pick the
 * alternative, and finish when it fetches nothing. Returns the selected alternative with a
 * URL, or the finished action.
 */
function selectChain(
  text: string,
  vars: MacroVariables,
  options: EvaluateOptions,
  parse: (expanded: string) => ParsedRule,
):
  | { readonly ctx: Context; readonly alt: RuleAlternative & { readonly url: RuleUrlSyntax } }
  | SkipAction
  | AssignOnlyAction {
  const ctx = begin(text, vars, options);
  let parsed: ParsedRule;
  try {
    parsed = parse(ctx.expansion.text);
  } catch (e) {
    return syntaxSkip(ctx, e);
  }
  if (parsed.alternatives.length === 0) return emptySkip(ctx, parsed.comment);
  const alt = select(ctx, parsed.alternatives);
  if (alt === undefined)
    return { kind: "skip", reason: "no-condition-true", diagnostics: ctx.diagnostics };
  if (alt.url === undefined) {
    return {
      kind: "assign-only",
      assignments: assignmentsOf(alt),
      alternativeIndex: alt.index,
      diagnostics: ctx.diagnostics,
    };
  }
  return { ctx, alt: alt as RuleAlternative & { readonly url: RuleUrlSyntax } };
}

/** Step 3 of the design above: expand the secret references inside an argument's span. */
function argumentValue(ctx: Context, arg: OptionArgument, secrets: boolean): string {
  if (!secrets) return arg.value;
  const refs: SecretReference[] = [];
  for (const r of ctx.expansion.secrets) {
    if (r.start >= arg.span.start && r.end <= arg.span.end) refs.push(r);
  }
  if (refs.length === 0) return arg.value;
  const text = ctx.expansion.text;
  let out = "";
  let at = arg.span.start;
  for (const r of refs) {
    const value = lookupMacro(ctx.vars, r.name);
    out += text.slice(at, r.start);
    out +=
      value === undefined ? text.slice(r.start, r.end) : macroSubstring(value, r.offset, r.length);
    at = r.end;
  }
  return out + text.slice(at, arg.span.end);
}

function credentials(
  ctx: Context,
  alt: RuleAlternative,
): { key?: string; uid?: string; pwd?: string } {
  const o = alt.options;
  // §4.5.4 / §11: SPA expands secrets in --key only; MPP in --key, --uid and --pwd.
  const mpp = ctx.options.family === "mpp";
  const out: { key?: string; uid?: string; pwd?: string } = {};
  if (o.key !== undefined) out.key = argumentValue(ctx, o.key, true);
  if (o.uid !== undefined) out.uid = argumentValue(ctx, o.uid, mpp);
  if (o.pwd !== undefined) out.pwd = argumentValue(ctx, o.pwd, mpp);
  return out;
}

function resolveOptions(options: EvaluateOptions): ResolveUrlOptions {
  return options.defaultScheme === undefined ? {} : { defaultScheme: options.defaultScheme };
}

function letterOf(param: GppParamName): string {
  return param.slice(4);
}

// ---------------------------------------------------------------- Profile_Rule

/** Evaluates Profile_Rule / _B / _C / _D for a device (§4.2 rule 6). */
export function evaluateProfileRule(
  text: string,
  vars: MacroVariables,
  options: EvaluateOptions = {},
): ProfileRuleAction {
  const selected = selectChain(text, vars, options, parseProfileRule);
  if ("kind" in selected) return selected;
  const { ctx, alt } = selected;
  const assignments = assignmentsOf(alt);
  const url = resolveRuleUrl(alt.url, resolveOptions(options));
  let post: FetchAction["post"];
  if (alt.options.post !== undefined) {
    if (url.scheme === "tftp") {
      // §4.5.2: --post is for http/https only; a TFTP read has no body.
      ctx.diagnostics.push({
        code: "RULE_OPTION_IGNORED",
        message: "--post has no effect on a tftp URL",
        ...locate(ctx, alt.span.start),
      });
    } else {
      const raw = lookupMacro(vars, letterOf(alt.options.post)) ?? "";
      const body = expandMacros(raw, vars, { prefixFallback: options.prefixFallback === true });
      post = { param: alt.options.post, body };
    }
  }
  return {
    kind: "fetch",
    url,
    method: post === undefined ? "GET" : "POST",
    ...(post === undefined ? {} : { post }),
    ...credentials(ctx, alt),
    ...(alt.options.alias === undefined ? {} : { alias: alt.options.alias }),
    assignments,
    alternativeIndex: alt.index,
    diagnostics: ctx.diagnostics,
  };
}

// ---------------------------------------------------------------- Upgrade_Rule

/** Evaluates Upgrade_Rule (§7.2). The once-only memory (§7.3) is the caller's. */
export function evaluateUpgradeRule(
  text: string,
  vars: MacroVariables,
  options: EvaluateOptions = {},
): UpgradeRuleAction {
  const selected = selectChain(text, vars, options, parseUpgradeRule);
  if ("kind" in selected) return selected;
  const { ctx, alt } = selected;
  const assignments = assignmentsOf(alt);
  const url = resolveRuleUrl(alt.url, resolveOptions(options));
  const family = options.family ?? "spa";
  const https = options.upgradeHttps ?? family === "mpp";
  const base = { url, assignments, alternativeIndex: alt.index, diagnostics: ctx.diagnostics };
  if (url.scheme === "https" && !https)
    return { kind: "reject", reason: "https-not-supported", ...base };
  if (url.server.kind === "default" && family === "mpp") {
    return { kind: "reject", reason: "server-required", ...base };
  }
  return { kind: "upgrade", condition: alt.condition, ...base };
}

// ---------------------------------------------------------------- Report_Rule

/** Evaluates Report_Rule (§8.4): each `;`-separated target picks its alternative. */
export function evaluateReportRule(
  text: string,
  vars: MacroVariables,
  options: EvaluateOptions = {},
): ReportRuleAction {
  const ctx = begin(text, vars, options);
  let parsed: ReturnType<typeof parseReportRule>;
  try {
    parsed = parseReportRule(ctx.expansion.text);
  } catch (e) {
    return syntaxSkip(ctx, e);
  }
  if (parsed.targets.length === 0) return emptySkip(ctx, parsed.comment);
  const uploads: ReportUpload[] = [];
  const assignments: ParameterAssignment[] = [];
  let selected = 0;
  for (const [targetIndex, target] of parsed.targets.entries()) {
    const alt = select(ctx, target);
    if (alt === undefined) continue;
    selected++;
    assignmentsOf(alt, assignments);
    if (alt.url === undefined) continue;
    const url = resolveRuleUrl(alt.url, resolveOptions(options));
    if (alt.options.delta === true && alt.options.status === true) {
      ctx.diagnostics.push({
        code: "RULE_OPTION_IGNORED",
        message: "--delta has no effect together with --status",
        ...locate(ctx, alt.span.start),
      });
    }
    uploads.push({
      url,
      transfer: url.scheme === "tftp" ? "tftp-put" : "http-post",
      content:
        alt.options.status === true ? "status" : alt.options.delta === true ? "delta" : "config",
      ...credentials(ctx, alt),
      targetIndex,
      alternativeIndex: alt.index,
    });
  }
  if (selected === 0)
    return { kind: "skip", reason: "no-condition-true", diagnostics: ctx.diagnostics };
  return { kind: "report", uploads, assignments, diagnostics: ctx.diagnostics };
}

// ---------------------------------------------------------------- Resync_Trigger_n

/** Evaluates Resync_Trigger_1/2 (§4.7, §6.2.6). Parse errors ⇒ false plus a diagnostic. */
export function evaluateResyncTrigger(
  text: string,
  vars: MacroVariables,
  options: EvaluateOptions = {},
): TriggerResult {
  const ctx = begin(text, vars, options);
  let condition: Condition | undefined;
  try {
    condition = parseResyncTrigger(ctx.expansion.text);
  } catch (e) {
    return { active: true, value: false, diagnostics: syntaxSkip(ctx, e).diagnostics };
  }
  if (condition === undefined) return { active: false, value: false, diagnostics: [] };
  const swver = lookupMacro(vars, "SWVER");
  const r = evaluateCondition(condition, swver === undefined ? {} : { swver });
  for (const p of r.problems) {
    ctx.diagnostics.push({
      code: "RULE_CONDITION_TYPE",
      message: p.message,
      ...locate(ctx, p.offset),
    });
  }
  return { active: true, value: r.value, diagnostics: ctx.diagnostics };
}

/** Which rule kinds exist, for callers that dispatch on a parameter name. */
export function ruleKindOf(parameter: string): RuleKind | "trigger" | undefined {
  if (/^Profile_Rule(_[BCD])?$/.test(parameter)) return "profile";
  if (parameter === "Upgrade_Rule") return "upgrade";
  if (parameter === "Report_Rule") return "report";
  if (/^Resync_Trigger_[12]$/.test(parameter)) return "trigger";
  return undefined;
}
