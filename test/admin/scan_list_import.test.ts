import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { importDevicesCsv } from "../../src/admin/index.ts";
import { isProvisioError } from "../../src/errors.ts";
import { parseMac } from "../../src/mac_address.ts";
import type { Store } from "../../src/store/store.ts";
import { dialects, type Fresh } from "../store/dialects.ts";

for (const dialect of dialects()) {
  describe(`a bar-code scan list without a header row (${dialect.name})`, () => {
    let db: Fresh;
    let store: Store;
    beforeAll(async () => {
      db = await dialect.fresh();
      store = await db.open();
    });
    afterAll(() => db.dispose());

    it("imports MAC, serial and account by the columns given; every line is a row", async () => {
      const scans =
        "00:0E:08:5C:A0:01,CCQ0001,cust-1\n000e085ca002,CCQ0002,cust-2\nnot-a-mac,X,cust-3\n";
      const result = await importDevicesCsv([scans], {
        store,
        tenantId: "default",
        actor: "test",
        columns: ["mac", "serial", "account"],
        createMissing: true,
      });
      expect(result.committed).toBe(2);
      expect(result.errors.map((e) => e.line)).toEqual([3]);
      const first = await store.devices.get(parseMac("000e085ca001"));
      expect(first.serial).toBe("CCQ0001");
      const account = await store.accounts.findByReference("default", "cust-1");
      expect(first.accountId).toBe(account?.id);
    });

    it("refuses columns without mac, or unknown", async () => {
      for (const columns of [
        ["serial", "account"],
        ["mac", "colour"],
      ]) {
        try {
          await importDevicesCsv(["x,y\n"], { store, tenantId: "default", actor: "test", columns });
          throw new Error("accepted");
        } catch (error) {
          expect(isProvisioError(error) ? error.code : error).toBe("API_CSV_INVALID");
        }
      }
    });
  });
}
