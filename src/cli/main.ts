import { Command, CommanderError } from "commander";
import { isProvisioError, type ProvisioError } from "../errors.ts";
import { clipLine } from "./cli_io.ts";
import { COMMAND_LOADERS, loadAllCommands, type RegisterCommand } from "./commands.ts";

/** sysexits.h EX_SOFTWARE: an internal error, as opposed to bad input (exit 1). */
export const EXIT_INTERNAL_ERROR = 70;

/** Flags that need no command: `provisio --version` loads nothing but commander (D1). */
const NO_COMMAND = new Set(["--version", "-V"]);

/**
 * The commands `argv` needs: just the one it names (each command is its own chunk in the
 * bundle, so a management command loads neither Fastify nor the server node, and the profile
 * tools none of the server's libraries), none for `--version`, else all of them (`--help`,
 * `help`, no command, a misspelt one).
 */
export async function commandsFor(argv: readonly string[]): Promise<readonly RegisterCommand[]> {
  const name = argv[2];
  if (name !== undefined && NO_COMMAND.has(name)) return [];
  if (name !== undefined && Object.hasOwn(COMMAND_LOADERS, name)) {
    return [await COMMAND_LOADERS[name]!()];
  }
  return loadAllCommands();
}

/** The filter-like tools, which stop quietly when their reader goes away. */
const FILTERS = new Set(["compile", "decode", "rule"]);

/** Builds the `provisio` program; exported so tests can run commands in-process. */
export function buildProgram(commands: readonly RegisterCommand[]): Command {
  const program = new Command("provisio")
    .description(
      "Provisio: provisioning server, profile compiler and device tools for Cisco SPA / MPP style SIP devices",
    )
    .version("0.1.0")
    .showHelpAfterError()
    .exitOverride();
  for (const register of commands) register(program);
  return program;
}

/**
 * The one line printed for a ProvisioError: `source:line:col: message [CODE]` when the error
 * names its file (parsers put it in `details.file`), else `provisio: message [CODE]`. Never a
 * stack: these are the user's input problems, and the message says what to fix.
 */
export function formatProvisioError(error: ProvisioError): string {
  const file = error.details?.file;
  return clipLine(
    typeof file === "string" && file !== ""
      ? error.describe(file)
      : `provisio: ${error.describe()}`,
  );
}

/**
 * The lines printed for anything else: a bug in Provisio. One line and a hint, not a stack
 * trace, unless PROVISIO_DEBUG asks for it.
 */
export function formatUnexpectedError(error: unknown, debug = false): string {
  const what = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  const stack = debug && error instanceof Error && error.stack ? `\n${error.stack}` : "";
  return (
    `provisio: internal error: ${what.split("\n")[0]}\n` +
    "  This is a bug in Provisio, not in your input; please report it with the command you ran" +
    `${debug ? "." : " (PROVISIO_DEBUG=1 prints the stack trace)."}${stack}`
  );
}

let stdoutGuarded = false;

/**
 * A reader that stops early (`provisio decode x.cfg | head`) closes the pipe; writing more
 * then fails with EPIPE. That is not an error of a filter-like command: stop quietly, as
 * `cat` does. Only for the standalone tools: a server whose log pipe breaks should fail.
 */
function exitQuietlyOnClosedStdout(): void {
  if (stdoutGuarded) return;
  stdoutGuarded = true;
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE")
      process.exit(typeof process.exitCode === "number" ? process.exitCode : 0);
    process.stderr.write(`${formatUnexpectedError(error, process.env.PROVISIO_DEBUG === "1")}\n`);
    process.exit(EXIT_INTERNAL_ERROR);
  });
}

/** Runs the CLI and returns the process exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  if (argv[2] !== undefined && FILTERS.has(argv[2])) exitQuietlyOnClosedStdout();
  try {
    const program = buildProgram(await commandsFor(argv));
    await program.parseAsync([...argv]);
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode;
    }
    if (isProvisioError(error)) {
      process.stderr.write(`${formatProvisioError(error)}\n`);
      return 1;
    }
    process.stderr.write(`${formatUnexpectedError(error, process.env.PROVISIO_DEBUG === "1")}\n`);
    return EXIT_INTERNAL_ERROR;
  }
}
