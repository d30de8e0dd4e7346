import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { parseMacParam } from "../admin/index.ts";
import { issueDeviceCertificate } from "../crypto/index.ts";
import { bootstrapDataDir } from "../server/index.ts";
import { formatMac } from "../store/index.ts";
import type { RegisterCommand } from "./commands.ts";
import { cliError } from "./errors.ts";
import {
  type InstallationFlags,
  installationOptions,
  loadInstallationConfig,
} from "./installation.ts";
import { writeStdout } from "./stdout.ts";

interface IssueFlags extends InstallationFlags {
  mac: string;
  out: string;
  serial?: string;
  product?: string;
  keyType?: string;
}

export const registerPkiCommand: RegisterCommand = (program: Command) => {
  const pki = program
    .command("pki")
    .description("The installation's device CA (emulated devices, tests)");

  installationOptions(
    pki
      .command("issue-device")
      .description("Issue a device client certificate from the installation's device CA")
      .requiredOption(
        "--mac <mac>",
        "the device's MAC (goes into the subject's ST field, as on Cisco devices)",
      )
      .requiredOption("--out <dir>", "directory for device.crt, device.key and ca.crt")
      .option("--serial <serial>", "serial number (stored in the subject's L)")
      .option("--product <pn>", "product name (stored in OU; default SPA-2102)")
      .option("--key-type <type>", "ec-p256 (default) or rsa-2048"),
  )
    .addHelpText(
      "after",
      `
The device CA lives in DATA/pki/ (created on first use, as serve does). Every tenant
trusts it, so a device presenting this certificate over HTTPS is identified by it.

Examples:
  provisio pki issue-device --mac 00:0E:08:AB:CD:EF --out ./certs
  curl --cert certs/device.crt --key certs/device.key --cacert data/tls/server.crt \\
       https://localhost:8443/profile/000e08abcdef.xml`,
    )
    .action(async (flags: IssueFlags) => {
      const mac = parseMacParam(flags.mac);
      const keyType = flags.keyType ?? "ec-p256";
      if (keyType !== "ec-p256" && keyType !== "rsa-2048") {
        throw cliError("CLI_BAD_OPTION", "--key-type must be ec-p256 or rsa-2048");
      }
      const config = await loadInstallationConfig(flags);
      const boot = await bootstrapDataDir(config);
      if (boot.created.length > 0)
        process.stderr.write(`provisio: initialised ${config.dataDir}\n`);
      const ca = {
        certificatePem: readFileSync(boot.paths.deviceCaCert, "utf8"),
        privateKeyPem: readFileSync(boot.paths.deviceCaKey, "utf8"),
      };
      const issued = await issueDeviceCertificate(ca, {
        mac,
        keyType,
        ...(flags.serial === undefined ? {} : { serial: flags.serial }),
        ...(flags.product === undefined ? {} : { product: flags.product }),
      });
      mkdirSync(flags.out, { recursive: true });
      const key = join(flags.out, "device.key");
      writeFileSync(join(flags.out, "device.crt"), issued.certificatePem);
      writeFileSync(key, issued.privateKeyPem, { mode: 0o600 });
      chmodSync(key, 0o600);
      writeFileSync(join(flags.out, "ca.crt"), ca.certificatePem);
      writeStdout(
        `issued a certificate for ${formatMac(mac)}: ${join(flags.out, "device.crt")}, ${key} (0600), ${join(flags.out, "ca.crt")}\n`,
      );
    });
};
