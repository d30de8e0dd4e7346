/**
 * First start and every start: the data directory and what lives in it.
 *
 * ```
 * data/
 *   master.key            64 hex digits, mode 0600 — seals secrets at rest (SIP passwords,
 *                         device keys); `master_key_file` moves it (nodes on one PostgreSQL share it)
 *   provisio.db           SQLite database (unless PostgreSQL is configured)
 *   tls/server.crt|key    self-signed HTTPS server certificate (key 0600), unless configured
 *   pki/device-ca.crt|key device CA for emulated devices and tests (key 0600)
 * ```
 *
 * Missing pieces are created; existing ones are never overwritten. The first admin API token
 * is issued when the database has none, and returned so the caller prints it once.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { dirname, join } from "node:path";
import {
  createDeviceCa,
  createServerCertificate,
  generateMasterKey,
  type MasterKey,
  needsReseal,
  openSecret,
  parseMasterKey,
  sealSecret,
} from "../crypto/index.ts";
import type { SecretSealer } from "../store/index.ts";
import type { ServeConfig } from "./config.ts";
import { serverError } from "./errors.ts";

/** Where things live in a data directory (management commands use the same paths). */
export interface DataPaths {
  readonly masterKey: string;
  readonly database: string;
  readonly deviceCaCert: string;
  readonly deviceCaKey: string;
  readonly serverCert: string;
  readonly serverKey: string;
}

export function dataPaths(dataDir: string): DataPaths {
  return {
    masterKey: join(dataDir, "master.key"),
    database: join(dataDir, "provisio.db"),
    deviceCaCert: join(dataDir, "pki", "device-ca.crt"),
    deviceCaKey: join(dataDir, "pki", "device-ca.key"),
    serverCert: join(dataDir, "tls", "server.crt"),
    serverKey: join(dataDir, "tls", "server.key"),
  };
}

export const MASTER_KEY_ID = "k1";

export interface Bootstrapped {
  readonly paths: DataPaths;
  readonly masterKey: MasterKey;
  readonly sealer: SecretSealer;
  readonly serverCertPem: string;
  readonly serverKeyPem: string;
  readonly deviceCaPem: string;
  /** What this start created (for the start-up log). */
  readonly created: readonly string[];
}

/** Writes a new file; false when another process created it first (then theirs is used). */
function writeNew(file: string, text: string, mode: number): boolean {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  try {
    writeFileSync(file, text, { mode, flag: "wx" });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  }
  chmodSync(file, mode);
  return true;
}

function writePrivate(file: string, text: string): boolean {
  return writeNew(file, text, 0o600);
}

function writePublic(file: string, text: string): boolean {
  return writeNew(file, text, 0o644);
}

/** Reads or creates the master key (mode 0600). */
export function loadMasterKey(file: string, created?: string[]): MasterKey {
  if (!existsSync(file)) {
    const key = generateMasterKey(MASTER_KEY_ID);
    if (writePrivate(file, `${key.text}\n`)) {
      created?.push(file);
      return key;
    }
  }
  return parseMasterKey(MASTER_KEY_ID, readFileSync(file, "utf8"));
}

export function sealerFor(masterKey: MasterKey): SecretSealer {
  return {
    // The context binds a sealed value to its row (GCM additional data): copied into
    // another row, it no longer opens.
    seal: (plaintext, context) => sealSecret(masterKey, plaintext, context ? { context } : {}),
    open: (sealed, context) => openSecret(masterKey, sealed, context ? { context } : {}),
    needsReseal: (sealed) => needsReseal(masterKey, sealed),
  };
}

/** Creates the data directory and its keys and certificates where missing. */
export async function bootstrapDataDir(config: ServeConfig): Promise<Bootstrapped> {
  const created: string[] = [];
  try {
    if (!existsSync(config.dataDir)) {
      mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
      created.push(config.dataDir);
    }
    if (!existsSync(config.filesDir)) {
      mkdirSync(config.filesDir, { recursive: true, mode: 0o755 });
      created.push(config.filesDir);
    }
  } catch (error) {
    throw serverError("SERVER_BOOTSTRAP_FAILED", `cannot create data directory ${config.dataDir}`, {
      cause: error,
      status: 500,
    });
  }
  const paths = dataPaths(config.dataDir);
  const masterKey = loadMasterKey(config.masterKeyFile, created);

  if (!existsSync(paths.deviceCaCert) || !existsSync(paths.deviceCaKey)) {
    const ca = await createDeviceCa({ commonName: "Provisio Device CA" });
    if (writePrivate(paths.deviceCaKey, ca.privateKeyPem)) {
      writePublic(paths.deviceCaCert, ca.certificatePem);
      created.push(paths.deviceCaCert);
    }
  }

  const certFile = config.tlsCertFile;
  const keyFile = config.tlsKeyFile;
  const certExists = existsSync(certFile);
  const keyExists = existsSync(keyFile);
  if (!certExists || !keyExists) {
    if (certExists !== keyExists || certFile !== paths.serverCert || keyFile !== paths.serverKey) {
      throw serverError(
        "SERVER_BOOTSTRAP_FAILED",
        `HTTPS certificate ${certFile} or key ${keyFile} is missing`,
        { status: 500 },
      );
    }
    const cert = await createServerCertificate({ hostnames: [hostname(), "localhost"] });
    if (writePrivate(keyFile, cert.privateKeyPem)) {
      writePublic(certFile, cert.certificatePem);
      created.push(certFile);
    }
  }

  return {
    paths,
    masterKey,
    sealer: sealerFor(masterKey),
    serverCertPem: readFileSync(certFile, "utf8"),
    serverKeyPem: readFileSync(keyFile, "utf8"),
    deviceCaPem: readFileSync(paths.deviceCaCert, "utf8"),
    created,
  };
}
