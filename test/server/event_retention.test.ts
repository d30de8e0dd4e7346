/**
 * The events table stays bounded, on SQLite and PostgreSQL: unowned refusals (404s, bad
 * requests) are aggregated per source and status instead of one row each, and retention
 * deletes events older than the horizon.
 */
import { join } from "node:path";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EventRetention } from "../../src/server/event_retention.ts";
import type { ProvisioNode } from "../../src/server/node.ts";
import type { ResyncEventInput, Store } from "../../src/store/index.ts";
import { dialects, type Fresh, until } from "../store/dialects.ts";
import { startTestNode, tempDir } from "./helpers.ts";
import { httpFrom } from "./sources.ts";

const DAY = 86_400_000;

function event(at: number, remoteAddress: string): ResyncEventInput {
  return {
    mac: null,
    tenantId: null,
    at: new Date(at),
    transport: "http",
    result: "not-found",
    statusCode: 404,
    path: "/x",
    bytes: null,
    durationMs: 1,
    remoteAddress,
    userAgent: null,
    message: "no profile at this path",
  };
}

for (const dialect of dialects()) {
  describe(`events on ${dialect.name}`, () => {
    let fresh: Fresh;
    let store: Store;
    let node: ProvisioNode;

    const count = async (where: string): Promise<number> => {
      const rows = await fresh.raw<{ n: number | string }>(
        `select count(*) as n from events where ${where}`,
      );
      return Number(rows[0]!.n);
    };

    beforeAll(async () => {
      fresh = await dialect.fresh();
      store = await fresh.open();
      node = await startTestNode(join(tempDir(`events-${dialect.name}`), "data"), {}, { store });
    }, 120_000);

    afterAll(async () => {
      await node?.close();
      await fresh?.dispose();
    });

    it("aggregates unowned refusals: one row per source and status, with the count", async () => {
      const http = `http://127.0.0.1:${node.addresses.http!.port}`;
      const client = httpFrom("127.0.0.7");
      try {
        for (let i = 0; i < 50; i++) {
          const r = await client.get(`${http}/profile/000e08dd${(i + 0x100).toString(16)}.xml`);
          expect(r.status).toBe(404);
        }
        for (let i = 0; i < 5; i++) {
          expect((await client.get(`${http}/profile/%zz${i}.xml`)).status).toBe(400);
        }
      } finally {
        client.close();
      }
      // Shutdown writes the aggregates whose window has not ended yet.
      await node.close();
      expect(await count("remote_address = '127.0.0.7'")).toBe(2);
      const rows = await fresh.raw<{ message: string; status_code: number }>(
        "select message, status_code from events where remote_address = '127.0.0.7' order by status_code",
      );
      expect(rows.map((r) => Number(r.status_code))).toEqual([400, 404]);
      expect(rows[1]!.message).toMatch(/^50 × no profile at this path/);
    });

    it("prunes events older than the retention horizon", async () => {
      const now = Date.now();
      await store.events.appendBatch([
        event(now - 40 * DAY, "10.0.0.1"),
        event(now - 31 * DAY, "10.0.0.1"),
        event(now - 29 * DAY, "10.0.0.1"),
        event(now - DAY, "10.0.0.1"),
      ]);
      const retention = new EventRetention({
        events: store.events,
        horizonDays: 30,
        logger: pino({ level: "silent" }),
        now: () => now,
      });
      expect(await retention.pruneNow()).toBe(2);
      expect(await count("remote_address = '10.0.0.1'")).toBe(2);
      // Off (0 days): nothing is deleted.
      const off = new EventRetention({
        events: store.events,
        horizonDays: 0,
        logger: pino({ level: "silent" }),
        now: () => now + 365 * DAY,
      });
      expect(await off.pruneNow()).toBe(0);
      expect(await count("remote_address = '10.0.0.1'")).toBe(2);
    });

    it("prunes on its schedule once started, and stops when told", async () => {
      const now = Date.now();
      await store.events.appendBatch([event(now - 90 * DAY, "10.0.0.2")]);
      const deleted: number[] = [];
      const retention = new EventRetention({
        events: {
          prune: async (olderThan) => {
            const n = await store.events.prune(olderThan);
            deleted.push(n);
            return n;
          },
        },
        horizonDays: 30,
        logger: pino({ level: "silent" }),
        firstDelayMs: 1,
        intervalMs: 5,
      });
      retention.start();
      await until(() => deleted.length >= 3, 10_000);
      await retention.stop();
      const runs = deleted.length;
      expect(deleted[0]).toBe(1);
      expect(await count("remote_address = '10.0.0.2'")).toBe(0);
      await new Promise((r) => setTimeout(r, 50));
      expect(deleted.length).toBe(runs);
    });
  });
}
