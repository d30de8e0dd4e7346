/**
 * Attacks on the admin listener that it withstands, kept as regressions (both dialects): the
 * CSRF header's variants and a cross-site sign-in, a tenant admin reaching past its tenant, an
 * operator reaching for users, X-Forwarded-For against the throttle, a tenant's search, forged
 * cursor and preview reaching another tenant, and the UI's files asked for outside their folder.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeCursor } from "../../src/admin/index.ts";
import { parseMac } from "../../src/store/index.ts";
import { dialects, type Fresh } from "../store/dialects.ts";
import { Browser, call, type SessionApi, startSessionApi } from "./session_client.ts";

const UI_DIR = join(import.meta.dirname, "../../dist/ui/admin");
const ACME_ADMIN = { username: "acme-admin", password: "acme admin passphrase" };
const ACME_OPERATOR = { username: "acme-op", password: "acme operator passphrase" };

for (const dialect of dialects()) {
  describe(`attacks the admin listener withstands (${dialect.name})`, () => {
    let fresh: Fresh;
    let api: SessionApi;
    let rootId = "";
    let betaAccount = "";
    const acmeAdmin = () => new Browser(api.url, "127.0.5.1");
    let admin: Browser;

    beforeAll(async () => {
      fresh = await dialect.fresh();
      api = await startSessionApi(fresh, { uiDir: UI_DIR });
      const { store } = api;
      const acme = await store.tenants.create({ slug: "acme", name: "Acme" });
      const beta = await store.tenants.create({ slug: "beta", name: "Beta" });
      await store.users.create({ ...ACME_ADMIN, role: "admin", tenantId: acme.id });
      await store.users.create({ ...ACME_OPERATOR, role: "operator", tenantId: acme.id });
      rootId = (
        await store.users.create({
          username: "root",
          password: "root passphrase 01",
          role: "admin",
        })
      ).id;
      betaAccount = (
        await store.accounts.create({ tenantId: beta.id, reference: "B-1", name: "Beta Ltd" })
      ).id;
      await store.devices.bulkUpsert([
        { mac: parseMac("0a0000000001"), tenantId: acme.id, serial: "SNA1", label: "acme hall" },
        {
          mac: parseMac("0b0000000001"),
          tenantId: beta.id,
          serial: "SNB1",
          label: "beta hall",
          accountId: betaAccount,
        },
      ]);
      admin = acmeAdmin();
      expect((await admin.signIn(ACME_ADMIN)).status).toBe(200);
    });
    afterAll(async () => {
      await api.close();
      await fresh.dispose();
    });

    it("refuses a cookie's unsafe request without the exact header, whatever else it tries", async () => {
      const user = { username: "csrf1", password: "some passphrase 1", role: "admin" };
      const tries = [
        admin.send("POST", "/api/v1/users", { csrf: false, body: user }),
        admin.send("POST", "/api/v1/users", {
          csrf: false,
          headers: { "x-provisio-request": "0" },
          body: user,
        }),
        admin.send("POST", "/api/v1/users", {
          csrf: false,
          raw: JSON.stringify(user),
          contentType: "text/plain",
        }),
        admin.send("DELETE", "/api/v1/session", { csrf: false }),
        admin.send("PUT", "/api/v1/models/X1", { csrf: false, body: { family: "spa" } }),
      ];
      for (const answer of await Promise.all(tries)) expect(answer.status).toBe(403);
      // A method override header changes nothing: a GET stays a read.
      const override = await admin.send("GET", "/api/v1/users", {
        headers: { "x-http-method-override": "POST" },
      });
      expect(override.status).toBe(200);
      expect(await api.store.users.findByUsername("csrf1")).toBeNull();
    });

    it("takes no sign-in from a body a cross-site form can send", async () => {
      const body = JSON.stringify({ token: api.adminToken });
      for (const contentType of ["text/plain", "application/x-www-form-urlencoded"]) {
        const answer = await call(api.url, "POST", "/api/v1/session", { raw: body, contentType });
        expect(answer.status).toBeGreaterThanOrEqual(400);
        expect(answer.headers["set-cookie"]).toBeUndefined();
      }
    });

    it("keeps a tenant admin inside its tenant, and an operator away from users", async () => {
      const password = "some passphrase 2";
      const global = await admin.send("POST", "/api/v1/users", {
        body: { username: "g1", password, role: "admin", tenant: null },
      });
      expect(global.status).toBe(403);
      const elsewhere = await admin.send("POST", "/api/v1/users", {
        body: { username: "g2", password, role: "admin", tenant: "beta" },
      });
      expect(elsewhere.status).toBe(404);
      const self = (await admin.send("GET", "/api/v1/session")).body.principal.id;
      expect(
        (await admin.send("PATCH", `/api/v1/users/${self}`, { body: { tenant: null } })).status,
      ).toBe(403);
      expect(
        (await admin.send("PATCH", `/api/v1/users/${rootId}`, { body: { role: "read-only" } }))
          .status,
      ).toBe(404);
      expect((await admin.send("DELETE", `/api/v1/users/${rootId}`)).status).toBe(404);
      const token = await admin.send("POST", "/api/v1/tokens", {
        body: { name: "t", role: "admin", tenant: null },
      });
      expect(token.body.token.tenantId).not.toBeNull();
      const operator = new Browser(api.url, "127.0.5.2");
      expect((await operator.signIn(ACME_OPERATOR)).status).toBe(200);
      const opId = (await operator.send("GET", "/api/v1/session")).body.principal.id;
      expect(
        (await operator.send("PATCH", `/api/v1/users/${opId}`, { body: { role: "admin" } })).status,
      ).toBe(403);
      expect(
        (
          await operator.send("POST", "/api/v1/users", {
            body: { username: "g3", password, role: "admin" },
          })
        ).status,
      ).toBe(403);
      expect((await api.store.users.get(rootId)).role).toBe("admin");
    });

    it("finds nothing of another tenant by text, forged cursor, filter or preview", async () => {
      for (const q of ["beta", "SNB1", "B-1", "0b:00"]) {
        const page = await admin.send("GET", `/api/v1/devices?q=${encodeURIComponent(q)}`);
        expect(page.body.items).toEqual([]);
        // The count is the tenant's too: another tenant's matches are not counted.
        expect(page.body.total).toBe(0);
      }
      const cursor = encodeCursor(
        { value: parseMac("0b0000000000"), mac: parseMac("0b0000000000") },
        "mac",
        false,
      );
      const forged = await admin.send("GET", `/api/v1/devices?cursor=${cursor}`);
      expect(forged.body.items).toEqual([]);
      for (const path of [
        `/api/v1/devices?account=${betaAccount}`,
        "/api/v1/devices?tenant=beta",
        "/api/v1/dashboard/summary?tenant=beta",
        "/api/v1/activation-codes?tenant=beta",
      ]) {
        expect((await admin.send("GET", path)).status).toBe(404);
      }
      expect((await admin.send("GET", "/api/v1/accounts?q=B-")).body.items).toEqual([]);
      for (const target of [
        { scope: "tenant", tenant: "beta" },
        { scope: "device", mac: "0b0000000001" },
        { scope: "account", account: betaAccount },
      ]) {
        const preview = await admin.send("POST", "/api/v1/layers/preview", {
          body: { target, set: [{ name: "Station_Name", value: "x" }] },
        });
        expect(preview.status).toBe(404);
      }
    });

    it("counts sign-ins by the socket's address, not X-Forwarded-For", async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 11; i++) {
        const answer = await call(api.url, "POST", "/api/v1/session", {
          body: { token: `pvo_forwarded${i}` },
          headers: { "x-forwarded-for": `198.51.100.${i}`, "x-real-ip": `198.51.100.${i}` },
          from: "127.0.5.9",
        });
        statuses.push(answer.status);
      }
      expect(statuses.at(-1)).toBe(429);
    });

    it("serves no file outside the UI's folder, and never the UI for an /api/ path", async () => {
      for (const path of [
        "/assets/..%2f..%2f..%2fpackage.json",
        "/assets/..%5c..%5c..%5cpackage.json",
        "/assets/%2e%2e%2f%2e%2e%2f%2e%2e%2fsrc%2fapi%2fauth.ts",
        "/assets/%2e%2e/%2e%2e/%2e%2e/package.json",
        "/assets/.vite/manifest.json",
      ]) {
        const answer = await call(api.url, "GET", path, { headers: { accept: "text/html" } });
        expect(answer.text).not.toContain('"name": "provisio"');
        expect(answer.text).not.toContain("requireCsrfHeader");
        expect([200, 403, 404]).toContain(answer.status);
        if (answer.status === 200) expect(answer.headers["content-type"]).toMatch(/^text\/html/);
      }
      const api404 = await call(api.url, "GET", "/api/v1/no-such", {
        headers: { accept: "text/html" },
      });
      expect(api404.status).toBe(404);
      expect(api404.headers["content-type"]).toMatch(/^application\/json/);
      const page = await call(api.url, "GET", "/devices", { headers: { accept: "text/html" } });
      expect(page.headers["content-security-policy"]).toContain("frame-ancestors 'none'");
      expect(page.headers["x-frame-options"]).toBe("DENY");
      expect(page.headers["x-content-type-options"]).toBe("nosniff");
    });
  });
}
