import type { Command } from "commander";
import type { RegisterCommand } from "./commands.ts";
import { cliError } from "./errors.ts";
import {
  formatTable,
  type InstallationFlags,
  installationOptions,
  withInstallation,
} from "./installation.ts";
import { writeStdout } from "./stdout.ts";

interface AddFlags extends InstallationFlags {
  family: string;
  psn?: string;
  lines?: string;
  description?: string;
}

export const registerModelCommand: RegisterCommand = (program: Command) => {
  const model = program
    .command("model")
    .description("Device models (product names; global to the installation)");

  installationOptions(
    model
      .command("add")
      .description("Register or update a device model")
      .argument("<pn>", "product name as the device reports it ($PN), e.g. SPA112")
      .requiredOption("--family <family>", "catalogue family: spa, mpp, …")
      .option("--psn <psn>", "product series number ($PSN)")
      .option("--lines <n>", "number of lines / FXS ports")
      .option("--description <text>", "description"),
  )
    .addHelpText(
      "after",
      "\nExamples:\n  provisio model add SPA112 --family spa --psn 112 --lines 2\n  provisio model add CP-8851-3PCC --family mpp --lines 5",
    )
    .action(async (pn: string, flags: AddFlags) => {
      if (flags.lines !== undefined && !/^\d{1,2}$/.test(flags.lines)) {
        throw cliError("CLI_BAD_OPTION", "--lines must be a number from 0 to 64");
      }
      await withInstallation(flags, async ({ store, actor }) => {
        const saved = await store.models.upsert(
          {
            pn,
            family: flags.family,
            ...(flags.psn === undefined ? {} : { psn: flags.psn }),
            ...(flags.lines === undefined ? {} : { lines: Number(flags.lines) }),
            ...(flags.description === undefined ? {} : { description: flags.description }),
          },
          { actor },
        );
        writeStdout(`model ${saved.pn} (${saved.family}, ${saved.lines} lines) saved\n`);
      });
    });

  installationOptions(
    model
      .command("list")
      .description(
        "List device models: the catalogue's built-in ones (with their factory Profile_Rule) and any added",
      ),
  )
    .addHelpText("after", "\nExamples:\n  provisio model list")
    .action(async (flags: InstallationFlags) => {
      await withInstallation(flags, async ({ store }) => {
        const models = await store.models.list();
        writeStdout(
          formatTable(
            ["MODEL", "PSN", "FAMILY", "LINES", "FXS", "KEYS", "FACTORY PROFILE_RULE", "SOURCE"],
            models.map((m) => [
              m.pn,
              m.psn ?? "",
              m.family,
              String(m.lines),
              String(m.fxsPorts),
              String(m.lineKeys),
              m.factoryProfileRule ?? "",
              m.builtIn ? (m.version === 0 ? "built-in" : "built-in, overridden") : "added",
            ]),
          ),
        );
      });
    });

  installationOptions(
    model
      .command("set")
      .description(
        "Change a model (flags not given stay as they are; a built-in model gets a stored override)",
      )
      .argument("<pn>", "product name")
      .option("--family <family>", "catalogue family: spa, mpp, …")
      .option("--psn <psn>", "product series number ($PSN)")
      .option("--no-psn", "no product series number")
      .option("--lines <n>", "number of lines / FXS ports")
      .option("--description <text>", "description")
      .option("--no-description", "no description"),
  )
    .addHelpText(
      "after",
      "\nExamples:\n  provisio model set SPA112 --description 'two-port ATA'\n  provisio model set CP-8851-3PCC --lines 5",
    )
    .action(
      async (
        pn: string,
        flags: InstallationFlags & {
          family?: string;
          psn?: string | false;
          lines?: string;
          description?: string | false;
        },
      ) => {
        if (flags.lines !== undefined && !/^\d{1,2}$/.test(flags.lines)) {
          throw cliError("CLI_BAD_OPTION", "--lines must be a number from 0 to 64");
        }
        if (
          flags.family === undefined &&
          flags.psn === undefined &&
          flags.lines === undefined &&
          flags.description === undefined
        ) {
          throw cliError("CLI_BAD_OPTION", "nothing to change (see provisio model set --help)");
        }
        await withInstallation(flags, async ({ store, actor }) => {
          const found = await store.models.find(pn);
          if (found === null) {
            throw cliError(
              "CLI_NOT_FOUND",
              `model ${pn} not found (register it with provisio model add ${pn} --family spa|mpp)`,
            );
          }
          const saved = await store.models.upsert(
            {
              pn: found.pn,
              family: flags.family ?? found.family,
              psn: flags.psn === undefined ? found.psn : flags.psn === false ? null : flags.psn,
              lines: flags.lines === undefined ? found.lines : Number(flags.lines),
              description:
                flags.description === undefined
                  ? found.description
                  : flags.description === false
                    ? null
                    : flags.description,
            },
            { actor },
          );
          writeStdout(`model ${saved.pn} (${saved.family}, ${saved.lines} lines) saved\n`);
        });
      },
    );

  installationOptions(
    model
      .command("rm")
      .description(
        "Delete a registered model (refused while devices use it; a built-in model returns to its catalogue entry)",
      )
      .argument("<pn>", "product name"),
  )
    .addHelpText("after", "\nExamples:\n  provisio model rm SPA112")
    .action(async (pn: string, flags: InstallationFlags) => {
      await withInstallation(flags, async ({ store, actor }) => {
        await store.models.delete(pn, { actor });
        writeStdout(`deleted model ${pn}\n`);
      });
    });
};
