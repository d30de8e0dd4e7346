import { type Command, InvalidArgumentError, Option } from "commander";
import type { KdfDigest } from "../crypto/index.ts";
import type { ProfileTextFormat } from "../profile/index.ts";
import {
  clipLine,
  importResolver,
  inputIdentity,
  inputName,
  readInput,
  writeOutput,
} from "./cli_io.ts";
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

interface CompileFlags {
  output?: string;
  key?: string;
  gzip?: boolean;
  to?: ProfileTextFormat;
  digest: KdfDigest;
  strict?: boolean;
}

export function registerCompile(program: Command): void {
  program
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
    .addHelpText(
      "after",
      `
Unknown parameters and values that do not fit a parameter's type are reported as
warnings with their line and column; malformed input is an error (exit 1).

Examples:
  provisio compile spa2102.txt -o spa2102.xml
  provisio compile spa2102.txt -o spa2102.cfg --gzip --key SecretPhrase1234
  cat base.xml | provisio compile - --to text
  # the device's rule then reads: [--key SecretPhrase1234] http://prov.example.com/spa2102.cfg`,
    )
    .action((input: string, flags: CompileFlags) => {
      const result = compileProfile(readInput(input), {
        source: inputName(input),
        sourceId: inputIdentity(input),
        resolveImport: importResolver(input),
        to: flags.to,
        gzip: flags.gzip,
        key: flags.key,
        digest: flags.digest,
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

interface DecodeFlags {
  output?: string;
  key?: string;
  to?: ProfileTextFormat;
  digest?: KdfDigest;
  maxInflated?: number;
}

function positiveInteger(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n < 1) {
    throw new InvalidArgumentError("expected a positive whole number of bytes");
  }
  return n;
}

export function registerDecode(program: Command): void {
  program
    .command("decode")
    .description(
      "decrypt and gunzip a profile and print it as XML or SPC text (the reverse of compile)",
    )
    .argument("<in>", "input profile, plain, gzip or encrypted (detected); - for stdin")
    .option("-o, --output <out>", "output file; - or absent for stdout")
    .option("--key <key>", "passphrase of an encrypted profile")
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
  curl -s http://prov.example.com/profile/000e08012345.xml | provisio decode -`,
    )
    .action((input: string, flags: DecodeFlags) => {
      const result = decodeProfile(readInput(input), {
        source: inputName(input),
        key: flags.key,
        digests: flags.digest ? [flags.digest] : undefined,
        to: flags.to,
        ...(flags.maxInflated === undefined ? {} : { maxInflatedBytes: flags.maxInflated }),
      });
      printDiagnostics(inputName(input), result.warnings);
      writeOutput(flags.output, result.text, false);
    });
}
