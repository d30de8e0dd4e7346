/**
 * `provisio master-key`: which master key the installation's database is sealed under, and
 * moving it to a new one online (`rotate`) — the running nodes switch to the new key, every
 * secret is sealed again, resumably, then the key file is replaced.
 */
import { chmodSync, copyFileSync, existsSync, renameSync, writeFileSync } from "node:fs";
import type { Command } from "commander";
import { generateMasterKey } from "../crypto/index.ts";
import {
  keyFileSealer,
  MASTER_KEY_ID,
  masterKeyId,
  nextKeyFile,
  readMasterKey,
  retiredKeyFile,
} from "../server/index.ts";
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
import { writeStdout } from "./stdout.ts";

interface RotateFlags extends InstallationFlags {
  to?: string;
  wait?: string;
  json?: boolean;
}

/** Writes a key file (0600) that must not exist yet. */
function writeKeyFile(file: string, text: string): void {
  writeFileSync(file, `${text.trim()}\n`, { mode: 0o600, flag: "wx" });
  chmodSync(file, 0o600);
}

function keyIdOf(file: string): string {
  return masterKeyId(readMasterKey(file));
}

export const registerMasterKeyCommand: RegisterCommand = (program: Command) => {
  const group = program
    .command("master-key")
    .description("The master key that seals the installation's secrets: show it, rotate it");

  installationOptions(
    group
      .command("show")
      .description(
        "Show the fingerprint of this installation's master key (never the key), a rotation in progress and the processes using the database",
      )
      .option("--count", "also count the sealed secrets per key (reads every secret row)")
      .option("--json", "print as JSON"),
  ).action(async (flags: InstallationFlags & { json?: boolean; count?: boolean }) => {
    const config = await loadInstallationConfig(flags);
    if (!existsSync(config.masterKeyFile)) {
      throw cliError("CLI_NOT_FOUND", `no master key at ${config.masterKeyFile}`);
    }
    const keyId = keyIdOf(config.masterKeyFile);
    // Opening the store checks the key against the database's record.
    const installation = await openInstallation(flags);
    let state: Awaited<ReturnType<typeof installation.store.masterKey.state>>;
    let counts: Record<string, number> | undefined;
    try {
      state = await installation.store.masterKey.state();
      if (flags.count === true) counts = await installation.store.masterKey.countByKey();
    } finally {
      await installation.close();
    }
    const others = state.processes.filter((p) => p.pid !== process.pid);
    if (flags.json === true) {
      printJson({
        file: config.masterKeyFile,
        keyId,
        installation: { keyId: state.current, next: state.next, sealing: state.sealing },
        processes: others,
        ...(counts === undefined ? {} : { counts }),
      });
      return;
    }
    const lines = [
      `${config.masterKeyFile}  ${keyId}${keyId === state.current ? "  (the database's key)" : ""}`,
    ];
    if (state.current !== keyId) lines.push(`the database's key: ${state.current}`);
    if (state.next !== null) {
      lines.push(
        `rotation to ${state.next} in progress (${state.sealing === null ? "announced" : "sealing under it"}): run "provisio master-key rotate" to finish it`,
      );
    }
    for (const p of others) {
      lines.push(
        `process: ${p.command} on ${p.host} pid ${p.pid}, seals under ${p.seals}, holds ${p.holds.join(" ")}`,
      );
    }
    if (counts !== undefined) {
      for (const [id, n] of Object.entries(counts)) lines.push(`sealed under ${id}: ${n}`);
    }
    writeStdout(`${lines.join("\n")}\n`);
  });

  installationOptions(
    group
      .command("rotate")
      .description(
        "Move the installation to a new master key while the nodes keep serving: every secret sealed again, then the key file replaced (resumable)",
      )
      .option(
        "--to <file>",
        "the new key (64 hex digits); default: a new key generated in MASTER_KEY_FILE.next",
      )
      .option(
        "--wait <seconds>",
        "how long a running process may take to answer before it is treated as stopped",
        "30",
      )
      .option("--json", "print the counts as JSON"),
  )
    .addHelpText(
      "after",
      `
The nodes keep serving throughout. The new key is put in MASTER_KEY_FILE.next (generated, or
copied from --to) and announced in the database; every running process (nodes and commands)
loads it from ITS OWN master_key_file.next — nodes sharing this data directory find it there.
A node with its own master_key_file needs the new key copied to that file's .next first: until
then the command stops with an error naming the node, and nothing is sealed under the new key.
Once every process has it, they all seal new secrets under it; every device key, SIP password,
secret parameter, secure-provisioning key and report value is sealed again (a page of 1,000
rows per transaction, in passes until none is left under another key); the database records
the new key; MASTER_KEY_FILE is replaced by it (the old key kept as MASTER_KEY_FILE.retired).
Interrupted at any point, run the same command again: it resumes.
Afterwards, on nodes with their own master_key_file, move its .next over it (they already use
the new key, and read it from .next when restarted before that).`,
    )
    .action(async (flags: RotateFlags) => {
      const config = await loadInstallationConfig(flags);
      if (!isInitialised(config)) {
        throw cliError(
          "CLI_NOT_FOUND",
          `no installation here: ${config.masterKeyFile} does not exist (pass --data DIR or --config FILE)`,
        );
      }
      const wait = Number(flags.wait ?? "30");
      if (!Number.isFinite(wait) || wait < 1) {
        throw cliError("CLI_BAD_OPTION", "--wait takes a number of seconds (at least 1)");
      }
      const current = config.masterKeyFile;
      const nextFile = nextKeyFile(current);
      if (flags.to !== undefined) {
        if (!existsSync(flags.to)) throw cliError("CLI_NOT_FOUND", `no key file ${flags.to}`);
        const wanted = keyIdOf(flags.to);
        if (existsSync(nextFile) && keyIdOf(nextFile) !== wanted) {
          throw cliError(
            "CLI_BAD_OPTION",
            `${nextFile} holds another key (a rotation started earlier?): finish that one first, or remove the file`,
          );
        }
        if (!existsSync(nextFile)) copyFileSync(flags.to, nextFile);
        chmodSync(nextFile, 0o600);
      }
      const sealer = keyFileSealer(current);
      const ring = sealer.keyRing!;
      const installation = await openInstallation(flags, { sealer: () => sealer });
      let target: string;
      let result: Awaited<ReturnType<typeof installation.store.masterKey.rotate>>;
      try {
        const state = await installation.store.masterKey.state();
        if (state.next !== null) {
          // A rotation started earlier: resume it with its own key.
          target = state.next;
          if (!ring.acquire(target)) {
            throw cliError(
              "CLI_NOT_FOUND",
              `a rotation to master key ${target} was started and has not finished, but ${nextFile} does not hold that key: put it back there and run this again`,
            );
          }
        } else if (state.current !== null && state.current !== keyIdOf(current)) {
          // The database moved to the new key; the key file was not replaced yet.
          target = state.current;
        } else {
          if (!existsSync(nextFile)) writeKeyFile(nextFile, generateMasterKey(MASTER_KEY_ID).text);
          target = keyIdOf(nextFile);
          if (target === state.current) {
            throw cliError("CLI_BAD_OPTION", `${nextFile} holds the current master key already`);
          }
          ring.acquire(target);
        }
        const show = (line: string) => {
          if (flags.json !== true) process.stderr.write(`provisio: ${line}\n`);
        };
        ring.onNotice((notice) => {
          if (notice.level !== "info") show(notice.message);
        });
        result = await installation.store.masterKey.rotate(target, {
          actor: installation.actor,
          answerTimeoutMs: wait * 1000,
          onProgress: show,
        });
      } finally {
        await installation.close();
      }
      if (keyIdOf(current) !== target) {
        // Keep the old key first, then replace the file in one rename: there is no moment
        // without a key file (a run interrupted here is resumed by running it again).
        copyFileSync(current, retiredKeyFile(current));
        chmodSync(retiredKeyFile(current), 0o600);
        renameSync(nextFile, current);
      }
      if (flags.json === true) {
        printJson({ keyId: target, file: current, ...result });
        return;
      }
      writeStdout(
        `sealed again under master key ${target}: ${result.deviceKeys} device keys, ` +
          `${result.passwords} SIP passwords, ${result.layerValues} secret parameters, ` +
          `${result.secureKeys} secure-provisioning keys, ${result.reportValues} report values; ` +
          `${result.processes} other running process(es) followed\n` +
          `${current} now holds the new key; the old one is in ${retiredKeyFile(current)} (delete it once no backup needs it)\n` +
          "nodes with their own master_key_file: move its .next over it\n",
      );
    });
};
