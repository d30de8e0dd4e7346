import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseMac } from "../../src/mac_address.ts";
import type { DeviceStatusUpdate, Store } from "../../src/store/store.ts";
import { DEFAULT_TENANT_ID, type ResyncEventInput } from "../../src/store/types.ts";
import { dialects, type Fresh } from "./dialects.ts";

const status = (mac: string, at: number, result: string): DeviceStatusUpdate => ({
  mac: parseMac(mac),
  at: new Date(at),
  remoteAddress: "10.0.0.1",
  userAgent: "Cisco/SPA112-1.4.1",
  firmware: "1.4.1",
  result,
  transport: "http",
});
const event = (mac: string, at: number, message: string | null = null): ResyncEventInput => ({
  mac: parseMac(mac),
  tenantId: DEFAULT_TENANT_ID,
  at: new Date(at),
  transport: "http",
  result: "ok",
  statusCode: 200,
  path: `/profile/${mac}.xml`,
  bytes: 1300,
  durationMs: 0.4,
  remoteAddress: "10.0.0.1",
  userAgent: "Cisco/SPA112-1.4.1",
  message,
});

for (const dialect of dialects()) {
  describe(`the server's flush of statuses, events and lifecycle states (${dialect.name})`, () => {
    let db: Fresh;
    let store: Store;
    const a = "000e08ac0001";
    const b = "000e08ac0002";
    beforeAll(async () => {
      db = await dialect.fresh();
      store = await db.open();
      for (const mac of [a, b])
        await store.devices.create({ mac: parseMac(mac), modelPn: "SPA112" });
    });
    afterAll(async () => {
      await db.dispose();
    });

    it("writes all three kinds; per device the newest status and state win, even arriving late", async () => {
      await store.devices.recordActivity({
        statuses: [status(b, 3_000, "ok"), status(a, 2_000, "denied"), status(a, 1_000, "ok")],
        events: [event(a, 1_000), event(b, 3_000, "x".repeat(3_000))],
        lifecycles: [
          { mac: parseMac(a), state: "mfg-reset", since: new Date(1_000), cause: "factory file" },
          { mac: parseMac(a), state: "sp-cust", since: new Date(2_000), cause: "own profile" },
        ],
      });
      await store.devices.recordActivity({
        statuses: [status(a, 1_500, "late")],
        lifecycles: [
          { mac: parseMac(a), state: "mfg-reset", since: new Date(1_500), cause: "late" },
        ],
      });
      const device = await store.devices.get(parseMac(a));
      expect(device.status?.result).toBe("denied");
      expect(device.status?.at).toEqual(new Date(2_000));
      expect(device.lifecycle).toEqual({
        state: "sp-cust",
        since: new Date(2_000),
        cause: "own profile",
      });
      expect((await store.devices.get(parseMac(b))).status?.result).toBe("ok");
      const events = await store.events.list({ tenantId: DEFAULT_TENANT_ID });
      expect(events.map((e) => e.mac).sort()).toEqual([a, b]);
      expect(events.find((e) => e.mac === b)?.message).toHaveLength(2_048);
      // The triggers behind the device search's "never seen" still see the first resync.
      expect((await store.devices.search({ neverSeen: true })).total).toBe(0);
    });

    it("a newer status with other firmware replaces the stored firmware; an older one does not", async () => {
      const d = "000e08ac0004";
      await store.devices.create({ mac: parseMac(d), modelPn: "SPA112" });
      const at = (ms: number, firmware: string | null, result = "ok") => ({
        ...status(d, ms, result),
        firmware,
      });
      const stored = async () => (await store.devices.get(parseMac(d))).status;
      await store.devices.recordActivity({ statuses: [at(10_000, "1.4.1")] });
      await store.devices.recordActivity({ statuses: [at(11_000, "1.4.1", "same")] });
      expect(await stored()).toMatchObject({
        at: new Date(11_000),
        firmware: "1.4.1",
        result: "same",
      });
      await store.devices.recordActivity({ statuses: [at(12_000, "1.4.2", "upgraded")] });
      expect(await stored()).toMatchObject({
        at: new Date(12_000),
        firmware: "1.4.2",
        result: "upgraded",
      });
      await store.devices.recordActivity({ statuses: [at(11_500, "1.3.9", "late")] });
      await store.devices.recordActivity({ statuses: [at(11_800, "1.4.2", "late")] });
      expect(await stored()).toMatchObject({
        at: new Date(12_000),
        firmware: "1.4.2",
        result: "upgraded",
      });
      await store.devices.recordActivity({ statuses: [at(13_000, null, "unknown")] });
      expect(await stored()).toMatchObject({ at: new Date(13_000), firmware: null });
      await store.devices.recordActivity({ statuses: [at(14_000, "1.4.2", "back")] });
      expect(await stored()).toMatchObject({ firmware: "1.4.2", result: "back" });
      // The firmware's index answers the search with the stored version only.
      expect((await store.devices.search({ firmware: "1.4.2" })).devices.map((x) => x.mac)).toEqual(
        [d],
      );
    });

    it("is one transaction: a row the database refuses leaves nothing of the flush behind", async () => {
      const c = "000e08ac0003";
      await store.devices.create({ mac: parseMac(c), modelPn: "SPA112" });
      const refused = { ...event(c, 5_000), result: null } as unknown as ResyncEventInput;
      await expect(
        store.devices.recordActivity({
          statuses: [status(c, 5_000, "ok")],
          events: [event(c, 5_000), refused],
          lifecycles: [{ mac: parseMac(c), state: "sp-cust", since: new Date(5_000), cause: null }],
        }),
      ).rejects.toThrow();
      const device = await store.devices.get(parseMac(c));
      expect(device.status).toBeNull();
      expect(device.lifecycle).toBeNull();
      expect((await store.events.list({ mac: parseMac(c) })).length).toBe(0);
      // And the store goes on writing.
      await store.devices.recordActivity({ statuses: [status(c, 6_000, "ok")] });
      expect((await store.devices.get(parseMac(c))).status?.result).toBe("ok");
      expect((await store.devices.search({ neverSeen: true })).total).toBe(0);
    });
  });
}
