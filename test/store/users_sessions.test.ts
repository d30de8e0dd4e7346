import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isProvisioError } from "../../src/errors.ts";
import { hashSessionId } from "../../src/store/index.ts";
import type { Store } from "../../src/store/store.ts";
import { dialects, type Fresh } from "./dialects.ts";

async function codeOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return isProvisioError(error) ? error.code : error;
  }
  return "resolved";
}

const HOUR = 3_600_000;
const PASSWORD = "correct horse battery staple";

for (const dialect of dialects()) {
  describe(`users and sessions (${dialect.name})`, () => {
    let db: Fresh;
    let store: Store;
    /** The store's clock: tests move it instead of waiting. */
    let clock = Date.UTC(2026, 0, 5, 9, 0, 0);
    beforeAll(async () => {
      db = await dialect.fresh();
      store = await db.open({ now: () => clock });
    });
    afterAll(async () => {
      await db.dispose();
    });

    it("creates a user with a scrypt hash that is never handed out, and authenticates it", async () => {
      const user = await store.users.create(
        { username: "Alice", password: PASSWORD, role: "operator" },
        { actor: "cli:root" },
      );
      expect(user).toMatchObject({
        username: "alice",
        role: "operator",
        tenantId: null,
        disabled: false,
        lastLoginAt: null,
      });
      expect(JSON.stringify(user)).not.toMatch(/scrypt|hash/i);
      const [row] = await db.raw<{ password_hash: string }>(
        `select password_hash from users where id = '${user.id}'`,
      );
      expect(row!.password_hash).toMatch(
        /^\$scrypt\$ln=15,r=8,p=3\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/,
      );
      expect(row!.password_hash).not.toContain(PASSWORD);

      expect(await store.users.authenticate("ALICE", PASSWORD)).toMatchObject({ id: user.id });
      expect((await store.users.get(user.id)).lastLoginAt?.getTime()).toBe(clock);
      expect(await store.users.authenticate("alice", `${PASSWORD}!`)).toBeNull();
      expect(await store.users.authenticate("nobody", PASSWORD)).toBeNull();
      expect(await store.users.authenticate("not a valid name", PASSWORD)).toBeNull();

      const audit = await store.audit.list({ entity: "user" } as never);
      const created = audit.find((a) => a.action === "user.create");
      expect(created?.actor).toBe("cli:root");
      expect(JSON.stringify(audit)).not.toMatch(/scrypt/);
    });

    it("refuses a taken name, a short password, an unknown tenant", async () => {
      expect(
        await codeOf(store.users.create({ username: "ALICE", password: PASSWORD, role: "admin" })),
      ).toBe("STORE_CONFLICT");
      expect(
        await codeOf(store.users.create({ username: "bob", password: "short", role: "admin" })),
      ).toBe("STORE_INVALID_INPUT");
      expect(
        await codeOf(
          store.users.create({ username: "bob", password: "x".repeat(1025), role: "admin" }),
        ),
      ).toBe("STORE_INVALID_INPUT");
      expect(
        await codeOf(
          store.users.create({
            username: "bob",
            password: PASSWORD,
            role: "admin",
            tenantId: "no-such-tenant",
          }),
        ),
      ).toBe("STORE_NOT_FOUND");
    });

    it("a session resolves to its user until idle or absolute expiry, and is pruned after", async () => {
      const user = await store.users.create({
        username: "carol",
        password: PASSWORD,
        role: "read-only",
      });
      const { secret, session } = await store.sessions.open({ userId: user.id });
      expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(session.idHash).toBe(hashSessionId(secret));
      const rows = await db.raw<{ id_hash: string }>(
        `select id_hash from sessions where user_id = '${user.id}'`,
      );
      expect(rows.map((r) => r.id_hash)).toEqual([hashSessionId(secret)]);

      expect((await store.sessions.resolve(secret))?.user?.username).toBe("carol");
      // Used every 11 hours: idle expiry (12 h) keeps moving…
      for (let i = 0; i < 5; i++) {
        clock += 11 * HOUR;
        expect((await store.sessions.resolve(secret))?.user?.id).toBe(user.id);
      }
      // …but 12 idle hours end it.
      clock += 12 * HOUR;
      expect(await store.sessions.resolve(secret)).toBeNull();
      expect(await store.sessions.list({ userId: user.id })).toEqual([]);

      // Absolute expiry: 7 days however busy.
      const busy = await store.sessions.open({ userId: user.id });
      let uses = 0;
      for (let i = 0; i < 20; i++) {
        clock += 11 * HOUR;
        if ((await store.sessions.resolve(busy.secret)) === null) break;
        uses++;
      }
      // 15 uses, 11 hours apart, fit in 7 days (165 h); the 16th is past them.
      expect(uses).toBe(15);

      // Expired sessions nobody asks for are pruned.
      const idle = await store.sessions.open({ userId: user.id });
      const other = await store.sessions.open({ userId: user.id }, { idleMs: 48 * HOUR });
      clock += 13 * HOUR;
      expect(await store.sessions.prune()).toBe(1);
      expect(await store.sessions.resolve(idle.secret)).toBeNull();
      expect((await store.sessions.resolve(other.secret))?.user?.id).toBe(user.id);
    });

    it("an owner keeps at most maxPerOwner sessions: the oldest end", async () => {
      const user = await store.users.create({
        username: "dave",
        password: PASSWORD,
        role: "admin",
      });
      const opened: string[] = [];
      for (let i = 0; i < 4; i++) {
        clock += 1_000;
        opened.push((await store.sessions.open({ userId: user.id }, { maxPerOwner: 3 })).secret);
      }
      expect(await store.sessions.resolve(opened[0]!)).toBeNull();
      for (const secret of opened.slice(1)) {
        expect((await store.sessions.resolve(secret))?.user?.id).toBe(user.id);
      }
      expect(await store.sessions.list({ userId: user.id })).toHaveLength(3);
    });

    it("disabling a user, a new password or removal ends its sessions; enabling does not revive", async () => {
      const user = await store.users.create({
        username: "erin",
        password: PASSWORD,
        role: "admin",
      });
      const a = await store.sessions.open({ userId: user.id });
      const b = await store.sessions.open({ userId: user.id });
      // A new password keeps the session it was changed from, ends the others.
      await store.users.update(
        user.id,
        { password: "another long passphrase" },
        { keepSession: a.session.idHash },
      );
      expect(await store.sessions.resolve(b.secret)).toBeNull();
      expect((await store.sessions.resolve(a.secret))?.user?.id).toBe(user.id);
      expect(await store.users.authenticate("erin", PASSWORD)).toBeNull();
      expect(await store.users.checkPassword(user.id, "another long passphrase")).toBe(true);

      await store.users.update(user.id, { disabled: true });
      expect(await store.sessions.resolve(a.secret)).toBeNull();
      expect(await store.users.authenticate("erin", "another long passphrase")).toBeNull();
      await store.users.update(user.id, { disabled: false });
      expect(await store.sessions.resolve(a.secret)).toBeNull();
      expect(await store.users.authenticate("erin", "another long passphrase")).not.toBeNull();

      const c = await store.sessions.open({ userId: user.id });
      await store.users.remove(user.id, { actor: "cli:root" });
      expect(await store.sessions.resolve(c.secret)).toBeNull();
      expect(await codeOf(store.users.get(user.id))).toBe("STORE_NOT_FOUND");
      expect(await db.raw(`select id_hash from sessions where user_id = '${user.id}'`)).toEqual([]);
    });

    it("a token's session follows the token: its role, its expiry, its revocation", async () => {
      const { token } = await store.tokens.issue({
        name: "ui",
        role: "operator",
        expiresAt: new Date(clock + 2 * HOUR),
      });
      const { secret, session } = await store.sessions.open({ tokenId: token.id });
      expect(session.expiresAt.getTime()).toBe(clock + 2 * HOUR);
      await store.tokens.update(token.id, { role: "read-only" });
      expect((await store.sessions.resolve(secret))?.token?.role).toBe("read-only");
      await store.tokens.revoke(token.id);
      expect(await store.sessions.resolve(secret)).toBeNull();
      expect(await codeOf(store.sessions.open({ tokenId: token.id }))).toBe("STORE_INVALID_INPUT");
    });

    it("a tenant's users and their sessions go with the tenant", async () => {
      const acme = await store.tenants.create({ slug: "acme-users", name: "Acme" });
      const user = await store.users.create({
        username: "frank",
        password: PASSWORD,
        role: "admin",
        tenantId: acme.id,
      });
      const { secret } = await store.sessions.open({ userId: user.id });
      await store.tenants.delete(acme.id);
      expect(await store.users.findByUsername("frank")).toBeNull();
      expect(await store.sessions.resolve(secret)).toBeNull();
    });

    it("a hash with older parameters still verifies and is replaced at login", async () => {
      const user = await store.users.create({
        username: "gina",
        password: PASSWORD,
        role: "admin",
      });
      // A hash made with ln=14,p=1 (the same password), as an older release would have stored.
      const { scryptSync } = await import("node:crypto");
      const salt = Buffer.from("0123456789abcdef");
      const key = scryptSync(PASSWORD, salt, 32, { N: 2 ** 14, r: 8, p: 1 });
      const old = `$scrypt$ln=14,r=8,p=1$${salt.toString("base64")}$${key.toString("base64")}`;
      await db.raw(`update users set password_hash = '${old}' where id = '${user.id}'`);
      expect(await store.users.authenticate("gina", PASSWORD)).not.toBeNull();
      const [row] = await db.raw<{ password_hash: string }>(
        `select password_hash from users where id = '${user.id}'`,
      );
      expect(row!.password_hash).toMatch(/^\$scrypt\$ln=15,r=8,p=3\$/);
      expect(await store.users.authenticate("gina", PASSWORD)).not.toBeNull();
    });
  });
}
