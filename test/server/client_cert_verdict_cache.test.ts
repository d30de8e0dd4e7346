/**
 * The client-certificate policy remembers verdicts by presented chain for the current trust
 * set, so a device's next connection costs no signature walk — and the remembered verdict
 * never outlives what it was based on: a new trust set, an expiry on the path, another chain.
 * Certificates by the real openssl.
 */
import { X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import pino from "pino";
import { afterEach, beforeAll, expect, it, vi } from "vitest";
import { fingerprintOfDer } from "../../src/certificate_fingerprint.ts";
import { ClientCertPolicy } from "../../src/server/client_cert_policy.ts";
import type { ClientCertificate } from "../../src/server/client_certificate.ts";
import type { Tenant } from "../../src/store/index.ts";
import { tempDir } from "./helpers.ts";
import { issue, makeCa } from "./openssl_pki.ts";

let dir: string;
const pem = (name: string): string => readFileSync(join(dir, `${name}.crt`), "utf8");
let start = 0;

beforeAll(() => {
  dir = tempDir("verdict-cache");
  makeCa(dir, "root", "/CN=Root CA");
  makeCa(dir, "other", "/CN=Other CA");
  issue(dir, "inter", "root", { subject: "/CN=Intermediate CA", isCa: true });
  issue(dir, "leaf", "inter", { mac: "000e08000001" });
  issue(dir, "short", "root", { mac: "000e08000002", days: 1 });
  start = Date.now();
}, 120_000);

afterEach(() => {
  vi.restoreAllMocks();
});

/** A new certificate object each time, as each TLS connection makes one. */
function connection(...names: string[]): ClientCertificate {
  const chain = names.map((n) => new X509Certificate(pem(n)).raw);
  return {
    fingerprint: fingerprintOfDer(chain[0]!),
    subject: "x",
    identity: { mac: undefined, serial: undefined, product: undefined, generic: false },
    verified: false,
    verifyError: undefined,
    chain,
  };
}

function tenants(...cas: string[][]): Map<string, Tenant> {
  return new Map(
    cas.map((trusted, i) => [
      `t${i}`,
      {
        id: `t${i}`,
        slug: `t${i}`,
        name: `t${i}`,
        settings: { trustedClientCas: trusted, requireClientCert: false },
      } as unknown as Tenant,
    ]),
  );
}

function trusted(policy: ClientCertPolicy, cert: ClientCertificate): boolean {
  const screened = policy.screen(cert);
  return "cert" in screened;
}

it("a chain seen before is not verified again; duplicates of a CA are walked once", () => {
  // Ten tenants trusting the same root (and one another CA): one anchor to try, not eleven.
  const set = tenants(...Array.from({ length: 10 }, () => [pem("root")]), [pem("other")]);
  const policy = new ClientCertPolicy({
    builtInCas: [pem("root")],
    tenants: () => set,
    logger: pino({ level: "silent" }),
  });
  const verify = vi.spyOn(X509Certificate.prototype, "verify");
  expect(trusted(policy, connection("leaf", "inter"))).toBe(true);
  const first = verify.mock.calls.length;
  expect(first).toBe(2); // leaf by the intermediate, intermediate by the root
  for (let i = 0; i < 5; i++) expect(trusted(policy, connection("leaf", "inter"))).toBe(true);
  expect(verify.mock.calls.length).toBe(first);
  // Another chain is its own entry: the leaf alone does not verify (no intermediate).
  expect(trusted(policy, connection("leaf"))).toBe(false);
});

it("a new trust set forgets every verdict", () => {
  let set = tenants([pem("root")]);
  const policy = new ClientCertPolicy({
    builtInCas: [],
    tenants: () => set,
    logger: pino({ level: "silent" }),
  });
  expect(trusted(policy, connection("leaf", "inter"))).toBe(true);
  set = tenants([pem("other")]);
  expect(trusted(policy, connection("leaf", "inter"))).toBe(false);
  set = tenants([pem("other"), pem("root")]);
  expect(trusted(policy, connection("leaf", "inter"))).toBe(true);
});

it("a remembered verdict ends when a certificate on its path expires", () => {
  let now = start;
  const set = tenants([pem("root")]);
  const policy = new ClientCertPolicy({
    builtInCas: [],
    tenants: () => set,
    logger: pino({ level: "silent" }),
    now: () => now,
  });
  expect(trusted(policy, connection("short"))).toBe(true);
  now = start + 3 * 86_400_000;
  expect(trusted(policy, connection("short"))).toBe(false);
});

it("per-tenant verdicts are remembered per tenant", () => {
  const set = tenants([pem("root")], [pem("other")]);
  const policy = new ClientCertPolicy({
    builtInCas: [],
    tenants: () => set,
    logger: pino({ level: "silent" }),
  });
  const extra = { mac: undefined, tenantId: "t0" };
  const [root, other] = [set.get("t0")!, set.get("t1")!];
  for (let i = 0; i < 2; i++) {
    const cert = connection("leaf", "inter");
    expect(policy.authorize(root, cert, "certificate", extra)).toBeUndefined();
    expect(policy.authorize(other, cert, "certificate", extra)?.response.status).toBe(403);
  }
});
