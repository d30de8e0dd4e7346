import { ProfileErrorCode, profileError } from "./errors.ts";

/**
 * Parameter names are the XML element names of §3.2.2 (`Profile_Rule`, `User_ID_1_`,
 * `Resync_At__HHmm_`). Everything in the library keys on this canonical form; the
 * plain-text bracket form (`Proxy[1]`) and web labels are converted at the edges.
 *
 * Grammar adopted: a letter, then letters, digits, `_`, `-` or `.`. The hyphen and the dot
 * are needed by real names (`Auth_Resync-Reboot_1_`, `Phone-UI-User-Mode`,
 * `G722.2_Enable_1_`, `Enable_802.1X_Authentication`); the spec's EBNF omits them.
 */

export type NameProblemReason = "empty" | "bad-start" | "bad-char";

export interface NameProblem {
  readonly reason: NameProblemReason;
  /** 0-based index of the offending character. */
  readonly index: number;
  readonly message: string;
}

function isLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

function isNameChar(c: number): boolean {
  return (
    isLetter(c) || (c >= 48 && c <= 57) || c === 95 /* _ */ || c === 45 /* - */ || c === 46 /* . */
  );
}

/** Why `name` is not a canonical parameter name, or undefined when it is one. */
export function parameterNameProblem(name: string): NameProblem | undefined {
  if (name.length === 0) {
    return { reason: "empty", index: 0, message: "parameter name is empty" };
  }
  if (!isLetter(name.charCodeAt(0))) {
    return {
      reason: "bad-start",
      index: 0,
      message: `parameter name ${JSON.stringify(name)} must start with a letter`,
    };
  }
  for (let i = 1; i < name.length; i++) {
    if (!isNameChar(name.charCodeAt(i))) {
      return {
        reason: "bad-char",
        index: i,
        message: `parameter name ${JSON.stringify(name)} has ${JSON.stringify(name[i])} at position ${i + 1}; only letters, digits, "_", "-" and "." are allowed`,
      };
    }
  }
  return undefined;
}

export function isParameterName(name: string): boolean {
  return parameterNameProblem(name) === undefined;
}

/** Throws `PROFILE_NAME_INVALID` unless `name` is canonical. */
export function assertParameterName(name: string): string {
  const problem = parameterNameProblem(name);
  if (problem) {
    throw profileError(ProfileErrorCode.NameInvalid, problem.message, {
      details: { name, reason: problem.reason, index: problem.index },
    });
  }
  return name;
}

/** §3.2.2: each space and each of `[ ] ( ) /` becomes `_`, one for one. */
function replaceLabelChars(label: string): string {
  return label.replace(/[ [\]()/]/g, "_");
}

/**
 * A line/user/extension context as the web page shows it ("Ext 1", "Line 2", "User 3")
 * or a bare number. Returns the index, or undefined when the context names none.
 */
export function contextIndex(context: string | number): number | undefined {
  if (typeof context === "number") {
    return Number.isInteger(context) && context >= 0 ? context : undefined;
  }
  const match = /(\d+)\s*$/.exec(context);
  return match ? Number(match[1]) : undefined;
}

/**
 * Web-page label → element name (§3.2.2). With a context the index is appended as the
 * bracketed suffix would be: `labelToName("User ID", "Ext 1")` → `User_ID_1_`,
 * `labelToName("Speed Dial 2", 2)` → `Speed_Dial_2_2_`.
 */
export function labelToName(label: string, context?: string | number): string {
  let name = replaceLabelChars(label);
  if (context !== undefined) {
    const index = contextIndex(context);
    if (index === undefined) {
      throw profileError(
        ProfileErrorCode.LabelInvalid,
        `context ${JSON.stringify(context)} carries no line/user index`,
        { details: { label, context } },
      );
    }
    name = `${name}_${index}_`;
  }
  const problem = parameterNameProblem(name);
  if (problem) {
    throw profileError(
      ProfileErrorCode.LabelInvalid,
      `label ${JSON.stringify(label)} does not give a valid element name: ${problem.message}`,
      { details: { label, name, reason: problem.reason } },
    );
  }
  return name;
}

/**
 * Element name → a readable label (`_` → space). Lossy: `Resync_At__HHmm_` cannot know
 * its parentheses; the catalogue holds exact labels for known parameters.
 */
export function nameToLabel(name: string): string {
  const indexed = splitIndexedName(name);
  if (indexed) return `${indexed.base.replace(/_/g, " ")}[${indexed.index}]`;
  return name.replace(/_/g, " ");
}

export interface IndexedName {
  readonly base: string;
  readonly index: number;
}

// No leading zeros: `A_09_` is not "A, index 9" (that is `A_9_`), so it is left alone and
// the name survives a trip through the bracket form unchanged.
const INDEXED = /^(.*[^_])_(0|[1-9]\d*)_$/;

/** `Proxy_1_` → `{ base: "Proxy", index: 1 }`; names without a trailing `_n_` → undefined. */
export function splitIndexedName(name: string): IndexedName | undefined {
  const match = INDEXED.exec(name);
  if (!match) return undefined;
  return { base: match[1]!, index: Number(match[2]) };
}

/** `indexedName("Proxy", 1)` → `Proxy_1_`. */
export function indexedName(base: string, index: number): string {
  return `${base}_${index}_`;
}

const BRACKET_FORM = /^[A-Za-z][A-Za-z0-9_.-]*(\[\d+\][A-Za-z0-9_.-]*)*$/;

/** True when `name` uses the plain-text bracket form (`Proxy[1]`, `Speed_Dial_2[2]`). */
export function isBracketForm(name: string): boolean {
  return name.includes("[") && BRACKET_FORM.test(name);
}

/**
 * Bracket form or canonical name → canonical name (`Proxy[1]` → `Proxy_1_`, brackets
 * translated one for one as §3.2.2 says). Throws `PROFILE_NAME_INVALID`.
 */
export function normalizeParameterName(name: string): string {
  if (name.includes("[") || name.includes("]")) {
    if (!BRACKET_FORM.test(name)) {
      throw profileError(
        ProfileErrorCode.NameInvalid,
        `parameter name ${JSON.stringify(name)} has malformed brackets; write an index as Name[1]`,
        { details: { name, reason: "bad-bracket" } },
      );
    }
    return name.replace(/[[\]]/g, "_");
  }
  return assertParameterName(name);
}

/** Canonical name → bracket form for plain text (`Proxy_1_` → `Proxy[1]`); others unchanged. */
export function nameToBracketForm(name: string): string {
  const indexed = splitIndexedName(name);
  return indexed ? `${indexed.base}[${indexed.index}]` : name;
}
