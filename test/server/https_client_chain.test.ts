/**
 * A device certificate issued by an intermediate CA, the tenant trusting only the root: the
 * device presents its leaf and the intermediate (curl with the two in one file), and the
 * server verifies leaf ▸ intermediate ▸ root from what the TLS layer received. Without the
 * intermediate the chain does not verify. Certificates by the real openssl.
 */
import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { ProvisioNode } from "../../src/server/node.ts";
import { parseMac } from "../../src/store/index.ts";
import { curl, startTestNode, tempDir } from "./helpers.ts";
import { issue, makeCa } from "./openssl_pki.ts";

const MAC = parseMac("000e08c0c0c0");
let dir: string;
let node: ProvisioNode;

beforeAll(async () => {
  dir = tempDir("client-chain");
  makeCa(dir, "root", "/O=Chain/CN=Chain Root CA");
  issue(dir, "inter", "root", { subject: "/O=Chain/CN=Chain Intermediate CA", isCa: true });
  issue(dir, "device", "inter", { mac: MAC });
  writeFileSync(
    join(dir, "device-chain.crt"),
    readFileSync(join(dir, "device.crt"), "utf8") + readFileSync(join(dir, "inter.crt"), "utf8"),
  );
  node = await startTestNode(join(dir, "data"));
  const tenant = await node.store.tenants.create({
    slug: "chain",
    name: "Chain",
    settings: {
      profilePaths: ["/chain/$MA.xml"],
      requireClientCert: true,
      trustedClientCas: [readFileSync(join(dir, "root.crt"), "utf8")],
    },
  });
  await node.store.devices.create({ mac: MAC, tenantId: tenant.id });
  await node.store.layers.set({ scope: "device", mac: MAC }, [
    { name: "Password_1_", value: "CHAIN-SECRET", access: "na" },
  ]);
  await node.cache.settled();
}, 120_000);

afterAll(async () => {
  await node?.close();
});

const get = (cert: string) =>
  curl([
    "-k",
    "--cert",
    join(dir, cert),
    "--key",
    join(dir, "device.key"),
    `https://127.0.0.1:${node.addresses.https!.port}/chain/${MAC}.xml`,
  ]);

it("a leaf presented with its intermediate verifies to the tenant's root", async () => {
  const res = await get("device-chain.crt");
  expect(res.status).toBe(200);
  expect(res.body).toContain("CHAIN-SECRET");
});

it("the leaf alone does not", async () => {
  const res = await get("device.crt");
  expect(res.status).toBe(403);
  expect(res.body).not.toContain("CHAIN-SECRET");
});

/** openssl s_client presenting leaf + intermediate, one GET; its output. */
function sClient(args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn("openssl", [
      "s_client",
      "-connect",
      `127.0.0.1:${node.addresses.https!.port}`,
      "-ign_eof",
      "-tls1_2",
      "-cert",
      join(dir, "device.crt"),
      "-cert_chain",
      join(dir, "inter.crt"),
      "-key",
      join(dir, "device.key"),
      ...args,
    ]);
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString("latin1");
    });
    child.stderr.resume();
    child.once("error", reject);
    child.once("close", () => resolve(output));
    child.stdin.end(`GET /chain/${MAC}.xml HTTP/1.0\r\nHost: prov.test\r\n\r\n`);
  });
}

it.each([
  ["a session ticket", []],
  ["a session ID", ["-no_ticket"]],
])("a resumed session (%s) still carries the intermediate", async (_name, extra) => {
  const session = join(dir, `session-${extra.length}.pem`);
  const first = await sClient([...extra, "-sess_out", session]);
  expect(first).toContain("CHAIN-SECRET");
  const second = await sClient([...extra, "-sess_in", session]);
  expect(second).toMatch(/^Reused,/m);
  expect(second).toContain("CHAIN-SECRET");
});
