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
      for (const pem of [
        acmeCa,
        sameSubject,
        sameSubjectOtherCase,
        sameKeyId,
        sameKey,
        deviceCaTwin,
      ]) {
        const message = await refused(
          store.tenants.update(attacker.id, { settings: { trustedClientCas: [betaCa, pem] } }),
          "STORE_CONFLICT",
        );
        expect(message).toMatch(/already trusted on this installation/);
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
      // Acme cannot now take Beta's CA either.
      await refused(
        store.tenants.update(acme.id, { settings: { trustedClientCas: [acmeCa, betaCa] } }),
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
  });
}
