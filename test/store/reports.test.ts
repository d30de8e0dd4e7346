/**
 * Device reports in the store, on SQLite and PostgreSQL: a bounded history per device, the
 * latest per device (alone and for many devices at once), secret values sealed at rest, and
 * the history going with its device.
 */
import { afterEach, describe, expect, it } from "vitest";
import { DEFAULT_TENANT_ID, parseMac, type ReportEntry } from "../../src/store/index.ts";
import { dialects, type Fresh } from "./dialects.ts";

const A = parseMac("000e08aa0001");
const B = parseMac("000e08aa0002");
const entries = (n: number): ReportEntry[] => [
  { name: "GPP_A", value: `v${n}`, access: "rw", secret: false },
  { name: "Password_1_", value: "line-pass-7Q", access: "na", secret: true },
];

for (const dialect of dialects()) {
  describe(`device reports (${dialect.name})`, () => {
    let db: Fresh | undefined;
    afterEach(async () => {
      await db?.dispose();
      db = undefined;
    });

    it("keeps a bounded history, answers the latest, seals secrets, goes with the device", async () => {
      db = await dialect.fresh();
      const store = await db.open();
      for (const mac of [A, B]) await store.devices.create({ mac, tenantId: DEFAULT_TENANT_ID });
      for (let i = 1; i <= 7; i++) {
        await store.reports.add(
          {
            mac: A,
            tenantId: DEFAULT_TENANT_ID,
            receivedAt: new Date(1_000 * i),
            kind: i === 7 ? "delta" : "config",
            remoteAddress: "192.0.2.1",
            identifiedBy: "path",
            entries: entries(i),
          },
          { keep: 5 },
        );
      }
      await store.reports.add({
        mac: B,
        tenantId: DEFAULT_TENANT_ID,
        receivedAt: new Date(500),
        kind: "status",
        remoteAddress: null,
        identifiedBy: "user-agent",
        entries: [{ name: "Software_Version", value: "1.4.1", access: null, secret: false }],
      });
      const history = await store.reports.history(A);
      expect(history.map((h) => h.receivedAt.getTime())).toEqual([7000, 6000, 5000, 4000, 3000]);
      const latest = await store.reports.latest(A);
      expect(latest).toMatchObject({ kind: "delta", identifiedBy: "path" });
      expect(latest?.entries).toEqual(entries(7));
      expect((await store.reports.latest(A, ["config"]))?.entries[0]?.value).toBe("v6");
      const many = await store.reports.latestMany([A, B]);
      expect(many.get(A)?.receivedAt.getTime()).toBe(7000);
      expect(many.get(B)?.entries[0]?.value).toBe("1.4.1");
      const raw = await db.raw<{ entries: string }>("select entries from device_reports");
      expect(raw.map((r) => r.entries).join("")).not.toContain("line-pass-7Q");
      await store.devices.delete(A);
      expect(await store.reports.latest(A)).toBeNull();
      expect(await store.reports.history(A)).toEqual([]);
      expect(await store.reports.latest(B)).not.toBeNull();
    });
  });
}
