/**
 * Signature-walk trust (certificate_chain.ts) and the client-certificate policy on its own,
 * over certificates made by the real openssl: intermediates, look-alike CAs, copies of a CA
 * in the presented chain, expired certificates, a tenant's own trust set.
 */
import { X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import pino from "pino";
import { beforeAll, describe, expect, it } from "vitest";
import { fingerprintOfDer } from "../../src/certificate_fingerprint.ts";
import { parseCertificates, verifyChain } from "../../src/server/certificate_chain.ts";
import { ClientCertPolicy } from "../../src/server/client_cert_policy.ts";
import type { ClientCertificate } from "../../src/server/client_certificate.ts";
import type { Tenant } from "../../src/store/index.ts";
import { tempDir } from "./helpers.ts";
import { issue, makeCa, skiOf } from "./openssl_pki.ts";

let dir: string;
const pem = (name: string): string => readFileSync(join(dir, `${name}.crt`), "utf8");
const x509 = (name: string): X509Certificate => new X509Certificate(pem(name));
let now = 0;

beforeAll(() => {
  dir = tempDir("chain");
  makeCa(dir, "root", "/CN=Root CA");
  issue(dir, "inter", "root", { subject: "/CN=Intermediate CA", isCa: true });
  issue(dir, "leaf", "inter", { mac: "000e08000001" });
  issue(dir, "direct", "root", { mac: "000e08000002" });
  makeCa(dir, "fake", "/CN=Root CA", skiOf(dir, "root.crt"));
  issue(dir, "forged", "fake", { mac: "000e08000002" });
  makeCa(dir, "other", "/CN=Other CA");
  issue(dir, "stale", "root", { mac: "000e08000003", days: 1 });
  // After the certificates exist: their validity starts now.
  now = Date.now();
}, 120_000);

describe("verifyChain", () => {
  it("walks leaf ▸ intermediate ▸ anchor by signatures", () => {
    const verdict = verifyChain([x509("leaf"), x509("inter")], [x509("root")], now);
    expect(verdict.ok && verdict.anchor.subject).toBe("CN=Root CA");
    expect(verifyChain([x509("direct")], [x509("root")], now).ok).toBe(true);
  });

  it("refuses a look-alike's leaf, also with a copy of the real CA presented above it", () => {
    expect(verifyChain([x509("forged"), x509("root")], [x509("root")], now).ok).toBe(false);
    expect(verifyChain([x509("forged")], [x509("root")], now).ok).toBe(false);
    // …while the look-alike, trusted as itself, verifies its own leaf.
    expect(verifyChain([x509("forged")], [x509("fake")], now).ok).toBe(true);
  });

  it("refuses a missing intermediate, another CA, and certificates out of their dates", () => {
    expect(verifyChain([x509("leaf")], [x509("root")], now).ok).toBe(false);
    expect(verifyChain([x509("direct")], [x509("other")], now).ok).toBe(false);
    const late = verifyChain([x509("stale")], [x509("root")], now + 3 * 86_400_000);
    expect(late).toEqual({ ok: false, reason: "certificate has expired" });
    const lateCa = verifyChain([x509("direct")], [x509("root")], now + 400 * 86_400_000);
    expect(lateCa.ok).toBe(false);
  });

  it("does not take a leaf as an intermediate (a non-CA cannot issue)", () => {
    expect(verifyChain([x509("leaf"), x509("direct")], [x509("root")], now).ok).toBe(false);
  });
});

function clientCert(...names: string[]): ClientCertificate {
  const chain = names.map((n) => x509(n).raw);
  return {
    fingerprint: fingerprintOfDer(chain[0]!),
    subject: "x",
    identity: { mac: undefined, serial: undefined, product: undefined, generic: false },
    verified: false,
    verifyError: "whatever OpenSSL said",
    chain,
  };
}

function tenant(id: string, cas: string[], requireClientCert = false): Tenant {
  return {
    id,
    slug: id,
    name: id,
    settings: { trustedClientCas: cas, requireClientCert },
  } as unknown as Tenant;
}

describe("ClientCertPolicy", () => {
  const acme = tenant("acme", [] as string[]);
  const beta = tenant("beta", [] as string[], true);
  let policy: ClientCertPolicy;
  beforeAll(() => {
    const tenants = new Map([
      ["acme", tenant("acme", [pem("root")])],
      ["beta", tenant("beta", [pem("fake")], true)],
    ]);
    Object.assign(acme, tenants.get("acme"));
    Object.assign(beta, tenants.get("beta"));
    policy = new ClientCertPolicy({
      builtInCas: [pem("other")],
      tenants: () => tenants,
      logger: pino({ level: "silent" }),
    });
  });

  it("screens by its own signature walk, whatever OpenSSL said", () => {
    const screened = policy.screen(clientCert("leaf", "inter"));
    expect("cert" in screened && screened.cert?.verified).toBe(true);
    const refused = policy.screen(clientCert("leaf"));
    expect("response" in refused && refused.response.status).toBe(403);
    expect(policy.screen(undefined)).toEqual({ cert: undefined });
  });

  it("authorizes a certificate only for a tenant whose own CAs verify it", () => {
    const forged = clientCert("forged", "root");
    expect(policy.isDeviceCertificate(forged)).toBe(true); // beta trusts the look-alike
    const extra = { mac: undefined, tenantId: "acme" };
    expect(policy.authorize(acme, forged, "certificate", extra)?.response.status).toBe(403);
    expect(policy.authorize(beta, forged, "certificate", extra)).toBeUndefined();
    expect(policy.authorize(acme, clientCert("direct"), "certificate", extra)).toBeUndefined();
  });

  it("requires the device's own certificate where the tenant says so", () => {
    const extra = { mac: undefined, tenantId: "beta" };
    const r = policy.authorize(beta, undefined, "path", extra);
    expect(r?.response.status).toBe(403);
    expect(r?.security).toBe("certificate-required");
  });

  it("skips CAs that do not parse", () => {
    expect(parseCertificates(["not a certificate", pem("root")])).toHaveLength(1);
  });
});
