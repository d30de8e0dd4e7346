import type { Command } from "commander";

/**
 * Every subcommand registers itself through one function; adding a command is one entry here.
 * Each is loaded on demand (run on first use in the bundle, D42), so `provisio device list` loads
 * the device command and what it uses — not Fastify, not the server node — and
 * `provisio --version` loads no command at all (decision D1).
 */
export type RegisterCommand = (program: Command) => void;

/** Top-level command name ▸ its loader, in the order `--help` lists them. */
export const COMMAND_LOADERS: Readonly<Record<string, () => Promise<RegisterCommand>>> = {
  serve: async () => (await import("./serve_command.ts")).registerServeCommand,
  compile: async () => (await import("./profile_commands.ts")).registerCompile,
  decode: async () => (await import("./profile_commands.ts")).registerDecode,
  rule: async () => (await import("./rule_command.ts")).registerRule,
  device: async () => (await import("./device_command.ts")).registerDeviceCommand,
  account: async () => {
    const [{ registerAccountCommand }, { registerAccountEditCommands }] = await Promise.all([
      import("./account_command.ts"),
      import("./account_edit_command.ts"),
    ]);
    return (program) => {
      registerAccountCommand(program);
      registerAccountEditCommands(program);
    };
  },
  layer: async () => (await import("./layer_command.ts")).registerLayerCommand,
  token: async () => (await import("./token_command.ts")).registerTokenCommand,
  user: async () => (await import("./user_command.ts")).registerUserCommand,
  pki: async () => (await import("./pki_command.ts")).registerPkiCommand,
  tenant: async () => (await import("./tenant_command.ts")).registerTenantCommand,
  group: async () => (await import("./group_command.ts")).registerGroupCommand,
  model: async () => (await import("./model_command.ts")).registerModelCommand,
  audit: async () => (await import("./audit_command.ts")).registerAuditCommand,
  emulate: async () => (await import("./emulate_command.ts")).registerEmulateCommand,
  fleet: async () => (await import("./fleet_command.ts")).registerFleetCommand,
  events: async () => (await import("./events_command.ts")).registerEventsCommand,
  firmware: async () => (await import("./firmware_command.ts")).registerFirmwareCommand,
  rollout: async () => (await import("./firmware_command.ts")).registerRolloutCommand,
  "master-key": async () => (await import("./master_key_command.ts")).registerMasterKeyCommand,
  redirect: async () => (await import("./redirect_command.ts")).registerRedirectCommand,
  activation: async () => (await import("./activation_command.ts")).registerActivationCommand,
  secure: async () => (await import("./secure_command.ts")).registerSecureCommand,
};

/** Every command (for `--help`, or a name that is not a command). */
export function loadAllCommands(): Promise<readonly RegisterCommand[]> {
  return Promise.all(Object.values(COMMAND_LOADERS).map((load) => load()));
}
