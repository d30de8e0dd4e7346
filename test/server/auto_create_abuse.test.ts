/**
 * Auto-create abuse over real HTTP: a tenant cannot capture new devices on a path another
 * tenant also serves (overlapping data from before paths were unique), and one client
 * spraying junk MACs exhausts its own budget, not the tenant's.
 */
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ProvisioNode } from "../../src/server/node.ts";
import { parseMac } from "../../src/store/index.ts";
import { startTestNode, tempDir } from "./helpers.ts";
import { httpFrom } from "./sources.ts";

let node: ProvisioNode;
let http: string;

beforeAll(async () => {
  const dataDir = join(tempDir("auto-abuse"), "data");
  node = await startTestNode(dataDir);
  await node.store.tenants.create({
    slug: "auto",
    name: "Auto-create SP",
    settings: { profilePaths: ["/auto/$MA.xml"], autoCreate: true },
  });
  const grab = await node.store.tenants.create({
    slug: "grabber",
    name: "Grabber SP",
    settings: { profilePaths: ["/grab/$MA.xml"], autoCreate: true },
  });
  await node.close();
  // The grabber's pattern overlaps the default tenant's, as data written before patterns
  // were unique may (the store refuses new overlaps).
  const file = node.config.database.kind === "sqlite" ? node.config.database.file : "";
  const db = new Database(file);
  try {
    const row = db.prepare("select settings from tenants where id = ?").get(grab.id) as {
      settings: string;
    };
    const settings = JSON.parse(row.settings) as Record<string, unknown>;
    settings.profilePaths = ["/profile/$MA.xml"];
    db.prepare("update tenants set settings = ? where id = ?").run(
      JSON.stringify(settings),
      grab.id,
    );
  } finally {
    db.close();
  }
  node = await startTestNode(dataDir);
  http = `http://127.0.0.1:${node.addresses.http!.port}`;
}, 120_000);

afterAll(async () => {
  await node?.close();
});

describe("auto-create on shared paths", () => {
  it("never auto-creates on a path another tenant also serves", async () => {
    const client = httpFrom("127.0.0.6");
    try {
      const mac = parseMac("000e08ab0001");
      const r = await client.get(`${http}/profile/${mac}.xml`);
      expect(r.status).toBe(404);
      expect(await node.store.devices.findByMac(mac)).toBeNull();
      // The rightful owner can still add it.
      await node.store.devices.create({ mac });
    } finally {
      client.close();
    }
  });
});

describe("auto-create budget", () => {
  it("is per source: junk MACs from one client do not block a real new device elsewhere", async () => {
    const junk = httpFrom("127.0.0.3");
    const real = httpFrom("127.0.0.1");
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 31; i++) {
        const mac = `000e08bb${i.toString(16).padStart(4, "0")}`;
        statuses.push((await junk.get(`${http}/auto/${mac}.xml`)).status);
      }
      expect(statuses.slice(0, 30).every((s) => s === 200)).toBe(true);
      expect(statuses[30]).toBe(429);
      const fresh = parseMac("000e08bc0001");
      const r = await real.get(`${http}/auto/${fresh}.xml`);
      expect(r.status).toBe(200);
      expect(await node.store.devices.findByMac(fresh)).toMatchObject({ state: "factory" });
    } finally {
      junk.close();
      real.close();
    }
  });
});
