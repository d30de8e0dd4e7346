import { readFileSync } from "node:fs";
import { type Command, InvalidArgumentError, Option } from "commander";
import type { KdfDigest, SealSpcOptions, SpcOpener } from "../crypto/index.ts";
import type { ProfileTextFormat } from "../profile/index.ts";
import {
  clipLine,
  importResolver,
  inputIdentity,
  inputName,
  readInput,
  writeOutput,
} from "./cli_io.ts";
import { cliError } from "./errors.ts";
import { type CompileDiagnostic, compileProfile, decodeProfile } from "./profile_compiler.ts";

function printDiagnostics(source: string, diagnostics: readonly CompileDiagnostic[]): void {
  for (const d of diagnostics) {
    const where =
      d.line === undefined ? "" : `${d.line}${d.column === undefined ? "" : `:${d.column}`}:`;
    process.stderr.write(`${clipLine(`${source}:${where} warning: ${d.message}`)}\n`);
  }
}

const toOption = () =>
  new Option("--to <format>", "output format").choices([
    "xml",
    "text",
  ] satisfies ProfileTextFormat[]);
const digestOption = () =>
  new Option("--digest <md>", "key-derivation digest (openssl -md); devices expect md5")
    .choices(["md5", "sha256"] satisfies KdfDigest[])
    .default("md5");

interface InstallationSecretFlags {
  installationSecretFile?: string;
  config?: string;
  data?: string;
  database?: string;
}

interface CompileFlags extends InstallationSecretFlags {
  output?: string;
  key?: string;
  gzip?: boolean;
  to?: ProfileTextFormat;
  digest: KdfDigest;
  strict?: boolean;
  target?: string;
  targetCert?: string;
  scramble?: string | boolean;
  aes?: boolean;
  asciiKey?: string;
  hexKey?: string;
  aes128gcmIkm?: string;
}

/** `--data` and `--config` as every installation command has them (where DATA/target.key is). */
function installationFlags(command: Command): void {
  command
    .option("-d, --data <dir>", "data directory of the installation (default ./data)")
    .option(
      "-c, --config <file>",
      "YAML configuration file, as for serve (default ./provisio.yaml)",
    );
}

function readFileOption(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw cliError(
      "CLI_INPUT_UNREADABLE",
      `cannot read ${what} ${path}: ${(error as Error).message}`,
    );
  }
}

/** The installation secret: --installation-secret-file, else DATA/target.key of the installation. */
async function installationSecret(flags: InstallationSecretFlags, create: boolean) {
  // Loaded on demand: the installation's configuration pulls in the server's modules,
  // which a plain compile or decode never needs.
  const { loadOrCreateTargetSecret, readTargetSecret, targetSecretPath } = await import(
    "./target_secret.ts"
  );
  const { loadInstallationConfig } = await import("./installation.ts");
  if (flags.installationSecretFile !== undefined) {
    return readTargetSecret(flags.installationSecretFile);
  }
  const path = targetSecretPath(await loadInstallationConfig(flags));
  if (!create) return readTargetSecret(path);
  const { secret, created } = loadOrCreateTargetSecret(path);
  if (created)
    process.stderr.write(`provisio: created the installation's targeting secret ${path} (0600)\n`);
  return secret;
}

async function containerOptions(flags: CompileFlags): Promise<SealSpcOptions | undefined> {
  if (flags.aes === true && flags.asciiKey === undefined && flags.hexKey === undefined) {
    throw cliError("CLI_BAD_OPTION", "--aes needs --ascii-key PHRASE or --hex-key HEX");
  }
  const wanted =
    flags.target !== undefined ||
    flags.targetCert !== undefined ||
    flags.scramble !== undefined ||
    flags.asciiKey !== undefined ||
    flags.hexKey !== undefined;
  if (!wanted) return undefined;
  return {
    ...(flags.scramble === undefined ? {} : { scramble: flags.scramble }),
    ...(flags.target === undefined
      ? {}
      : {
          targetMac: {
            mac: flags.target,
            installationSecret: await installationSecret(flags, true),
          },
        }),
    ...(flags.targetCert === undefined
      ? {}
      : { targetCertificate: readFileOption(flags.targetCert, "target certificate") }),
    ...(flags.asciiKey === undefined ? {} : { asciiKey: flags.asciiKey }),
    ...(flags.hexKey === undefined ? {} : { hexKey: flags.hexKey }),
  };
}

export function registerCompile(program: Command): void {
  const command = program
    .command("compile")
    .description(
      "compile an SPC plain-text or XML profile into an XML flat profile, optionally gzipped and AES-256 encrypted",
    )
    .argument("<in>", "input profile (SPC text or XML, detected); - for stdin")
    .option("-o, --output <out>", "output file; - or absent for stdout")
    .option("--key <key>", "encrypt with this passphrase (openssl enc -aes-256-cbc -k KEY)")
    .option("--gzip", "gzip before encrypting")
    .addOption(toOption().default("xml"))
    .addOption(digestOption())
    .option("--strict", "treat warnings (unknown parameters, bad values) as errors")
    .option("--target <mac>", "Provisio SPC container only the device with this MAC can open")
    .option(
      "--target-cert <file>",
      "Provisio SPC container only the holder of this device certificate's private key can open",
    )
    .option("--scramble [phrase]", "scrambled container any device opens (obfuscation only)")
    .option("--aes", "explicit-key container (with --ascii-key or --hex-key)")
    .option("--ascii-key <phrase>", "container key; the device rule needs [--key PHRASE]")
    .option("--hex-key <hex>", "container key, 2 to 64 hex digits; the rule needs [--key HEX]")
    .option(
      "--installation-secret-file <file>",
      "targeting secret for --target (default: DATA/target.key, created on first use)",
    )
    .option(
      "--aes128gcm-ikm <ikm>",
      "MPP: RFC 8188 aes128gcm body keyed by the phone's IKM_HTTP_Encrypt_Content",
    )
    .addHelpText(
      "after",
      `
Unknown parameters and values that do not fit a parameter's type are reported as
warnings with their line and column; malformed input is an error (exit 1).

Examples:
  provisio compile spa2102.txt -o spa2102.xml
  provisio compile spa2102.txt -o spa2102.cfg --gzip --key SecretPhrase1234
  cat base.xml | provisio compile - --to text
  # the device's rule then reads: [--key SecretPhrase1234] http://prov.example.com/spa2102.cfg
  provisio compile spa962.txt -o spa962.cfg --target 000e08aabbcc
  provisio compile spa962.txt -o spa962.cfg --target-cert certs/device.crt
  provisio compile spa962.txt -o spa962.cfg --aes --hex-key 8e4ca259...

--target, --target-cert, --scramble and --aes write a Provisio SPC container (modes
combine; a file targeted both ways needs both). It is Provisio's own format, not Cisco
SPC's binary: emulated units and \`provisio decode\` read it. See docs/security.md for
what each mode protects against.`,
    );
  installationFlags(command);
  command.action(async (input: string, flags: CompileFlags) => {
    const container = await containerOptions(flags);
    const result = compileProfile(readInput(input), {
      source: inputName(input),
      sourceId: inputIdentity(input),
      resolveImport: importResolver(input),
      to: flags.to,
      gzip: flags.gzip,
      key: flags.key,
      digest: flags.digest,
      ...(container === undefined ? {} : { container }),
      ...(flags.aes128gcmIkm === undefined ? {} : { aes128gcmIkm: flags.aes128gcmIkm }),
    });
    printDiagnostics(inputName(input), result.warnings);
    if (flags.strict && result.warnings.length > 0) {
      process.stderr.write(`provisio: ${result.warnings.length} warning(s) with --strict\n`);
      process.exitCode = 1;
      return;
    }
    writeOutput(flags.output, result.bytes, result.binary);
  });
}

interface DecodeFlags extends InstallationSecretFlags {
  output?: string;
  key?: string;
  to?: ProfileTextFormat;
  digest?: KdfDigest;
  maxInflated?: number;
  asDevice?: string;
  deviceKey?: string;
  aes128gcmIkm?: string;
}

async function openerOf(flags: DecodeFlags): Promise<Omit<SpcOpener, "key">> {
  return {
    ...(flags.asDevice === undefined
      ? {}
      : { mac: flags.asDevice, installationSecret: await installationSecret(flags, false) }),
    ...(flags.deviceKey === undefined
      ? {}
      : { privateKey: readFileOption(flags.deviceKey, "device key").toString("utf8") }),
  };
}

function positiveInteger(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n < 1) {
    throw new InvalidArgumentError("expected a positive whole number of bytes");
  }
  return n;
}

export function registerDecode(program: Command): void {
  const command = program
    .command("decode")
    .description(
      "decrypt and gunzip a profile and print it as XML or SPC text (the reverse of compile)",
    )
    .argument("<in>", "input profile, plain, gzip or encrypted (detected); - for stdin")
    .option("-o, --output <out>", "output file; - or absent for stdout")
    .option("--key <key>", "passphrase of an encrypted profile, or a container's --ascii/--hex key")
    .option(
      "--as-device <mac>",
      "open a container targeted to this MAC (with the installation's targeting secret)",
    )
    .option("--device-key <file>", "open a container targeted to this device key's certificate")
    .option(
      "--installation-secret-file <file>",
      "targeting secret for --as-device (default: DATA/target.key of the installation)",
    )
    .option("--aes128gcm-ikm <ikm>", "the input is an RFC 8188 aes128gcm body with this IKM")
    .addOption(toOption())
    .addOption(
      new Option(
        "--digest <md>",
        "only try this key-derivation digest (default: md5, then sha256)",
      ).choices(["md5", "sha256"]),
    )
    .option(
      "--max-inflated <bytes>",
      "refuse a gzip layer inflating beyond this many bytes (default: any size compile can write)",
      positiveInteger,
    )
    .addHelpText(
      "after",
      `
Examples:
  provisio decode spa2102.cfg --key SecretPhrase1234
  provisio decode spa2102.cfg --key SecretPhrase1234 --to text -o spa2102.txt
  curl -s http://prov.example.com/profile/000e08012345.xml | provisio decode -
  provisio decode spa962.cfg --as-device 000e08aabbcc
  provisio decode spa962.cfg --device-key certs/device.key

A container opens with what its modes need: nothing (generic, scrambled), the device's
MAC and the installation's targeting secret (--as-device), the device's private key
(--device-key), the key it was compiled with (--key).`,
    );
  installationFlags(command);
  command.action(async (input: string, flags: DecodeFlags) => {
    const opener = await openerOf(flags);
    const result = decodeProfile(readInput(input), {
      source: inputName(input),
      key: flags.key,
      digests: flags.digest ? [flags.digest] : undefined,
      to: flags.to,
      ...(flags.maxInflated === undefined ? {} : { maxInflatedBytes: flags.maxInflated }),
      opener,
      ...(flags.aes128gcmIkm === undefined ? {} : { aes128gcmIkm: flags.aes128gcmIkm }),
    });
    printDiagnostics(inputName(input), result.warnings);
    writeOutput(flags.output, result.text, false);
  });
}
