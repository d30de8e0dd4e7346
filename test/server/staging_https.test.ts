/**
 * A unit asking for its factory file over HTTPS with its device certificate (real curl, real
 * TLS): the certificate names it, so it gets its staging profile at once, and its tenant
 * requires client certificates, so the profile sends it to its own profile over HTTPS.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseXmlProfile } from "../../src/profile/index.ts";
import type { ProvisioNode } from "../../src/server/node.ts";
import { parseMac } from "../../src/store/index.ts";
import { curl, type DeviceCertFiles, issueCert, startTestNode, tempDir } from "./helpers.ts";

const MAC = "000e08e5e5e5";
let node: ProvisioNode;
let cert: DeviceCertFiles;
let https: string;

beforeAll(async () => {
  const dir = tempDir("staging-https");
  node = await startTestNode(
    join(dir, "data"),
    {},
    {},
    {
      PROVISIO_PUBLIC_HTTPS_URL: "https://prov.example.com:8443",
    },
  );
  await node.store.tenants.update("default", { settings: { requireClientCert: true } });
  await node.store.devices.create({ mac: parseMac(MAC), modelPn: "SPA112" });
  await node.cache.settled();
  cert = await issueCert(node.config.dataDir, dir, "unit", { mac: MAC });
  https = `https://127.0.0.1:${node.addresses.https!.port}`;
}, 120_000);

afterAll(() => node?.close());

describe("staging over HTTPS", () => {
  it("the device certificate names the unit: its staging profile, with an HTTPS rule", async () => {
    const r = await curl([
      "--cacert",
      node.boot.paths.serverCert,
      "--cert",
      cert.cert,
      "--key",
      cert.key,
      `${https}/spa112.cfg`,
    ]);
    expect(r.status).toBe(200);
    const rule = parseXmlProfile(r.body).entries.find((e) => e.name === "Profile_Rule")?.value;
    expect(rule).toBe("https://prov.example.com:8443/profile/$MA.xml");
    await node.writer.flush();
    await node.lifecycles.flush();
    const device = await node.store.devices.get(parseMac(MAC));
    expect(device.lifecycle?.state).toBe("mfg-reset");
    expect(device.lifecycle?.cause).toBe("asked for its factory file /spa112.cfg");
  });
});
