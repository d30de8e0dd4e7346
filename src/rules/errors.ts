/**
 * Error codes thrown by the rules engine. Declared here (not in src/errors.ts) so the
 * shared file never becomes a merge hot spot; every code is prefixed `RULE_`.
 *
 * Only *parse* failures throw. Evaluation never throws for bad input: a rule that does not
 * parse is skipped with a diagnostic, and a condition with a type error is false plus a
 * diagnostic (spec §4.3, "adopted emulator behaviour").
 */
import { type ErrorCodeList, ProvisioError } from "../errors.ts";

export type RuleErrorCode =
  /** Profile_Rule / Upgrade_Rule / Report_Rule / Resync_Trigger text does not parse. */
  | "RULE_SYNTAX"
  /** A firmware version string is in neither the SPA nor the MPP format (§4.3.1). */
  | "RULE_VERSION_SYNTAX"
  /** Two versions of different formats (SPA vs MPP) were compared (§4.3.1). */
  | "RULE_VERSION_MISMATCH"
  /** A schedule (Resync_Periodic, …_Retry_Delay) does not parse (§6.4). */
  | "RULE_SCHEDULE_SYNTAX"
  /** A MAC address is not 12 hex digits (optionally `:`/`-` separated). */
  | "RULE_MAC_INVALID"
  /** A profile path pattern cannot be matched (runtime macro, substring form, too long, …). */
  | "RULE_PATH_PATTERN_INVALID";

export type RuleError = ProvisioError<RuleErrorCode>;

export const RULE_ERRORS = {
  RULE_SYNTAX: {
    status: 400,
    meaning: "A Profile_Rule, Upgrade_Rule, Report_Rule or Resync_Trigger does not parse.",
  },
  RULE_VERSION_SYNTAX: {
    status: 400,
    meaning: "A firmware version is in neither the SPA nor the MPP format.",
  },
  RULE_VERSION_MISMATCH: {
    status: 400,
    meaning: "An SPA-format version was compared with an MPP-format one.",
  },
  RULE_SCHEDULE_SYNTAX: {
    status: 400,
    meaning: "A resync schedule or retry delay list does not parse.",
  },
  RULE_MAC_INVALID: { status: 400, meaning: "A MAC address is not 12 hex digits." },
  RULE_PATH_PATTERN_INVALID: {
    status: 400,
    meaning: "A profile path pattern cannot be matched (runtime macro, substring form, too long).",
  },
} as const satisfies ErrorCodeList<RuleErrorCode>;

/** 0-based offset in `text` → 1-based line and column, for error messages. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(Math.max(offset, 0), text.length);
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: end - lineStart + 1 };
}

/** A `RULE_SYNTAX` error pointing at `offset` of `text`. */
export function ruleSyntaxError(text: string, offset: number, message: string): RuleError {
  const { line, column } = lineColumn(text, offset);
  return new ProvisioError<RuleErrorCode>("RULE_SYNTAX", message, {
    line,
    column,
    details: { offset },
  });
}
