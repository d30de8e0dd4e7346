import { afterEach, describe, expect, it } from "vitest";
import { parseMac } from "../../src/mac_address.ts";
import type { ChangeNotice } from "../../src/store/types.ts";
import { DEFAULT_TENANT_ID } from "../../src/store/types.ts";
import { dialects, type Fresh, until } from "./dialects.ts";

for (const dialect of dialects()) {
  describe(`revision and change feed (${dialect.name})`, () => {
    let db: Fresh | undefined;
    afterEach(async () => {
      await db?.dispose();
      db = undefined;
    });

    it("every configuration change bumps the revision; status and event writes do not", async () => {
      db = await dialect.fresh();
      const store = await db.open();
      const mac = parseMac("020000000201");
      let revision = await store.changes.currentRevision();
      const bumped = async (what: string, change: () => Promise<unknown>) => {
        await change();
        const next = await store.changes.currentRevision();
        expect(next, what).toBe(revision + 1);
        revision = next;
      };
      await bumped("tenant", () => store.tenants.update(DEFAULT_TENANT_ID, { name: "Main" }));
      await bumped("model", () => store.models.upsert({ pn: "SPA122", family: "spa" }));
      await bumped("device", () => store.devices.create({ mac }));
      const group = await store.groups.create({ name: "g" });
      revision += 1;
      await bumped("device update", () => store.devices.update(mac, { groupId: group.id }));
      await bumped("layer", () =>
        store.layers.set({ scope: "device", mac }, [{ name: "A", value: "1", access: null }]),
      );
      await bumped("layer unset", () => store.layers.unset({ scope: "device", mac }));
      await bumped("account", () => store.accounts.create({ reference: "r" }));
      await bumped("token", () => store.tokens.issue({ name: "t", role: "admin" }));
      const device = await store.devices.get(mac);
      expect(device.version).toBe(revision - 4);

      await store.devices.recordStatusBatch([
        {
          mac,
          at: new Date(),
          remoteAddress: null,
          userAgent: null,
          firmware: null,
          result: "ok",
          transport: "tftp",
        },
      ]);
      await store.events.appendBatch([
        {
          mac,
          tenantId: null,
          at: new Date(),
          transport: "tftp",
          result: "ok",
          statusCode: null,
          path: null,
          bytes: null,
          durationMs: null,
          remoteAddress: null,
          userAgent: null,
          message: null,
        },
      ]);
      // Unsetting a layer that does not exist changes nothing.
      expect(await store.layers.unset({ scope: "device", mac })).toBe(false);
      expect(await store.changes.currentRevision()).toBe(revision);
      expect((await store.devices.get(mac)).version).toBe(device.version);
      // A failed change leaves no trace.
      await expect(store.devices.create({ mac })).rejects.toThrow();
      expect(await store.changes.currentRevision()).toBe(revision);
    });

    it("delivers this process's changes at once and another process's within one second, in order", async () => {
      db = await dialect.fresh();
      const a = await db.open();
      const b = await db.open();
      const seenByA: ChangeNotice[] = [];
      const seenByB: ChangeNotice[] = [];
      a.changes.subscribe((n) => seenByA.push(n));
      b.changes.subscribe((n) => seenByB.push(n));

      const mac = parseMac("020000000301");
      const started = Date.now();
      await a.devices.create({ mac });
      // Read-your-writes: this process's subscribers heard of it before the change returned.
      expect(seenByA).toHaveLength(1);
      const latency = await until(() => seenByB.length >= 1, 1_000);
      expect(seenByA[0]).toMatchObject({ entity: "device", keys: [mac] });
      expect(seenByB[0]).toEqual(seenByA[0]);
      expect(Date.now() - started).toBeLessThan(1_000);
      expect(latency).toBeLessThan(1_000);

      // Changes from both sides, interleaved: each side sees all of them in revision order.
      await b.layers.set({ scope: "device", mac }, [{ name: "X", value: "1", access: null }]);
      await a.groups.create({ name: "north" });
      await b.devices.delete(mac);
      const expected = ["device", "layer", "group", "device", "layer"];
      await until(
        () => seenByA.length >= expected.length && seenByB.length >= expected.length,
        1_000,
      );
      for (const seen of [seenByA, seenByB]) {
        expect(seen.map((n) => n.entity)).toEqual(expected);
        const revisions = seen.map((n) => n.revision);
        expect(revisions).toEqual([...revisions].sort((x, y) => x - y));
      }
      expect(a.changes.deliveredRevision).toBe(await a.changes.currentRevision());
    });

    if (dialect.name === "postgres") {
      it("the LISTEN connection reconnects and catches up on what it missed", async () => {
        db = await dialect.fresh();
        const a = await db.open();
        const b = await db.open();
        const seen: ChangeNotice[] = [];
        b.changes.subscribe((n) => seen.push(n));
        const schema = (db.options as { schema: string }).schema;
        const listeners = `from pg_stat_activity where query = 'listen "provisio_${schema}"'`;
        for (let i = 0; ; i++) {
          const rows = await db.raw<{ pid: number }>(`select pid ${listeners}`);
          if (rows.length === 2) break;
          expect(i).toBeLessThan(100);
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        // Kill both listening backends, then change something at once.
        const killed = await db.raw(`select pg_terminate_backend(pid) ${listeners}`);
        expect(killed).toHaveLength(2);
        await a.groups.create({ name: "after-outage" });
        await until(() => seen.some((n) => n.entity === "group"), 1_000);
        // And the new connection receives NOTIFYs again.
        await a.groups.create({ name: "after-reconnect" });
        await until(() => seen.filter((n) => n.entity === "group").length === 2, 1_000);
      });
    }
  });
}
