import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseMac } from "../../src/mac_address.ts";
import type { Store } from "../../src/store/store.ts";
import { DEFAULT_TENANT_ID } from "../../src/store/types.ts";
import { dialects, type Fresh, testSealer } from "./dialects.ts";

const A = parseMac("000e08dc0001");
const B = parseMac("000e08dc0002");
const C = parseMac("000e08dc0003");

for (const dialect of dialects()) {
  describe(`secure provisioning keys (${dialect.name})`, () => {
    let db: Fresh;
    let store: Store;
    const masterKey = randomBytes(32);
    beforeAll(async () => {
      db = await dialect.fresh();
      store = await db.open({ sealer: testSealer(masterKey, { id: "m1" }) });
      const group = await store.groups.create({ name: "dk-group" });
      await store.devices.create({ mac: A, modelPn: "SPA112", groupId: group.id });
      await store.devices.create({ mac: B, modelPn: "SPA112" });
      await store.devices.create({ mac: C, modelPn: "SPA112" });
    });
    afterAll(async () => {
      await db.dispose();
    });

    it("a bootstrap creates one pair (256-bit key, 128-bit directory), sealed; a second returns it", async () => {
      const first = await store.deviceKeys.bootstrap(A, "https", 1_000);
      expect(first.status).toBe("bootstrap");
      expect(first.current.generation).toBe(1);
      expect(first.current.key.reveal()).toMatch(/^[0-9a-f]{64}$/);
      expect(first.current.directory).toMatch(/^[0-9a-f]{32}$/);
      expect(JSON.stringify(first)).not.toContain(first.current.key.reveal());
      const again = await store.deviceKeys.bootstrap(A, "lan", 2_000);
      expect(again.current.key.reveal()).toBe(first.current.key.reveal());
      expect(again.via).toBe("https");
      // At rest: sealed, never the key.
      const rows = await db.raw<{ key_sealed: string }>("select key_sealed from device_keys");
      expect(rows[0]!.key_sealed).not.toContain(first.current.key.reveal());
      expect(rows[0]!.key_sealed.startsWith("v1.m1.")).toBe(true);
    });

    it("looks devices up by directory; a directory of another shape reads nothing", async () => {
      const keys = (await store.deviceKeys.get(A))!;
      const found = await store.deviceKeys.byDirectory(keys.current.directory);
      expect(found?.keys.mac).toBe(A);
      expect(found?.pair).toBe("current");
      expect(await store.deviceKeys.byDirectory("0".repeat(32))).toBeNull();
      expect(await store.deviceKeys.byDirectory("' or 1=1 --")).toBeNull();
    });

    it("confirm moves bootstrap → active once", async () => {
      expect(await store.deviceKeys.confirm(A, 1, 3_000)).toBe(true);
      expect(await store.deviceKeys.confirm(A, 1, 3_500)).toBe(false);
      const keys = (await store.deviceKeys.get(A))!;
      expect(keys.status).toBe("active");
      expect(keys.confirmedAt?.getTime()).toBe(3_000);
    });

    it("a rotation adds a next pair; another rotation keeps it; promotion retires the old pair", async () => {
      const before = (await store.deviceKeys.get(A))!;
      expect(await store.deviceKeys.rotate({ macs: [A] }, 4_000)).toEqual({
        started: 1,
        alreadyRotating: 0,
      });
      const rotating = (await store.deviceKeys.get(A))!;
      expect(rotating.next?.generation).toBe(2);
      expect(rotating.next?.key.reveal()).not.toBe(before.current.key.reveal());
      // Asked again while under way: the pair on its way stays.
      expect(await store.deviceKeys.rotate({ macs: [A] }, 5_000)).toEqual({
        started: 0,
        alreadyRotating: 1,
      });
      const still = (await store.deviceKeys.get(A))!;
      expect(still.next?.key.reveal()).toBe(rotating.next?.key.reveal());
      expect(still.next?.directory).toBe(rotating.next?.directory);
      const viaNext = await store.deviceKeys.byDirectory(rotating.next!.directory);
      expect(viaNext?.pair).toBe("next");
      await store.deviceKeys.delivered(A, 2, 5_500);
      expect((await store.deviceKeys.get(A))?.nextDeliveredAt?.getTime()).toBe(5_500);

      expect(await store.deviceKeys.promote(A, 2, 6_000)).toBe(true);
      expect(await store.deviceKeys.promote(A, 2, 6_100)).toBe(false);
      const promoted = (await store.deviceKeys.get(A))!;
      expect(promoted.current.generation).toBe(2);
      expect(promoted.current.key.reveal()).toBe(rotating.next!.key.reveal());
      expect(promoted.current.directory).toBe(rotating.next!.directory);
      expect(promoted.next).toBeNull();
      expect(promoted.rotations).toBe(1);
      expect(promoted.rotatedAt?.getTime()).toBe(6_000);
      expect(await store.deviceKeys.byDirectory(before.current.directory)).toBeNull();
    });

    it("rotates by group and by tenant; devices without keys are not counted", async () => {
      await store.deviceKeys.bootstrap(B, "lan", 7_000);
      const group = (await store.groups.list({})).find((g) => g.name === "dk-group")!;
      expect(await store.deviceKeys.rotate({ groupId: group.id }, 7_100)).toEqual({
        started: 1,
        alreadyRotating: 0,
      });
      expect(await store.deviceKeys.rotate({ tenantId: DEFAULT_TENANT_ID }, 7_200)).toEqual({
        started: 1,
        alreadyRotating: 1,
      });
      expect(await store.deviceKeys.rotate({ tenantId: "nobody" }, 7_300)).toEqual({
        started: 0,
        alreadyRotating: 0,
      });
      const rotating = await store.deviceKeys.list({ rotating: true });
      expect(rotating.map((k) => k.mac).sort()).toEqual([A, B]);
      expect(await store.deviceKeys.counts({ tenantId: DEFAULT_TENANT_ID })).toEqual({
        bootstrap: 1,
        active: 1,
        rotating: 2,
      });
    });

    it("a scheduled rotation starts only once the pair is old enough and none is under way", async () => {
      const c = await store.deviceKeys.bootstrap(C, "https", 10_000);
      expect(await store.deviceKeys.rotateIfDue(C, 5_000, 14_999)).toBe(false);
      expect(await store.deviceKeys.rotateIfDue(C, 5_000, 15_000)).toBe(true);
      expect(await store.deviceKeys.rotateIfDue(C, 5_000, 20_000)).toBe(false);
      expect((await store.deviceKeys.get(C))?.next?.generation).toBe(c.current.generation + 1);
    });

    it("re-sealing under a new master key keeps every key and is resumable", async () => {
      const before = await store.deviceKeys.list({});
      const plain = before.map((k) => [k.current.key.reveal(), k.next?.key.reveal() ?? null]);
      const next = randomBytes(32);
      const resealing = await db.open({
        sealer: testSealer(next, { id: "m2", previous: { m1: masterKey } }),
      });
      const first = await resealing.resealSecrets();
      // Three current keys, three next ones.
      expect(first.secureKeys).toBe(6);
      expect((await resealing.resealSecrets()).secureKeys).toBe(0);
      await resealing.close();
      const rows = await db.raw<{ key_sealed: string }>("select key_sealed from device_keys");
      for (const row of rows) expect(row.key_sealed.startsWith("v1.m2.")).toBe(true);
      const reopened = await db.open({ sealer: testSealer(next, { id: "m2" }) });
      const after = await reopened.deviceKeys.list({});
      expect(after.map((k) => [k.current.key.reveal(), k.next?.key.reveal() ?? null])).toEqual(
        plain,
      );
      await reopened.close();
    });

    it("reset forgets a device's keys; deleting the device removes them", async () => {
      expect(await store.deviceKeys.reset(C)).toBe(true);
      expect(await store.deviceKeys.reset(C)).toBe(false);
      expect(await store.deviceKeys.get(C)).toBeNull();
      await store.devices.delete(B);
      expect(await store.deviceKeys.get(B)).toBeNull();
    });
  });
}
