/**
 * Staged rollouts against 1,000 simulated units (the fleet simulator: every unit a full
 * emulated device, over real HTTP to the real server). An image the units refuse (built for
 * another model; the server cannot tell, it treats images as opaque) halts the rollout in
 * its first wave once the wave's failures reach the threshold, and no unit of a later wave is
 * ever offered it; a good image then goes through every wave to the whole fleet.
 */
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setUpgradePolicy, startRollout, uploadFirmware } from "../../src/admin/index.ts";
import { encodeFirmwareImage } from "../../src/device/index.ts";
import { Fleet, sequentialDevices } from "../../src/fleet/index.ts";
import type { Rollout } from "../../src/store/index.ts";
import { type E2eServer, startE2eServer } from "./provisio_server.ts";

const UNITS = sequentialDevices(1000, "SPA962");
let server: E2eServer;
let policyId: string;

async function upload(fileName: string, version: string, models: string[]): Promise<void> {
  const bytes = encodeFirmwareImage({ version, models, payload: Buffer.alloc(4096, 7) });
  await uploadFirmware(
    server.node.store,
    server.node.config.filesDir,
    {
      tenantId: "default",
      version,
      // What the operator claims: for the SPA962 (the bad file is really for another model).
      models: ["SPA962"],
      fileName,
      sha256: createHash("sha256").update(bytes).digest("hex"),
      bytes,
    },
    "test",
  );
}

/**
 * Runs the fleet (100× real time, up to `hours` of virtual time) until `done` holds, checked
 * every 250 ms of wall time, then stops it: the outcome does not depend on how fast the box
 * is, only how long it takes.
 */
async function runUntil(hours: number, done: () => Promise<boolean>) {
  const f = fleet(hours * 60);
  let finished = false;
  const run = f.run().finally(() => {
    finished = true;
  });
  while (!finished) {
    if (await done()) {
      f.stop();
      break;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return run;
}

function fleet(minutes: number): Fleet {
  return new Fleet({
    devices: UNITS,
    profileRule: `${server.http}/profile/$MA.xml`,
    settings: { Resync_Random_Delay: "0" },
    durationMs: minutes * 60_000,
    // 100× real time: a unit resyncs every 3 s of wall time (Resync_Periodic 300).
    speed: 100,
    rampMs: 60_000,
  });
}

async function rolloutNow(id: string): Promise<Rollout> {
  return server.node.store.rollouts.get(id);
}

beforeAll(async () => {
  server = await startE2eServer();
  await server.node.store.layers.set({ scope: "tenant", tenantId: "default" }, [
    { name: "Resync_Periodic", value: "300", access: "na" },
  ]);
  await server.addDevices(UNITS.map((u) => u.mac));
  await upload("bad-2.0.7.bin", "2.0.7", ["SPA504G"]);
  const policy = await setUpgradePolicy(
    server.node.store,
    { tenantId: "default", name: "to-207", target: "2.0.7", staged: true },
    "test",
  );
  policyId = policy.id;
}, 120_000);

afterAll(async () => {
  await server?.close();
});

describe("a staged rollout to 1,000 units", () => {
  it("with an image the units refuse halts in the first wave at the threshold", async () => {
    const { rollout, units } = await startRollout(
      server.node.store,
      { policyId, waves: [5, 25, 100], failureThreshold: 20, silenceMs: 3_600_000 },
      "test",
    );
    expect(units).toBe(1000);
    const summary = await runUntil(
      6,
      async () => (await rolloutNow(rollout.id)).state !== "running",
    );
    const now = await rolloutNow(rollout.id);
    expect(now.state).toBe("halted");
    expect(now.wave).toBe(0);
    expect(now.reason).toMatch(/^wave 1: \d+ of 50 units failed/);
    const progress = await server.node.store.rollouts.progress(rollout.id);
    expect(progress[0]!.size).toBe(50);
    expect(progress[0]!.counts.failed).toBeGreaterThanOrEqual(10);
    // Nobody beyond the canaries was offered the image, and nobody installed it.
    expect(progress[1]!.counts.waiting).toBe(200);
    expect(progress[2]!.counts.waiting).toBe(750);
    expect(summary.firmware).toEqual({ "SPA962 2.0.6(b)": 1000 });
    // The same progress in the metrics.
    const metrics = await server.node.metrics.registry.metrics();
    expect(metrics).toContain(`provisio_rollout_wave{rollout="${rollout.id}",state="halted"} 1`);
    expect(metrics).toContain(
      `provisio_rollout_units{rollout="${rollout.id}",wave="3",status="waiting"} 750`,
    );
    const audit = await server.node.store.audit.list({ limit: 50 });
    expect(audit.some((a) => a.action === "rollout.halted" && a.actor === "system:rollout")).toBe(
      true,
    );
    // The halt is the last word: aborted by hand before the good image.
    const { moveRollout } = await import("../../src/admin/index.ts");
    expect((await moveRollout(server.node.store, rollout.id, "abort", "test")).state).toBe(
      "aborted",
    );
  }, 900_000);

  it("with a good image completes every wave", async () => {
    const bad = await server.node.store.firmware.imageByFile("default", "bad-2.0.7.bin");
    await server.node.store.firmware.removeImage(bad!.id);
    await upload("good-2.0.7.bin", "2.0.7", ["SPA962"]);
    const { rollout } = await startRollout(
      server.node.store,
      { policyId, waves: [5, 25, 100], failureThreshold: 20, silenceMs: 3_600_000 },
      "test",
    );
    const summary = await runUntil(
      6,
      async () => (await rolloutNow(rollout.id)).state !== "running",
    );
    const now = await rolloutNow(rollout.id);
    expect(now.state).toBe("completed");
    expect(now.wave).toBe(2);
    const progress = await server.node.store.rollouts.progress(rollout.id);
    expect(progress.map((p) => p.counts.upgraded)).toEqual([50, 200, 750]);
    expect(summary.firmware).toEqual({ "SPA962 2.0.7": 1000 });
  }, 900_000);
});
