/**
 * Encrypted profiles read back by the real `openssl enc`, generic vendor certificates,
 * auto-created devices and their rate limit.
 */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ProvisioNode } from "../../src/server/node.ts";
import { parseMac } from "../../src/store/index.ts";
import { curl, type DeviceCertFiles, issueCert, startTestNode, tempDir } from "./helpers.ts";

const ENC = parseMac("000e08dd0001");
const OLD = parseMac("000e08dd0002");
let node: ProvisioNode;
let dir: string;
let http: string;
let https: string;
let generic: DeviceCertFiles;

beforeAll(async () => {
  dir = tempDir("features");
  node = await startTestNode(join(dir, "data"));
  http = `http://127.0.0.1:${node.addresses.http!.port}`;
  https = `https://127.0.0.1:${node.addresses.https!.port}`;
  const { store } = node;
  await store.devices.create({ mac: ENC, encryption: "aes", deviceKey: "SecretPhrase1234" });
  await store.devices.create({ mac: OLD });
  await store.layers.set({ scope: "tenant", tenantId: "default" }, [
    { name: "Resync_Periodic", value: "3600", access: "na" },
  ]);
  await store.tenants.create({
    slug: "auto",
    name: "Auto-create SP",
    settings: { profilePaths: ["/auto/$MA.xml"], autoCreate: true },
  });
  await node.cache.settled();
  generic = await issueCert(node.config.dataDir, dir, "generic", { generic: "cisco" });
}, 120_000);

afterAll(async () => {
  await node?.close();
});

function decrypt(file: string, key: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      "bash",
      ["-c", `openssl enc -d -aes-256-cbc -md md5 -k '${key}' -in '${file}' | gunzip`],
      (error, stdout, stderr) => (error ? reject(new Error(stderr)) : resolve(stdout)),
    );
  });
}

describe("encoded profiles", () => {
  it("serves AES-256 profiles (gzip inside) that openssl enc decrypts with the device key", async () => {
    const out = join(dir, "enc.cfg");
    const r = await curl(["-o", out, `${http}/profile/${ENC}.xml`]);
    expect(r.status).toBe(200);
    expect(r.headers["content-type"]).toBe("application/octet-stream");
    const xml = await decrypt(out, "SecretPhrase1234");
    expect(xml).toContain('<Resync_Periodic ua="na">3600</Resync_Periodic>');
    // Same content, same bytes and version: the encrypted body is cached, not re-salted.
    const again = await curl(["-o", join(dir, "enc2.cfg"), `${http}/profile/${ENC}.xml`]);
    expect(again.headers.etag).toBe(r.headers.etag);
  });
});

describe("generic vendor certificates (§8.3.3)", () => {
  it("identify nobody: the device comes from the path", async () => {
    const r = await curl([
      "--cacert",
      node.boot.paths.serverCert,
      "--cert",
      generic.cert,
      "--key",
      generic.key,
      `${https}/profile/${OLD}.xml`,
    ]);
    expect(r.status).toBe(200);
    expect(r.body).toContain("3600");
  });
});

describe("trusted client CAs per tenant", () => {
  it("trusts a tenant's own CA for its devices only, and refuses expired certificates", async () => {
    const { createDeviceCa, issueDeviceCertificate } = await import("../../src/crypto/index.ts");
    const vendorCa = await createDeviceCa({ commonName: "Vendor Client CA" });
    const vendor = await node.store.tenants.create({
      slug: "vendor",
      name: "Vendor CA SP",
      settings: { profilePaths: ["/v/$MA.xml"], trustedClientCas: [vendorCa.certificatePem] },
    });
    const mac = parseMac("000e08dd0003");
    await node.store.devices.create({ mac, tenantId: vendor.id });
    await node.store.layers.set({ scope: "tenant", tenantId: vendor.id }, [
      { name: "Resync_Periodic", value: "600", access: "na" },
    ]);
    await node.cache.settled();
    const write = async (name: string, pem: { certificatePem: string; privateKeyPem: string }) => {
      const { writeFileSync } = await import("node:fs");
      writeFileSync(join(dir, `${name}.crt`), pem.certificatePem);
      writeFileSync(join(dir, `${name}.key`), pem.privateKeyPem);
      return ["--cert", join(dir, `${name}.crt`), "--key", join(dir, `${name}.key`)];
    };
    const tls = ["--cacert", node.boot.paths.serverCert];
    const own = await write("vendor", await issueDeviceCertificate(vendorCa, { mac }));
    const ok = await curl([...tls, ...own, `${https}/v/${mac}.xml`]);
    expect(ok.status).toBe(200);
    expect(ok.body).toContain("600");
    // The vendor CA is not trusted by the default tenant: answered as for an unknown device
    // (the response must not confirm the MAC is registered; the reason goes to the logs).
    const other = await write("vendor-old", await issueDeviceCertificate(vendorCa, { mac: OLD }));
    const refused = await curl([...tls, ...other, `${https}/profile/${OLD}.xml`]);
    expect(refused.status).toBe(404);
    expect(refused.body).toBe("no profile at this path\n");
    // Expired: valid chain, wrong dates.
    const expired = await write(
      "expired",
      await issueDeviceCertificate(vendorCa, {
        mac,
        now: new Date(Date.now() - 400 * 86_400_000),
        validityDays: 30,
      }),
    );
    const late = await curl([...tls, ...expired, `${https}/v/${mac}.xml`]);
    expect(late.status).toBe(403);
    expect(late.body).toMatch(/not trusted \(.*expired/i);
  });
});

describe("auto-create", () => {
  it("creates unknown devices on a tenant that allows it, then rate-limits", async () => {
    const first = parseMac("000e08ee0000");
    const r = await curl([
      "-A",
      "Cisco/SPA504G-7.5.5 (000E08EE0000)(CCQ9)",
      `${http}/auto/${first}.xml`,
    ]);
    expect(r.status).toBe(200);
    const device = await node.store.devices.get(first);
    expect(device).toMatchObject({ state: "factory", serial: "CCQ9" });
    expect((await node.store.tenants.get(device.tenantId)).slug).toBe("auto");
    // Not on the default tenant's paths, which do not auto-create.
    expect((await curl([`${http}/profile/000e08ee00ff.xml`])).status).toBe(404);

    const statuses: number[] = [];
    for (let i = 1; i <= 30; i++) {
      const mac = `000e08ee${i.toString(16).padStart(4, "0")}`;
      const res = await fetch(`${http}/auto/${mac}.xml`);
      statuses.push(res.status);
      await res.arrayBuffer();
    }
    expect(statuses.filter((s) => s === 200)).toHaveLength(29);
    expect(statuses.at(-1)).toBe(429);
  });
});
