import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseMac } from "../../src/mac_address.ts";
import type { DeviceStatusUpdate, Store } from "../../src/store/store.ts";
import type { ResyncEventInput } from "../../src/store/types.ts";
import { WriteBehind } from "../../src/store/write_behind.ts";
import { dialects, type Fresh, macFor } from "./dialects.ts";

function manualClock() {
  let tick: (() => void) | undefined;
  return {
    every: (_ms: number, fn: () => void) => {
      tick = fn;
      return () => {
        tick = undefined;
      };
    },
    tick: () => tick?.(),
  };
}

function resync(n: number, at: number): { event: ResyncEventInput; status: DeviceStatusUpdate } {
  const mac = parseMac(macFor(n));
  return {
    event: {
      mac,
      tenantId: null,
      at: new Date(at),
      transport: "http",
      result: "ok",
      statusCode: 200,
      path: `/${mac}.xml`,
      bytes: 900,
      durationMs: 1,
      remoteAddress: "198.51.100.1",
      userAgent: "Cisco/SPA112-1.4.1",
      message: null,
    },
    status: {
      mac,
      at: new Date(at),
      remoteAddress: "198.51.100.1",
      userAgent: null,
      firmware: "1.4.1",
      result: "ok",
      transport: "http",
    },
  };
}

describe("write-behind (no database)", () => {
  it("keeps rows when a flush fails and writes them on the next one", async () => {
    const clock = manualClock();
    const written: ResyncEventInput[] = [];
    let fail = true;
    const errors: unknown[] = [];
    const fake = {
      events: {
        async appendBatch(events: readonly ResyncEventInput[]) {
          if (fail) throw new Error("database down");
          written.push(...events);
        },
      },
      devices: { async recordStatusBatch() {} },
    } as unknown as Pick<Store, "events" | "devices">;
    const writer = new WriteBehind(fake, { every: clock.every, onError: (e) => errors.push(e) });
    writer.record(resync(1, 1_000).event);
    await writer.flush();
    expect(errors).toHaveLength(1);
    expect(writer.stats).toMatchObject({ pendingEvents: 1, failedFlushes: 1 });
    writer.record(resync(2, 2_000).event);
    fail = false;
    await writer.flush();
    expect(written.map((e) => e.at.getTime())).toEqual([1_000, 2_000]);
    expect(writer.stats).toMatchObject({ pendingEvents: 0, writtenEvents: 2 });
  });

  it("drops the oldest events beyond maxPending, and counts them", () => {
    const never = { events: {}, devices: {} } as unknown as Pick<Store, "events" | "devices">;
    const writer = new WriteBehind(never, {
      every: manualClock().every,
      maxPending: 3,
      maxBatch: 100,
    });
    for (let i = 0; i < 5; i++) writer.record(resync(i, i).event);
    expect(writer.stats).toMatchObject({ pendingEvents: 3, droppedEvents: 2 });
  });
});

for (const dialect of dialects()) {
  describe(`write-behind (${dialect.name})`, () => {
    let db: Fresh;
    let store: Store;
    beforeAll(async () => {
      db = await dialect.fresh();
      store = await db.open();
    });
    afterAll(async () => {
      await db.dispose();
    });

    it("queues without I/O, then writes events and the newest status per device in one flush", async () => {
      await store.devices.bulkUpsert(
        Array.from({ length: 100 }, (_, i) => ({ mac: parseMac(macFor(i)) })),
      );
      const revision = await store.changes.currentRevision();
      const clock = manualClock();
      const writer = new WriteBehind(store, { every: clock.every, maxBatch: 100_000 });
      for (let round = 0; round < 20; round++) {
        for (let i = 0; i < 100; i++) {
          const { event, status } = resync(i, 10_000 + round);
          writer.record(event, status);
        }
      }
      expect(writer.stats).toMatchObject({ pendingEvents: 2_000, pendingStatuses: 100 });
      expect(await store.events.list({ limit: 1 })).toHaveLength(0);
      clock.tick();
      await writer.close();
      expect(writer.stats).toMatchObject({
        pendingEvents: 0,
        writtenEvents: 2_000,
        writtenStatuses: 100,
      });
      expect(await store.events.list({ mac: parseMac(macFor(5)), limit: 10_000 })).toHaveLength(20);
      expect((await store.devices.get(parseMac(macFor(5)))).status?.at.getTime()).toBe(10_019);
      expect(await store.changes.currentRevision()).toBe(revision);
    });
  });
}
