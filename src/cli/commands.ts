import type { Command } from "commander";
import { registerAccountCommand } from "./account_command.ts";
import { registerAuditCommand } from "./audit_command.ts";
import { registerDeviceCommand } from "./device_command.ts";
import { registerGroupCommand } from "./group_command.ts";
import { registerLayerCommand } from "./layer_command.ts";
import { registerModelCommand } from "./model_command.ts";
import { registerPkiCommand } from "./pki_command.ts";
import { registerCompile, registerDecode } from "./profile_commands.ts";
import { registerRule } from "./rule_command.ts";
import { registerServeCommand } from "./serve_command.ts";
import { registerTenantCommand } from "./tenant_command.ts";
import { registerTokenCommand } from "./token_command.ts";

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
  registerDeviceCommand,
  registerAccountCommand,
  registerLayerCommand,
  registerTokenCommand,
  registerPkiCommand,
  registerTenantCommand,
  registerGroupCommand,
  registerModelCommand,
  registerAuditCommand,
];
