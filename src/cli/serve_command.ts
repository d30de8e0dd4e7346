import type { Command } from "commander";
import type { Logger } from "pino";
import { createAdminApp } from "../api/index.ts";
import {
  createLogger,
  loadServeConfig,
  type ServeFlags,
  startServing,
  writeInitialAdminToken,
} from "../server/index.ts";
import type { RegisterCommand } from "./commands.ts";

/**
 * The first admin token reaches a person, never the log stream (stdout, which journald and
 * Docker keep): on the terminal when stderr is one, otherwise in a 0600 file in the data
 * directory, which the log line names without the token.
 */
function showInitialAdminToken(token: string, dataDir: string, logger: Logger): void {
  if (process.stderr.isTTY) {
    process.stderr.write(
      `\nAdmin API token (shown once; store it now):\n\n  ${token}\n\n` +
        `Use it as: Authorization: Bearer <token> on the admin listener.\n\n`,
    );
    return;
  }
  const file = writeInitialAdminToken(dataDir, token);
  logger.warn(
    { file },
    "first admin token written to this file (no terminal to show it): store it, then delete the file",
  );
}

/** `provisio serve`: runs a server node until SIGTERM / SIGINT, then shuts down gracefully. */
export const registerServeCommand: RegisterCommand = (program: Command) => {
  program
    .command("serve")
    .description(
      "Run the provisioning server: HTTP, HTTPS (client certificates), TFTP and the admin API",
    )
    .option("-c, --config <file>", "YAML configuration file (default: ./provisio.yaml if present)")
    .option("-d, --data <dir>", "data directory: database, keys, certificates (default ./data)")
    .option("--host <addr>", "address the device-facing listeners bind to (default 0.0.0.0)")
    .option("--admin-host <addr>", "address the admin listener binds to (default 127.0.0.1)")
    .option("--http-port <n>", "HTTP provisioning port, or 'off' (default 8080)")
    .option("--https-port <n>", "HTTPS provisioning port, or 'off' (default 8443)")
    .option("--admin-port <n>", "admin API, UI and /metrics port, or 'off' (default 8081)")
    .option("--tftp-port <n>", "TFTP (UDP) port, or 'off' (default 6969)")
    .option("--database <url>", "postgres://… URL, or a SQLite file (default DATA/provisio.db)")
    .option("--log-level <level>", "fatal|error|warn|info|debug|trace|silent (default info)")
    .option(
      "--workers <n>",
      "device-plane worker processes sharing the HTTP/HTTPS ports (default: the CPU count)",
    )
    .option(
      "--role <role>",
      "provider (default), redirect (the redirect service for RC units only) or both",
    )
    .addHelpText(
      "after",
      `
Every option can also be set in the YAML file or as PROVISIO_* environment variables
(PROVISIO_DATA_DIR, PROVISIO_HTTP_PORT, PROVISIO_DATABASE_URL, …); flags win over the
environment, which wins over the file. See docs/deployment.md.

Examples:
  provisio serve
  provisio serve --data /var/lib/provisio --http-port 80 --https-port 443
  provisio serve --workers 4
  provisio serve --role redirect      # the redirect service (docs/redirect.md)
  PROVISIO_DATABASE_URL=postgres://provisio@db/provisio provisio serve`,
    )
    .action(async (flags: ServeFlags) => {
      const config = loadServeConfig({ flags });
      const logger = createLogger(config);
      const node = await startServing(config, {
        logger,
        createAdmin: (deps) =>
          createAdminApp({
            store: deps.store,
            registry: deps.registry,
            logger: deps.logger,
            dataDir: deps.dataDir,
            filesDir: deps.config.filesDir,
          }),
      });
      if (node.initialAdminToken !== undefined) {
        showInitialAdminToken(node.initialAdminToken, config.dataDir, logger);
      }
      await new Promise<void>((resolve) => {
        let stopping = false;
        const stop = (signal: NodeJS.Signals): void => {
          if (stopping) {
            logger.warn({ signal }, "second signal: exiting now");
            process.exit(1);
          }
          stopping = true;
          logger.info({ signal }, "signal received");
          node.close().then(resolve, (error: unknown) => {
            logger.error({ err: error }, "shutdown failed");
            process.exitCode = 1;
            resolve();
          });
        };
        process.once("SIGTERM", stop);
        // A worker stops when its primary tells it to (Ctrl-C reaches every process).
        if (node.role === "worker") process.on("SIGINT", () => undefined);
        else process.once("SIGINT", stop);
      });
    });
};
