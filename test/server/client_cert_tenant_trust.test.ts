/**
 * Per-tenant client-CA trust is decided from verified signatures, not from what the client
 * sent. The attack (a tenant admin reading another tenant's certificate-protected profiles):
 * tenant B trusts a CA whose subject name and key identifier equal those of tenant A's CA,
 * and its slug sorts first; a leaf signed by B's CA naming A's device is presented followed
 * by a copy of A's real CA certificate. Certificates are made with the real openssl, and
 * presented by the real curl.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ProvisioNode } from "../../src/server/node.ts";
import { parseMac } from "../../src/store/index.ts";
import { curl, startTestNode, tempDir } from "./helpers.ts";
import { issue, makeCa, skiOf } from "./openssl_pki.ts";

const MAC_A = parseMac("000e08a1a1a1");
let dir: string;
let dataDir: string;
let node: ProvisioNode;
let https: string;

beforeAll(async () => {
  dir = tempDir("tenant-trust");
  dataDir = join(dir, "data");
  makeCa(dir, "a-ca", "/O=Acme/CN=Acme Device CA");
  // B's CA: same subject, same key identifier, its own key.
  makeCa(dir, "b-ca", "/O=Acme/CN=Acme Device CA", skiOf(dir, "a-ca.crt"));
  expect(skiOf(dir, "b-ca.crt")).toBe(skiOf(dir, "a-ca.crt"));
  issue(dir, "genuine", "a-ca", { mac: MAC_A });
  issue(dir, "forged", "b-ca", { mac: MAC_A });
  writeFileSync(
    join(dir, "forged-chain.crt"),
    readFileSync(join(dir, "forged.crt"), "utf8") + readFileSync(join(dir, "a-ca.crt"), "utf8"),
  );

  node = await startTestNode(dataDir);
  // B first, as in the attack: its CA then precedes A's in the TLS trust list.
  const beta = await node.store.tenants.create({
    slug: "aaa-beta",
    name: "Beta",
    settings: { profilePaths: ["/beta/$MA.xml"] },
  });
  const acme = await node.store.tenants.create({
    slug: "acme",
    name: "Acme",
    settings: {
      profilePaths: ["/acme/$MA.xml"],
      requireClientCert: true,
      trustedClientCas: [readFileSync(join(dir, "a-ca.crt"), "utf8")],
    },
  });
  await node.store.devices.create({ mac: MAC_A, tenantId: acme.id });
  await node.store.layers.set({ scope: "device", mac: MAC_A }, [
    { name: "Password_1_", value: "A-SIP-SECRET", access: "na" },
  ]);
  await node.close();
  // B's colliding CA goes in as existing data would be (the store refuses new collisions).
  const file = node.config.database.kind === "sqlite" ? node.config.database.file : "";
  const db = new Database(file);
  try {
    const row = db.prepare("select settings from tenants where id = ?").get(beta.id) as {
      settings: string;
    };
    const settings = JSON.parse(row.settings) as Record<string, unknown>;
    settings.trustedClientCas = [readFileSync(join(dir, "b-ca.crt"), "utf8")];
    db.prepare("update tenants set settings = ? where id = ?").run(
      JSON.stringify(settings),
      beta.id,
    );
  } finally {
    db.close();
  }
  node = await startTestNode(dataDir);
  https = `https://127.0.0.1:${node.addresses.https!.port}`;
}, 120_000);

afterAll(async () => {
  await node?.close();
});

const tls = () => ["--cacert", node.boot.paths.serverCert];

describe("per-tenant client-CA trust (forged chain)", () => {
  it("refuses a leaf from a look-alike CA presented with a copy of the real CA (as an unknown device, security event)", async () => {
    const r = await curl([
      ...tls(),
      "--cert",
      join(dir, "forged-chain.crt"),
      "--key",
      join(dir, "forged.key"),
      `${https}/acme/${MAC_A}.xml`,
    ]);
    expect(r.body).not.toContain("A-SIP-SECRET");
    // Answered as an unknown device is (the device's tenant does not trust that CA): the
    // response does not confirm the MAC exists; the real reason goes to the logs.
    expect(r.status).toBe(404);
    expect(r.body).toBe("no profile at this path\n");
    const metrics = await node.metrics.registry.metrics();
    expect(metrics).toMatch(
      /provisio_security_events_total\{reason="certificate-untrusted"\} [1-9]/,
    );
  });

  it("still serves tenant A's genuine device (200)", async () => {
    const r = await curl([
      ...tls(),
      "--cert",
      join(dir, "genuine.crt"),
      "--key",
      join(dir, "genuine.key"),
      `${https}/acme/${MAC_A}.xml`,
    ]);
    expect(r.status).toBe(200);
    expect(r.body).toContain("A-SIP-SECRET");
  });

  it("records the refusal's real reason in the event log (aggregated refusals written at close)", async () => {
    await node.close();
    node = await startTestNode(dataDir);
    const events = await node.store.events.list({ mac: MAC_A });
    expect(
      events.some(
        (e) =>
          e.statusCode === 404 &&
          e.message === "client certificate not issued by a CA this tenant trusts",
      ),
    ).toBe(true);
  });
});
