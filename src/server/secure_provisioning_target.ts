/**
 * Targeted bootstraps for units reached over TFTP or plain HTTP: the bootstrap profile sealed
 * in the Provisio SPC container (`src/crypto`'s `sealSpcContainer`) so that only the unit
 * whose MAC it names can open it — the key derived from the MAC and the installation's
 * targeting secret (`DATA/target.key`, the file `provisio compile --target` uses; created
 * here, 0600, when missing). Every unit that opens such files knows that secret ("firmware
 * knowledge", as with SPC), so whoever extracts it from one unit can open every MAC-targeted
 * file: HTTPS with the unit's certificate is the stronger bootstrap (docs/security.md).
 */
import { closeSync, existsSync, openSync, readFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import {
  generateInstallationSecret,
  parseInstallationSecret,
  sealSpcContainer,
} from "../crypto/index.ts";
import type { TargetedEncoder } from "./secure_provisioning_flow.ts";

export const TARGET_SECRET_FILE = "target.key";

/** The installation's targeting secret, created (exclusively, 0600) when missing. */
export function loadTargetSecret(dataDir: string): Buffer {
  const path = join(dataDir, TARGET_SECRET_FILE);
  if (!existsSync(path)) {
    const fresh = generateInstallationSecret();
    let fd: number | undefined;
    try {
      fd = openSync(path, "wx", 0o600);
      writeSync(fd, `${fresh.text}\n`);
      return fresh.bytes;
    } catch (error) {
      // Another process created it first: use theirs.
      if (!(error instanceof Error && "code" in error && error.code === "EEXIST")) throw error;
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  }
  return parseInstallationSecret(readFileSync(path, "utf8"));
}

/** The encoder of targeted bootstraps; the secret is read on first use. */
export function targetedBootstrapEncoder(dataDir: string): TargetedEncoder {
  let secret: Buffer | undefined;
  return (mac, bytes) => {
    secret ??= loadTargetSecret(dataDir);
    return sealSpcContainer(bytes, { targetMac: { mac, installationSecret: secret } });
  };
}
