import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "vitest";
import { isProvisioError } from "../../src/errors.ts";

/** Debian's binaries, by absolute path: the interop peers named in CONVENTIONS. */
export const OPENSSL = "/usr/bin/openssl";
export const GZIP = "/usr/bin/gzip";
export const GUNZIP = "/usr/bin/gunzip";
export const CURL = "/usr/bin/curl";

export interface RunResult {
  readonly code: number;
  readonly stdout: Buffer;
  readonly stderr: string;
}

/** Run a program without a shell; never rejects, so tests can assert on failures too. */
export function run(file: string, args: readonly string[], timeoutMs = 20_000): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(
      file,
      [...args],
      { encoding: "buffer", timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : -1;
        resolve({ code, stdout, stderr: stderr.toString("utf8") });
      },
    );
  });
}

/** Like {@link run} but fails the test when the program fails. */
export async function runOk(file: string, args: readonly string[]): Promise<Buffer> {
  const result = await run(file, args);
  if (result.code !== 0) {
    throw new Error(`${file} ${args.join(" ")} exited ${result.code}: ${result.stderr}`);
  }
  return result.stdout;
}

export interface TempDir {
  readonly path: string;
  file(name: string): string;
  write(name: string, data: string | Uint8Array): Promise<string>;
  read(name: string): Promise<Buffer>;
  remove(): Promise<void>;
}

export async function tempDir(): Promise<TempDir> {
  const path = await mkdtemp(join(tmpdir(), "provisio-crypto-"));
  return {
    path,
    file: (name) => join(path, name),
    async write(name, data) {
      const p = join(path, name);
      await writeFile(p, data);
      return p;
    },
    read: (name) => readFile(join(path, name)),
    remove: () => rm(path, { recursive: true, force: true }),
  };
}

/** Assert `fn` throws a ProvisioError with `code` (and nothing else). */
export function expectCode(fn: () => unknown, code: string): void {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  expect(thrown, `expected ${code}`).toBeDefined();
  expect(isProvisioError(thrown), String(thrown)).toBe(true);
  expect((thrown as { code: string }).code).toBe(code);
}

export async function expectCodeAsync(fn: () => Promise<unknown>, code: string): Promise<void> {
  let thrown: unknown;
  try {
    await fn();
  } catch (error) {
    thrown = error;
  }
  expect(isProvisioError(thrown), String(thrown)).toBe(true);
  expect((thrown as { code: string }).code).toBe(code);
}

/**
 * A flat profile with `count` parameters, ~40 bytes each: 10,000 parameters ≈ 400 KB,
 * the size the spec's performance targets talk about.
 */
export function bigProfile(count: number): Buffer {
  const lines = ["<flat-profile>"];
  for (let i = 0; i < count; i++) {
    const n = String(i).padStart(5, "0");
    lines.push(`  <GPP_${n}_ ua="na">value-${(i * 7919) % 100_003}</GPP_${n}_>`);
  }
  lines.push("</flat-profile>", "");
  return Buffer.from(lines.join("\n"), "utf8");
}

/** The §3.6.4 test vector plaintext. */
export const VECTOR_PLAINTEXT = Buffer.from(
  "<flat-profile><GPP_A>12345678</GPP_A></flat-profile>\n",
  "ascii",
);
export const VECTOR_PASSPHRASE = "SecretPhrase1234";
export const VECTOR_SALT = Buffer.from("0102030405060708", "hex");
