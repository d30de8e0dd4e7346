/**
 * `provisio serve` configuration: defaults < YAML file < environment (`PROVISIO_*`) < flags.
 *
 * The YAML file is `provisio.yaml` in the working directory when present, or the file named
 * by `--config` / `PROVISIO_CONFIG`. Every value is parsed and checked here, so the rest of
 * the server only ever sees a typed, valid {@link ServeConfig}.
 */
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import { isAbsolute, resolve } from "node:path";
import { serverError } from "./errors.ts";
import { DEFAULT_LOAD_SHEDDING, type LoadSheddingSettings } from "./load_shedding_settings.ts";
import { compileRedirectPath, DEFAULT_REDIRECT_PATH } from "./redirect_path.ts";

export type DatabaseConfig =
  | { readonly kind: "sqlite"; readonly file: string }
  | {
      readonly kind: "postgres";
      readonly url: string;
      /** Schema holding Provisio's tables (default `public`); lets installations share a database. */
      readonly schema: string | undefined;
    };

export type LogLevel = "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
export type LogFormat = "auto" | "pretty" | "json";
const LOG_FORMATS: readonly LogFormat[] = ["auto", "pretty", "json"];

export interface ServeLimits {
  /** Longest request target (path + query) accepted, in bytes; longer → 414. */
  readonly maxUrlBytes: number;
  /** Largest request body accepted (report uploads, `--post`); larger → 413. */
  readonly maxBodyBytes: number;
  /** Largest header block accepted; larger → 431 (Node's `maxHeaderSize`). */
  readonly maxHeaderBytes: number;
  /** A request must be complete within this time (slowloris guard). */
  readonly requestTimeoutMs: number;
  /** Idle keep-alive connections are closed after this time. */
  readonly keepAliveTimeoutMs: number;
  /** A request's header block must be complete within this time (silent new connections too). */
  readonly headersTimeoutMs: number;
  /** A connection without traffic either way for this long is closed (slow readers too). */
  readonly idleTimeoutMs: number;
  /** A TLS handshake must be complete within this time. */
  readonly handshakeTimeoutMs: number;
  /** Open connections per device-facing listener, in all. */
  readonly maxConnections: number;
  /** Open connections per device-facing listener from one address (IPv4, IPv6 /64). */
  readonly maxConnectionsPerAddress: number;
}

/** Limits of the admin listener (API, UI, /metrics). */
export interface AdminLimits {
  readonly maxConnections: number;
  readonly maxConnectionsPerAddress: number;
  /** A request (a CSV import's upload included) must be complete within this time. */
  readonly requestTimeoutMs: number;
}

/** TFTP transfer limits (docs/deployment.md, TFTP). */
export interface TftpLimits {
  /** Concurrent transfers in all. */
  readonly maxTransfers: number;
  /** Concurrent transfers per client address. */
  readonly maxTransfersPerClient: number;
  /** Concurrent transfers per client address not acknowledged yet. */
  readonly maxUnverifiedPerClient: number;
  /** Slots kept for addresses that completed a transfer before. */
  readonly reservedForKnownSources: number;
  /** Largest RFC 2349 `timeout` accepted, in seconds. */
  readonly maxTimeout: number;
  /** A transfer is aborted after this long. */
  readonly maxTransferMs: number;
  /** A transfer whose first packet is not acknowledged is dropped after this long. */
  readonly unverifiedMs: number;
  /** Transfers per address never preempted for another address's request. */
  readonly protectedPerClient: number;
  /** Smallest RFC 2348 `blksize` granted (8..512); smaller requests run at 512. */
  readonly minBlksize: number;
}

export interface ServeConfig {
  /** Where the YAML file came from, if any (for the start-up log). */
  readonly configFile: string | undefined;
  /** Address the device-facing listeners (HTTP, HTTPS, TFTP) bind to. */
  readonly host: string;
  /**
   * Address the admin listener (API, UI, /metrics) binds to; default loopback, so the admin
   * API stays off the device network unless an operator opens it on purpose.
   */
  readonly adminHost: string;
  /** Listener ports; `null` turns a listener off, `0` picks a free port (tests). */
  readonly httpPort: number | null;
  readonly httpsPort: number | null;
  readonly adminPort: number | null;
  readonly tftpPort: number | null;
  readonly tftpLimits: TftpLimits;
  /** Absolute path of the data directory (database, keys, certificates). */
  readonly dataDir: string;
  /**
   * Firmware and other static files served by TFTP for any name that is not a profile
   * path; default `DATA/files`. Streamed from disk; nothing outside it is reachable.
   */
  readonly filesDir: string;
  readonly database: DatabaseConfig;
  /**
   * The master key sealing secrets at rest; default `DATA/master.key`. Nodes sharing one
   * PostgreSQL database must share this key.
   */
  readonly masterKeyFile: string;
  /** Server certificate and key for HTTPS; default: the self-signed pair in the data dir. */
  readonly tlsCertFile: string;
  readonly tlsKeyFile: string;
  /**
   * HTTPS also accepts TLS 1.0 and 1.1 (`https.legacy_tls`): old unit firmware only. It lowers
   * the whole listener's OpenSSL security level (docs/security.md).
   */
  readonly httpsLegacyTls: boolean;
  readonly logLevel: LogLevel;
  /** One info line per device request (`log.access`, default true). */
  readonly logAccess: boolean;
  /** `pretty` (coloured, for people), `json` (for shippers), `auto`: pretty on a terminal. */
  readonly logFormat: LogFormat;
  readonly limits: ServeLimits;
  readonly adminLimits: AdminLimits;
  /** Batched status / event writes are flushed at least this often. */
  readonly flushIntervalMs: number;
  /** A repeated identical successful resync within this window is not logged again (0 = log all). */
  readonly repeatEventWindowMs: number;
  /** …and the device's status row is not rewritten within this window (0 = every resync). */
  readonly repeatStatusWindowMs: number;
  /** Milliseconds a graceful shutdown waits for in-flight requests before closing sockets. */
  readonly shutdownGraceMs: number;
  /** Days of resync events kept (0 = for ever). */
  readonly eventRetentionDays: number;
  /** Misses (404s) a source may make per minute before it is throttled (0 = no throttling). */
  readonly missesPerMinute: number;
  /**
   * Where devices reach this server from outside, for the `Profile_Rule` staging hands out
   * (`http://prov.example.com:8080`, `https://prov.example.com`); undefined = not set.
   */
  readonly publicHttpUrl: string | undefined;
  readonly publicHttpsUrl: string | undefined;
  /**
   * What this server is: a provider's provisioning server (`provider`, the default), a
   * redirect (RC) service (`redirect`: answers only the redirect path), or `both`.
   */
  readonly role: ServerRole;
  /** The path RC units ask the redirect service for, with `$MA` (`/rc/$MA.xml`). */
  readonly redirectPath: string;
  /**
   * Device-plane worker processes sharing the HTTP and HTTPS listeners (default: the CPU
   * count). 1 runs everything in one process; more adds a primary process for the admin
   * listener, TFTP and the merged `/metrics`.
   */
  readonly workers: number;
  /** Bytes of rendered profiles each process keeps in memory (least recently used dropped first). */
  readonly profileCacheBytes: number;
  /** Bytes of device records each process keeps (estimated; oldest dropped first). */
  readonly deviceCacheBytes: number;
  /** Bytes of layers each process keeps (estimated; oldest dropped first). */
  readonly layerCacheBytes: number;
  /** When a device-plane process refuses new requests as overloaded (`shedding.*`). */
  readonly shedding: LoadSheddingSettings;
}

/** Command-line flags, as commander hands them over (all optional, all strings). */
export interface ServeFlags {
  readonly config?: string | undefined;
  readonly data?: string | undefined;
  readonly host?: string | undefined;
  readonly adminHost?: string | undefined;
  readonly httpPort?: string | undefined;
  readonly httpsPort?: string | undefined;
  readonly adminPort?: string | undefined;
  readonly tftpPort?: string | undefined;
  readonly database?: string | undefined;
  readonly logLevel?: string | undefined;
  readonly role?: string | undefined;
  readonly workers?: string | undefined;
}

export interface LoadConfigOptions {
  readonly flags?: ServeFlags;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Directory relative paths are resolved against; default `process.cwd()`. */
  readonly cwd?: string;
}

export const DEFAULT_PORTS = { http: 8080, https: 8443, admin: 8081, tftp: 6969 } as const;

const LOG_LEVELS: readonly LogLevel[] = [
  "fatal",
  "error",
  "warn",
  "info",
  "debug",
  "trace",
  "silent",
];

/** A raw, untyped value and where it came from, for error messages. */
interface Raw {
  readonly value: unknown;
  readonly source: string;
}

type Key =
  | "host"
  | "adminHost"
  | "dataDir"
  | "filesDir"
  | "httpPort"
  | "httpsPort"
  | "adminPort"
  | "tftpPort"
  | "tftpMaxTransfers"
  | "tftpMaxTransfersPerClient"
  | "tftpMaxUnverifiedPerClient"
  | "tftpReservedForKnownSources"
  | "tftpMaxTimeout"
  | "tftpMaxTransferMs"
  | "tftpUnverifiedMs"
  | "tftpProtectedPerClient"
  | "tftpMinBlksize"
  | "database"
  | "databaseSchema"
  | "masterKeyFile"
  | "tlsCert"
  | "tlsKey"
  | "httpsLegacyTls"
  | "logLevel"
  | "logAccess"
  | "logFormat"
  | "maxUrlBytes"
  | "maxBodyBytes"
  | "maxHeaderBytes"
  | "requestTimeoutMs"
  | "keepAliveTimeoutMs"
  | "headersTimeoutMs"
  | "idleTimeoutMs"
  | "handshakeTimeoutMs"
  | "maxConnections"
  | "maxConnectionsPerAddress"
  | "adminMaxConnections"
  | "adminMaxConnectionsPerAddress"
  | "adminRequestTimeoutMs"
  | "flushIntervalMs"
  | "repeatEventWindowMs"
  | "repeatStatusWindowMs"
  | "shutdownGraceMs"
  | "eventRetentionDays"
  | "missesPerMinute"
  | "publicHttpUrl"
  | "publicHttpsUrl"
  | "role"
  | "redirectPath"
  | "workers"
  | "profileCacheMb"
  | "deviceCacheMb"
  | "layerCacheMb"
  | "sheddingEnabled"
  | "sheddingMaxEventLoopDelayMs"
  | "sheddingMaxInFlight"
  | "sheddingMaxQueueAgeMs"
  | "sheddingRetryAfterSeconds";

/** Where each key lives in the YAML file and which environment variable overrides it. */
const KEYS: Readonly<Record<Key, { readonly yaml: readonly string[]; readonly env: string }>> = {
  host: { yaml: ["host"], env: "PROVISIO_HOST" },
  adminHost: { yaml: ["admin", "host"], env: "PROVISIO_ADMIN_HOST" },
  dataDir: { yaml: ["data_dir"], env: "PROVISIO_DATA_DIR" },
  filesDir: { yaml: ["files_dir"], env: "PROVISIO_FILES_DIR" },
  httpPort: { yaml: ["http", "port"], env: "PROVISIO_HTTP_PORT" },
  httpsPort: { yaml: ["https", "port"], env: "PROVISIO_HTTPS_PORT" },
  adminPort: { yaml: ["admin", "port"], env: "PROVISIO_ADMIN_PORT" },
  tftpPort: { yaml: ["tftp", "port"], env: "PROVISIO_TFTP_PORT" },
  tftpMaxTransfers: { yaml: ["tftp", "max_transfers"], env: "PROVISIO_TFTP_MAX_TRANSFERS" },
  tftpMaxTransfersPerClient: {
    yaml: ["tftp", "max_transfers_per_client"],
    env: "PROVISIO_TFTP_MAX_TRANSFERS_PER_CLIENT",
  },
  tftpMaxUnverifiedPerClient: {
    yaml: ["tftp", "max_unverified_per_client"],
    env: "PROVISIO_TFTP_MAX_UNVERIFIED_PER_CLIENT",
  },
  tftpReservedForKnownSources: {
    yaml: ["tftp", "reserved_for_known_sources"],
    env: "PROVISIO_TFTP_RESERVED_FOR_KNOWN_SOURCES",
  },
  tftpMaxTimeout: { yaml: ["tftp", "max_timeout"], env: "PROVISIO_TFTP_MAX_TIMEOUT" },
  tftpMaxTransferMs: { yaml: ["tftp", "max_transfer_ms"], env: "PROVISIO_TFTP_MAX_TRANSFER_MS" },
  tftpUnverifiedMs: { yaml: ["tftp", "unverified_ms"], env: "PROVISIO_TFTP_UNVERIFIED_MS" },
  tftpProtectedPerClient: {
    yaml: ["tftp", "protected_per_client"],
    env: "PROVISIO_TFTP_PROTECTED_PER_CLIENT",
  },
  tftpMinBlksize: { yaml: ["tftp", "min_blksize"], env: "PROVISIO_TFTP_MIN_BLKSIZE" },
  database: { yaml: ["database", "url"], env: "PROVISIO_DATABASE_URL" },
  databaseSchema: { yaml: ["database", "schema"], env: "PROVISIO_DATABASE_SCHEMA" },
  masterKeyFile: { yaml: ["master_key_file"], env: "PROVISIO_MASTER_KEY_FILE" },
  tlsCert: { yaml: ["https", "cert"], env: "PROVISIO_TLS_CERT" },
  tlsKey: { yaml: ["https", "key"], env: "PROVISIO_TLS_KEY" },
  httpsLegacyTls: { yaml: ["https", "legacy_tls"], env: "PROVISIO_HTTPS_LEGACY_TLS" },
  logLevel: { yaml: ["log", "level"], env: "PROVISIO_LOG_LEVEL" },
  logAccess: { yaml: ["log", "access"], env: "PROVISIO_LOG_ACCESS" },
  logFormat: { yaml: ["log", "format"], env: "PROVISIO_LOG_FORMAT" },
  maxUrlBytes: { yaml: ["limits", "max_url_bytes"], env: "PROVISIO_MAX_URL_BYTES" },
  maxBodyBytes: { yaml: ["limits", "max_body_bytes"], env: "PROVISIO_MAX_BODY_BYTES" },
  maxHeaderBytes: { yaml: ["limits", "max_header_bytes"], env: "PROVISIO_MAX_HEADER_BYTES" },
  requestTimeoutMs: { yaml: ["limits", "request_timeout_ms"], env: "PROVISIO_REQUEST_TIMEOUT_MS" },
  keepAliveTimeoutMs: {
    yaml: ["limits", "keep_alive_timeout_ms"],
    env: "PROVISIO_KEEP_ALIVE_TIMEOUT_MS",
  },
  headersTimeoutMs: { yaml: ["limits", "headers_timeout_ms"], env: "PROVISIO_HEADERS_TIMEOUT_MS" },
  idleTimeoutMs: { yaml: ["limits", "idle_timeout_ms"], env: "PROVISIO_IDLE_TIMEOUT_MS" },
  handshakeTimeoutMs: {
    yaml: ["limits", "handshake_timeout_ms"],
    env: "PROVISIO_HANDSHAKE_TIMEOUT_MS",
  },
  maxConnections: { yaml: ["limits", "max_connections"], env: "PROVISIO_MAX_CONNECTIONS" },
  maxConnectionsPerAddress: {
    yaml: ["limits", "max_connections_per_address"],
    env: "PROVISIO_MAX_CONNECTIONS_PER_ADDRESS",
  },
  adminMaxConnections: {
    yaml: ["admin", "max_connections"],
    env: "PROVISIO_ADMIN_MAX_CONNECTIONS",
  },
  adminMaxConnectionsPerAddress: {
    yaml: ["admin", "max_connections_per_address"],
    env: "PROVISIO_ADMIN_MAX_CONNECTIONS_PER_ADDRESS",
  },
  adminRequestTimeoutMs: {
    yaml: ["admin", "request_timeout_ms"],
    env: "PROVISIO_ADMIN_REQUEST_TIMEOUT_MS",
  },
  flushIntervalMs: { yaml: ["writes", "flush_interval_ms"], env: "PROVISIO_FLUSH_INTERVAL_MS" },
  repeatEventWindowMs: {
    yaml: ["writes", "repeat_event_window_ms"],
    env: "PROVISIO_REPEAT_EVENT_WINDOW_MS",
  },
  repeatStatusWindowMs: {
    yaml: ["writes", "repeat_status_window_ms"],
    env: "PROVISIO_REPEAT_STATUS_WINDOW_MS",
  },
  shutdownGraceMs: { yaml: ["shutdown_grace_ms"], env: "PROVISIO_SHUTDOWN_GRACE_MS" },
  eventRetentionDays: { yaml: ["events", "retention_days"], env: "PROVISIO_EVENT_RETENTION_DAYS" },
  missesPerMinute: { yaml: ["limits", "misses_per_minute"], env: "PROVISIO_MISSES_PER_MINUTE" },
  publicHttpUrl: { yaml: ["public", "http_url"], env: "PROVISIO_PUBLIC_HTTP_URL" },
  publicHttpsUrl: { yaml: ["public", "https_url"], env: "PROVISIO_PUBLIC_HTTPS_URL" },
  role: { yaml: ["role"], env: "PROVISIO_ROLE" },
  redirectPath: { yaml: ["redirect", "path"], env: "PROVISIO_REDIRECT_PATH" },
  workers: { yaml: ["workers"], env: "PROVISIO_WORKERS" },
  profileCacheMb: { yaml: ["cache", "profile_mb"], env: "PROVISIO_CACHE_PROFILE_MB" },
  deviceCacheMb: { yaml: ["cache", "device_mb"], env: "PROVISIO_CACHE_DEVICE_MB" },
  layerCacheMb: { yaml: ["cache", "layer_mb"], env: "PROVISIO_CACHE_LAYER_MB" },
  sheddingEnabled: { yaml: ["shedding", "enabled"], env: "PROVISIO_SHEDDING_ENABLED" },
  sheddingMaxEventLoopDelayMs: {
    yaml: ["shedding", "max_event_loop_delay_ms"],
    env: "PROVISIO_SHEDDING_MAX_EVENT_LOOP_DELAY_MS",
  },
  sheddingMaxInFlight: {
    yaml: ["shedding", "max_in_flight"],
    env: "PROVISIO_SHEDDING_MAX_IN_FLIGHT",
  },
  sheddingMaxQueueAgeMs: {
    yaml: ["shedding", "max_queue_age_ms"],
    env: "PROVISIO_SHEDDING_MAX_QUEUE_AGE_MS",
  },
  sheddingRetryAfterSeconds: {
    yaml: ["shedding", "retry_after_seconds"],
    env: "PROVISIO_SHEDDING_RETRY_AFTER_SECONDS",
  },
};

const FLAG_OF: Partial<Record<Key, keyof ServeFlags>> = {
  host: "host",
  adminHost: "adminHost",
  dataDir: "data",
  httpPort: "httpPort",
  httpsPort: "httpsPort",
  adminPort: "adminPort",
  tftpPort: "tftpPort",
  database: "database",
  logLevel: "logLevel",
  role: "role",
  workers: "workers",
};

/** The offending value for a message: JSON when it has one, clipped; YAML aliases can be circular. */
function describeValue(value: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    text = undefined;
  }
  if (text === undefined) text = Array.isArray(value) ? "a list" : typeof value;
  return text.length > 120 ? `${text.slice(0, 120)}…` : text;
}

function invalid(raw: Raw, expected: string): never {
  throw serverError(
    "SERVER_CONFIG_INVALID",
    `${raw.source}: expected ${expected}, got ${describeValue(raw.value)}`,
  );
}

function asString(raw: Raw): string {
  if (typeof raw.value === "string" && raw.value.trim() !== "") return raw.value.trim();
  if (typeof raw.value === "number") return String(raw.value);
  return invalid(raw, "a non-empty string");
}

function asInteger(raw: Raw, min: number, max: number): number {
  const text = typeof raw.value === "number" ? String(raw.value) : asString(raw);
  if (!/^\d+$/.test(text)) return invalid(raw, `an integer between ${min} and ${max}`);
  const n = Number(text);
  if (n < min || n > max) return invalid(raw, `an integer between ${min} and ${max}`);
  return n;
}

/** A port: 0..65535, or `off` / `false` to turn the listener off. */
function asPort(raw: Raw): number | null {
  if (raw.value === false || raw.value === null) return null;
  if (typeof raw.value === "string" && /^(off|false|none|disabled)$/i.test(raw.value.trim())) {
    return null;
  }
  return asInteger(raw, 0, 65535);
}

function yamlLookup(doc: unknown, path: readonly string[]): unknown {
  let node: unknown = doc;
  for (const part of path) {
    if (node === null || typeof node !== "object" || Array.isArray(node)) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

// The YAML library is loaded only when a configuration file is read: management commands
// usually run without one, and loading it is a measurable share of their start-up (D1).
const requirePackage = createRequire(import.meta.url);

function readYaml(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw serverError("SERVER_CONFIG_INVALID", `cannot read configuration file ${file}`, {
      cause: error,
    });
  }
  let doc: unknown;
  try {
    const yaml = requirePackage("yaml") as typeof import("yaml");
    doc = yaml.parse(text);
  } catch (error) {
    throw serverError("SERVER_CONFIG_INVALID", `${file}: not valid YAML: ${String(error)}`, {
      cause: error,
    });
  }
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== "object" || Array.isArray(doc)) {
    throw serverError("SERVER_CONFIG_INVALID", `${file}: the top level must be a mapping`);
  }
  return doc;
}

function parseDatabase(raw: Raw, schema: Raw | undefined, cwd: string): DatabaseConfig {
  const text = asString(raw);
  if (/^postgres(ql)?:\/\//i.test(text)) {
    let name: string | undefined;
    if (schema !== undefined) {
      name = asString(schema);
      if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) invalid(schema, "a lower-case SQL identifier");
    }
    return { kind: "postgres", url: text, schema: name };
  }
  const file = text.replace(/^sqlite:(\/\/)?/i, "");
  if (file === "") return invalid(raw, "a postgres:// URL or a SQLite file path");
  return { kind: "sqlite", file: isAbsolute(file) ? file : resolve(cwd, file) };
}

/** TFTP limits; the reserved share defaults to a quarter of the slots. */
function tftpLimits(int: (key: Key, fallback: number, min: number, max: number) => number) {
  const maxTransfers = int("tftpMaxTransfers", 512, 1, 65536);
  const limits: TftpLimits = {
    maxTransfers,
    maxTransfersPerClient: int("tftpMaxTransfersPerClient", 64, 1, 65536),
    maxUnverifiedPerClient: int("tftpMaxUnverifiedPerClient", 16, 1, 65536),
    reservedForKnownSources: int(
      "tftpReservedForKnownSources",
      Math.floor(maxTransfers / 4),
      0,
      maxTransfers,
    ),
    maxTimeout: int("tftpMaxTimeout", 10, 1, 255),
    maxTransferMs: int("tftpMaxTransferMs", 900_000, 1000, 86_400_000),
    unverifiedMs: int("tftpUnverifiedMs", 5000, 100, 600_000),
    protectedPerClient: int("tftpProtectedPerClient", 4, 0, 65536),
    minBlksize: int("tftpMinBlksize", 512, 8, 512),
  };
  return limits;
}

/** Loads and validates the configuration; throws `SERVER_CONFIG_INVALID` with the culprit. */
export function loadServeConfig(options: LoadConfigOptions = {}): ServeConfig {
  const flags = options.flags ?? {};
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();

  const explicitFile = flags.config ?? env.PROVISIO_CONFIG;
  let configFile: string | undefined;
  if (explicitFile !== undefined && explicitFile !== "") {
    configFile = resolve(cwd, explicitFile);
  } else if (existsSync(resolve(cwd, "provisio.yaml"))) {
    configFile = resolve(cwd, "provisio.yaml");
  }
  const doc = configFile === undefined ? {} : readYaml(configFile);

  const pick = (key: Key): Raw | undefined => {
    const flag = FLAG_OF[key];
    const flagValue = flag === undefined ? undefined : flags[flag];
    if (flagValue !== undefined) return { value: flagValue, source: `--${kebab(flag ?? key)}` };
    const envValue = env[KEYS[key].env];
    if (envValue !== undefined && envValue !== "") {
      return { value: envValue, source: KEYS[key].env };
    }
    const yamlValue = yamlLookup(doc, KEYS[key].yaml);
    if (yamlValue !== undefined) {
      return { value: yamlValue, source: `${configFile}: ${KEYS[key].yaml.join(".")}` };
    }
    return undefined;
  };
  const port = (key: Key, fallback: number): number | null => {
    const raw = pick(key);
    return raw === undefined ? fallback : asPort(raw);
  };
  const int = (key: Key, fallback: number, min: number, max: number): number => {
    const raw = pick(key);
    return raw === undefined ? fallback : asInteger(raw, min, max);
  };
  const path = (key: Key, fallback: string, base: string): string => {
    const raw = pick(key);
    return resolve(base, raw === undefined ? fallback : asString(raw));
  };

  const hostRaw = pick("host");
  const host = hostRaw === undefined ? "0.0.0.0" : asString(hostRaw);
  const adminHostRaw = pick("adminHost");
  const adminHost = adminHostRaw === undefined ? "127.0.0.1" : asString(adminHostRaw);
  const dataDir = path("dataDir", "data", cwd);
  const dbRaw = pick("database");
  const database: DatabaseConfig =
    dbRaw === undefined
      ? { kind: "sqlite", file: resolve(dataDir, "provisio.db") }
      : parseDatabase(dbRaw, pick("databaseSchema"), cwd);
  const levelRaw = pick("logLevel");
  let logLevel: LogLevel = "info";
  if (levelRaw !== undefined) {
    const level = asString(levelRaw).toLowerCase();
    if (!(LOG_LEVELS as readonly string[]).includes(level)) {
      invalid(levelRaw, `one of ${LOG_LEVELS.join(", ")}`);
    }
    logLevel = level as LogLevel;
  }
  const bool = (key: Key, fallback: boolean): boolean => {
    const raw = pick(key);
    if (raw === undefined) return fallback;
    const text = String(raw.value).trim().toLowerCase();
    if (!/^(true|false|on|off|yes|no|1|0)$/.test(text)) invalid(raw, "true or false");
    return /^(true|on|yes|1)$/.test(text);
  };
  const logAccess = bool("logAccess", true);
  const formatRaw = pick("logFormat");
  let logFormat: LogFormat = "auto";
  if (formatRaw !== undefined) {
    const format = asString(formatRaw).toLowerCase();
    if (!(LOG_FORMATS as readonly string[]).includes(format)) {
      invalid(formatRaw, `one of ${LOG_FORMATS.join(", ")}`);
    }
    logFormat = format as LogFormat;
  }

  const config: ServeConfig = {
    configFile,
    host,
    adminHost,
    httpPort: port("httpPort", DEFAULT_PORTS.http),
    httpsPort: port("httpsPort", DEFAULT_PORTS.https),
    adminPort: port("adminPort", DEFAULT_PORTS.admin),
    tftpPort: port("tftpPort", DEFAULT_PORTS.tftp),
    tftpLimits: tftpLimits(int),
    dataDir,
    filesDir: path("filesDir", "files", dataDir),
    database,
    masterKeyFile: path("masterKeyFile", "master.key", dataDir),
    tlsCertFile: path("tlsCert", "tls/server.crt", dataDir),
    tlsKeyFile: path("tlsKey", "tls/server.key", dataDir),
    httpsLegacyTls: bool("httpsLegacyTls", false),
    logLevel,
    logAccess,
    logFormat,
    limits: {
      maxUrlBytes: int("maxUrlBytes", 2048, 64, 65536),
      maxBodyBytes: int("maxBodyBytes", 256 * 1024, 0, 64 * 1024 * 1024),
      maxHeaderBytes: int("maxHeaderBytes", 8192, 1024, 65536),
      requestTimeoutMs: int("requestTimeoutMs", 30_000, 100, 3_600_000),
      keepAliveTimeoutMs: int("keepAliveTimeoutMs", 5_000, 100, 3_600_000),
      headersTimeoutMs: int("headersTimeoutMs", 10_000, 100, 3_600_000),
      idleTimeoutMs: int("idleTimeoutMs", 15_000, 100, 3_600_000),
      handshakeTimeoutMs: int("handshakeTimeoutMs", 5_000, 100, 120_000),
      maxConnections: int("maxConnections", 10_000, 1, 1_000_000),
      maxConnectionsPerAddress: int("maxConnectionsPerAddress", 128, 1, 1_000_000),
    },
    adminLimits: {
      maxConnections: int("adminMaxConnections", 1_000, 1, 1_000_000),
      maxConnectionsPerAddress: int("adminMaxConnectionsPerAddress", 64, 1, 1_000_000),
      requestTimeoutMs: int("adminRequestTimeoutMs", 300_000, 1_000, 3_600_000),
    },
    flushIntervalMs: int("flushIntervalMs", 250, 10, 60_000),
    repeatEventWindowMs: int("repeatEventWindowMs", 60_000, 0, 86_400_000),
    repeatStatusWindowMs: int("repeatStatusWindowMs", 10_000, 0, 86_400_000),
    shutdownGraceMs: int("shutdownGraceMs", 10_000, 0, 600_000),
    eventRetentionDays: int("eventRetentionDays", 30, 0, 3650),
    missesPerMinute: int("missesPerMinute", 120, 0, 1_000_000),
    publicHttpUrl: publicUrl(pick("publicHttpUrl"), "http:"),
    publicHttpsUrl: publicUrl(pick("publicHttpsUrl"), "https:"),
    role: serverRole(pick("role")),
    redirectPath: redirectPath(pick("redirectPath")),
    workers: int("workers", Math.min(availableParallelism(), 64), 1, 64),
    profileCacheBytes: int("profileCacheMb", 384, 1, 65_536) * 1024 * 1024,
    deviceCacheBytes: int("deviceCacheMb", 64, 1, 65_536) * 1024 * 1024,
    layerCacheBytes: int("layerCacheMb", 32, 1, 65_536) * 1024 * 1024,
    shedding: {
      enabled: bool("sheddingEnabled", DEFAULT_LOAD_SHEDDING.enabled),
      maxEventLoopDelayMs: int(
        "sheddingMaxEventLoopDelayMs",
        DEFAULT_LOAD_SHEDDING.maxEventLoopDelayMs,
        10,
        600_000,
      ),
      maxInFlight: int("sheddingMaxInFlight", DEFAULT_LOAD_SHEDDING.maxInFlight, 1, 1_000_000),
      maxQueueAgeMs: int("sheddingMaxQueueAgeMs", DEFAULT_LOAD_SHEDDING.maxQueueAgeMs, 10, 600_000),
      retryAfterSeconds: int(
        "sheddingRetryAfterSeconds",
        DEFAULT_LOAD_SHEDDING.retryAfterSeconds,
        1,
        86_400,
      ),
    },
  };
  const ports = [config.httpPort, config.httpsPort, config.adminPort].filter(
    (p): p is number => p !== null && p !== 0,
  );
  if (new Set(ports).size !== ports.length) {
    throw serverError(
      "SERVER_CONFIG_INVALID",
      `HTTP, HTTPS and admin listeners need distinct ports (got ${ports.join(", ")})`,
    );
  }
  return config;
}

/** What a server is; `provider` unless told. */
export type ServerRole = "provider" | "redirect" | "both";
const SERVER_ROLES: readonly ServerRole[] = ["provider", "redirect", "both"];

function serverRole(raw: Raw | undefined): ServerRole {
  if (raw === undefined) return "provider";
  const role = asString(raw).toLowerCase();
  if (!(SERVER_ROLES as readonly string[]).includes(role)) {
    invalid(raw, `one of ${SERVER_ROLES.join(", ")}`);
  }
  return role as ServerRole;
}

function redirectPath(raw: Raw | undefined): string {
  if (raw === undefined) return DEFAULT_REDIRECT_PATH;
  const path = asString(raw);
  try {
    compileRedirectPath(path);
  } catch {
    invalid(raw, 'a path starting with "/" holding $MA (or $MAU) once, e.g. /rc/$MA.xml');
  }
  return path;
}

/** A public base URL: scheme, host, optional port and path prefix; no trailing `/`. */
function publicUrl(raw: Raw | undefined, scheme: "http:" | "https:"): string | undefined {
  if (raw === undefined) return undefined;
  const text = asString(raw);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return invalid(raw, `a ${scheme.slice(0, -1)}:// URL`);
  }
  if (
    url.protocol !== scheme ||
    url.hostname === "" ||
    url.username !== "" ||
    url.password !== "" ||
    url.search !== "" ||
    url.hash !== "" ||
    /[$\s]/.test(url.pathname)
  ) {
    return invalid(
      raw,
      `a ${scheme.slice(0, -1)}:// URL with a host and no query, e.g. ${scheme}//prov.example.com`,
    );
  }
  return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, "")}`;
}

function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** The configuration as it may be logged: the database URL without its password. */
export function describeConfig(config: ServeConfig): Record<string, unknown> {
  return {
    configFile: config.configFile ?? null,
    host: config.host,
    adminHost: config.adminHost,
    publicHttpUrl: config.publicHttpUrl ?? null,
    publicHttpsUrl: config.publicHttpsUrl ?? null,
    role: config.role,
    ...(config.role === "provider" ? {} : { redirectPath: config.redirectPath }),
    dataDir: config.dataDir,
    database:
      config.database.kind === "sqlite"
        ? { kind: "sqlite", file: config.database.file }
        : {
            kind: "postgres",
            url: redactUrl(config.database.url),
            schema: config.database.schema ?? "public",
          },
  };
}

/** `postgres://user:secret@host/db` → `postgres://user:***@host/db`. */
export function redactUrl(url: string): string {
  // The last `@` ends the user info (WHATWG URL), so a password holding a raw `@` is hidden whole.
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*):[^/?#]*@/i, "$1:***@");
}
