/**
 * First start and every start: the data directory and what lives in it.
 *
 * ```
 * data/                   mode 0700
 *   master.key            64 hex digits — seals secrets at rest (SIP passwords, device keys);
 *                         `master_key_file` moves it (nodes on one PostgreSQL share it)
 *   provisio.db(-wal|-shm) SQLite database (unless PostgreSQL is configured)
 *   tls/server.crt|key    self-signed HTTPS server certificate (RSA), unless configured
 *   tls/server-rsa.crt|key  RSA companion, when an older installation's server.crt is EC
 *   pki/device-ca.crt|key device CA for emulated devices and tests
 *   initial-admin-token   the first admin token when no terminal showed it
 * ```
 *
 * Missing pieces are created; existing ones are never overwritten. Every file created here is
 * 0600 and every directory 0700, set with chmod so the umask and whatever already exists
 * (a data directory made 0755 by hand or a package) cannot widen them; looser modes found on
 * the data directory and the files it manages are tightened and reported. The first admin API
 * token is issued when the database has none, and returned so the caller shows it once.
 */

import { X509Certificate } from "node:crypto";
import {
  chmodSync,
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { hostname } from "node:os";
import { dirname, join } from "node:path";
import {
  createDeviceCa,
  createServerCertificate,
  generateMasterKey,
  type MasterKey,
} from "../crypto/index.ts";
import { ProvisioError } from "../errors.ts";
import type { SecretSealer } from "../store/index.ts";
import type { ServeConfig } from "./config.ts";
import { type DataPaths, dataPaths } from "./data_paths.ts";
import { serverError } from "./errors.ts";
import { keyFileSealer, MASTER_KEY_ID, readMasterKey } from "./store_access.ts";

export interface Bootstrapped {
  readonly paths: DataPaths;
  readonly masterKey: MasterKey;
  readonly sealer: SecretSealer;
  readonly serverCertPem: string;
  readonly serverKeyPem: string;
  /**
   * Every HTTPS certificate to serve, RSA first: the configured pair, plus the RSA companion
   * when the data directory's own pair is EC. TLS picks one per client hello.
   */
  readonly serverCertificates: readonly ServerKeyPair[];
  /** True when some served certificate has an RSA key (what SPA/MPP units need). */
  readonly hasRsaServerCertificate: boolean;
  readonly deviceCaPem: string;
  /** What this start created (for the start-up log). */
  readonly created: readonly string[];
  /** Existing files and directories whose mode was looser than 0600 / 0700, now tightened. */
  readonly tightened: readonly ModeChange[];
}

export interface ServerKeyPair {
  readonly certPem: string;
  readonly keyPem: string;
}

export interface ModeChange {
  readonly path: string;
  /** The mode found and the mode wanted, as octal strings (`"755"` → `"700"`). */
  readonly from: string;
  readonly to: string;
  /** Why the mode could not be changed (e.g. `EPERM`: another user owns the file). */
  readonly failed?: string;
}

export const PRIVATE_FILE_MODE = 0o600;
export const PRIVATE_DIR_MODE = 0o700;

/**
 * Tightens an existing path to `mode` when group or others have any access to it. A path the
 * server may not chmod (another owner) is reported, not fatal: the start-up log says so.
 */
function tighten(path: string, mode: number, tightened?: ModeChange[]): void {
  let found: number;
  try {
    found = statSync(path).mode & 0o777;
  } catch {
    return;
  }
  if ((found & 0o077) === 0) return;
  const change = { path, from: found.toString(8), to: mode.toString(8) };
  try {
    chmodSync(path, mode);
    tightened?.push(change);
  } catch (error) {
    tightened?.push({ ...change, failed: (error as NodeJS.ErrnoException).code ?? String(error) });
  }
}

/**
 * Makes `dir` and any missing parents 0700 — the mode set explicitly, since `mkdir`'s is
 * filtered by the umask — and tightens it when it already exists with a looser mode.
 */
function privateDir(dir: string, created?: string[], tightened?: ModeChange[]): void {
  if (existsSync(dir)) {
    tighten(dir, PRIVATE_DIR_MODE, tightened);
    return;
  }
  const first = mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  if (first === undefined) return;
  // Every directory made here (the first one created and those below it) gets 0700.
  for (let d = dir; d.length >= first.length; d = dirname(d)) {
    chmodSync(d, PRIVATE_DIR_MODE);
    if (d === first) break;
  }
  created?.push(dir);
}

/** Writes a new file 0600; false when another process created it first (then theirs is used). */
function writePrivate(file: string, text: string): boolean {
  // Only a directory made here is set to 0700: a configured file's (e.g. `master_key_file`
  // in /etc/provisio) stays as the operator made it; the data directory's own are
  // tightened by `bootstrapDataDir`.
  if (!existsSync(dirname(file))) privateDir(dirname(file));
  try {
    writeFileSync(file, text, { mode: PRIVATE_FILE_MODE, flag: "wx" });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  }
  chmodSync(file, PRIVATE_FILE_MODE);
  return true;
}

/**
 * Creates the SQLite file 0600 before SQLite does (it would create it 0644 under the usual
 * umask); SQLite gives the `-wal` and `-shm` files it creates the database file's mode.
 */
function privateSqliteFile(file: string, created: string[], tightened: ModeChange[]): void {
  if (file === ":memory:") return;
  // A directory of the operator's choosing is left alone; one made here is private.
  if (!existsSync(dirname(file))) privateDir(dirname(file), created);
  if (!existsSync(file)) {
    closeSync(openSync(file, "a", PRIVATE_FILE_MODE));
    chmodSync(file, PRIVATE_FILE_MODE);
    created.push(file);
  }
  for (const f of [file, `${file}-wal`, `${file}-shm`, `${file}-journal`]) {
    tighten(f, PRIVATE_FILE_MODE, tightened);
  }
}

/**
 * Writes the first admin token to `data/initial-admin-token` (0600, replacing an older one),
 * for when no terminal is there to show it. Returns the file's path.
 */
export function writeInitialAdminToken(dataDir: string, token: string): string {
  const file = dataPaths(dataDir).initialAdminToken;
  try {
    unlinkSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  if (!writePrivate(file, `${token}\n`)) {
    throw serverError("SERVER_BOOTSTRAP_FAILED", `${file} was created by another process`, {
      status: 500,
    });
  }
  return file;
}

/** Reads or creates the master key (mode 0600). */
export function loadMasterKey(
  file: string,
  created?: string[],
  tightened?: ModeChange[],
): MasterKey {
  if (existsSync(file)) {
    // The caller passes `tightened` for the data directory's own key only: a configured
    // key file may be shared between nodes on purpose (e.g. 0640, group provisio).
    if (tightened !== undefined) tighten(file, PRIVATE_FILE_MODE, tightened);
  } else {
    const key = generateMasterKey(MASTER_KEY_ID);
    if (writePrivate(file, `${key.text}\n`)) {
      created?.push(file);
      return key;
    }
  }
  return readMasterKey(file);
}

/** Creates the data directory and its keys and certificates where missing. */
export async function bootstrapDataDir(config: ServeConfig): Promise<Bootstrapped> {
  const created: string[] = [];
  const tightened: ModeChange[] = [];
  const paths = dataPaths(config.dataDir);
  try {
    privateDir(config.dataDir, created, tightened);
    // A files directory configured elsewhere is the operator's (firmware, maybe shared):
    // created private, otherwise left alone. The default one is the data directory's.
    if (config.filesDir === join(config.dataDir, "files")) {
      privateDir(config.filesDir, created, tightened);
    } else if (!existsSync(config.filesDir)) privateDir(config.filesDir, created);
    for (const dir of [dirname(paths.deviceCaKey), dirname(paths.serverKey)]) {
      if (existsSync(dir)) tighten(dir, PRIVATE_DIR_MODE, tightened);
    }
    for (const file of [
      paths.deviceCaKey,
      paths.deviceCaCert,
      paths.serverKey,
      paths.serverCert,
      paths.serverRsaKey,
      paths.serverRsaCert,
    ]) {
      tighten(file, PRIVATE_FILE_MODE, tightened);
    }
    tighten(paths.initialAdminToken, PRIVATE_FILE_MODE, tightened);
    if (config.database.kind === "sqlite") {
      privateSqliteFile(config.database.file, created, tightened);
    }
  } catch (error) {
    if (error instanceof ProvisioError) throw error;
    throw serverError("SERVER_BOOTSTRAP_FAILED", `cannot create data directory ${config.dataDir}`, {
      cause: error,
      status: 500,
    });
  }
  const ownKey = config.masterKeyFile === paths.masterKey;
  const masterKey = loadMasterKey(config.masterKeyFile, created, ownKey ? tightened : undefined);

  if (!existsSync(paths.deviceCaCert) || !existsSync(paths.deviceCaKey)) {
    const ca = await createDeviceCa({ commonName: "Provisio Device CA" });
    if (writePrivate(paths.deviceCaKey, ca.privateKeyPem)) {
      writePrivate(paths.deviceCaCert, ca.certificatePem);
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
      writePrivate(certFile, cert.certificatePem);
      created.push(certFile);
    }
  }

  const primary: ServerKeyPair = {
    certPem: readFileSync(certFile, "utf8"),
    keyPem: readFileSync(keyFile, "utf8"),
  };
  const serverCertificates: ServerKeyPair[] = [primary];
  // An installation made before RSA was the default has an EC pair that SPA/MPP units cannot
  // use; its own pair keeps serving modern clients, an RSA one is added for the units.
  if (!isRsa(primary.certPem) && certFile === paths.serverCert) {
    if (!existsSync(paths.serverRsaCert) || !existsSync(paths.serverRsaKey)) {
      const rsa = await createServerCertificate({
        hostnames: [hostname(), "localhost"],
        keyType: "rsa-2048",
      });
      if (writePrivate(paths.serverRsaKey, rsa.privateKeyPem)) {
        writePrivate(paths.serverRsaCert, rsa.certificatePem);
        created.push(paths.serverRsaCert);
      }
    }
    serverCertificates.unshift({
      certPem: readFileSync(paths.serverRsaCert, "utf8"),
      keyPem: readFileSync(paths.serverRsaKey, "utf8"),
    });
  }

  return {
    paths,
    masterKey,
    sealer: keyFileSealer(config.masterKeyFile),
    serverCertPem: primary.certPem,
    serverKeyPem: primary.keyPem,
    serverCertificates,
    hasRsaServerCertificate: serverCertificates.some((pair) => isRsa(pair.certPem)),
    deviceCaPem: readFileSync(paths.deviceCaCert, "utf8"),
    created,
    tightened,
  };
}

/** True for a certificate with an RSA key; unreadable text is left for TLS to report. */
function isRsa(certPem: string): boolean {
  try {
    return new X509Certificate(certPem).publicKey.asymmetricKeyType === "rsa";
  } catch {
    return true;
  }
}
