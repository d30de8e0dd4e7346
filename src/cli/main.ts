import { Command, CommanderError } from "commander";
import { isProvisioError, type ProvisioError } from "../errors.ts";
import { clipLine } from "./cli_io.ts";
import { COMMAND_LOADERS, loadAllCommands, type RegisterCommand } from "./commands.ts";
import { readerGone, writeStdout } from "./stdout.ts";

/** sysexits.h EX_SOFTWARE: an internal error, as opposed to bad input (exit 1). */
export const EXIT_INTERNAL_ERROR = 70;

/** The top-level commands' names (bin/provisio.js keeps a code cache per command, D42). */
export const COMMAND_NAMES: readonly string[] = Object.keys(COMMAND_LOADERS);

/** Flags that need no command: `provisio --version` loads nothing but commander (D1). */
const NO_COMMAND = new Set(["--version", "-V"]);

/**
 * The commands `argv` needs: just the one it names (each command's code runs only when it is
 * loaded, so a management command loads neither Fastify nor the server node, and the profile
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

/**
 * Every command but the server stops quietly when its reader goes away
 * (`provisio device list | head -1`); a server whose log pipe breaks should fail.
 */
const PIPE_SENSITIVE = new Set(["serve"]);

/** Commander's error text, held back so `main` prints one message and a hint, not the help. */
let commanderMessages: string[] = [];

/** Builds the `provisio` program; exported so tests can run commands in-process. */
export function buildProgram(commands: readonly RegisterCommand[]): Command {
  const program = new Command("provisio")
    .description(
      "Provisio: provisioning server, profile compiler and device tools for Cisco SPA / MPP style SIP devices",
    )
    .version("0.1.0")
    .configureOutput({
      writeOut: writeStdout,
      outputError: (text) => {
        commanderMessages.push(text);
      },
    })
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
 * then fails with EPIPE. That is not an error of a command: stop quietly, as `cat` does.
 * Not for the server: a server whose log pipe breaks should fail. The commands write through
 * `writeStdout`, which stops so by itself; `process.stdout` is guarded when something builds
 * it, not built here (building it is most of what writing through it would cost, D49).
 */
function exitQuietlyOnClosedStdout(): void {
  if (stdoutGuarded) return;
  stdoutGuarded = true;
  const lazy = Object.getOwnPropertyDescriptor(process, "stdout");
  const build = lazy?.get;
  if (lazy === undefined || build === undefined || lazy.configurable !== true) {
    guard(process.stdout);
    return;
  }
  Object.defineProperty(process, "stdout", {
    ...lazy,
    get() {
      const stream = build.call(process) as NodeJS.WriteStream;
      Object.defineProperty(process, "stdout", { ...lazy, get: () => stream });
      guard(stream);
      return stream;
    },
  });
}

function guard(stream: NodeJS.WriteStream): void {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") readerGone();
    process.stderr.write(`${formatUnexpectedError(error, process.env.PROVISIO_DEBUG === "1")}\n`);
    process.exit(EXIT_INTERNAL_ERROR);
  });
}

/**
 * `provisio help device add` means `provisio device add --help` (commander's own `help`
 * command looks at its first argument only).
 */
export function helpArgv(argv: readonly string[]): readonly string[] {
  if (argv[2] !== "help" || argv.length < 4) return argv;
  return [argv[0]!, argv[1]!, ...argv.slice(3), "--help"];
}

/** The deepest (sub)command that `args` names, and its path (`device add`). */
function namedCommand(
  program: Command,
  args: readonly string[],
): { command: Command; path: string[] } {
  let command = program;
  const path: string[] = [];
  for (const word of args) {
    if (word.startsWith("-")) break;
    const sub = command.commands.find((c) => c.name() === word || c.aliases().includes(word));
    if (sub === undefined) break;
    command = sub;
    path.push(sub.name());
  }
  return { command, path };
}

/** Edit distance (insert, delete, substitute, swap adjacent), for "did you mean". */
function editDistance(a: string, b: string): number {
  const d: number[][] = [];
  for (let i = 0; i <= a.length; i++) d.push([i]);
  for (let j = 0; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, d[i - 2]![j - 2]! + 1);
      }
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * Commander reports a missing required option before an unknown one, so `--modle SPA112`
 * said "--model not specified". The misspelt flag is the real error: name it, with the
 * closest known flag.
 */
function misspeltFlag(command: Command, args: readonly string[]): string | undefined {
  const known: string[] = [];
  for (let c: Command | null = command; c !== null; c = c.parent) {
    for (const option of c.options) if (option.long !== undefined) known.push(option.long);
  }
  known.push("--help");
  for (const word of args) {
    if (!word.startsWith("--") || word === "--") continue;
    const flag = word.split("=")[0]!;
    if (known.includes(flag)) continue;
    let best: string | undefined;
    let bestDistance = 4;
    for (const candidate of known) {
      const distance = editDistance(flag.slice(2), candidate.slice(2));
      if (distance < bestDistance && distance < candidate.length - 2) {
        best = candidate;
        bestDistance = distance;
      }
    }
    return `error: unknown option '${flag}'${best === undefined ? "" : ` (Did you mean ${best}?)`}`;
  }
  return undefined;
}

/**
 * `provisio help nosuch sub` printed the main help and exited 0, as if it had worked: the
 * words after `help` must name a command, each a subcommand of the one before. The first
 * word that does not is reported as `provisio nosuch` would be (with the closest name).
 */
function unknownHelpTopic(program: Command, rawArgv: readonly string[]): string | undefined {
  if (rawArgv[2] !== "help") return undefined;
  const words = rawArgv.slice(3).filter((w) => !w.startsWith("-"));
  const { command, path } = namedCommand(program, words);
  const word = words[path.length];
  if (word === undefined) return undefined;
  let best: string | undefined;
  let bestDistance = 4;
  for (const sub of command.commands) {
    const distance = editDistance(word, sub.name());
    if (distance < bestDistance && distance < sub.name().length) {
      best = sub.name();
      bestDistance = distance;
    }
  }
  return (
    `error: unknown command '${word}'${best === undefined ? "" : ` (Did you mean ${best}?)`}\n` +
    `see provisio ${[...path, ""].join(" ")}--help\n`
  );
}

/** Commander's own outcomes that are not errors. */
const NOT_ERRORS = new Set(["commander.helpDisplayed", "commander.version", "commander.help"]);

/** Runs the CLI and returns the process exit code. */
export async function main(rawArgv: readonly string[]): Promise<number> {
  const argv = helpArgv(rawArgv);
  if (argv[2] === undefined || !PIPE_SENSITIVE.has(argv[2])) exitQuietlyOnClosedStdout();
  commanderMessages = [];
  let program: Command | undefined;
  try {
    program = buildProgram(await commandsFor(argv));
    const unknownTopic = unknownHelpTopic(program, rawArgv);
    if (unknownTopic !== undefined) {
      // The same exit status as any other unknown command (commander's usage errors).
      process.stderr.write(unknownTopic);
      return 1;
    }
    await program.parseAsync([...argv]);
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (NOT_ERRORS.has(error.code) || program === undefined) {
        process.stderr.write(commanderMessages.join(""));
        return error.exitCode;
      }
      const args = argv.slice(2);
      const { command, path } = namedCommand(program, args);
      const message =
        (error.code === "commander.missingMandatoryOptionValue"
          ? misspeltFlag(command, args)
          : undefined) ?? commanderMessages.join("").trimEnd();
      process.stderr.write(`${message}\nsee provisio ${[...path, ""].join(" ")}--help\n`);
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
