/** Small test helpers shared by the rules tests. */
import { isProvisioError } from "../../src/errors.ts";

export * from "../../src/rules/index.ts";

/** Calls `fn`, returns the ProvisioError it throws (fails the test otherwise). */
export function provisioErrorOf(fn: () => unknown): {
  code: string;
  column: number | undefined;
  message: string;
} {
  try {
    fn();
  } catch (e) {
    if (isProvisioError(e)) return { code: e.code, column: e.column, message: e.message };
    throw e;
  }
  throw new Error("expected a ProvisioError, nothing was thrown");
}
