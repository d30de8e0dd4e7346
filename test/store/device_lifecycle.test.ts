import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseMac } from "../../src/mac_address.ts";
import type { Store } from "../../src/store/store.ts";
import { DEFAULT_TENANT_ID } from "../../src/store/types.ts";
import { dialects, type Fresh } from "./dialects.ts";

for (const dialect of dialects()) {
  describe(`device lifecycle (${dialect.name})`, () => {
    let db: Fresh;
    let store: Store;
    beforeAll(async () => {
      db = await dialect.fresh();
      store = await db.open();
    });
    afterAll(async () => {
      await db.dispose();
    });

    it("a fresh install's default tenant stages factory units; new tenants do not", async () => {
      const tenant = await store.tenants.get(DEFAULT_TENANT_ID);
      expect(tenant.settings.staging).toBe(true);
      const other = await store.tenants.create({ slug: "lc-other", name: "Other" });
      expect(other.settings.staging).toBe(false);
    });

    it("records states in batches; the device record carries the newest; counts per state", async () => {
      const a = parseMac("00:0e:08:00:00:a1");
      const b = parseMac("00:0e:08:00:00:b2");
      await store.devices.create({ mac: a, modelPn: "SPA112" });
      await store.devices.create({ mac: b, modelPn: "SPA112" });
      expect((await store.devices.get(a)).lifecycle).toBeNull();

      await store.lifecycle.recordBatch([
        { mac: a, state: "mfg-reset", since: new Date(1_000), cause: "fetched /spa112.cfg" },
        { mac: a, state: "sp-cust", since: new Date(2_000), cause: "fetched its own profile" },
        { mac: b, state: "mfg-reset", since: new Date(1_500), cause: null },
      ]);
      // An older update arriving late does not overwrite a newer state.
      await store.lifecycle.recordBatch([
        { mac: a, state: "mfg-reset", since: new Date(1_200), cause: "late" },
      ]);
      const device = await store.devices.get(a);
      expect(device.lifecycle).toEqual({
        state: "sp-cust",
        since: new Date(2_000),
        cause: "fetched its own profile",
      });
      const listed = await store.devices.list({ tenantId: DEFAULT_TENANT_ID });
      expect(listed.find((d) => d.mac === b)?.lifecycle?.state).toBe("mfg-reset");

      const counts = await store.lifecycle.counts({ tenantId: DEFAULT_TENANT_ID });
      expect(Object.fromEntries(counts)).toEqual({
        "mfg-reset": 1,
        "sp-cust": 1,
        "sec-prv-1": 0,
        "sec-prv-2": 0,
      });
      expect((await store.lifecycle.counts({ tenantId: "nope" })).get("sp-cust")).toBe(0);

      // Listed and counted by lifecycle state; `none`: never seen.
      const c = parseMac("00:0e:08:00:00:c3");
      await store.devices.create({ mac: c });
      expect((await store.devices.list({ lifecycle: "sp-cust" })).map((d) => d.mac)).toEqual([a]);
      expect((await store.devices.list({ lifecycle: "none" })).map((d) => d.mac)).toEqual([c]);
      expect(await store.devices.count({ lifecycle: "mfg-reset" })).toBe(1);
      expect(await store.devices.count({ lifecycle: "none", tenantId: DEFAULT_TENANT_ID })).toBe(1);
      expect(await store.devices.count({ lifecycle: "sec-prv-2" })).toBe(0);
      await store.devices.delete(c);

      await store.devices.delete(b);
      expect((await store.lifecycle.counts()).get("mfg-reset")).toBe(0);
      // Re-created, the device starts with no lifecycle of its own.
      await store.devices.create({ mac: b });
      expect((await store.devices.get(b)).lifecycle).toBeNull();
    });
  });
}
