/**
 * A non-fatal finding produced while evaluating a rule. The device emulator turns these
 * into syslog errors; the server shows them to the admin who wrote the rule. Returned,
 * never thrown, because the spec's adopted device behaviour is "carry on" (§4.3, §6.2.6).
 */
import type { WarningCodeList } from "../errors.ts";

export type DiagnosticCode =
  /** A comparison between incompatible operands (`"abc" lt 3`, bare word, SPA vs MPP version). */
  | "RULE_CONDITION_TYPE"
  /** The rule did not parse; it is skipped (§4.2 rule 3). */
  | "RULE_SYNTAX"
  /** An option that has no effect in this position (e.g. `--post` on a tftp URL). */
  | "RULE_OPTION_IGNORED";

export const RULE_WARNINGS = {
  RULE_CONDITION_TYPE:
    "A comparison between values of different kinds (text and number, SPA and MPP versions); it is false.",
  RULE_SYNTAX: "A rule does not parse; a device skips it and goes on with the next one.",
  RULE_OPTION_IGNORED:
    "An option that has no effect where it is written (e.g. `--post` on a TFTP URL).",
} as const satisfies WarningCodeList<DiagnosticCode>;

export interface Diagnostic {
  readonly code: DiagnosticCode;
  readonly message: string;
  /** 1-based position in the rule text as written (before macro expansion), when known. */
  readonly line?: number;
  readonly column?: number;
}
