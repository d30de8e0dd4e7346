import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";

const BIN = fileURLToPath(new URL("../../bin/provisio.js", import.meta.url));

export interface CliResult {
  readonly code: number;
  readonly stdout: Buffer;
  readonly stderr: string;
}

/** Runs the real `provisio` executable, as a user would, optionally feeding stdin. */
export function runCli(
  args: readonly string[],
  options: { cwd?: string; input?: Uint8Array | string; env?: NodeJS.ProcessEnv } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      [BIN, ...args],
      {
        cwd: options.cwd,
        encoding: "buffer",
        maxBuffer: 64 * 1024 * 1024,
        env: options.env ?? process.env,
      },
      (error, stdout, stderr) => {
        const code = error && typeof error.code === "number" ? error.code : error ? -1 : 0;
        if (error && code === -1) reject(error);
        else resolve({ code, stdout, stderr: stderr.toString("utf8") });
      },
    );
    // The child may exit without reading stdin; that is not the test's failure.
    child.stdin?.on("error", () => {});
    child.stdin?.end(options.input ?? "");
  });
}

/** Runs any command (openssl, gzip…) with optional stdin; rejects on a non-zero exit. */
export function run(
  command: string,
  args: readonly string[],
  input?: Uint8Array | string,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      command,
      [...args],
      { encoding: "buffer", maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`${command} ${args.join(" ")}: ${stderr.toString("utf8")}`));
        else resolve(stdout);
      },
    );
    child.stdin?.on("error", () => {});
    child.stdin?.end(input ?? "");
  });
}
