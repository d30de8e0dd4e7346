import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isProvisioError } from "../../src/errors.ts";
import { parseMac } from "../../src/mac_address.ts";
import { BUILT_IN_MODELS } from "../../src/profile/index.ts";
import type { Store } from "../../src/store/index.ts";
import { dialects, type Fresh } from "./dialects.ts";

async function code(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    return isProvisioError(error) ? error.code : String(error);
  }
}

for (const dialect of dialects()) {
  describe(`device models: built in, merged with stored rows (${dialect.name})`, () => {
    let db: Fresh;
    let store: Store;
    beforeAll(async () => {
      db = await dialect.fresh();
      store = await db.open();
    });
    afterAll(() => db.dispose());

    it("lists every built-in model on a fresh database without writing a row", async () => {
      const models = await store.models.list();
      expect(models.map((m) => m.pn)).toEqual(BUILT_IN_MODELS.map((m) => m.pn).sort());
      expect(models.every((m) => m.builtIn && m.version === 0)).toBe(true);
      expect(await store.models.find("SPA112")).toMatchObject({
        psn: "112",
        family: "spa1xx",
        lines: 2,
        fxsPorts: 2,
        lineKeys: 0,
        factoryProfileRule: "/spa112.cfg",
      });
      expect(await store.models.find("CP-7861-3PCC")).toMatchObject({
        lines: 16,
        lineKeys: 16,
        factoryProfileRule: "/7861.xml",
      });
      // Nothing was written: no model row, no audit entry.
      expect(await store.audit.list({ entity: "model" })).toEqual([]);
    });

    it("a stored row overrides a built-in model; deleting it restores the built-in one", async () => {
      const saved = await store.models.upsert({ pn: "SPA8000", family: "spa-ata", psn: "8000" });
      expect(saved).toMatchObject({ builtIn: true, lines: 8, fxsPorts: 8 });
      expect(saved.version).toBeGreaterThan(0);
      const listed = (await store.models.list()).filter((m) => m.pn === "SPA8000");
      expect(listed).toHaveLength(1);
      expect(listed[0]!.version).toBe(saved.version);
      // Devices of a built-in model keep a model when its override goes.
      await store.devices.create({ mac: parseMac("000e08dd8000"), modelPn: "SPA8000" });
      await store.models.delete("SPA8000");
      expect(await store.models.find("SPA8000")).toMatchObject({ version: 0, builtIn: true });
      expect(await code(store.models.delete("SPA8000"))).toBe("STORE_CONFLICT");
    });

    it("keeps added models next to the built-in ones", async () => {
      await store.models.upsert({ pn: "ACME-1", family: "spa", lines: 1 });
      const added = await store.models.find("ACME-1");
      expect(added).toMatchObject({
        builtIn: false,
        fxsPorts: 0,
        lineKeys: 0,
        factoryProfileRule: null,
      });
      expect((await store.models.list()).length).toBe(BUILT_IN_MODELS.length + 1);
    });
  });
}
