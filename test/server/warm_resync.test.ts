/**
 * Issue 4, "Speed": a warm resync does no database read or write on the request path.
 * Every store method is wrapped with a counter; after one cold fetch per device, repeated
 * fetches (HTTP GET, HEAD, conditional 304) must not call any reading or per-request
 * writing method. Batched status/event flushes (`recordActivity`, `recordStatusBatch`,
 * `appendBatch`) run off the request path on the writer's timer and are allowed.
 */
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { ProvisioNode } from "../../src/server/node.ts";
import { parseMac } from "../../src/store/index.ts";
import { curl, startTestNode, tempDir } from "./helpers.ts";

const MACS = ["000e08ee0001", "000e08ee0002", "000e08ee0003"].map((m) => parseMac(m));
const BATCHED = new Set(["recordStatusBatch", "appendBatch", "recordActivity"]);
let node: ProvisioNode;
let http: string;
const calls: string[] = [];

function countCalls(name: string, target: object): void {
  for (const key of Object.getOwnPropertyNames(Object.getPrototypeOf(target))) {
    const fn = (target as Record<string, unknown>)[key];
    if (key === "constructor" || typeof fn !== "function") continue;
    (target as Record<string, unknown>)[key] = (...args: unknown[]) => {
      if (!BATCHED.has(key)) calls.push(`${name}.${key}`);
      return (fn as (...a: unknown[]) => unknown).apply(target, args);
    };
  }
}

beforeAll(async () => {
  node = await startTestNode(join(tempDir("warm"), "data"));
  http = `http://127.0.0.1:${node.addresses.http!.port}`;
  const { store } = node;
  const account = await store.accounts.create({
    reference: "W-1",
    lines: [{ line: 1, userId: "100", password: "pw", displayName: "Warm" }],
  });
  await store.layers.set({ scope: "tenant", tenantId: "default" }, [
    { name: "Resync_Periodic", value: "3600", access: "na" },
  ]);
  for (const mac of MACS) await store.devices.create({ mac, accountId: account.id });
  await node.cache.settled();
  for (const mac of MACS) expect((await curl([`${http}/profile/${mac}.xml`])).status).toBe(200);
  const s = node.store as unknown as Record<string, object>;
  for (const repo of [
    "tenants",
    "models",
    "devices",
    "accounts",
    "groups",
    "layers",
    "events",
    "tokens",
    "audit",
  ]) {
    countCalls(repo, s[repo]!);
  }
}, 120_000);

afterAll(async () => {
  await node?.close();
});

it("serves warm profiles (GET, HEAD, 304) without touching the database", async () => {
  for (let round = 0; round < 3; round++) {
    for (const mac of MACS) {
      const get = await curl([`${http}/profile/${mac}.xml`]);
      expect(get.status).toBe(200);
      expect(get.body).toContain('<Resync_Periodic ua="na">3600</Resync_Periodic>');
      expect((await curl(["-I", `${http}/${mac}.xml`])).status).toBe(200);
      const etag = get.headers.etag;
      expect(etag).toBeDefined();
      const cond = await curl(["-H", `If-None-Match: ${etag}`, `${http}/profile/${mac}.xml`]);
      expect(cond.status).toBe(304);
    }
  }
  expect(calls).toEqual([]);
});

it("the wrapper sees a cold read, so the assertion above can fail", async () => {
  const cold = parseMac("000e08ee00ff");
  await curl([`${http}/profile/${cold}.xml`]);
  expect(calls.length).toBeGreaterThan(0);
});
