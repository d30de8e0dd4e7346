/**
 * Trusted client CAs over real HTTPS (issue 10, finding 1, re-probe):
 * - two tenants trust the very same vendor CA: a device certificate from it gets its own
 *   tenant's profile and never the other's (a device record binds the MAC to one tenant);
 * - every CA of a bundle entry is an anchor of its tenant, not only the first;
 * - what OpenSSL is given is the certificates the store reads, re-encoded: a look-alike stored
 *   before the store refused other armors (`X509 CERTIFICATE`) never reaches the TLS trust
 *   store (the CA names the server asks the client for, as the real `openssl s_client` sees).
 * Certificates are made with the real openssl and presented by the real curl.
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdminApp } from "../../src/api/index.ts";
import type { ProvisioNode } from "../../src/server/node.ts";
import { type MacAddress, parseMac } from "../../src/store/index.ts";
import { curl, startTestNode, tempDir } from "./helpers.ts";
import { issue, makeCa, skiOf } from "./openssl_pki.ts";

const MAC_A = parseMac("000e08a2a2a2");
const MAC_B = parseMac("000e08b2b2b2");
const MAC_G = parseMac("000e08c2c2c2");
let dir: string;
let node: ProvisioNode;
let https: string;

const pem = (name: string): string => readFileSync(join(dir, `${name}.crt`), "utf8");

async function withSecret(tenantId: string, mac: MacAddress, secret: string): Promise<void> {
  await node.store.devices.create({ mac, tenantId });
  await node.store.layers.set({ scope: "device", mac }, [
    { name: "Password_1_", value: secret, access: "na" },
  ]);
}

beforeAll(async () => {
  dir = tempDir("ca-sharing");
  const dataDir = join(dir, "data");
  makeCa(dir, "vendor", "/O=Vendor/CN=Vendor Manufacturing CA");
  makeCa(dir, "beta-own", "/O=Beta/CN=Beta Own CA");
  makeCa(dir, "gamma-one", "/O=Gamma/CN=Gamma CA One");
  makeCa(dir, "gamma-two", "/O=Gamma/CN=Gamma CA Two");
  makeCa(dir, "delta", "/O=Delta/CN=Delta CA");
  // A look-alike of the vendor CA (its key identifier, another key), under another armor.
  makeCa(dir, "smuggled", "/O=Smuggled/CN=Smuggled Look-alike", skiOf(dir, "vendor.crt"));
  issue(dir, "vendor-a", "vendor", { mac: MAC_A });
  issue(dir, "vendor-b", "vendor", { mac: MAC_B });
  issue(dir, "beta-own-a", "beta-own", { mac: MAC_A });
  issue(dir, "gamma-g", "gamma-two", { mac: MAC_G });

  node = await startTestNode(dataDir);
  const acme = await node.store.tenants.create({
    slug: "acme",
    name: "Acme",
    settings: {
      profilePaths: ["/acme/$MA.xml"],
      requireClientCert: true,
      trustedClientCas: [pem("vendor")],
    },
  });
  const gamma = await node.store.tenants.create({
    slug: "gamma",
    name: "Gamma",
    settings: {
      profilePaths: ["/gamma/$MA.xml"],
      requireClientCert: true,
      trustedClientCas: [pem("gamma-one") + pem("gamma-two")],
    },
  });
  const delta = await node.store.tenants.create({ slug: "delta", name: "Delta" });
  await withSecret(acme.id, MAC_A, "A-SIP-SECRET");
  await withSecret(gamma.id, MAC_G, "G-SIP-SECRET");
  await node.close();
  // Delta's entry as a version that checked only CERTIFICATE blocks would have stored it.
  const smuggled = pem("smuggled").replace(
    /-----(BEGIN|END) CERTIFICATE-----/g,
    "-----$1 X509 CERTIFICATE-----",
  );
  const file = node.config.database.kind === "sqlite" ? node.config.database.file : "";
  const db = new Database(file);
  try {
    const row = db.prepare("select settings from tenants where id = ?").get(delta.id) as {
      settings: string;
    };
    const settings = JSON.parse(row.settings) as Record<string, unknown>;
    settings.trustedClientCas = [`${pem("delta")}${smuggled}`];
    db.prepare("update tenants set settings = ? where id = ?").run(
      JSON.stringify(settings),
      delta.id,
    );
  } finally {
    db.close();
  }
  node = await startTestNode(
    dataDir,
    {},
    { createAdmin: (deps) => createAdminApp({ ...deps, logger: pino({ level: "silent" }) }) },
  );
  https = `https://127.0.0.1:${node.addresses.https!.port}`;
}, 120_000);

afterAll(async () => {
  await node?.close();
});

function get(cert: string, path: string) {
  return curl([
    "--cacert",
    node.boot.paths.serverCert,
    "--cert",
    join(dir, `${cert}.crt`),
    "--key",
    join(dir, `${cert}.key`),
    `${https}${path}`,
  ]);
}

/** The CA names the server's CertificateRequest lists, as `openssl s_client` prints them. */
function acceptableCaNames(): Promise<string> {
  const port = String(node.addresses.https!.port);
  return new Promise((resolve, reject) => {
    const child = execFile(
      "openssl",
      ["s_client", "-connect", `127.0.0.1:${port}`, "-tls1_2"],
      { encoding: "utf8", timeout: 10_000 },
      (error, stdout) => {
        const at = stdout.indexOf("Acceptable client certificate CA names");
        if (at < 0) reject(error ?? new Error(`no CA names in: ${stdout}`));
        else resolve(stdout.slice(at, stdout.indexOf("---", at)));
      },
    );
    child.stdin?.end();
  });
}

describe("a vendor CA trusted by two tenants", () => {
  it("a second tenant may trust the very same CA certificate", async () => {
    const beta = await node.store.tenants.create({
      slug: "beta",
      name: "Beta",
      settings: {
        profilePaths: ["/beta/$MA.xml"],
        requireClientCert: true,
        trustedClientCas: [pem("vendor"), pem("beta-own")],
      },
    });
    await withSecret(beta.id, MAC_B, "B-SIP-SECRET");
    await node.cache.settled();
    expect(beta.settings.trustedClientCas).toHaveLength(2);
  });

  it("a device certificate from the shared CA gets its own tenant's profile, never the other's", async () => {
    const a = await get("vendor-a", `/acme/${MAC_A}.xml`);
    expect(a.status).toBe(200);
    expect(a.body).toContain("A-SIP-SECRET");
    const b = await get("vendor-b", `/beta/${MAC_B}.xml`);
    expect(b.status).toBe(200);
    expect(b.body).toContain("B-SIP-SECRET");
    // Each device certificate on the other tenant's path, for its own MAC and the other's.
    for (const [cert, path] of [
      ["vendor-a", `/beta/${MAC_A}.xml`],
      ["vendor-a", `/beta/${MAC_B}.xml`],
      ["vendor-b", `/acme/${MAC_B}.xml`],
      ["vendor-b", `/acme/${MAC_A}.xml`],
    ] as const) {
      const r = await get(cert, path);
      expect(r.status, `${cert} ${path}`).not.toBe(200);
      expect(r.body).not.toMatch(/[AB]-SIP-SECRET/);
    }
  });

  it("a CA only the other tenant trusts verifies nothing for this one's devices", async () => {
    const r = await get("beta-own-a", `/acme/${MAC_A}.xml`);
    expect(r.status).not.toBe(200);
    expect(r.body).not.toContain("A-SIP-SECRET");
  });
});

describe("trusted CA entries through the admin API", () => {
  async function patchGamma(trustedClientCas: string[]): Promise<{ status: number; text: string }> {
    const token = (await node.store.tokens.issue({ name: "ca test", role: "admin" })).secret;
    const response = await fetch(
      `http://127.0.0.1:${node.addresses.admin!.port}/api/v1/tenants/gamma`,
      {
        method: "PATCH",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({ settings: { trustedClientCas } }),
      },
    );
    return { status: response.status, text: await response.text() };
  }

  it("refuses a look-alike of another tenant's CA under another armor with a 400 naming it", async () => {
    const x509 = pem("smuggled").replace(
      /-----(BEGIN|END) CERTIFICATE-----/g,
      "-----$1 X509 CERTIFICATE-----",
    );
    const trusted = await new Promise<string>((resolve, reject) => {
      const child = execFile(
        "openssl",
        ["x509", "-trustout", "-addtrust", "clientAuth"],
        { encoding: "utf8" },
        (error, stdout) => (error === null ? resolve(stdout) : reject(error)),
      );
      child.stdin?.end(pem("smuggled"));
    });
    for (const [armored, label] of [
      [x509, "X509 CERTIFICATE"],
      [trusted, "TRUSTED CERTIFICATE"],
    ] as const) {
      const r = await patchGamma([pem("gamma-one") + pem("gamma-two"), pem("beta-own") + armored]);
      expect(r.status, r.text).toBe(400);
      expect(r.text).toContain(`\\"${label}\\" block; only \\"CERTIFICATE\\" blocks are accepted`);
    }
    expect((await node.store.tenants.findBySlug("gamma"))!.settings.trustedClientCas).toEqual([
      pem("gamma-one") + pem("gamma-two"),
    ]);
    // The look-alike as a plain CERTIFICATE block: 409, as before.
    const r = await patchGamma([pem("gamma-one") + pem("gamma-two"), pem("smuggled")]);
    expect(r.status).toBe(409);
  });
});

describe("trusted CA entries as the server reads them", () => {
  it("trusts every CA of a bundle entry, not only the first", async () => {
    const r = await get("gamma-g", `/gamma/${MAC_G}.xml`);
    expect(r.status).toBe(200);
    expect(r.body).toContain("G-SIP-SECRET");
  });

  it("gives OpenSSL the parsed CA certificates only: a block under another armor is left out", async () => {
    const names = await acceptableCaNames();
    for (const cn of ["Vendor Manufacturing CA", "Gamma CA Two", "Delta CA"]) {
      expect(names).toContain(`CN = ${cn}`);
    }
    expect(names).not.toContain("Smuggled");
  });
});
