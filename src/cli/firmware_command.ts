/**
 * `provisio firmware …` (images and upgrade policies) and `provisio rollout …` (staged
 * rollouts): the same operations as the API's firmware routes, on the installation's store
 * and files directory.
 */
import { createHash } from "node:crypto";
import { basename } from "node:path";
import type { Command } from "commander";
import {
  moveRollout,
  ROLLOUT_ACTIONS,
  type RolloutAction,
  removeFirmware,
  resolveGroup,
  resolveTenant,
  rolloutView,
  setUpgradePolicy,
  startRollout,
  tenantSlugs,
  uploadFirmware,
} from "../admin/index.ts";
import { UPGRADE_SCHEMES, type UpgradeSchemeName } from "../store/index.ts";
import { readInput } from "./cli_io.ts";
import type { RegisterCommand } from "./commands.ts";
import { cliError } from "./errors.ts";
import {
  formatTable,
  type InstallationFlags,
  installationOptions,
  printJson,
  withInstallation,
} from "./installation.ts";
import { writeStdout } from "./stdout.ts";

interface Flags extends InstallationFlags {
  tenant?: string;
  json?: boolean;
}

function list(text: string | undefined): string[] {
  return (text ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

function integers(text: string, flag: string): number[] {
  const out = list(text).map(Number);
  if (out.length === 0 || out.some((n) => !Number.isInteger(n))) {
    throw cliError("CLI_BAD_OPTION", `${flag} takes whole numbers separated by commas`);
  }
  return out;
}

function integer(text: string | undefined, flag: string, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0) {
    throw cliError("CLI_BAD_OPTION", `${flag} must be a positive whole number`);
  }
  return n;
}

export const registerFirmwareCommand: RegisterCommand = (program: Command) => {
  const firmware = program
    .command("firmware")
    .description(
      "Firmware images and upgrade policies (target and required intermediate versions)",
    );

  installationOptions(
    firmware
      .command("add")
      .description("Add an image: checked against --sha256, written to the files directory")
      .argument("<file>", "the image file")
      .requiredOption("--fw-version <version>", "the version units report once on it (7.5.5)")
      .requiredOption("--models <list>", "product names, series or * (SPA962,962)")
      .requiredOption("--sha256 <hex>", "the image's SHA-256 as published with it")
      .option(
        "--name <file name>",
        "file name, unique within the tenant (default: the file's name)",
      )
      .option("--tenant <tenant>", "the image's tenant (default: the default tenant)")
      .option("--json", "JSON"),
  )
    .addHelpText(
      "after",
      "\nExample:\n  provisio firmware add spa962-7.5.5.bin --fw-version 7.5.5 --models SPA962 --sha256 $(sha256sum spa962-7.5.5.bin | cut -c1-64)",
    )
    .action(
      async (
        file: string,
        flags: Flags & { fwVersion: string; models: string; sha256: string; name?: string },
      ) => {
        const bytes = readInput(file);
        await withInstallation(flags, async ({ store, actor, config }) => {
          const tenant = await resolveTenant(store, flags.tenant);
          const image = await uploadFirmware(
            store,
            config.filesDir,
            {
              tenantId: tenant.id,
              version: flags.fwVersion,
              models: list(flags.models),
              fileName: flags.name ?? basename(file),
              sha256: flags.sha256,
              bytes,
            },
            actor,
          );
          if (flags.json === true) printJson(image);
          else
            writeStdout(
              `added ${image.fileName} for tenant ${tenant.slug} (${image.version}, ${image.bytes} bytes, sha256 ${createHash("sha256").update(bytes).digest("hex").slice(0, 16)}…): the tenant's units fetch /firmware/${image.fileName}?mac=$MA\n`,
            );
        });
      },
    );

  installationOptions(
    firmware
      .command("list")
      .description("Images in the registry")
      .option("--tenant <tenant>", "one tenant only")
      .option("--json", "JSON"),
  ).action(async (flags: Flags) => {
    await withInstallation(flags, async ({ store }) => {
      const tenantId =
        flags.tenant === undefined ? undefined : (await resolveTenant(store, flags.tenant)).id;
      const images = await store.firmware.listImages(tenantId === undefined ? {} : { tenantId });
      if (flags.json === true) return printJson(images);
      // File names are unique per tenant: two tenants may list the same one.
      const slugs = await tenantSlugs(store);
      writeStdout(
        formatTable(
          ["ID", "TENANT", "VERSION", "MODELS", "FILE", "BYTES"],
          images.map((i) => [
            i.id,
            slugs.get(i.tenantId) ?? i.tenantId,
            i.version,
            i.models.join(","),
            i.fileName,
            String(i.bytes),
          ]),
        ),
      );
    });
  });

  installationOptions(
    firmware
      .command("remove")
      .description("Remove an image from the registry and the files directory")
      .argument("<id>", "the image's id (firmware list)"),
  ).action(async (id: string, flags: Flags) => {
    await withInstallation(flags, async ({ store, actor, config }) => {
      const image = await removeFirmware(store, config.filesDir, id, actor);
      writeStdout(`removed ${image.fileName}\n`);
    });
  });

  const policy = firmware.command("policy").description("Upgrade policies");
  installationOptions(
    policy
      .command("set")
      .description("Create or replace a policy: the target and the versions on the way")
      .argument("<name>", "the policy's name")
      .requiredOption("--target <version>", "the version units end on")
      .option("--via <versions>", "required intermediate versions, comma-separated")
      .option("--model <pn>", "only units of this model")
      .option("--group <group>", "only units of this group")
      .option("--downgrade-limit <version>", "written to units as Downgrade_Rev_Limit")
      .option("--scheme <scheme>", `how units fetch images: ${UPGRADE_SCHEMES.join(", ")}`, "http")
      .option("--base-url <url>", "scheme://host[:port] of the images (default: the public URL)")
      .option("--staged", "offer nothing until a rollout admits the unit")
      .option("--tenant <tenant>", "the policy's tenant (default: the default tenant)")
      .option("--json", "JSON"),
  )
    .addHelpText(
      "after",
      "\nExample:\n  provisio firmware policy set spa962 --target 7.6.2 --via 7.5.5 --model SPA962 --staged",
    )
    .action(
      async (
        name: string,
        flags: Flags & {
          target: string;
          via?: string;
          model?: string;
          group?: string;
          downgradeLimit?: string;
          scheme: string;
          baseUrl?: string;
          staged?: boolean;
        },
      ) => {
        if (!(UPGRADE_SCHEMES as readonly string[]).includes(flags.scheme)) {
          throw cliError("CLI_BAD_OPTION", `--scheme must be one of ${UPGRADE_SCHEMES.join(", ")}`);
        }
        await withInstallation(flags, async ({ store, actor }) => {
          const tenant = await resolveTenant(store, flags.tenant);
          const group =
            flags.group === undefined
              ? null
              : (await resolveGroup(store, tenant.id, flags.group)).id;
          const p = await setUpgradePolicy(
            store,
            {
              tenantId: tenant.id,
              name,
              target: flags.target,
              intermediates: list(flags.via),
              modelPn: flags.model ?? null,
              groupId: group,
              downgradeRevLimit: flags.downgradeLimit ?? null,
              scheme: flags.scheme as UpgradeSchemeName,
              baseUrl: flags.baseUrl ?? null,
              staged: flags.staged === true,
            },
            actor,
          );
          if (flags.json === true) return printJson(p);
          writeStdout(
            `policy ${p.name} (${p.id}): ${[...p.intermediates, p.target].join(" → ")}${p.staged ? " (staged)" : ""}\n`,
          );
        });
      },
    );

  installationOptions(
    policy.command("list").description("Upgrade policies").option("--json", "JSON"),
  ).action(async (flags: Flags) => {
    await withInstallation(flags, async ({ store }) => {
      const policies = await store.firmware.listPolicies();
      if (flags.json === true) return printJson(policies);
      writeStdout(
        formatTable(
          ["ID", "NAME", "SCOPE", "PATH", "STAGED"],
          policies.map((p) => [
            p.id,
            p.name,
            [p.modelPn ?? "", p.groupId === null ? "" : `group ${p.groupId}`]
              .filter(Boolean)
              .join(" ") || "tenant",
            [...p.intermediates, p.target].join(" → "),
            p.staged ? "yes" : "no",
          ]),
        ),
      );
    });
  });
};

export const registerRolloutCommand: RegisterCommand = (program: Command) => {
  const rollout = program
    .command("rollout")
    .description("Staged firmware rollouts: waves, automatic halt on failures, resume, abort");

  installationOptions(
    rollout
      .command("start")
      .description("Start a rollout of a policy over its units below the target")
      .argument("<policy>", "the policy's id (firmware policy list)")
      .option("--waves <percentages>", "cumulative percentages of the units", "1,10,50,100")
      .option("--threshold <percent>", "failures in a wave that halt the rollout", "10")
      .option("--silence <seconds>", "an offered unit silent this long has failed", "86400")
      .option("--json", "JSON"),
  ).action(
    async (
      policyId: string,
      flags: Flags & { waves: string; threshold: string; silence: string },
    ) => {
      await withInstallation(flags, async ({ store, actor }) => {
        const { rollout: r, units } = await startRollout(
          store,
          {
            policyId,
            waves: integers(flags.waves, "--waves"),
            failureThreshold: integer(flags.threshold, "--threshold", 10),
            silenceMs: integer(flags.silence, "--silence", 86_400) * 1000,
          },
          actor,
        );
        if (flags.json === true) return printJson(r);
        writeStdout(
          `rollout ${r.id} started over ${units} units (waves ${r.waves.join(", ")} %)\n`,
        );
      });
    },
  );

  installationOptions(
    rollout.command("list").description("Rollouts").option("--json", "JSON"),
  ).action(async (flags: Flags) => {
    await withInstallation(flags, async ({ store }) => {
      const rollouts = await store.rollouts.list();
      if (flags.json === true) return printJson(rollouts);
      writeStdout(
        formatTable(
          ["ID", "STATE", "WAVE", "WAVES", "REASON"],
          rollouts.map((r) => [
            r.id,
            r.state,
            `${r.wave + 1}/${r.waves.length}`,
            r.waves.join(","),
            r.reason ?? "",
          ]),
        ),
      );
    });
  });

  installationOptions(
    rollout
      .command("show")
      .description("A rollout's progress per wave")
      .argument("<id>", "the rollout's id")
      .option("--json", "JSON"),
  ).action(async (id: string, flags: Flags) => {
    await withInstallation(flags, async ({ store }) => {
      const view = await rolloutView(store, id);
      if (flags.json === true) return printJson(view);
      const r = view.rollout;
      writeStdout(
        `rollout ${r.id}: policy ${view.policy} → ${view.target}, ${r.state}, wave ${r.wave + 1} of ${r.waves.length}${r.reason === null ? "" : ` (${r.reason})`}\n`,
      );
      writeStdout(
        formatTable(
          ["WAVE", "PERCENT", "UNITS", "WAITING", "OFFERED", "UPGRADED", "FAILED", "UNREACHED"],
          view.waves.map((w) => [
            String(w.wave + 1),
            String(w.percent),
            String(w.size),
            String(w.counts.waiting),
            String(w.counts.offered),
            String(w.counts.upgraded),
            String(w.counts.failed),
            String(w.counts.unreached),
          ]),
        ),
      );
    });
  });

  const descriptions: Record<RolloutAction, string> = {
    halt: "Halt a running rollout: nothing new is offered until it is resumed",
    resume: "Resume a halted rollout (its wave's failed units are offered again)",
    abort: "Abort a rollout: nothing more is offered",
  };
  for (const action of ROLLOUT_ACTIONS) {
    installationOptions(
      rollout
        .command(action)
        .description(descriptions[action])
        .argument("<id>", "the rollout's id"),
    ).action(async (id: string, flags: Flags) => {
      await withInstallation(flags, async ({ store, actor }) => {
        const r = await moveRollout(store, id, action, actor);
        writeStdout(`rollout ${r.id}: ${r.state}\n`);
      });
    });
  }
};
