import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseMac } from "../../src/mac_address.ts";
import type { DeviceInput, Store } from "../../src/store/store.ts";
import { DEFAULT_TENANT_ID } from "../../src/store/types.ts";
import { dialects, type Fresh, macFor } from "./dialects.ts";

const COUNT = 100_000;

function* devices(count: number, tenantId: string): Generator<DeviceInput> {
  for (let i = 0; i < count; i++) {
    yield {
      mac: parseMac(macFor(i)),
      tenantId,
      modelPn: "SPA112",
      serial: `CCQ${i}`,
      state: "staged",
    };
  }
}

for (const dialect of dialects()) {
  describe(`bulk import (${dialect.name})`, () => {
    let db: Fresh;
    let store: Store;
    beforeAll(async () => {
      db = await dialect.fresh();
      store = await db.open();
    });
    afterAll(async () => {
      await db.dispose();
    });

    it(`imports ${COUNT.toLocaleString("en")} devices in acknowledged batches`, async () => {
      const before = await store.changes.currentRevision();
      const progress: number[] = [];
      const started = performance.now();
      const result = await store.devices.bulkUpsert(devices(COUNT, DEFAULT_TENANT_ID), {
        actor: "cli:import",
        onProgress: (p) => {
          progress.push(p.done);
          expect(p.batch).toHaveLength(1_000);
        },
      });
      const seconds = (performance.now() - started) / 1_000;
      const rate = Math.round(COUNT / seconds);
      console.info(
        `[store bench] ${dialect.name}: bulkUpsert ${COUNT} devices in ${seconds.toFixed(2)} s = ${rate} rows/s`,
      );

      expect(result.count).toBe(COUNT);
      expect(progress).toHaveLength(COUNT / 1_000);
      expect(progress.at(-1)).toBe(COUNT);
      expect(result.revision).toBe(before + COUNT / 1_000);
      expect(await store.devices.count()).toBe(COUNT);
      expect(await store.devices.findByMac(parseMac(macFor(COUNT - 1)))).toMatchObject({
        serial: `CCQ${COUNT - 1}`,
        state: "staged",
      });
      // One audit entry per device, keyed by its MAC (`audit --key MAC` finds imported devices).
      expect(
        await store.audit.list({ entity: "device", key: macFor(COUNT - 1), limit: 10 }),
      ).toHaveLength(1);

      // Re-import a slice that only sets the state: other fields are kept, nothing duplicates.
      const again = await store.devices.bulkUpsert(
        Array.from({ length: 2_500 }, (_, i) => ({
          mac: parseMac(macFor(i)),
          state: "provisioned",
        })),
      );
      expect(again.count).toBe(2_500);
      expect(await store.devices.count()).toBe(COUNT);
      expect(await store.devices.count({ state: "provisioned" })).toBe(2_500);
      expect(await store.devices.findByMac(parseMac(macFor(7)))).toMatchObject({
        serial: "CCQ7",
        modelPn: "SPA112",
        state: "provisioned",
      });
      expect((await store.check()).ok).toBe(true);
    }, 240_000);
  });
}
