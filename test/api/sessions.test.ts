/**
 * Users, passwords and browser sessions through the admin API, on both dialects: sign-in and
 * its one 401, the cookie's flags, the CSRF header, roles and tenant scope through a session,
 * sign-out, expiry, disabled users, password changes, token sign-in, the users API, and that no
 * response or log line ever carries a password or a hash.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dialects, type Fresh } from "../store/dialects.ts";
import { Browser, call, type SessionApi, setCookieOf, startSessionApi } from "./session_client.ts";

const HOUR = 3_600_000;
const PASSWORDS = {
  root: "root passphrase 0001",
  reader: "reader passphrase 0002",
  acme: "acme admin passphrase 3",
  changed: "a brand new passphrase 4",
};

for (const dialect of dialects()) {
  describe(`sessions and users over the admin API (${dialect.name})`, () => {
    let fresh: Fresh;
    let api: SessionApi;
    const bodies: string[] = [];
    let rootId = "";
    const admin = (method: string, path: string, body?: unknown) =>
      call(api.url, method, path, {
        token: api.adminToken,
        ...(body === undefined ? {} : { body }),
      });

    beforeAll(async () => {
      fresh = await dialect.fresh();
      api = await startSessionApi(fresh);
      const root = await admin("POST", "/api/v1/users", {
        username: "root",
        password: PASSWORDS.root,
        role: "admin",
      });
      expect(root.status).toBe(201);
      rootId = root.body.id;
      bodies.push(root.text);
    });
    afterAll(async () => {
      await api.close();
      await fresh.dispose();
    });

    it("signs in with a password: the principal, and a cookie HttpOnly, SameSite=Strict, Path=/", async () => {
      const browser = new Browser(api.url);
      const answer = await browser.signIn({ username: "ROOT", password: PASSWORDS.root });
      bodies.push(answer.text);
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({
        principal: { kind: "user", id: rootId, name: "root", role: "admin", tenant: null },
      });
      const cookie = setCookieOf(answer)!;
      expect(cookie).toMatch(/^provisio_session=[A-Za-z0-9_-]{43}; /);
      const flags = cookie.split("; ").slice(1);
      expect(flags).toEqual(expect.arrayContaining(["Path=/", "HttpOnly", "SameSite=Strict"]));
      expect(flags).not.toContain("Secure"); // plain HTTP here

      const who = await browser.send("GET", "/api/v1/session");
      expect(who.status).toBe(200);
      expect(who.body).toEqual(answer.body);
      // The session works on every route, e.g. the tenants list and whoami.
      expect((await browser.send("GET", "/api/v1/tenants")).status).toBe(200);
      expect((await browser.send("GET", "/api/v1/whoami")).body).toMatchObject({ id: rootId });
      expect((await api.store.users.get(rootId)).lastLoginAt).not.toBeNull();
    });

    it("a wrong password and an unknown user answer the same 401", async () => {
      const wrong = await call(api.url, "POST", "/api/v1/session", {
        body: { username: "root", password: "not the password" },
        from: "127.0.0.2",
      });
      const unknown = await call(api.url, "POST", "/api/v1/session", {
        body: { username: "nobody", password: "not the password" },
        from: "127.0.0.2",
      });
      expect(wrong.status).toBe(401);
      expect(unknown.status).toBe(401);
      expect(unknown.body).toEqual(wrong.body);
      expect(wrong.body.error.code).toBe("API_UNAUTHORIZED");
      expect(setCookieOf(wrong)).toBeUndefined();
      // A password typed into the name field: refused alike, and kept out of the log.
      const swapped = await call(api.url, "POST", "/api/v1/session", {
        body: { username: PASSWORDS.root, password: "root" },
        from: "127.0.0.2",
      });
      expect(swapped.body).toEqual(wrong.body);
      const badToken = await call(api.url, "POST", "/api/v1/session", {
        body: { token: "pvo_nothing" },
        from: "127.0.0.2",
      });
      expect(badToken.status).toBe(401);
      const malformed = await call(api.url, "POST", "/api/v1/session", {
        body: { username: "root", password: PASSWORDS.root, token: "x" },
        from: "127.0.0.2",
      });
      expect(malformed.status).toBe(400);
    });

    it("a cookie-authenticated unsafe request needs X-Provisio-Request: 1; a bearer one does not", async () => {
      const browser = new Browser(api.url);
      await browser.signIn({ username: "root", password: PASSWORDS.root });
      const refused = await browser.send("POST", "/api/v1/tenants", {
        body: { slug: "csrf", name: "CSRF" },
        csrf: false,
      });
      expect(refused.status).toBe(403);
      expect(refused.body.error.code).toBe("API_FORBIDDEN");
      expect(refused.body.error.message).toContain("X-Provisio-Request: 1");
      expect(
        (await admin("GET", "/api/v1/tenants")).body.items.map((t: { slug: string }) => t.slug),
      ).not.toContain("csrf");

      const made = await browser.send("POST", "/api/v1/tenants", {
        body: { slug: "acme", name: "Acme" },
      });
      expect(made.status).toBe(201);
      const audit = await admin("GET", "/api/v1/audit?entity=tenant");
      expect(audit.body.items[0]).toMatchObject({
        action: "tenant.create",
        actor: `user:${rootId}`,
      });

      const bearer = await admin("POST", "/api/v1/tenants", { slug: "other", name: "Other" });
      expect(bearer.status).toBe(201);
      // GET with a cookie needs no header.
      expect((await browser.send("GET", "/api/v1/tenants", { csrf: false })).status).toBe(200);
    });

    it("roles hold through a session: read-only reads, may not write; users are for admins", async () => {
      expect(
        (
          await admin("POST", "/api/v1/users", {
            username: "reader",
            password: PASSWORDS.reader,
            role: "read-only",
          })
        ).status,
      ).toBe(201);
      const reader = new Browser(api.url);
      await reader.signIn({ username: "reader", password: PASSWORDS.reader });
      expect((await reader.send("GET", "/api/v1/devices")).status).toBe(200);
      const write = await reader.send("POST", "/api/v1/tenants", {
        body: { slug: "nope", name: "Nope" },
      });
      expect(write.status).toBe(403);
      expect(write.body.error.message).toContain("the user is read-only");
      expect((await reader.send("GET", "/api/v1/users")).status).toBe(403);
      expect((await reader.send("GET", "/api/v1/tokens")).status).toBe(403);
    });

    it("a tenant-scoped user sees only its tenant: others' records answer 404", async () => {
      const tenants = (await admin("GET", "/api/v1/tenants")).body.items as {
        id: string;
        slug: string;
      }[];
      const acme = tenants.find((t) => t.slug === "acme")!;
      await admin("POST", "/api/v1/devices", { mac: "0a0000000001", tenant: "acme" });
      await admin("POST", "/api/v1/devices", { mac: "0a0000000002", tenant: "other" });
      const created = await admin("POST", "/api/v1/users", {
        username: "acme-admin",
        password: PASSWORDS.acme,
        role: "admin",
        tenant: "acme",
      });
      expect(created.body).toMatchObject({ tenantId: acme.id, role: "admin" });
      const user = new Browser(api.url);
      const signed = await user.signIn({ username: "acme-admin", password: PASSWORDS.acme });
      expect(signed.body.principal).toMatchObject({ tenant: acme.id, role: "admin" });

      const devices = await user.send("GET", "/api/v1/devices");
      expect(devices.body.items.map((d: { mac: string }) => d.mac)).toEqual(["0a0000000001"]);
      expect((await user.send("GET", "/api/v1/devices/0a0000000002")).status).toBe(404);
      expect((await user.send("GET", "/api/v1/devices/0a0000000001")).status).toBe(200);
      // Its users list holds its tenant's users only; others' users are 404.
      const users = await user.send("GET", "/api/v1/users");
      expect(users.body.items.map((u: { username: string }) => u.username)).toEqual(["acme-admin"]);
      expect((await user.send("GET", `/api/v1/users/${rootId}`)).status).toBe(404);
      expect((await user.send("DELETE", `/api/v1/users/${rootId}`)).status).toBe(404);
      // It cannot make a user for every tenant, nor for another tenant.
      const global = await user.send("POST", "/api/v1/users", {
        body: { username: "sneaky", password: "sneaky passphrase", role: "admin", tenant: null },
      });
      expect(global.status).toBe(403);
      const elsewhere = await user.send("POST", "/api/v1/users", {
        body: { username: "sneaky", password: "sneaky passphrase", role: "admin", tenant: "other" },
      });
      expect(elsewhere.status).toBe(404);
      // Without a tenant, a user it makes is in its tenant.
      const own = await user.send("POST", "/api/v1/users", {
        body: { username: "acme-reader", password: "acme reader passphrase", role: "read-only" },
      });
      expect(own.status).toBe(201);
      expect(own.body.tenantId).toBe(acme.id);
      bodies.push(own.text, users.text);
    });

    it("signing out ends the session and clears the cookie", async () => {
      const browser = new Browser(api.url);
      await browser.signIn({ username: "root", password: PASSWORDS.root });
      expect((await browser.send("DELETE", "/api/v1/session", { csrf: false })).status).toBe(403);
      const out = await browser.send("DELETE", "/api/v1/session");
      expect(out.status).toBe(204);
      expect(setCookieOf(out)).toMatch(/^provisio_session=; .*Max-Age=0/);
      // The ended session's cookie, sent again, is nobody signed in, and is cleared again.
      const after = await browser.send("GET", "/api/v1/session");
      expect(after.status).toBe(200);
      expect(after.body).toEqual({ principal: null });
      expect(setCookieOf(after)).toMatch(/^provisio_session=; .*Max-Age=0/);
      // Without any session, sign-out is still 204, and GET says nobody is signed in.
      expect((await call(api.url, "DELETE", "/api/v1/session")).status).toBe(204);
      const nobody = await call(api.url, "GET", "/api/v1/session");
      expect(nobody.status).toBe(200);
      expect(nobody.body).toEqual({ principal: null });
      // A script's wrong bearer token is still an error.
      const wrongBearer = await call(api.url, "GET", "/api/v1/session", { token: "not-a-token" });
      expect(wrongBearer.status).toBe(401);
    });

    it("a session ends after 12 idle hours, and after 7 days however busy", async () => {
      const idle = new Browser(api.url);
      await idle.signIn({ username: "root", password: PASSWORDS.root });
      const busy = new Browser(api.url);
      await busy.signIn({ username: "root", password: PASSWORDS.root });
      api.clock += 11 * HOUR;
      expect((await busy.send("GET", "/api/v1/whoami")).status).toBe(200);
      api.clock += 2 * HOUR;
      expect((await idle.send("GET", "/api/v1/whoami")).status).toBe(401);
      let uses = 1;
      while (uses < 30 && (await busy.send("GET", "/api/v1/whoami")).status === 200) {
        api.clock += 11 * HOUR;
        uses++;
      }
      // Opened at t0; used at 11 h, 13 h, 24 h, … until the 7 days (168 h) are over.
      expect(uses).toBe(16);
    });

    it("disabling a user ends its sessions and refuses its sign-in (the same 401)", async () => {
      const made = await admin("POST", "/api/v1/users", {
        username: "temp",
        password: "temporary passphrase",
        role: "operator",
      });
      const browser = new Browser(api.url);
      await browser.signIn({ username: "temp", password: "temporary passphrase" });
      expect((await browser.send("GET", "/api/v1/whoami")).status).toBe(200);
      const disabled = await admin("PATCH", `/api/v1/users/${made.body.id}`, { disabled: true });
      expect(disabled.body.disabled).toBe(true);
      expect((await browser.send("GET", "/api/v1/whoami")).status).toBe(401);
      const again = await call(api.url, "POST", "/api/v1/session", {
        body: { username: "temp", password: "temporary passphrase" },
        from: "127.0.0.3",
      });
      expect(again.status).toBe(401);
      expect(again.body.error.message).toBe("wrong user name or password");
      // Removal: 204, then 404.
      expect((await admin("DELETE", `/api/v1/users/${made.body.id}`)).status).toBe(204);
      expect((await admin("GET", `/api/v1/users/${made.body.id}`)).status).toBe(404);
    });

    it("a user changes its own password: the current one is checked, other sessions end", async () => {
      const made = await admin("POST", "/api/v1/users", {
        username: "changer",
        password: "changer passphrase 1",
        role: "operator",
      });
      const here = new Browser(api.url);
      await here.signIn({ username: "changer", password: "changer passphrase 1" });
      const there = new Browser(api.url);
      await there.signIn({ username: "changer", password: "changer passphrase 1" });
      const wrong = await here.send("POST", "/api/v1/session/password", {
        body: { current: "not it at all", new: PASSWORDS.changed },
      });
      expect(wrong.status).toBe(403);
      const short = await here.send("POST", "/api/v1/session/password", {
        body: { current: "changer passphrase 1", new: "short" },
      });
      expect(short.status).toBe(400);
      const ok = await here.send("POST", "/api/v1/session/password", {
        body: { current: "changer passphrase 1", new: PASSWORDS.changed },
      });
      expect(ok.status).toBe(204);
      expect((await here.send("GET", "/api/v1/whoami")).status).toBe(200);
      expect((await there.send("GET", "/api/v1/whoami")).status).toBe(401);
      const fresh = new Browser(api.url, "127.0.0.4");
      expect(
        (await fresh.signIn({ username: "changer", password: "changer passphrase 1" })).status,
      ).toBe(401);
      expect(
        (await fresh.signIn({ username: "changer", password: PASSWORDS.changed })).status,
      ).toBe(200);
      const audit = await admin("GET", `/api/v1/audit?entity=user&key=${made.body.id}`);
      const update = audit.body.items.find((a: { action: string }) => a.action === "user.update");
      expect(update).toMatchObject({
        actor: `user:${made.body.id}`,
        after: { credentials: "changed" },
      });
      // A token has no password to change.
      const tokenBrowser = new Browser(api.url);
      await tokenBrowser.signIn({ token: api.adminToken });
      expect(
        (
          await tokenBrowser.send("POST", "/api/v1/session/password", {
            body: { current: "x", new: PASSWORDS.changed },
          })
        ).status,
      ).toBe(403);
    });

    it("an API token signs in too: the session has the token's role, and ends with the token", async () => {
      const issued = await api.store.tokens.issue({ name: "ui-operator", role: "operator" });
      const browser = new Browser(api.url);
      const answer = await browser.signIn({ token: issued.secret });
      expect(answer.body).toEqual({
        principal: {
          kind: "token",
          id: issued.token.id,
          name: "ui-operator",
          role: "operator",
          tenant: null,
        },
      });
      expect((await browser.send("GET", "/api/v1/users")).status).toBe(403);
      const made = await browser.send("POST", "/api/v1/devices", { body: { mac: "0a00000000ff" } });
      expect(made.status).toBe(201);
      const audit = await admin("GET", "/api/v1/audit?entity=device&key=0a00000000ff");
      expect(audit.body.items[0].actor).toBe(`token:${issued.token.id}`);
      await api.store.tokens.revoke(issued.token.id);
      expect((await browser.send("GET", "/api/v1/whoami")).status).toBe(401);
    });

    it("the users API: duplicate names 409, the password policy 400, patch role and password", async () => {
      const dup = await admin("POST", "/api/v1/users", {
        username: "Root",
        password: PASSWORDS.root,
        role: "admin",
      });
      expect(dup.status).toBe(409);
      const short = await admin("POST", "/api/v1/users", {
        username: "shorty",
        password: "elevenchars",
        role: "admin",
      });
      expect(short.status).toBe(400);
      const long = await admin("POST", "/api/v1/users", {
        username: "longy",
        password: "é".repeat(600),
        role: "admin",
      });
      expect(long.status).toBe(400);
      const made = await admin("POST", "/api/v1/users", {
        username: "patchme",
        password: "patch me passphrase",
        role: "read-only",
      });
      const patched = await admin("PATCH", `/api/v1/users/${made.body.id}`, {
        role: "operator",
        password: "patched passphrase!",
      });
      expect(patched.status).toBe(200);
      expect(patched.body).toMatchObject({
        role: "operator",
        username: "patchme",
        disabled: false,
      });
      const browser = new Browser(api.url, "127.0.0.5");
      expect(
        (await browser.signIn({ username: "patchme", password: "patched passphrase!" })).body
          .principal.role,
      ).toBe("operator");
      const list = await admin("GET", "/api/v1/users");
      expect(list.body.items.map((u: { username: string }) => u.username)).toContain("patchme");
      bodies.push(dup.text, made.text, patched.text, list.text);
    });

    it("the OpenAPI document describes the session routes, their schemas and the cookie scheme", async () => {
      const doc = (await call(api.url, "GET", "/api/openapi.json")).body;
      expect(Object.keys(doc.paths)).toEqual(
        expect.arrayContaining([
          "/api/v1/session",
          "/api/v1/session/password",
          "/api/v1/users",
          "/api/v1/users/{id}",
        ]),
      );
      expect(doc.components.securitySchemes.session).toEqual({
        type: "apiKey",
        in: "cookie",
        name: "provisio_session",
      });
      const login = doc.paths["/api/v1/session"].post;
      expect(JSON.stringify(login.requestBody)).toContain("username");
      expect(JSON.stringify(login.requestBody)).toContain("token");
      expect(JSON.stringify(login.responses["200"])).toContain("tenant");
    });

    it("no response and no log line carries a password or a hash", () => {
      const everything = [...bodies, ...api.logs].join("\n");
      expect(api.logs.length).toBeGreaterThan(20);
      expect(everything).not.toMatch(/\$scrypt\$/);
      expect(everything).not.toMatch(/password_?hash/i);
      for (const secret of [
        ...Object.values(PASSWORDS),
        "temporary passphrase",
        "patched passphrase!",
      ]) {
        expect(everything).not.toContain(secret);
      }
      // Sign-ins are in the log, named by actor; failures by source.
      expect(api.logs.some((l) => l.includes("sign-in failed"))).toBe(true);
      expect(api.logs.some((l) => l.includes(`"actor":"user:${rootId}"`))).toBe(true);
    });
  });
}
