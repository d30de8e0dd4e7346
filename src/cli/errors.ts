import {
  type ErrorCodeList,
  isProvisioError,
  ProvisioError,
  type ProvisioErrorOptions,
} from "../errors.ts";

/**
 * Stable codes for the command line's own failures (the store, profile, rules and admin codes
 * pass through unchanged). The CLI prints `message [CODE]` and exits 1; the status is what the
 * same failure would be over HTTP.
 */
export type CliErrorCode =
  | "CLI_BAD_OPTION"
  | "CLI_BAD_LINE"
  | "CLI_BAD_PAIR"
  | "CLI_NOT_FOUND"
  | "CLI_INPUT_UNREADABLE"
  | "CLI_INPUT_NOT_PLAIN"
  | "CLI_IMPORT_UNREADABLE"
  | "CLI_OUTPUT_UNWRITABLE"
  | "CLI_BINARY_TO_TERMINAL"
  | "CLI_NOT_A_RULE"
  | "CLI_IMPORT_FAILED";

export const CLI_ERRORS = {
  CLI_BAD_OPTION: { status: 400, meaning: "an option's value is out of range or not allowed" },
  CLI_BAD_LINE: { status: 400, meaning: "an account line argument is malformed" },
  CLI_BAD_PAIR: { status: 400, meaning: "an argument is not NAME=VALUE" },
  CLI_NOT_FOUND: { status: 404, meaning: "the record the command names does not exist" },
  CLI_INPUT_UNREADABLE: { status: 400, meaning: "the input file (or stdin) cannot be read" },
  CLI_INPUT_NOT_PLAIN: {
    status: 400,
    meaning: "the input is encrypted or compressed where a plain profile is needed",
  },
  CLI_IMPORT_UNREADABLE: {
    status: 400,
    meaning: "a file named by an `import` line of a text profile cannot be read",
  },
  CLI_OUTPUT_UNWRITABLE: { status: 400, meaning: "the output file cannot be written" },
  CLI_BINARY_TO_TERMINAL: {
    status: 400,
    meaning: "gzip or encrypted output refused on a terminal (use -o FILE or a pipe)",
  },
  CLI_NOT_A_RULE: { status: 400, meaning: "the text given to `provisio rule` is not a rule" },
  CLI_IMPORT_FAILED: {
    status: 400,
    meaning: "a CSV import stopped on an unexpected error (committed rows stay)",
  },
} as const satisfies ErrorCodeList<CliErrorCode>;

export function cliError(
  code: CliErrorCode,
  message: string,
  options: ProvisioErrorOptions = {},
): ProvisioError<CliErrorCode> {
  return new ProvisioError(code, message, { status: CLI_ERRORS[code].status, ...options });
}

/**
 * `add` of something that exists fails with the store's STORE_CONFLICT; the message then says
 * which command changes it instead (`provisio device set MAC`).
 */
export async function hintOnConflict<T>(hint: string, body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (error) {
    if (isProvisioError(error) && error.code === "STORE_CONFLICT") {
      throw new ProvisioError(error.code, `${error.message}; ${hint}`, {
        status: error.status,
        ...(error.details === undefined ? {} : { details: error.details }),
        cause: error,
      });
    }
    throw error;
  }
}
