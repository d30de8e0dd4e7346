/**
 * One error family for the whole product. Every failure a user can meet carries a
 * stable `code` (e.g. `PROFILE_XML_MALFORMED`, `RULE_SYNTAX`, `TFTP_ACCESS_VIOLATION`):
 * the CLI prints the message and exits non-zero, the API maps the code to an HTTP
 * status and answers `{ error: { code, message } }`.
 *
 * Codes are declared next to the code that throws them (each module's `errors.ts`),
 * prefixed by the module, so this file never becomes a merge hot spot.
 */
export interface ProvisioErrorOptions {
  /** Where in the input the problem is (1-based), for parsers. */
  readonly line?: number;
  readonly column?: number;
  /** HTTP status the API should answer with; defaults to 400. */
  readonly status?: number;
  /** Machine-readable extra facts (never secrets). */
  readonly details?: Readonly<Record<string, unknown>>;
  readonly cause?: unknown;
}

export class ProvisioError<C extends string = string> extends Error {
  override readonly name = "ProvisioError";
  readonly code: C;
  readonly line: number | undefined;
  readonly column: number | undefined;
  readonly status: number;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(code: C, message: string, options: ProvisioErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.line = options.line;
    this.column = options.column;
    this.status = options.status ?? 400;
    this.details = options.details;
  }

  /** `file:line:col: message` style, for the CLI. */
  describe(source?: string): string {
    const where =
      this.line === undefined
        ? ""
        : `${this.line}${this.column === undefined ? "" : `:${this.column}`}: `;
    return `${source ? `${source}:` : ""}${where}${this.message} [${this.code}]`;
  }
}

export function isProvisioError(value: unknown): value is ProvisioError {
  return value instanceof ProvisioError;
}

/** What a code means to the person who meets it, and the HTTP status the API answers with. */
export interface ErrorCodeSpec {
  readonly status: number;
  readonly meaning: string;
}

/**
 * A module's code list: every code the module throws, each with its status and meaning.
 * Declared with `satisfies ErrorCodeList<TheModulesCodeUnion>` so a code cannot be added to
 * the union without being documented; `docs/errors.md` is generated from these lists.
 */
export type ErrorCodeList<C extends string> = { readonly [K in C]: ErrorCodeSpec };

/** Non-fatal findings (warnings) are listed the same way, without an HTTP status. */
export type WarningCodeList<C extends string> = { readonly [K in C]: string };

/** The kernel's own codes, used when a caller does not name its module's code. */
export const KERNEL_ERRORS = {
  MAC_INVALID: { status: 400, meaning: "A MAC address is not 12 hex digits." },
  FINGERPRINT_INVALID: {
    status: 400,
    meaning: "A certificate fingerprint is not a SHA-256 (64 hex digits).",
  },
} as const satisfies ErrorCodeList<"MAC_INVALID" | "FINGERPRINT_INVALID">;
