import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MacAddress, parseMac } from "../../src/mac_address.ts";
import type { Store } from "../../src/store/store.ts";
import { dialects, type Fresh, macFor } from "./dialects.ts";

for (const dialect of dialects()) {
  describe(`devices.findMany (${dialect.name})`, () => {
    let db: Fresh;
    let store: Store;
    beforeAll(async () => {
      db = await dialect.fresh();
      store = await db.open();
      await store.devices.bulkUpsert(
        Array.from({ length: 1_200 }, (_, i) => ({
          mac: parseMac(macFor(i)),
          serial: `S${i}`,
          deviceKey: `k${i}`,
        })),
      );
      await store.devices.recordStatusBatch([
        {
          mac: parseMac(macFor(7)),
          at: new Date(1_700_000_000_000),
          remoteAddress: "192.0.2.7",
          userAgent: null,
          firmware: null,
          result: "ok",
          transport: "http",
        },
      ]);
      await store.devices.recordActivity({
        lifecycles: [
          {
            mac: parseMac(macFor(7)),
            state: "sp-cust",
            since: new Date(1_700_000_001_000),
            cause: "profile fetched",
          },
        ],
      });
    });
    afterAll(async () => {
      await db.dispose();
    });

    it("returns the existing devices of a large list (several chunks), keyed and ordered by the input", async () => {
      // 1,200 known (in reverse), 300 unknown, and duplicates: more than two chunks of 500.
      const known = Array.from({ length: 1_200 }, (_, i) => parseMac(macFor(1_199 - i)));
      const unknown = Array.from({ length: 300 }, (_, i) => parseMac(macFor(10_000 + i)));
      const macs: MacAddress[] = [...known, ...unknown, known[0]!, known[500]!];
      const found = await store.devices.findMany(macs);
      expect(found.size).toBe(1_200);
      expect([...found.keys()]).toEqual(known);
      const one = found.get(parseMac(macFor(7)))!;
      expect(one).toEqual(await store.devices.get(parseMac(macFor(7))));
      expect(one.serial).toBe("S7");
      expect(one.status?.remoteAddress).toBe("192.0.2.7");
      expect(one.lifecycle?.state).toBe("sp-cust");
      expect(one.deviceKey?.reveal()).toBe("k7");
      for (const mac of unknown) expect(found.has(mac)).toBe(false);
    });

    it("lists of every size return their own devices only (the query's unused slots read none)", async () => {
      for (const size of [1, 2, 3, 8, 9, 17, 64, 100, 511, 512, 513]) {
        const macs = Array.from({ length: size }, (_, i) =>
          parseMac(macFor((i * 7 + size) % 1_200)),
        );
        const found = await store.devices.findMany(macs);
        expect([...found.keys()].sort()).toEqual([...new Set(macs)].sort());
      }
    });

    it("an empty list reads nothing", async () => {
      expect((await store.devices.findMany([])).size).toBe(0);
    });
  });
}
