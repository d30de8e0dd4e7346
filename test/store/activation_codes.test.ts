import { afterEach, describe, expect, it } from "vitest";
import { activationCodeState, parseMac } from "../../src/store/index.ts";
import { dialects, type Fresh } from "./dialects.ts";

const MAC = parseMac("000e08bb0001");
const OTHER = parseMac("000e08bb0002");

for (const dialect of dialects()) {
  describe(`activation codes (${dialect.name})`, () => {
    let db: Fresh | undefined;
    afterEach(async () => {
      await db?.dispose();
      db = undefined;
    });

    it("a code is 16 random digits, stored only as a hash, found by the code, used once", async () => {
      db = await dialect.fresh();
      const store = await db.open();
      const account = await store.accounts.create({ reference: "A-1" });
      const { code, secret } = await store.activationCodes.issue({ accountId: account.id });
      expect(secret).toMatch(/^[0-9]{16}$/);
      const second = await store.activationCodes.issue({ accountId: account.id });
      expect(second.secret).not.toBe(secret);
      expect(code.expiresAt.getTime() - code.createdAt.getTime()).toBe(7 * 24 * 3600_000);

      // Nothing at rest holds the code: not the row, not the audit log, not the change log.
      const dump = JSON.stringify([
        await db.raw("select * from activation_codes"),
        await db.raw("select * from audit_log"),
        await db.raw("select * from change_log"),
      ]);
      expect(dump).not.toContain(secret);
      expect(dump).not.toContain(second.secret);

      const found = await store.activationCodes.lookup(secret);
      expect(found?.id).toBe(code.id);
      expect(
        await store.activationCodes.lookup(
          `${secret.slice(0, 15)}${(Number(secret[15]) + 1) % 10}`,
        ),
      ).toBeNull();
      expect(await store.activationCodes.lookup("not-a-code")).toBeNull();

      const now = Date.now();
      expect(await store.activationCodes.consume(code.id, MAC, now)).toBe(true);
      expect(await store.activationCodes.consume(code.id, OTHER, now)).toBe(false);
      const used = await store.activationCodes.get(code.id);
      expect(used.boundMac).toBe(MAC);
      expect(activationCodeState(used, now)).toBe("used");
      // A used code stays as the record of its binding.
      await expect(store.activationCodes.revoke(code.id)).rejects.toMatchObject({
        code: "STORE_CONFLICT",
      });
      await store.activationCodes.revoke(second.code.id);
      expect(await store.activationCodes.list({ accountId: account.id })).toHaveLength(1);
    });

    it("an expired code cannot be consumed; two devices racing for one code: one wins", async () => {
      db = await dialect.fresh();
      const a = await db.open();
      // Two processes race on PostgreSQL; one SQLite file has one writer (the store serialises).
      const b = dialect.name === "postgres" ? await db.open() : a;
      const account = await a.accounts.create({ reference: "A-2" });
      const { code } = await a.activationCodes.issue({
        accountId: account.id,
        length: 12,
        ttlMs: 60_000,
      });
      expect(await a.activationCodes.consume(code.id, MAC, code.expiresAt.getTime())).toBe(false);
      expect(activationCodeState(code, code.expiresAt.getTime())).toBe("expired");
      const now = code.createdAt.getTime() + 1;
      const results = await Promise.all([
        a.activationCodes.consume(code.id, MAC, now),
        b.activationCodes.consume(code.id, OTHER, now),
      ]);
      expect(results.filter(Boolean)).toHaveLength(1);
      await expect(
        a.activationCodes.issue({ accountId: account.id, length: 4 }),
      ).rejects.toMatchObject({
        code: "STORE_INVALID_INPUT",
      });
      // Deleting the account takes its codes with it.
      await a.accounts.delete(account.id);
      expect(await a.activationCodes.list({})).toHaveLength(0);
    });
  });
}
