import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isProvisioError } from "../../src/errors.ts";
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

for (const dialect of dialects()) {
  describe(`tokens.update (${dialect.name})`, () => {
    let db: Fresh;
    let store: Store;
    beforeAll(async () => {
      db = await dialect.fresh();
      store = await db.open();
    });
    afterAll(async () => {
      await db.dispose();
    });

    it("renames, re-roles, re-scopes and sets the expiry; the secret keeps working", async () => {
      const acme = await store.tenants.create({ slug: "acme", name: "Acme" });
      const { token, secret } = await store.tokens.issue({ name: "noc", role: "admin" });
      const updated = await store.tokens.update(
        token.id,
        { name: "grafana", role: "read-only", tenantId: acme.id },
        { actor: "cli:alice" },
      );
      expect(updated).toMatchObject({
        id: token.id,
        name: "grafana",
        role: "read-only",
        tenantId: acme.id,
        hash: token.hash,
        expiresAt: null,
      });
      // What the API authenticates with is the updated token, under the same secret.
      expect(await store.tokens.verify(secret)).toMatchObject({
        role: "read-only",
        tenantId: acme.id,
      });

      // Expired now: the secret stops working; no expiry again: it works again.
      await store.tokens.update(token.id, { expiresAt: new Date(Date.now() - 60_000) });
      expect(await store.tokens.verify(secret)).toBeNull();
      await store.tokens.update(token.id, { expiresAt: null, tenantId: null });
      expect(await store.tokens.verify(secret)).toMatchObject({
        name: "grafana",
        tenantId: null,
        expiresAt: null,
      });

      const audit = await store.audit.list({ entity: "token", key: token.id });
      const first = audit.find((e) => e.actor === "cli:alice");
      expect(first?.action).toBe("token.update");
      expect(first?.before).toMatchObject({ name: "noc", role: "admin", tenantId: null });
      expect(first?.after).toMatchObject({ name: "grafana", role: "read-only", tenantId: acme.id });
      // The token's hash is not written to the audit log.
      expect(JSON.stringify(audit)).not.toContain(token.hash);
    });

    it("refuses an unknown token, an unknown tenant, a bad role and an empty name", async () => {
      const { token } = await store.tokens.issue({ name: "x", role: "operator" });
      expect(await codeOf(store.tokens.update("nosuch", { name: "y" }))).toBe("STORE_NOT_FOUND");
      expect(await codeOf(store.tokens.update(token.id, { tenantId: "nosuch" }))).toBe(
        "STORE_NOT_FOUND",
      );
      expect(await codeOf(store.tokens.update(token.id, { role: "root" as never }))).toBe(
        "STORE_INVALID_INPUT",
      );
      expect(await codeOf(store.tokens.update(token.id, { name: "" }))).toBe("STORE_INVALID_INPUT");
      expect((await store.tokens.findByHash(token.hash))?.role).toBe("operator");
    });
  });
}
