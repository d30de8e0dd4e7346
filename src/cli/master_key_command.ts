/**
 * `provisio master-key`: which master key the installation's database is sealed under, and
 * moving it to a new one (`rotate`) — every secret sealed again, resumable, then the key file
 * replaced.
 */
import { chmodSync, copyFileSync, existsSync, renameSync, writeFileSync } from "node:fs";
import type { Command } from "commander";
import { generateMasterKey } from "../crypto/index.ts";
import { MASTER_KEY_ID, masterKeyId, readMasterKey, resealSealer } from "../server/index.ts";
import type { RegisterCommand } from "./commands.ts";
import { cliError } from "./errors.ts";
import {
  type InstallationFlags,
  installationOptions,
  isInitialised,
  loadInstallationConfig,
  openInstallation,
  printJson,
} from "./installation.ts";

interface RotateFlags extends InstallationFlags {
  to?: string;
  json?: boolean;
}

/** A new key file (0600), unless a previous, interrupted rotation left one: then that one. */
function nextKeyFile(file: string): void {
  if (existsSync(file)) return;
  const key = generateMasterKey(MASTER_KEY_ID);
  writeFileSync(file, `${key.text}\n`, { mode: 0o600, flag: "wx" });
  chmodSync(file, 0o600);
}

export const registerMasterKeyCommand: RegisterCommand = (program: Command) => {
  const group = program
    .command("master-key")
    .description("The master key that seals the installation's secrets: show it, rotate it");

  installationOptions(
    group
      .command("show")
      .description("Show the fingerprint of this installation's master key (never the key)")
      .option("--json", "print as JSON"),
  ).action(async (flags: InstallationFlags & { json?: boolean }) => {
    const config = await loadInstallationConfig(flags);
    if (!existsSync(config.masterKeyFile)) {
      throw cliError("CLI_NOT_FOUND", `no master key at ${config.masterKeyFile}`);
    }
    const keyId = masterKeyId(readMasterKey(config.masterKeyFile));
    // Opening the store checks the key against the database's record.
    await (await openInstallation(flags)).close();
    if (flags.json === true) printJson({ file: config.masterKeyFile, keyId });
    else process.stdout.write(`${config.masterKeyFile}  ${keyId}  (the database's key)\n`);
  });

  installationOptions(
    group
      .command("rotate")
      .description(
        "Seal every secret again under a new master key, then make it the installation's key (resumable)",
      )
      .option(
        "--to <file>",
        "the new key (64 hex digits); default: a new key in MASTER_KEY_FILE.next, installed when done",
      )
      .option("--json", "print the counts as JSON"),
  )
    .addHelpText(
      "after",
      `
Stop every node first: a node still running with the old key would seal new secrets under it.
Without --to, a new key is generated next to the current one, every device key, SIP password,
secret parameter and secure-provisioning key is sealed again under it, and it replaces the
key file (the old key is kept as MASTER_KEY_FILE.retired). Interrupted, run the same
command again: it resumes.
With --to FILE, the key file is left alone: point master_key_file at FILE afterwards.
Nodes with their own master_key_file need the new key copied there before they start.`,
    )
    .action(async (flags: RotateFlags) => {
      const config = await loadInstallationConfig(flags);
      if (!isInitialised(config)) {
        throw cliError(
          "CLI_NOT_FOUND",
          `no installation here: ${config.masterKeyFile} does not exist (pass --data DIR or --config FILE)`,
        );
      }
      const current = config.masterKeyFile;
      const nextFile = flags.to ?? `${current}.next`;
      if (flags.to === undefined) nextKeyFile(nextFile);
      else if (!existsSync(nextFile)) throw cliError("CLI_NOT_FOUND", `no key file ${nextFile}`);
      const previous = readMasterKey(current);
      const next = readMasterKey(nextFile);
      if (masterKeyId(previous) === masterKeyId(next)) {
        throw cliError("CLI_BAD_OPTION", `${nextFile} holds the current master key already`);
      }
      const installation = await openInstallation(flags, {
        sealer: () => resealSealer(previous, next, nextFile),
      });
      let counts: {
        deviceKeys: number;
        passwords: number;
        layerValues: number;
        secureKeys: number;
      };
      try {
        counts = await installation.store.resealSecrets({ actor: installation.actor });
      } finally {
        await installation.close();
      }
      if (flags.to === undefined) {
        // Keep the old key first, then replace the file in one rename: there is no moment
        // without a key file (a run interrupted here is resumed by running it again).
        copyFileSync(current, `${current}.retired`);
        chmodSync(`${current}.retired`, 0o600);
        renameSync(nextFile, current);
      }
      const keyId = masterKeyId(next);
      if (flags.json === true) {
        printJson({ keyId, file: flags.to ?? current, ...counts });
        return;
      }
      process.stdout.write(
        `sealed again under master key ${keyId}: ${counts.deviceKeys} device keys, ` +
          `${counts.passwords} SIP passwords, ${counts.layerValues} secret parameters, ` +
          `${counts.secureKeys} secure-provisioning keys\n` +
          (flags.to === undefined
            ? `${current} now holds the new key; the old one is in ${current}.retired (delete it once no backup needs it)\n`
            : `set master_key_file to ${nextFile} (or copy it over ${current}) before starting the nodes\n`),
      );
    });
};
