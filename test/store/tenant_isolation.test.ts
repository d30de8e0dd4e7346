/**
 * Tenant writes refuse what would let one tenant stand in for another (issue 10, findings 1, 2
 * and 5, the write-time half), on SQLite and PostgreSQL:
 * - a profile path whose language overlaps another tenant's (`/profile/$MAU.xml` against the
 *   default tenant's `/profile/$MA.xml`), without naming the other tenant;
 * - a pattern with touching macros (`/$A$B$C$D$E$F.cfg`, the ReDoS report) or one the server
 *   cannot match, at write time;
 * - a trusted client CA sharing subject name, Subject Key Identifier or public key with a CA
 *   another tenant trusts or with the built-in device CA.
 * Settings saved before the check (written straight into the table) keep loading and serving;
 * the server's route table marks their routes as claimed by both tenants.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isProvisioError } from "../../src/errors.ts";
import { RouteTable } from "../../src/server/index.ts";
import { readCaBundle } from "../../src/store/index.ts";
import type { Store } from "../../src/store/store.ts";
import { DEFAULT_TENANT_ID } from "../../src/store/types.ts";
import { dialects, type Fresh } from "./dialects.ts";

async function refused(promise: Promise<unknown>, code: string): Promise<string> {
  try {
    await promise;
  } catch (error) {
    expect(isProvisioError(error) ? error.code : error).toBe(code);
    return (error as Error).message;
  }
  throw new Error(`expected ${code}, but it resolved`);
}

// ---------------------------------------------------------------------------------------------
// CAs made with openssl: the attacker's copies share exactly one identifying field.

const dir = mkdtempSync(join(tmpdir(), "provisio-ca-collide-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function openssl(...args: string[]): void {
  execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
}

function key(name: string): string {
  openssl(
    "genpkey",
    "-algorithm",
    "EC",
    "-pkeyopt",
    "ec_paramgen_curve:P-256",
    "-out",
    `${name}.key`,
  );
  return `${name}.key`;
}

/** A self-signed CA; `ski` "hash" or a hex value. */
function ca(name: string, subject: string, keyFile: string, ski = "hash"): string {
  openssl(
    "req",
    "-x509",
    "-new",
    "-key",
    keyFile,
    "-subj",
    subject,
    "-days",
    "30",
    "-addext",
    "basicConstraints=critical,CA:TRUE",
    "-addext",
    `subjectKeyIdentifier=${ski}`,
    "-out",
    `${name}.crt`,
  );
  return readFileSync(join(dir, `${name}.crt`), "utf8");
}

function skiOf(pem: string): string {
  const text = execFileSync("openssl", ["x509", "-noout", "-ext", "subjectKeyIdentifier"], {
    input: pem,
  }).toString();
  return text.split("\n")[1]!.trim().replaceAll(":", "");
}

let acmeCa: string;
let sameSubject: string;
let sameSubjectOtherCase: string;
let sameKeyId: string;
let sameKey: string;
let betaCa: string;
let deviceCa: string;
let deviceCaTwin: string;

beforeAll(() => {
  const acmeKey = key("acme");
  acmeCa = ca("acme", "/O=Acme Telecom/CN=Acme Device CA", acmeKey);
  // Finding 1: subject name and SKI equal to Acme's, the attacker's own key.
  sameSubject = ca("twin", "/O=Acme Telecom/CN=Acme Device CA", key("twin"), skiOf(acmeCa));
  sameSubjectOtherCase = ca("case", "/O=ACME  telecom/CN=acme device ca", key("case"));
  sameKeyId = ca("kid", "/O=Beta/CN=Looks Different", key("kid"), skiOf(acmeCa));
  sameKey = ca("samekey", "/O=Beta/CN=Same Key", acmeKey);
  betaCa = ca("beta", "/O=Beta Networks/CN=Beta Device CA", key("beta"));
  deviceCa = ca("device", "/O=Provisio/CN=Provisio Device CA", key("device"));
  deviceCaTwin = ca("devtwin", "/O=Provisio/CN=Provisio Device CA", key("devtwin"));
});

for (const dialect of dialects()) {
  describe(`tenant isolation on write (${dialect.name})`, () => {
    let db: Fresh;
    let store: Store;
    beforeAll(async () => {
      db = await dialect.fresh();
      store = await db.open({ reservedClientCas: [deviceCa] });
    });
    afterAll(async () => {
      await db.dispose();
    });

    it("refuses a profile path overlapping another tenant's, without naming that tenant", async () => {
      // The default tenant serves /profile/$MA.xml and /$MA.xml (migration 0001).
      for (const path of ["/profile/$MA.xml", "/profile/$MAU.xml", "/$A.xml", "/$SN.xml"]) {
        const message = await refused(
          store.tenants.create({ slug: "beta", name: "Beta", settings: { profilePaths: [path] } }),
          "STORE_CONFLICT",
        );
        expect(message).toMatch(/overlaps a profile path another tenant uses/);
        expect(message).not.toMatch(/default/i);
      }
      expect(await store.tenants.findBySlug("beta")).toBeNull();
      const beta = await store.tenants.create({
        slug: "beta",
        name: "Beta",
        settings: { profilePaths: ["/beta/$MA.xml"], autoCreate: true },
      });
      // Update: an added path is checked, against every other tenant, both ways.
      await refused(
        store.tenants.update(beta.id, {
          settings: { profilePaths: ["/beta/$MA.xml", "/profile/$(MAC).xml", "/$B.xml"] },
        }),
        "STORE_CONFLICT",
      );
      await refused(
        store.tenants.update(DEFAULT_TENANT_ID, {
          settings: { profilePaths: ["/profile/$MA.xml", "/$MA.xml", "/beta/$PN.xml"] },
        }),
        "STORE_CONFLICT",
      );
      // A query-carrying pattern against a path-only one: the path-only one sees every query.
      await store.tenants.update(beta.id, {
        settings: { profilePaths: ["/beta/$MA.xml", "/cgi-bin/prov"] },
      });
      await refused(
        store.tenants.create({
          slug: "gamma",
          name: "Gamma",
          settings: { profilePaths: ["/cgi-bin/prov?mac=$MAU"] },
        }),
        "STORE_CONFLICT",
      );
      // Paths the same tenant already has may overlap each other.
      const updated = await store.tenants.update(beta.id, {
        settings: { profilePaths: ["/beta/$MA.xml", "/beta/$MAU.xml", "/cgi-bin/prov"] },
      });
      expect(updated.settings.profilePaths).toHaveLength(3);
    });

    it("refuses touching macros and unmatchable patterns when written, with a clear message", async () => {
      const cases: Array<[string, RegExp]> = [
        ["/$A$B$C$D$E$F.cfg", /\$A and \$B touch; put literal text/],
        ["/d/$(MA)$(SN).cfg", /\$MA and \$SN touch/],
        ["/d/$IP.xml", /not known to the server/],
        ["/d/$(MA:4).xml", /substring macros/],
        [`/d/${"$A-".repeat(17)}`, /more than 16 macros/],
      ];
      for (const [path, reason] of cases) {
        const message = await refused(
          store.tenants.create({
            slug: "delta",
            name: "Delta",
            settings: { profilePaths: [path] },
          }),
          "STORE_INVALID_SETTINGS",
        );
        expect(message).toMatch(reason);
      }
    });

    it("keeps serving overlapping paths saved before the check, and marks them shared", async () => {
      const legacy = await store.tenants.create({ slug: "legacy", name: "Legacy" });
      const settings = JSON.stringify({
        profilePaths: ["/profile/$MAU.xml", "/legacy/$A$B.cfg"],
        requireClientCert: false,
        autoCreate: true,
        trustedClientCas: [],
        encryption: "none",
      });
      await db.raw(`update tenants set settings = '${settings}' where id = '${legacy.id}'`);
      const read = await store.tenants.get(legacy.id);
      expect(read.settings.profilePaths).toEqual(["/profile/$MAU.xml", "/legacy/$A$B.cfg"]);
      // Unrelated writes are not blocked by what was there before.
      await store.tenants.update(legacy.id, { name: "Legacy Ltd" });
      await store.tenants.update(legacy.id, { settings: { autoCreate: false } });

      const table = new RouteTable(await store.tenants.list());
      const route = (source: string) => table.routes.find((r) => r.pattern.source === source)!;
      expect([...route("/profile/$MAU.xml").claimants].sort()).toEqual(
        [DEFAULT_TENANT_ID, legacy.id].sort(),
      );
      expect([...route("/profile/$MA.xml").claimants].sort()).toEqual(
        [DEFAULT_TENANT_ID, legacy.id].sort(),
      );
      expect([...route("/legacy/$A$B.cfg").claimants]).toEqual([legacy.id]);
      expect(route("/$MA.xml").claimants.size).toBe(1);
      // A request on the shared path matches routes of two tenants.
      const tenants = new Set(
        table.match("/profile/000E08ABCDEF.xml", "").flatMap((m) => [...m.route.claimants]),
      );
      expect(tenants.size).toBe(2);
    });

    it("two writers racing for overlapping paths: exactly one wins", async () => {
      // Two stores are two processes; SQLite's file lock blocks this one thread, so there the
      // two writers share one store (its writes still run as separate transactions).
      const other =
        dialect.name === "postgres" ? await db.open({ reservedClientCas: [deviceCa] }) : store;
      const results = await Promise.allSettled([
        store.tenants.create({
          slug: "race-a",
          name: "A",
          settings: { profilePaths: ["/race/$MA.cfg"] },
        }),
        other.tenants.create({
          slug: "race-b",
          name: "B",
          settings: { profilePaths: ["/race/$MAU.cfg"] },
        }),
      ]);
      expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
      const failure = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
      expect(isProvisioError(failure.reason) && failure.reason.code).toBe("STORE_CONFLICT");
    });

    it("refuses a client CA colliding with another tenant's or the device CA (name, SKI, key)", async () => {
      const acme = await store.tenants.create({
        slug: "acme",
        name: "Acme",
        settings: { profilePaths: ["/acme/$MA.xml"], trustedClientCas: [acmeCa] },
      });
      const attacker = await store.tenants.create({
        slug: "aaa-beta",
        name: "Attacker",
        settings: { profilePaths: ["/aaa/$MA.xml"] },
      });
      for (const pem of [sameSubject, sameSubjectOtherCase, sameKeyId, sameKey, deviceCaTwin]) {
        const message = await refused(
          store.tenants.update(attacker.id, { settings: { trustedClientCas: [betaCa, pem] } }),
          "STORE_CONFLICT",
        );
        expect(message).toMatch(/(different CA|device CA) already trusted on this installation/);
        expect(message).not.toMatch(/acme"|aaa|attacker/i);
        expect(message).not.toContain(acme.id);
      }
      // Also on create, and for a CA hidden in a bundle.
      await refused(
        store.tenants.create({
          slug: "bundle",
          name: "Bundle",
          settings: { trustedClientCas: [`${betaCa}\n${sameSubject}`] },
        }),
        "STORE_CONFLICT",
      );
      const ok = await store.tenants.update(attacker.id, {
        settings: { trustedClientCas: [betaCa] },
      });
      expect(ok.settings.trustedClientCas).toEqual([betaCa]);
      // Acme keeps its CA through its own updates (only added CAs are compared).
      await store.tenants.update(acme.id, {
        settings: { trustedClientCas: [acmeCa], autoCreate: true },
      });
      // Nor can Acme take a look-alike of Beta's CA.
      await refused(
        store.tenants.update(acme.id, {
          settings: {
            trustedClientCas: [
              acmeCa,
              ca("beta-twin", "/O=Beta Networks/CN=Beta Device CA", key("beta-twin")),
            ],
          },
        }),
        "STORE_CONFLICT",
      );
      // Text that is not a certificate fails as invalid settings, not as a crash.
      await refused(
        store.tenants.update(acme.id, {
          settings: {
            trustedClientCas: ["-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----"],
          },
        }),
        "STORE_INVALID_SETTINGS",
      );
    });

    it("lets several tenants trust the very same CA certificate, never a look-alike of it", async () => {
      const vendorCa = ca("vendor", "/O=Vendor/CN=Vendor Manufacturing CA", key("vendor"));
      // Re-encoded with other line breaks: the same certificate (DER), other text.
      const vendorCrlf = vendorCa.replaceAll("\n", "\r\n");
      const one = await store.tenants.create({
        slug: "shared-one",
        name: "One",
        settings: { profilePaths: ["/one/$MA.xml"], trustedClientCas: [vendorCa] },
      });
      const two = await store.tenants.create({
        slug: "shared-two",
        name: "Two",
        settings: { profilePaths: ["/two/$MA.xml"], trustedClientCas: [vendorCrlf] },
      });
      expect(two.settings.trustedClientCas).toEqual([vendorCrlf]);
      // Adding it later to a tenant that has other CAs, too, and in a bundle.
      const three = await store.tenants.create({ slug: "shared-three", name: "Three" });
      await store.tenants.update(three.id, {
        settings: { trustedClientCas: [`${betaCa}${vendorCa}`] },
      });
      // A look-alike (same name; same key identifier; same key) is still refused, everywhere.
      const vendorKeyFile = "vendor.key";
      const twins = [
        ca("v-name", "/O=Vendor/CN=Vendor Manufacturing CA", key("v-name")),
        ca("v-kid", "/O=Other/CN=Other", key("v-kid"), skiOf(vendorCa)),
        ca("v-key", "/O=Renewed/CN=Vendor Renewed", vendorKeyFile),
      ];
      for (const twin of twins) {
        for (const tenant of [one, three]) {
          const message = await refused(
            store.tenants.update(tenant.id, { settings: { trustedClientCas: [vendorCa, twin] } }),
            "STORE_CONFLICT",
          );
          expect(message).toMatch(/different CA already trusted on this installation/);
        }
      }
      // The device CA stays reserved, identical or not.
      await refused(
        store.tenants.update(one.id, { settings: { trustedClientCas: [vendorCa, deviceCa] } }),
        "STORE_CONFLICT",
      );
      expect((await store.tenants.get(one.id)).settings.trustedClientCas).toEqual([vendorCa]);
    });

    it("accepts exactly PEM CERTIFICATE blocks of CA certificates, with a clear 400 for the rest", async () => {
      const tenant = await store.tenants.create({ slug: "armor", name: "Armor" });
      const body = (pem: string) => pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, "").trim();
      const armored = (pem: string, label: string) =>
        `-----BEGIN ${label}-----\n${body(pem)}\n-----END ${label}-----\n`;
      const trusted = execFileSync("openssl", ["x509", "-trustout", "-addtrust", "clientAuth"], {
        input: sameSubject,
      }).toString();
      expect(trusted).toContain("-----BEGIN TRUSTED CERTIFICATE-----");
      const leaf = execFileSync(
        "openssl",
        [
          "req",
          "-x509",
          "-new",
          "-key",
          "beta.key",
          "-subj",
          "/CN=Not A CA",
          "-days",
          "1",
          "-addext",
          "basicConstraints=critical,CA:FALSE",
        ],
        { cwd: dir },
      ).toString();
      const withTrailer = (() => {
        const der = Buffer.from(body(betaCa), "base64");
        const b64 = Buffer.concat([der, Buffer.from("smuggled")]).toString("base64");
        return `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`;
      })();
      const cases: Array<[string, RegExp]> = [
        // The re-probe: Beta's real CA plus a look-alike of Acme's under another armor.
        [
          `${betaCa}${armored(sameSubject, "X509 CERTIFICATE")}`,
          /"X509 CERTIFICATE" block; only "CERTIFICATE" blocks/,
        ],
        [`${betaCa}${trusted}`, /"TRUSTED CERTIFICATE" block; only "CERTIFICATE" blocks/],
        [
          armored(sameSubject, "X509 CERTIFICATE") + betaCa,
          /entry 1 block 1 is a "X509 CERTIFICATE"/,
        ],
        [`${betaCa}subject=/CN=Acme\n${betaCa}`, /text outside its certificate blocks/],
        [`${betaCa}garbage`, /text outside its certificate blocks/],
        [
          betaCa.replace("-----END CERTIFICATE-----", ""),
          /BEGIN "CERTIFICATE" line without its END/,
        ],
        [betaCa.replace("\n", "\nProc-Type: 4,ENCRYPTED\n"), /block 1 is not plain base64/],
        [leaf, /block 1 \("CN=Not A CA"\) is not a CA certificate/],
        [withTrailer, /block 1 holds data after the certificate/],
        ["-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----", /not a readable X.509/],
      ];
      for (const [pem, reason] of cases) {
        const message = await refused(
          store.tenants.update(tenant.id, { settings: { trustedClientCas: [pem] } }),
          "STORE_INVALID_SETTINGS",
        );
        expect(message).toMatch(reason);
      }
      await refused(
        store.tenants.update(tenant.id, {
          settings: { trustedClientCas: [betaCa, armored(betaCa, "X509 CERTIFICATE")] },
        }),
        "STORE_INVALID_SETTINGS",
      ).then((m) => expect(m).toMatch(/entry 2 block 1/));
      expect((await store.tenants.get(tenant.id)).settings.trustedClientCas).toEqual([]);
      // Whitespace around and between blocks is fine.
      const spaced = `\n  ${betaCa}\n\n${betaCa.replaceAll("\n", "\r\n")}  \n`;
      const ok = await store.tenants.update(tenant.id, {
        settings: { trustedClientCas: [spaced] },
      });
      expect(ok.settings.trustedClientCas).toEqual([spaced]);
    });

    it("a look-alike stored before the check under another armor is not trusted, and blocks nothing", async () => {
      const legacy = await store.tenants.create({
        slug: "legacy-armor",
        name: "Legacy",
        settings: { profilePaths: ["/legacy-armor/$MA.xml"] },
      });
      const lookAlike = ca("legacy-twin", "/O=Legacy Victim/CN=Victim CA", key("legacy-twin"));
      const x509 = lookAlike.replace(
        /-----(BEGIN|END) CERTIFICATE-----/g,
        "-----$1 X509 CERTIFICATE-----",
      );
      const settings = JSON.stringify({
        profilePaths: ["/legacy-armor/$MA.xml"],
        requireClientCert: false,
        autoCreate: false,
        trustedClientCas: [`${betaCa}${x509}`],
        encryption: "none",
      });
      await db.raw(`update tenants set settings = '${settings}' where id = '${legacy.id}'`);
      // What the server trusts from the row: Beta's CA only, re-encoded.
      const stored = (await store.tenants.get(legacy.id)).settings.trustedClientCas[0]!;
      const bundle = readCaBundle(stored);
      expect(bundle.certificates.map((c) => c.subject)).toEqual([
        "O=Beta Networks\nCN=Beta Device CA",
      ]);
      expect(bundle.problems.join()).toMatch(/"X509 CERTIFICATE" block/);
      // The tenant's other settings stay writable.
      await store.tenants.update(legacy.id, { settings: { autoCreate: true } });
      // The victim's genuine CA is not blocked by the smuggled look-alike.
      const victim = ca("victim", "/O=Legacy Victim/CN=Victim CA", key("victim"));
      await store.tenants.create({
        slug: "legacy-victim",
        name: "Victim",
        settings: { trustedClientCas: [victim] },
      });
    });
  });
}
