import type { Command } from "commander";
import { registerServeCommand } from "./serve_command.ts";

/**
 * Every subcommand registers itself through one function; adding a command is one
 * import and one entry here.
 */
export type RegisterCommand = (program: Command) => void;

export const commands: readonly RegisterCommand[] = [registerServeCommand];
