/**
 * TLS that real SPA/MPP units speak: they offer only RSA and DHE-RSA key exchange with
 * AES-CBC-SHA (then RC4 and export suites), so the listener must serve an RSA certificate
 * and those suites on TLS 1.2 — and on TLS 1.0 with `https.legacy_tls`. The real openssl
 * client plays the unit, with an RSA-2048 device certificate (mutual TLS), and fetches the
 * device's profile. Resumption: a second connection resumes the first one's session.
 */
import { spawn } from "node:child_process";
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { issueDeviceCertificate } from "../../src/crypto/index.ts";
import { dataPaths } from "../../src/server/index.ts";
import type { ProvisioNode } from "../../src/server/node.ts";
import { parseMac } from "../../src/store/index.ts";
import { startTestNode, tempDir } from "./helpers.ts";

/** The units' suites OpenSSL still implements, in the units' order (RC4/export are gone). */
const UNIT_SUITES = "DHE-RSA-AES256-SHA:AES256-SHA:DHE-RSA-AES128-SHA:AES128-SHA";
const MAC = parseMac("000e08abcdef");
const SECRET = "unit-tls-sip-secret";

let dir: string;
let modern: ProvisioNode;
let legacy: ProvisioNode;
let cert: string;
let key: string;

async function prepare(node: ProvisioNode): Promise<void> {
  const tenant = await node.store.tenants.create({
    slug: "units",
    name: "Units",
    settings: { profilePaths: ["/units/$MA.xml"], requireClientCert: true },
  });
  await node.store.devices.create({ mac: MAC, tenantId: tenant.id, modelPn: "SPA504G" });
  await node.store.layers.set({ scope: "device", mac: MAC }, [
    { name: "Password_1_", value: SECRET, access: "na" },
  ]);
  await node.cache.settled();
}

interface ClientRun {
  readonly output: string;
  readonly code: number | null;
}

/** `openssl s_client` sending one HTTP request; stdout and stderr together. */
function sClient(port: number, args: readonly string[]): Promise<ClientRun> {
  return new Promise((resolve, reject) => {
    const child = spawn("openssl", [
      "s_client",
      "-connect",
      `127.0.0.1:${port}`,
      "-ign_eof",
      "-cert",
      cert,
      "-key",
      key,
      ...args,
    ]);
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString("latin1");
    });
    child.stderr.on("data", (chunk: Buffer) => {
      output += chunk.toString("latin1");
    });
    const timer = setTimeout(() => child.kill(), 20_000);
    child.once("error", reject);
    child.once("close", (code) => {
      clearTimeout(timer);
      resolve({ output, code });
    });
    child.stdin.end(`GET /units/${MAC}.xml HTTP/1.0\r\nHost: prov.test\r\n\r\n`);
  });
}

function negotiated(output: string): { protocol?: string; cipher?: string; reused: boolean } {
  return {
    protocol: /^\s*Protocol\s*:\s*(\S+)/m.exec(output)?.[1],
    cipher: /^\s*Cipher\s*:\s*(\S+)/m.exec(output)?.[1],
    reused: /^Reused,/m.test(output),
  };
}

beforeAll(async () => {
  dir = tempDir("unit-tls");
  modern = await startTestNode(join(dir, "modern"));
  // One device CA for both nodes: the legacy node starts on a copy of the first one's.
  cpSync(join(dir, "modern", "pki"), join(dir, "legacy", "pki"), { recursive: true });
  legacy = await startTestNode(join(dir, "legacy"), {}, {}, { PROVISIO_HTTPS_LEGACY_TLS: "on" });
  await Promise.all([prepare(modern), prepare(legacy)]);
  const paths = dataPaths(join(dir, "modern"));
  const device = await issueDeviceCertificate(
    {
      certificatePem: readFileSync(paths.deviceCaCert, "utf8"),
      privateKeyPem: readFileSync(paths.deviceCaKey, "utf8"),
    },
    { mac: MAC, serial: "88012BA01234", product: "SPA504G", keyType: "rsa-2048" },
  );
  cert = join(dir, "unit.crt");
  key = join(dir, "unit.key");
  writeFileSync(cert, device.certificatePem);
  writeFileSync(key, device.privateKeyPem, { mode: 0o600 });
}, 120_000);

afterAll(async () => {
  await Promise.all([modern?.close(), legacy?.close()]);
});

describe("HTTPS with the units' cipher suites", () => {
  it("serves an RSA certificate by default", async () => {
    const run = await sClient(modern.addresses.https!.port, ["-tls1_2", "-cipher", UNIT_SUITES]);
    expect(run.output).toMatch(/Server public key is 2048 bit/);
  });

  it("TLS 1.2, mutual TLS: the unit gets its profile", async () => {
    const run = await sClient(modern.addresses.https!.port, ["-tls1_2", "-cipher", UNIT_SUITES]);
    const tls = negotiated(run.output);
    expect(tls.protocol).toBe("TLSv1.2");
    expect(UNIT_SUITES.split(":")).toContain(tls.cipher);
    expect(run.output).toMatch(/^HTTP\/1\.1 200 /m);
    expect(run.output).toContain(SECRET);
  });

  it.each(UNIT_SUITES.split(":"))("TLS 1.2 with %s alone", async (suite) => {
    const run = await sClient(modern.addresses.https!.port, ["-tls1_2", "-cipher", suite]);
    expect(negotiated(run.output).cipher).toBe(suite);
    expect(run.output).toContain(SECRET);
  });

  it("TLS 1.0 is refused unless legacy_tls is on", async () => {
    const run = await sClient(modern.addresses.https!.port, [
      "-tls1",
      "-cipher",
      `${UNIT_SUITES}:@SECLEVEL=0`,
    ]);
    expect(run.output).toMatch(/alert protocol version/);
    expect(run.output).not.toContain(SECRET);
  });

  it.each([
    ["TLS 1.0", "-tls1", "TLSv1"],
    ["TLS 1.1", "-tls1_1", "TLSv1.1"],
  ])("with legacy_tls, %s: the unit gets its profile", async (_name, flag, protocol) => {
    const run = await sClient(legacy.addresses.https!.port, [
      flag,
      "-cipher",
      `${UNIT_SUITES}:@SECLEVEL=0`,
    ]);
    expect(negotiated(run.output).protocol).toBe(protocol);
    expect(run.output).toMatch(/^HTTP\/1\.1 200 /m);
    expect(run.output).toContain(SECRET);
  });
});

describe("session resumption", () => {
  it.each([
    ["a session ticket", []],
    ["a session ID", ["-no_ticket"]],
  ])("a second connection resumes with %s and still gets the profile", async (_name, extra) => {
    const session = join(dir, `session-${extra.length}.pem`);
    const port = modern.addresses.https!.port;
    const base = ["-tls1_2", "-cipher", UNIT_SUITES, ...extra];
    const first = await sClient(port, [...base, "-sess_out", session]);
    expect(negotiated(first.output).reused).toBe(false);
    expect(first.output).toContain(SECRET);
    const second = await sClient(port, [...base, "-sess_in", session]);
    expect(negotiated(second.output).reused).toBe(true);
    expect(second.output).toMatch(/^HTTP\/1\.1 200 /m);
    expect(second.output).toContain(SECRET);
  });

  it("a ticket under replaced keys (another rotation) gets a full handshake, not a failure", async () => {
    const session = join(dir, "session-rotated.pem");
    const port = modern.addresses.https!.port;
    const base = ["-tls1_2", "-cipher", UNIT_SUITES];
    await sClient(port, [...base, "-sess_out", session]);
    modern.setTicketKeys(Buffer.alloc(48, 7));
    const after = await sClient(port, [...base, "-sess_in", session]);
    expect(negotiated(after.output).reused).toBe(false);
    expect(after.output).toContain(SECRET);
  });
});
