import type { Command } from "commander";
import { registerCompile, registerDecode } from "./profile_commands.ts";
import { registerRule } from "./rule_command.ts";
import { registerServeCommand } from "./serve_command.ts";

/**
 * Every subcommand registers itself through one function; adding a command is one
 * import and one entry here.
 */
export type RegisterCommand = (program: Command) => void;

export const commands: readonly RegisterCommand[] = [
  registerServeCommand,
  registerCompile,
  registerDecode,
  registerRule,
];
