/**
 * The rendered-profile cache holds at most `maxProfileBytes` (as `profileBytes` counts them):
 * the least recently used profile goes first, a profile just served stays. A profile found
 * current stays current until something it depends on changes, however often it is served.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigCache } from "../../src/server/index.ts";
import { openStore, parseMac, type Store } from "../../src/store/index.ts";
import { testSealer } from "../store/dialects.ts";
import { tempDir } from "./helpers.ts";

let store: Store;
beforeAll(async () => {
  store = await openStore(
    { kind: "sqlite", file: join(tempDir("profile-cache"), "p.db") },
    { sealer: testSealer() },
  );
});
afterAll(async () => {
  await store?.close();
});

const mac = (n: number) => parseMac(`000e08000${n.toString().padStart(3, "0")}`);

describe("rendered-profile cache", () => {
  it("drops the least recently used profiles beyond its byte bound", () => {
    const cache = new ConfigCache<string>(store, {
      maxProfileBytes: 3000,
      profileBytes: (value) => value.length,
    });
    const deps = ["*", 0];
    for (const n of [1, 2, 3]) cache.storeProfile(mac(n), deps, "x".repeat(1000));
    expect(cache.profileBytes).toBe(3000);
    // 1 served again: 2 is now the least recently used.
    expect(cache.profile(mac(1))).toBeDefined();
    cache.storeProfile(mac(4), deps, "y".repeat(1000));
    expect(cache.profile(mac(2))).toBeUndefined();
    for (const n of [1, 3, 4]) expect(cache.profile(mac(n))).toBeDefined();
    expect(cache.profileBytes).toBe(3000);
    // A larger replacement makes room for itself.
    cache.storeProfile(mac(3), deps, "z".repeat(2000));
    expect(cache.profile(mac(3))).toBe("z".repeat(2000));
    expect(cache.profileBytes).toBeLessThanOrEqual(3000);
    expect(cache.profileCount).toBe(2);
  });

  it("keeps a profile larger than the bound until the next one (it was just rendered)", () => {
    const cache = new ConfigCache<string>(store, {
      maxProfileBytes: 100,
      profileBytes: (value) => value.length,
    });
    cache.storeProfile(mac(1), ["*", 0], "x".repeat(500));
    expect(cache.profile(mac(1))).toBeDefined();
    cache.storeProfile(mac(2), ["*", 0], "y".repeat(50));
    expect(cache.profile(mac(1))).toBeUndefined();
    expect(cache.profile(mac(2))).toBeDefined();
  });

  it("stays current until something it depends on changes, not when anything else does", () => {
    const cache = new ConfigCache<string>(store);
    const group = (id: string, revision: number) =>
      cache.invalidate({ revision, entity: "group", keys: [id], at: new Date() });
    cache.storeProfile(mac(1), ["*", 0, "group:g1", 0], "one");
    // Rendered from records a change replaced while they loaded: never current.
    group("g2", 1);
    cache.storeProfile(mac(2), ["*", 0, "group:g2", 0], "two");
    expect(cache.profile(mac(2))).toBeUndefined();
    expect(cache.previousProfile(mac(2))).toBe("two");
    for (let i = 0; i < 3; i++) expect(cache.profile(mac(1))).toBe("one");
    group("g3", 2);
    expect(cache.profile(mac(1))).toBe("one");
    group("g1", 3);
    expect(cache.profile(mac(1))).toBeUndefined();
    expect(cache.profile(mac(1))).toBeUndefined();
  });
});
