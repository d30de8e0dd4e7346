import { readFileSync } from "node:fs";
import { cliError } from "./errors.ts";

/** `on`/`off` (and the usual spellings) for a setting's flag. */
export function parseSwitch(text: string, flag: string): boolean {
  const value = text.toLowerCase();
  if (["on", "yes", "true", "1"].includes(value)) return true;
  if (["off", "no", "false", "0"].includes(value)) return false;
  throw cliError(
    "CLI_BAD_OPTION",
    `${flag} takes on or off, not ${JSON.stringify(text.slice(0, 64))}`,
  );
}

/** One of a fixed list of values. */
export function parseChoice<T extends string>(
  text: string,
  flag: string,
  choices: readonly T[],
): T {
  const found = choices.find((c) => c === text);
  if (found === undefined) {
    throw cliError(
      "CLI_BAD_OPTION",
      `${flag} takes ${choices.join(", ")}, not ${JSON.stringify(text.slice(0, 64))}`,
    );
  }
  return found;
}

/** `false` (from `--no-X`) clears a field; a string sets it; undefined leaves it. */
export function cleared(value: string | false | undefined): string | null | undefined {
  return value === false ? null : value;
}

/** Refuses a `set` whose flags change nothing. */
export function requireChange(patch: object, command: string): void {
  if (Object.keys(patch).length === 0) {
    throw cliError("CLI_BAD_OPTION", `nothing to change (see provisio ${command} set --help)`);
  }
}

/** A text file named by a flag (a PEM file…), read whole. */
export function readTextFile(path: string, flag: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    throw cliError(
      "CLI_INPUT_UNREADABLE",
      `${flag}: cannot read ${path}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
}
