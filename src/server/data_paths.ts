/**
 * The layout of a data directory, apart from `bootstrap.ts` (which creates its contents with
 * the x509 stack) so a management command can find a file without loading that.
 */
import { join } from "node:path";

/** Where things live in a data directory (management commands use the same paths). */
export interface DataPaths {
  readonly masterKey: string;
  readonly database: string;
  readonly deviceCaCert: string;
  readonly deviceCaKey: string;
  readonly serverCert: string;
  readonly serverKey: string;
  /** RSA companion added at start when the data directory's own pair above is EC. */
  readonly serverRsaCert: string;
  readonly serverRsaKey: string;
  readonly initialAdminToken: string;
}

export function dataPaths(dataDir: string): DataPaths {
  return {
    masterKey: join(dataDir, "master.key"),
    database: join(dataDir, "provisio.db"),
    deviceCaCert: join(dataDir, "pki", "device-ca.crt"),
    deviceCaKey: join(dataDir, "pki", "device-ca.key"),
    serverCert: join(dataDir, "tls", "server.crt"),
    serverKey: join(dataDir, "tls", "server.key"),
    serverRsaCert: join(dataDir, "tls", "server-rsa.crt"),
    serverRsaKey: join(dataDir, "tls", "server-rsa.key"),
    initialAdminToken: join(dataDir, "initial-admin-token"),
  };
}
