import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { parseMac } from "../../src/mac_address.ts";
import { dialects, type Fresh, macFor, testSealer } from "./dialects.ts";

const CHILD = fileURLToPath(new URL("./fixtures/bulk_import_child.ts", import.meta.url));
const COUNT = 100_000;
/** Kill once this many devices were acknowledged. */
const KILL_AFTER = 30_000;

for (const dialect of dialects()) {
  describe(`crash consistency (${dialect.name})`, () => {
    let db: Fresh | undefined;
    afterEach(async () => {
      await db?.dispose();
      db = undefined;
    });

    it("kill -9 during a bulk import of 100,000 devices loses no acknowledged device", async () => {
      db = await dialect.fresh();
      const key = randomBytes(32);
      const child = spawn(
        process.execPath,
        ["--import", "tsx", CHILD, JSON.stringify(db.options), String(COUNT), key.toString("hex")],
        { stdio: ["ignore", "pipe", "inherit"] },
      );
      const exited = new Promise<NodeJS.Signals | null>((resolve) =>
        child.on("exit", (_code, signal) => resolve(signal)),
      );
      let acked = 0;
      let done = false;
      for await (const line of createInterface({ input: child.stdout })) {
        if (line === "DONE") done = true;
        const match = /^ACK (\d+)$/.exec(line);
        if (match === null) continue;
        acked = Number(match[1]);
        if (acked >= KILL_AFTER) {
          child.kill("SIGKILL");
          break;
        }
      }
      expect(await exited).toBe("SIGKILL");
      expect(done).toBe(false);
      expect(acked).toBeGreaterThanOrEqual(KILL_AFTER);

      const store = await db.open({ sealer: testSealer(key) });
      expect(await store.check()).toEqual({ ok: true, problems: [] });
      const count = await store.devices.count();
      console.info(
        `[store crash] ${dialect.name}: acknowledged ${acked}, present after kill -9: ${count}`,
      );
      // Every acknowledged device is there (MACs are sequential, so the first `acked` of them)…
      expect(count).toBeGreaterThanOrEqual(acked);
      const ackedPresent = await db.raw<{ n: number | string }>(
        `select count(*) as n from devices where mac < '${macFor(acked)}'`,
      );
      expect(Number(ackedPresent[0]!.n)).toBe(acked);
      const last = await store.devices.findByMac(parseMac(macFor(acked - 1)));
      expect(last?.serial).toBe(`S${acked - 1}`);
      expect(last?.deviceKey?.reveal()).toBe(`key-${acked - 1}`);
      // …and whole batches only: a batch is there entirely or not at all.
      expect(count % 1_000).toBe(0);
      const revision = await store.changes.currentRevision();
      expect(revision).toBe(1 + count / 1_000);
      // The database takes writes again.
      await store.devices.bulkUpsert([{ mac: parseMac(macFor(COUNT)) }]);
      expect(await store.devices.count()).toBe(count + 1);
    }, 120_000);
  });
}
