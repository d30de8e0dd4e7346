import { Command, CommanderError } from "commander";
import { isProvisioError } from "../errors.ts";
import { commands } from "./commands.ts";

/** Builds the `provisio` program; exported so tests can run commands in-process. */
export function buildProgram(): Command {
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

/** Runs the CLI and returns the process exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync([...argv]);
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode;
    }
    if (isProvisioError(error)) {
      process.stderr.write(`provisio: ${error.describe()}\n`);
      return 1;
    }
    throw error;
  }
}
