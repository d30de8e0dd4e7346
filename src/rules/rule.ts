/**
 * Syntax tree of the profile-rule language (spec §4.2, §7.2, §8.4).
 *
 * The parser works on macro-expanded text (§4.2 rule 1); all offsets below are 0-based
 * positions in that text. `$SA`..`$SD` are still literal in it (they expand only inside key
 * arguments), which is why option arguments keep their span: the evaluator expands the
 * secrets inside exactly that span (see rule_evaluate.ts).
 */
import type { Condition } from "./condition.ts";
import type { RuleUrlSyntax } from "./rule_url.ts";

export type RuleKind = "profile" | "upgrade" | "report";

export type GppLetter =
  | "A"
  | "B"
  | "C"
  | "D"
  | "E"
  | "F"
  | "G"
  | "H"
  | "I"
  | "J"
  | "K"
  | "L"
  | "M"
  | "N"
  | "O"
  | "P";

/** `GPP_A`..`GPP_P`: the parameters `--post`, `--alias` and the `a`–`p` shortcuts name. */
export type GppParamName = `GPP_${GppLetter}`;

export interface Span {
  readonly start: number;
  readonly end: number;
}

/** One `Name = "value" ;` of an assignment block (§4.4). */
export interface Assignment {
  /** XML element name; the shortcuts `a`–`p` are already mapped to `GPP_A`..`GPP_P`. */
  readonly name: string;
  readonly value: string;
  /** True when written as a shortcut letter. */
  readonly shortcut: boolean;
}

/** An option argument (`--key`, `--uid`, `--pwd`): quotes stripped, span of the content. */
export interface OptionArgument {
  readonly value: string;
  readonly quoted: boolean;
  readonly span: Span;
}

export type RuleOption =
  | { readonly name: "key"; readonly argument: OptionArgument }
  | { readonly name: "uid"; readonly argument: OptionArgument }
  | { readonly name: "pwd"; readonly argument: OptionArgument }
  | { readonly name: "post"; readonly param: GppParamName }
  | { readonly name: "alias"; readonly param: GppParamName }
  | { readonly name: "delta" }
  | { readonly name: "status" };

export type OptionName = RuleOption["name"];

/** The options of one alternative, at most one of each (a repeated option is a syntax error). */
export interface RuleOptions {
  readonly key?: OptionArgument;
  readonly uid?: OptionArgument;
  readonly pwd?: OptionArgument;
  readonly post?: GppParamName;
  readonly alias?: GppParamName;
  readonly delta?: true;
  readonly status?: true;
}

export interface RuleAlternative {
  /** 0-based position among the `|`-separated alternatives. */
  readonly index: number;
  readonly condition: Condition | undefined;
  /** Undefined when there is no `( … )!` block; `[]` for an empty one. */
  readonly assignments: readonly Assignment[] | undefined;
  readonly options: RuleOptions;
  readonly url: RuleUrlSyntax | undefined;
  readonly span: Span;
}

/** Profile_Rule*, Upgrade_Rule: one chain of alternatives. Empty rule → no alternatives. */
export interface ParsedRule {
  readonly kind: "profile" | "upgrade";
  readonly alternatives: readonly RuleAlternative[];
  /** Text after `#`, undefined when there is no comment. */
  readonly comment: string | undefined;
}

/** Report_Rule: several `;`-separated targets, each a chain of alternatives (§4.5.5). */
export interface ParsedReportRule {
  readonly kind: "report";
  readonly targets: readonly (readonly RuleAlternative[])[];
  readonly comment: string | undefined;
}
