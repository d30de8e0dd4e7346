/**
 * The installation a management command acts on: the same configuration as `provisio serve`
 * (`--config FILE` / `provisio.yaml`, `PROVISIO_*`, `--data DIR`, `--database URL`), the same
 * data directory layout (initialised the way `serve` does it when missing), the same database.
 * Commands write through the store, whose change feed makes a running server pick the change
 * up within a second.
 */
import { existsSync, readFileSync } from "node:fs";
import { userInfo } from "node:os";
import type { Command } from "commander";
import {
  dataPaths,
  keyFileSealer,
  loadServeConfig,
  type ServeConfig,
  storeOptionsFor,
} from "../server/index.ts";
import { openStore, type SecretSealer, type Store } from "../store/index.ts";
import { writeStdout } from "./stdout.ts";

export interface InstallationFlags {
  readonly config?: string | undefined;
  readonly data?: string | undefined;
  readonly database?: string | undefined;
}

export interface Installation {
  readonly config: ServeConfig;
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

/**
 * Opens the installation, initialising the data directory like `serve` when missing. The
 * store refuses (`STORE_MASTER_KEY_MISMATCH`) when its secrets are sealed under another
 * master key than this one's — e.g. a PostgreSQL installation reached without `--data`.
 * `sealer` replaces the installation's own (a re-seal to a new key).
 */
export async function openInstallation(
  flags: InstallationFlags,
  options: {
    readonly sealer?: (config: ServeConfig) => SecretSealer;
    /** A command that only reads: the store skips its write on open (`StoreDeps.readOnly`). */
    readonly readOnly?: boolean;
  } = {},
): Promise<Installation> {
  const config = await loadInstallationConfig(flags);
  const sealer =
    options.sealer !== undefined
      ? options.sealer(config)
      : isInitialised(config)
        ? keyFileSealer(config.masterKeyFile)
        : await initialise(config);
  const store = await openStore(storeOptionsFor(config), {
    sealer,
    reservedClientCas: reservedClientCas(config),
    ...(options.readOnly === true ? { readOnly: true } : {}),
  });
  return { config, store, actor: cliActor(), close: () => store.close() };
}

/**
 * The installation's device CA, which no tenant may shadow with a look-alike CA (the server
 * passes the same list); read as a file so the command needs no x509 stack.
 */
function reservedClientCas(config: ServeConfig): string[] {
  const file = dataPaths(config.dataDir).deviceCaCert;
  return existsSync(file) ? [readFileSync(file, "utf8")] : [];
}

/**
 * Whether `serve` (or an earlier command) has created what a management command needs: the
 * master key and, for SQLite, the database file. (Certificates are `serve`'s and `pki`'s.)
 */
export function isInitialised(config: ServeConfig): boolean {
  const files = [config.masterKeyFile];
  if (config.database.kind === "sqlite") files.push(config.database.file);
  return files.every((file) => existsSync(file));
}

/**
 * First use of a data directory: initialised exactly as `serve` does it. Loaded on demand:
 * creating the device CA needs the x509 stack, which an initialised installation's commands
 * never load (start-up time, D1).
 */
async function initialise(config: ServeConfig): Promise<SecretSealer> {
  const { bootstrapDataDir } = await import("../server/index.ts");
  const boot = await bootstrapDataDir(config);
  if (boot.created.length > 0) {
    process.stderr.write(`provisio: initialised ${config.dataDir}\n`);
  }
  return boot.sealer;
}

/** Runs `body` with the installation open, closing it afterwards. */
export async function withInstallation<T>(
  flags: InstallationFlags,
  body: (installation: Installation) => Promise<T>,
  options: { readonly readOnly?: boolean } = {},
): Promise<T> {
  const installation = await openInstallation(flags, options);
  try {
    return await body(installation);
  } finally {
    await installation.close();
  }
}

/**
 * `withInstallation` for a command that seals no secret (a listing): the store skips the write
 * a writer makes on every open (`StoreDeps.readOnly`, D42).
 */
export function readInstallation<T>(
  flags: InstallationFlags,
  body: (installation: Installation) => Promise<T>,
): Promise<T> {
  return withInstallation(flags, body, { readOnly: true });
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
  writeStdout(`${JSON.stringify(value, null, 2)}\n`);
}
