import { readFileSync } from "node:fs";
import type { Command } from "commander";
import pino, { type Logger } from "pino";
import {
  type ClientCertificate,
  Device,
  type DhcpOptions,
  type ResyncReport,
  startSipListener,
  startWebServer,
} from "../device/index.ts";
import { familyOfModel } from "../fleet/index.ts";
import type { DeviceFamily } from "../profile/index.ts";
import type { RegisterCommand } from "./commands.ts";
import { addEmulatorFlags, COMPAT_HELP, emulatorOptions } from "./emulator_flags.ts";
import { cliError } from "./errors.ts";

interface EmulateFlags {
  mac: string;
  model: string;
  serial?: string;
  swver?: string;
  family?: string;
  profileRule?: string;
  dhcpTftp?: string;
  cert?: string;
  certKey?: string;
  installationSecretFile?: string;
  serverCa: string[];
  host: string;
  httpPort: string;
  sipPort: string;
  seed: string;
  logLevel: string;
  compat: string[];
  inactiveLoad?: string;
}

function isFamily(text: string): text is DeviceFamily {
  return text === "spa" || text === "mpp" || text === "sipura";
}

function port(text: string, flag: string): number {
  const n = Number(text);
  if (!/^\d{1,5}$/.test(text) || n > 65535) {
    throw cliError(
      "CLI_BAD_OPTION",
      `${flag} must be a port number from 0 to 65535, not ${JSON.stringify(text)}`,
    );
  }
  return n;
}

function readPem(path: string, flag: string): string {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw cliError(
      "CLI_INPUT_UNREADABLE",
      `${flag}: cannot read ${path}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  if (!text.includes("-----BEGIN")) {
    throw cliError("CLI_BAD_OPTION", `${flag}: ${path} is not a PEM file`);
  }
  return text;
}

/** pino, human-readable on a terminal (pino-pretty, loaded only then), JSON lines otherwise. */
async function emulatorLogger(level: string): Promise<Logger> {
  const levels = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];
  if (!levels.includes(level)) {
    throw cliError("CLI_BAD_OPTION", `--log-level must be one of ${levels.join("|")}`);
  }
  if (process.stdout.isTTY) {
    const pretty = (await import("pino-pretty")).default;
    return pino(
      { level },
      pretty({
        colorize: true,
        translateTime: "HH:MM:ss.l",
        ignore: "pid,hostname,mac",
        singleLine: true,
        sync: true,
      }),
    );
  }
  return pino({ level });
}

function describeResync(r: ResyncReport): Record<string, unknown> {
  return {
    cause: r.cause,
    prvst: r.prvst,
    ok: r.ok,
    ...(r.err === "" ? {} : { err: r.err }),
    requests: r.requests.map(
      (q) => `${q.method} ${q.url} → ${q.outcome}${q.changed > 0 ? ` (${q.changed} changed)` : ""}`,
    ),
    ...(r.forced ? { forced: true } : {}),
  };
}

/** `provisio emulate`: one virtual SPA/MPP unit in real time, logging what it does. */
export const registerEmulateCommand: RegisterCommand = (program: Command) => {
  const command = program
    .command("emulate")
    .description("run one emulated SPA/MPP device in real time and log what it does")
    .requiredOption("--mac <mac>", "the device's MAC address (000e08012345, 00:0E:08:01:23:45, …)")
    .requiredOption("--model <pn>", "product name ($PN), e.g. SPA962, SPA2102, CP-8841-3PCC")
    .option("--serial <sn>", "serial number ($SN)")
    .option("--swver <version>", "firmware version ($SWVER)")
    .option("--family <family>", "spa | mpp | sipura (default: from the model name)")
    .option("--profile-rule <rule>", "set Profile_Rule before power-on (as an admin edit)")
    .option("--dhcp-tftp <host[:port]>", "DHCP option 66: the TFTP server for rules without one")
    .option("--cert <file>", "device client certificate (PEM, from `provisio pki issue-device`)")
    .option("--cert-key <file>", "its private key (PEM)")
    .option(
      "--installation-secret-file <file>",
      "the installation's targeting secret (DATA/target.key): opens files compiled with --target for this MAC",
    )
    .option(
      "--server-ca <file>",
      "CA certificate (PEM) trusted for HTTPS servers (repeatable)",
      (value: string, list: string[]) => [...list, value],
      [] as string[],
    )
    .option("--host <addr>", "address the device's web server and SIP listener bind", "127.0.0.1")
    .option("--http-port <n>", "the device's web server port (0: any free port)", "0")
    .option("--sip-port <n>", "the device's SIP NOTIFY port (0: any free port)", "0")
    .option("--seed <n>", "seed of the device's random delays", "1")
    .option("--log-level <level>", "fatal|error|warn|info|debug|trace|silent", "info");
  addEmulatorFlags(command)
    .addHelpText(
      "after",
      `
The device powers on at once (boot resync after its Resync_Random_Delay), resyncs on its
own schedule, and answers its web pages (/, /admin/, /admin/resync?URL, /admin/reboot, …)
and SIP NOTIFY (check-sync, resync, reboot). Ctrl-C powers it off.

Examples:
  provisio emulate --mac 000e08012345 --model SPA962 --dhcp-tftp 127.0.0.1:6969
  provisio emulate --mac 000e08012345 --model SPA962 \\
    --profile-rule 'https://prov.example.com/$MA.xml' --server-ca data/tls/server.crt \\
    --cert dev.crt --cert-key dev.key --http-port 8088
  provisio emulate --mac 000e08012345 --model CP-8841-3PCC --swver sip88xx.11-3-2MPP0001-609 \\
    --inactive-load sip88xx.11-3-1MPP-678 --compat reportHidePasswords --dhcp-tftp 127.0.0.1
${COMPAT_HELP}`,
    )
    .action(async (flags: EmulateFlags) => {
      const logger = await emulatorLogger(flags.logLevel);
      const httpPort = port(flags.httpPort, "--http-port");
      const sipPort = port(flags.sipPort, "--sip-port");
      const seed = Number(flags.seed);
      if (!Number.isSafeInteger(seed))
        throw cliError("CLI_BAD_OPTION", "--seed must be a whole number");
      if ((flags.cert === undefined) !== (flags.certKey === undefined)) {
        throw cliError("CLI_BAD_OPTION", "--cert and --cert-key go together");
      }
      const family = flags.family ?? familyOfModel(flags.model);
      if (!isFamily(family))
        throw cliError("CLI_BAD_OPTION", "--family must be spa, mpp or sipura");
      const clientCertificate: ClientCertificate | undefined =
        flags.cert === undefined || flags.certKey === undefined
          ? undefined
          : {
              certificatePem: readPem(flags.cert, "--cert"),
              privateKeyPem: readPem(flags.certKey, "--cert-key"),
            };
      const dhcp: DhcpOptions | undefined =
        flags.dhcpTftp === undefined ? undefined : { option66: flags.dhcpTftp };
      const options = emulatorOptions(flags);
      const device = new Device({
        mac: flags.mac,
        productName: flags.model,
        family,
        seed,
        ...(flags.serial === undefined ? {} : { serial: flags.serial }),
        ...(flags.swver === undefined ? {} : { swVersion: flags.swver }),
        ...(clientCertificate === undefined ? {} : { clientCertificate }),
        ...(dhcp === undefined ? {} : { dhcp }),
        ...(flags.installationSecretFile === undefined
          ? {}
          : {
              installationSecret: (await import("./target_secret.ts")).readTargetSecret(
                flags.installationSecretFile,
              ),
            }),
        trustedServerCas: flags.serverCa.map((f) => readPem(f, "--server-ca")),
        ...options,
      });
      const log = logger.child({ mac: device.identity.mac });
      if (flags.profileRule !== undefined) device.configure({ Profile_Rule: flags.profileRule });

      device.log.on("entry", (e) => {
        if (e.kind === "error") log.warn({ kind: e.kind }, e.message);
        else log.info({ kind: e.kind }, e.message);
      });
      device.on("resync", (r) => {
        const fields = describeResync(r);
        if (r.ok) log.info(fields, "resync done");
        else log.warn(fields, "resync failed");
      });
      device.on("reboot", (r) => log.info({ reason: r.reason }, "reboot"));
      device.on("state", (s) => log.info({ state: s }, `provisioning state ${s}`));

      const web = await startWebServer(device, { host: flags.host, port: httpPort });
      const sip = await startSipListener(device, { host: flags.host, port: sipPort });
      log.info(
        {
          model: device.identity.productName,
          family,
          swver: device.identity.swVersion,
          serial: device.identity.serial,
          web: web.url,
          sip: `${flags.host}:${sip.port}`,
          state: device.provisioningState,
          ...(options.compat === undefined ? {} : { compat: options.compat }),
          ...(device.inactiveLoad === undefined ? {} : { inactiveLoad: device.inactiveLoad }),
        },
        "device emulator listening",
      );
      device.powerOn();
      const t = device.timerSnapshot();
      if (t.bootResyncAt !== undefined) {
        log.info({ at: new Date(t.bootResyncAt).toISOString() }, "boot resync armed");
      }

      await new Promise<void>((resolve) => {
        const stop = (signal: NodeJS.Signals): void => {
          log.info({ signal }, "powering off");
          device.powerOff();
          Promise.all([web.close(), sip.close()]).then(
            () => resolve(),
            () => resolve(),
          );
        };
        process.once("SIGTERM", stop);
        process.once("SIGINT", stop);
      });
    });
};
