/**
 * Server certificates at start: a new installation gets an RSA one (what SPA/MPP units can
 * use); an installation made when the default was EC keeps its EC certificate and gets an RSA
 * one beside it, both served, the real openssl client getting one or the other by the suites
 * it offers.
 */
import { spawn } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { createServerCertificate } from "../../src/crypto/index.ts";
import { dataPaths } from "../../src/server/index.ts";
import type { ProvisioNode } from "../../src/server/node.ts";
import { startTestNode, tempDir } from "./helpers.ts";

const nodes: ProvisioNode[] = [];

afterAll(async () => {
  await Promise.all(nodes.map((n) => n.close()));
});

function keyTypeOf(file: string): string | undefined {
  return new X509Certificate(readFileSync(file)).publicKey.asymmetricKeyType;
}

/** The server key size openssl reports for a handshake offering `cipher` on TLS 1.2. */
function servedKey(port: number, cipher: string): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const child = spawn("openssl", [
      "s_client",
      "-connect",
      `127.0.0.1:${port}`,
      "-tls1_2",
      "-cipher",
      cipher,
    ]);
    let text = "";
    child.stdout.on("data", (chunk: Buffer) => {
      text += chunk.toString("latin1");
    });
    child.stderr.resume();
    child.once("error", reject);
    child.once("close", () => resolve(/Server public key is (\d+ bit)/.exec(text)?.[1]));
    child.stdin.end();
  });
}

it("a first start creates an RSA-2048 server certificate", async () => {
  const data = join(tempDir("cert-new"), "data");
  const node = await startTestNode(data);
  nodes.push(node);
  const paths = dataPaths(data);
  expect(keyTypeOf(paths.serverCert)).toBe("rsa");
  expect(existsSync(paths.serverRsaCert)).toBe(false);
  expect(await servedKey(node.addresses.https!.port, "AES256-SHA")).toBe("2048 bit");
});

it("an installation with an EC certificate keeps it and serves an RSA one beside it", async () => {
  const data = join(tempDir("cert-ec"), "data");
  const paths = dataPaths(data);
  const ec = await createServerCertificate({ keyType: "ec-p256" });
  mkdirSync(join(data, "tls"), { recursive: true, mode: 0o700 });
  writeFileSync(paths.serverCert, ec.certificatePem, { mode: 0o600 });
  writeFileSync(paths.serverKey, ec.privateKeyPem, { mode: 0o600 });

  const node = await startTestNode(data);
  nodes.push(node);
  expect(readFileSync(paths.serverCert, "utf8")).toBe(ec.certificatePem);
  expect(keyTypeOf(paths.serverRsaCert)).toBe("rsa");
  const port = node.addresses.https!.port;
  expect(await servedKey(port, "ECDHE-ECDSA-AES128-GCM-SHA256")).toBe("256 bit");
  expect(await servedKey(port, "AES256-SHA")).toBe("2048 bit");
  expect(await servedKey(port, "DHE-RSA-AES256-SHA")).toBe("2048 bit");
});
