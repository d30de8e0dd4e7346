/**
 * The installation a management command acts on: the same configuration as `provisio serve`
 * (`--config FILE` / `provisio.yaml`, `PROVISIO_*`, `--data DIR`, `--database URL`), the same
 * data directory layout (initialised the way `serve` does it when missing), the same database.
 * Commands write through the store, whose change feed makes a running server pick the change
 * up within a second.
 */
import { userInfo } from "node:os";
import type { Command } from "commander";
import { type Bootstrapped, bootstrapDataDir } from "../server/bootstrap.ts";
import { loadServeConfig, type ServeConfig } from "../server/config.ts";
import { storeOptionsFor } from "../server/node.ts";
import { openStore, type Store } from "../store/index.ts";

export interface InstallationFlags {
  readonly config?: string | undefined;
  readonly data?: string | undefined;
  readonly database?: string | undefined;
}

export interface Installation {
  readonly config: ServeConfig;
  readonly boot: Bootstrapped;
  readonly store: Store;
  /** Audit actor of this command: `cli:<user>`. */
  readonly actor: string;
  close(): Promise<void>;
}

/** Adds `--data`, `--config` and `--database` to a management command. */
export function installationOptions(command: Command): Command {
  return command
    .option("-d, --data <dir>", "data directory of the installation (default ./data)")
    .option(
      "-c, --config <file>",
      "YAML configuration file, as for serve (default ./provisio.yaml)",
    )
    .option("--database <url>", "postgres://… URL or SQLite file (default DATA/provisio.db)");
}

export function cliActor(): string {
  let user = "unknown";
  try {
    user = userInfo().username;
  } catch {
    // no passwd entry (containers)
  }
  return `cli:${user}`;
}

export async function loadInstallationConfig(flags: InstallationFlags): Promise<ServeConfig> {
  return loadServeConfig({
    flags: {
      ...(flags.config === undefined ? {} : { config: flags.config }),
      ...(flags.data === undefined ? {} : { data: flags.data }),
      ...(flags.database === undefined ? {} : { database: flags.database }),
    },
  });
}

/** Opens the installation, initialising the data directory like `serve` when missing. */
export async function openInstallation(flags: InstallationFlags): Promise<Installation> {
  const config = await loadInstallationConfig(flags);
  const boot = await bootstrapDataDir(config);
  if (boot.created.length > 0) {
    process.stderr.write(`provisio: initialised ${config.dataDir}\n`);
  }
  const store = await openStore(storeOptionsFor(config), { sealer: boot.sealer });
  return { config, boot, store, actor: cliActor(), close: () => store.close() };
}

/** Runs `body` with the installation open, closing it afterwards. */
export async function withInstallation<T>(
  flags: InstallationFlags,
  body: (installation: Installation) => Promise<T>,
): Promise<T> {
  const installation = await openInstallation(flags);
  try {
    return await body(installation);
  } finally {
    await installation.close();
  }
}

/** Plain text table: columns padded to their widest cell. */
export function formatTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  return `${[line(header), ...rows.map(line)].join("\n")}\n`;
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
