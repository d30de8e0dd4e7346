/**
 * The rollout watch on both dialects, its timers off and driven by hand: a wave halts by
 * itself right after the write that brings its failures to the threshold — whichever of two
 * nodes writes it — and units that went silent after the offer, or never resynced while their
 * wave ran, are settled by the sweep (one pass for every running rollout), which halts too.
 */

import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { RolloutWatch } from "../../src/server/index.ts";
import {
  DEFAULT_TENANT_ID,
  type MacAddress,
  parseMac,
  type Store,
  type UpgradePolicy,
} from "../../src/store/index.ts";
import { dialects, type Fresh, macFor } from "../store/dialects.ts";

const logger = pino({ level: "silent" });
const SILENCE = 60_000;

const refused = { kind: "refused", hop: "7.6.2", reason: "no image of 7.6.2 for SPA962" } as const;
const hop = {
  kind: "hop",
  hop: "7.6.2",
  image: { fileName: "fw-7.6.2.bin", version: "7.6.2", models: ["SPA962"] },
  final: true,
  parameters: [],
} as never;

async function rolloutOf(store: Store, name: string, units: number) {
  const policy = await store.firmware.setPolicy({
    tenantId: DEFAULT_TENANT_ID,
    name,
    target: "7.6.2",
    staged: true,
  });
  const macs: MacAddress[] = Array.from({ length: units }, (_, i) =>
    parseMac(macFor(name.length * 1000 + i + 1)),
  );
  const rollout = await store.rollouts.create({
    policyId: policy.id,
    waves: [100],
    failureThreshold: 20,
    silenceMs: SILENCE,
    members: macs.map((mac) => ({ mac, wave: 0, fromVersion: "7.5.5" })),
  });
  return { policy, rollout, macs };
}

function watchOn(store: Store, clock: { now: number }) {
  return new RolloutWatch({ store, logger, now: () => clock.now, tickMs: 0, sweepMs: 0 });
}

for (const dialect of dialects()) {
  describe(`rollout watch (${dialect.name})`, () => {
    let db: Fresh | undefined;
    const watches: RolloutWatch[] = [];
    afterEach(async () => {
      for (const w of watches.splice(0)) await w.close();
      await db?.dispose();
      db = undefined;
    });

    it("halts at the threshold right after the write that reaches it, on either node", async () => {
      db = await dialect.fresh();
      const store = await db.open();
      const { policy, rollout, macs } = await rolloutOf(store, "p", 10);
      const clock = { now: Date.now() };
      const one = watchOn(store, clock);
      const two = watchOn(await db.open(), clock);
      watches.push(one, two);
      await one.reload();
      await two.reload();
      const fail = async (w: RolloutWatch, mac: MacAddress, p: UpgradePolicy) => {
        w.observe(p, mac, "7.5.5", refused, "127.0.0.1", clock.now);
        await w.tick();
      };
      // 20 % of 10: the second failure halts. The first, on one node: still running.
      await fail(one, macs[0]!, policy);
      expect((await store.rollouts.get(rollout.id)).state).toBe("running");
      // The second on the other node, which counts both and halts — no sweep needed.
      await fail(two, macs[1]!, policy);
      const halted = await store.rollouts.get(rollout.id);
      expect(halted.state).toBe("halted");
      expect(halted.reason).toMatch(/^wave 1: 2 of 10 units failed/);
    });

    it("the sweep fails silent units and marks unreached ones, for every running rollout at once", async () => {
      db = await dialect.fresh();
      const store = await db.open();
      const a = await rolloutOf(store, "a", 5);
      const b = await rolloutOf(store, "bb", 10);
      const clock = { now: Date.now() };
      const watch = watchOn(store, clock);
      watches.push(watch);
      await watch.reload();
      // One unit of `a` is offered its hop, then never heard of again.
      watch.observe(a.policy, a.macs[0]!, "7.5.5", hop, "127.0.0.1", clock.now);
      await watch.tick();
      expect((await store.rollouts.progress(a.rollout.id))[0]!.counts.offered).toBe(1);
      await watch.sweep();
      expect((await store.rollouts.get(a.rollout.id)).state).toBe("running");
      clock.now += SILENCE + 1_000;
      await watch.sweep();
      // a: 1 of 5 failed (20 %): halted; its other units were never reached.
      const progressA = await store.rollouts.progress(a.rollout.id);
      expect(progressA[0]!.counts).toMatchObject({ failed: 1, unreached: 4, offered: 0 });
      expect((await store.rollouts.get(a.rollout.id)).state).toBe("halted");
      // b: nobody resynced while its wave ran: all unreached, none failed — completed.
      const progressB = await store.rollouts.progress(b.rollout.id);
      expect(progressB[0]!.counts).toMatchObject({ unreached: 10, failed: 0 });
      expect((await store.rollouts.get(b.rollout.id)).state).toBe("completed");
      // The watch's counts (metrics) are the store's.
      expect(watch.progressOf(a.rollout.id)).toEqual(progressA);
    });
  });
}
