/**
 * Device records and layers are cached within a byte bound (estimated sizes): the oldest go
 * first, what a lookup returns is never affected by what storing it pushed out.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigCache } from "../../src/server/index.ts";
import { deviceRecordBytes, layerRecordBytes, SizedCache } from "../../src/server/record_cache.ts";
import { DEFAULT_TENANT_ID, openStore, parseMac, type Store } from "../../src/store/index.ts";
import { testSealer } from "../store/dialects.ts";
import { tempDir } from "./helpers.ts";

let store: Store;
const mac = (n: number) => parseMac(`000e08100${n.toString().padStart(3, "0")}`);
beforeAll(async () => {
  store = await openStore(
    { kind: "sqlite", file: join(tempDir("record-cache"), "r.db") },
    { sealer: testSealer() },
  );
  for (let n = 0; n < 40; n++) {
    await store.devices.create({ mac: mac(n), serial: `S${n}`, modelPn: null });
  }
  await store.layers.set({ scope: "tenant", tenantId: DEFAULT_TENANT_ID }, [
    { name: "Proxy_1_", value: "sip.example.com", access: null },
  ]);
  for (let n = 0; n < 40; n++) {
    await store.layers.set({ scope: "device", mac: mac(n) }, [
      { name: "Station_Name", value: `phone ${n}`, access: null },
    ]);
  }
});
afterAll(async () => {
  await store?.close();
});

describe("SizedCache", () => {
  it("drops the oldest insertions beyond its byte bound and keeps the one just stored", () => {
    const cache = new SizedCache<string, string>({ maxBytes: 30, sizeOf: (v) => v.length });
    cache.set("a", "x".repeat(10));
    cache.set("b", "x".repeat(10));
    cache.set("c", "x".repeat(10));
    expect(cache.bytes).toBe(30);
    cache.set("d", "x".repeat(10));
    expect(cache.has("a")).toBe(false);
    expect([...["b", "c", "d"].map((k) => cache.has(k))]).toEqual([true, true, true]);
    cache.set("e", "y".repeat(100));
    expect(cache.get("e")).toBe("y".repeat(100));
    expect(cache.size).toBe(1);
    expect(cache.delete("e")).toBe(true);
    expect(cache.bytes).toBe(0);
  });

  it("replacing an entry counts only its new size; the count bound holds too", () => {
    const cache = new SizedCache<string, string>({
      maxBytes: 1000,
      maxEntries: 2,
      sizeOf: (v) => v.length,
    });
    cache.set("a", "xx");
    cache.set("a", "xxxx");
    expect(cache.bytes).toBe(4);
    cache.set("b", "x");
    cache.set("c", "x");
    expect(cache.size).toBe(2);
    expect(cache.has("a")).toBe(false);
    cache.clear();
    expect(cache.bytes).toBe(0);
  });

  it("estimates grow with what a record holds", () => {
    expect(deviceRecordBytes(null)).toBeLessThan(
      deviceRecordBytes({
        tenantId: "default",
        modelPn: "SPA504G",
        serial: "CCQ1",
        accountId: null,
        groupId: null,
        label: null,
        certSubject: null,
        certFingerprint: null,
        status: null,
        lifecycle: null,
        deviceKey: null,
      }),
    );
    const small = layerRecordBytes({ parameters: [{ name: "A", value: "b", access: null }] });
    const large = layerRecordBytes({
      parameters: [{ name: "A", value: "b".repeat(1000), access: null }],
    });
    expect(large - small).toBe(999);
  });
});

describe("config cache within byte bounds", () => {
  it("device records stay within maxDeviceBytes and every lookup still finds its device", async () => {
    const one = deviceRecordBytes((await store.devices.findByMac(mac(0)))!);
    const cache = new ConfigCache(store, { maxDeviceBytes: one * 5 });
    for (let n = 0; n < 40; n++) expect((await cache.device(mac(n)))?.serial).toBe(`S${n}`);
    expect(cache.deviceBytes).toBeLessThanOrEqual(one * 5);
    expect(cache.deviceCount).toBeLessThanOrEqual(5);
    expect(cache.deviceCount).toBeGreaterThan(0);
  });

  it("a layer pushed out by the one loaded with it is still in the answer", async () => {
    // Room for about one layer: storing a device's layer drops the tenant's.
    const cache = new ConfigCache(store, { maxLayerBytes: 500 });
    const tenant = { scope: "tenant", tenantId: DEFAULT_TENANT_ID } as const;
    for (let n = 0; n < 40; n++) {
      const layers = await cache.layers([tenant, { scope: "device", mac: mac(n) }]);
      expect(layers.map((l) => l.parameters[0]?.value)).toEqual(["sip.example.com", `phone ${n}`]);
      expect(cache.layerBytes).toBeLessThanOrEqual(500);
    }
  });
});

describe("generations of edited devices", () => {
  it("stay bounded, and no profile rendered before forgetting them counts as current", async () => {
    const { MAX_GENERATIONS } = await import("../../src/server/profile_cache.ts");
    const cache = new ConfigCache<string>(store);
    const device = (await store.devices.findByMac(mac(1)))!;
    cache.storeProfile(device.mac, cache.dependencies(device), "before");
    expect(cache.profile(device.mac)).toBe("before");
    // Edits of many other devices, one notice each batch of 1,000 (as the store sends them).
    let n = 0;
    while (n <= MAX_GENERATIONS) {
      const keys = Array.from({ length: 1000 }, () => `0000${(n++).toString(16).padStart(8, "0")}`);
      cache.invalidate({ revision: n, entity: "device", keys, at: new Date() });
    }
    expect(cache.generationCount).toBeLessThan(MAX_GENERATIONS);
    expect(cache.profile(device.mac)).toBeUndefined();
    // Rendered again afterwards, it is current until its device changes.
    cache.storeProfile(device.mac, cache.dependencies(device), "after");
    expect(cache.profile(device.mac)).toBe("after");
    cache.invalidate({
      revision: n + 1,
      entity: "device",
      keys: [device.mac],
      at: new Date(),
    });
    expect(cache.profile(device.mac)).toBeUndefined();
  });
});
