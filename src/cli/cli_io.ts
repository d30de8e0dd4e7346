import { readFileSync, writeFileSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import { cliError } from "./errors.ts";
import { writeStdout } from "./stdout.ts";

/** Reads a file, or standard input for `-`. */
export function readInput(path: string): Buffer {
  try {
    return path === "-" ? readFileSync(0) : readFileSync(path);
  } catch (error) {
    throw cliError("CLI_INPUT_UNREADABLE", `cannot read ${path}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/** Writes a file, or standard output for `-` / no path. Refuses binary on a terminal. */
export function writeOutput(
  path: string | undefined,
  data: Uint8Array | string,
  binary: boolean,
): void {
  if (path === undefined || path === "-") {
    if (binary && process.stdout.isTTY) {
      throw cliError(
        "CLI_BINARY_TO_TERMINAL",
        "refusing to write gzip/encrypted bytes to a terminal; use -o FILE or a pipe",
      );
    }
    writeStdout(data);
    return;
  }
  try {
    writeFileSync(path, data);
  } catch (error) {
    throw cliError("CLI_OUTPUT_UNWRITABLE", `cannot write ${path}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/**
 * One message line, at most `max` characters: a huge name or value quoted in a message
 * keeps its start and its end (where the `[CODE]` is) and says how much was left out.
 */
export function clipLine(line: string, max = 600): string {
  if (line.length <= max) return line;
  const tail = 80;
  const head = max - tail - 40;
  const left = line.length - head - tail;
  return `${line.slice(0, head)} … (${left} characters left out) … ${line.slice(-tail)}`;
}

/** How an input argument is named in messages (`-` is standard input). */
export function inputName(path: string): string {
  return path === "-" ? "<stdin>" : path;
}

/** The identity of an input file for `import` cycle detection: its absolute path. */
export function inputIdentity(path: string): string | undefined {
  return path === "-" ? undefined : resolve(path);
}

/** `import` in a text profile resolves relative to the importing file (stdin: the cwd). */
export function importResolver(
  inputPath: string,
): (name: string, fromFile: string | undefined) => { id: string; text: string } {
  return (name, fromFile) => {
    const base = fromFile ?? (inputPath === "-" ? "./-" : inputPath);
    const file = isAbsolute(name) ? name : resolve(dirname(base), name);
    try {
      return { id: file, text: readFileSync(file, "utf8") };
    } catch (error) {
      // The profile library wraps this as "cannot import NAME: <message>" at the import line.
      throw cliError("CLI_IMPORT_UNREADABLE", (error as Error).message, { cause: error });
    }
  };
}

/** Collects repeatable `--opt NAME=VALUE` flags. */
export function collectPair(
  value: string,
  previous: Array<[string, string]> = [],
): Array<[string, string]> {
  const eq = value.indexOf("=");
  if (eq <= 0) {
    throw cliError("CLI_BAD_PAIR", `expected NAME=VALUE, got ${JSON.stringify(value)}`);
  }
  return [...previous, [value.slice(0, eq), value.slice(eq + 1)]];
}

export function warn(message: string): void {
  process.stderr.write(`warning: ${message}\n`);
}
