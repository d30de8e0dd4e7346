/**
 * The installation's targeting secret: the key MAC-targeted profiles are derived from
 * (with the MAC). One per installation, 64 hex digits in `DATA/target.key` (0600), next to
 * master.key; nodes sharing a store share it. Every device that must open MAC-targeted
 * files knows it too — it is "firmware knowledge", like SPC's product secret — which is
 * why docs/security.md rates MAC targeting below certificate targeting.
 */
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  statSync,
  writeSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { generateInstallationSecret, parseInstallationSecret } from "../crypto/index.ts";
import type { ServeConfig } from "../server/index.ts";
import { cliError } from "./errors.ts";

export const TARGET_SECRET_FILE = "target.key";
/** A secret file is 64 hex digits and a newline; anything far larger is not one. */
const MAX_FILE_BYTES = 1024;

export function targetSecretPath(config: Pick<ServeConfig, "dataDir">): string {
  return join(config.dataDir, TARGET_SECRET_FILE);
}

/** Read a targeting secret file (hex); a clear CLI error when missing or malformed. */
export function readTargetSecret(path: string): Buffer {
  let text: string;
  try {
    if (statSync(path).size > MAX_FILE_BYTES) {
      throw cliError("CLI_INPUT_UNREADABLE", `${path} is not a targeting secret (too large)`);
    }
    text = readFileSync(path, "utf8");
  } catch (error) {
    if (error instanceof Error && "code" in error && error.code === "ENOENT") {
      throw cliError(
        "CLI_INPUT_UNREADABLE",
        `no targeting secret at ${path}: \`provisio compile --target\` creates it, or give --installation-secret-file`,
      );
    }
    throw error;
  }
  return parseInstallationSecret(text);
}

/**
 * The installation's secret, created (0600, exclusive create: two racing commands end up
 * with the same file) when missing. `created` says whether this call wrote it.
 */
export function loadOrCreateTargetSecret(path: string): { secret: Buffer; created: boolean } {
  if (!existsSync(path)) {
    const fresh = generateInstallationSecret();
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    let fd: number | undefined;
    try {
      fd = openSync(path, "wx", 0o600);
      writeSync(fd, `${fresh.text}\n`);
      return { secret: fresh.bytes, created: true };
    } catch (error) {
      if (!(error instanceof Error && "code" in error && error.code === "EEXIST")) throw error;
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  }
  return { secret: readTargetSecret(path), created: false };
}
