import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import pino, { type Logger } from "pino";
import { issueDeviceCertificate } from "../../src/crypto/index.ts";
import { loadServeConfig, type ServeFlags } from "../../src/server/config.ts";
import { dataPaths } from "../../src/server/index.ts";
import { type ProvisioNode, type StartNodeOptions, startNode } from "../../src/server/node.ts";

export interface CurlResult {
  readonly status: number;
  readonly body: string;
  readonly headers: Record<string, string>;
}

/** Runs the real curl; returns status, headers (lower-case names) and body. */
export function curl(args: readonly string[]): Promise<CurlResult> {
  return new Promise((resolve, reject) => {
    execFile(
      "curl",
      ["-sS", "--max-time", "10", "-D", "-", ...args],
      { encoding: "latin1", maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error !== null && stdout === "") {
          reject(new Error(`curl ${args.join(" ")}: ${stderr || error.message}`));
          return;
        }
        // Skip 100-continue blocks; the last header block is the answer.
        let rest = stdout;
        let head = "";
        for (;;) {
          const end = rest.indexOf("\r\n\r\n");
          if (end < 0) {
            head = rest;
            rest = "";
            break;
          }
          head = rest.slice(0, end);
          rest = rest.slice(end + 4);
          if (!/^HTTP\/\S+ 100/.test(head)) break;
        }
        const lines = head.split("\r\n");
        const status = Number(/^HTTP\/\S+ (\d{3})/.exec(lines[0] ?? "")?.[1] ?? 0);
        const headers: Record<string, string> = {};
        for (const line of lines.slice(1)) {
          const colon = line.indexOf(":");
          if (colon > 0) headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
        }
        resolve({ status, body: rest, headers });
      },
    );
  });
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `provisio-${prefix}-`));
}

export async function startTestNode(
  dataDir: string,
  flags: ServeFlags = {},
  options: StartNodeOptions = {},
  env: Readonly<Record<string, string>> = {},
): Promise<ProvisioNode> {
  const config = loadServeConfig({
    flags: {
      data: dataDir,
      host: "127.0.0.1",
      httpPort: "0",
      httpsPort: "0",
      adminPort: "0",
      tftpPort: "off",
      ...flags,
    },
    env,
    cwd: dataDir,
  });
  return startNode(config, { logger: pino({ level: "silent" }), ...options });
}

export interface DeviceCertFiles {
  readonly cert: string;
  readonly key: string;
}

/** Issues a device certificate from the node's device CA into `dir`. */
export async function issueCert(
  dataDir: string,
  dir: string,
  name: string,
  options: { mac?: string; serial?: string; generic?: "cisco" },
): Promise<DeviceCertFiles> {
  const paths = dataPaths(dataDir);
  const ca = {
    certificatePem: readFileSync(paths.deviceCaCert, "utf8"),
    privateKeyPem: readFileSync(paths.deviceCaKey, "utf8"),
  };
  const issued = await issueDeviceCertificate(ca, { product: "SPA504G", ...options });
  const cert = join(dir, `${name}.crt`);
  const key = join(dir, `${name}.key`);
  writeFileSync(cert, issued.certificatePem);
  writeFileSync(key, issued.privateKeyPem, { mode: 0o600 });
  return { cert, key };
}

/** A pino logger at `level` whose lines (JSON text, one each) are kept in `lines`. */
export function capturedLogger(level = "info"): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString().split("\n").filter(Boolean));
      done();
    },
  });
  return { logger: pino({ level }, sink), lines };
}

/**
 * Writes the aggregated refusals (their window has not ended: a forced flush, as at shutdown)
 * and the batched rows, then reads every event.
 */
export async function allEvents(node: ProvisioNode) {
  node.pipeline.close();
  await node.writer.flush();
  return node.store.events.list({ limit: 10_000 });
}
