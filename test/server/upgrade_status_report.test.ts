/**
 * A unit that reports its upgrade state in its profile URL (`?upgst=$UPGST&upgerr=$UPGERR`),
 * over real HTTP: a change to a failed state ($UPGST 2) from the unit's proven address is an
 * event on the device and a failure of its rollout wave (which halts at its threshold); the
 * same query from another address counts nothing.
 */
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { uploadFirmware } from "../../src/admin/index.ts";
import { type MacAddress, parseMac, type Rollout } from "../../src/store/index.ts";
import { type E2eServer, startE2eServer } from "../e2e/provisio_server.ts";
import { curl } from "./helpers.ts";

const A = parseMac("000e08ee0001") as MacAddress;
const B = parseMac("000e08ee0002") as MacAddress;
const C = parseMac("000e08ee0003") as MacAddress;
let server: E2eServer;
let rollout: Rollout;

function resync(mac: string, query: string, from = "127.0.0.1") {
  return curl([
    "--interface",
    from,
    "-A",
    `Cisco/SPA962-7.5.5 (${mac})`,
    `${server.http}/profile/${mac}.xml${query}`,
  ]);
}

async function until<T>(read: () => Promise<T>, done: (v: T) => boolean): Promise<T> {
  for (;;) {
    const v = await read();
    if (done(v)) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
}

const memberOf = async (mac: MacAddress) =>
  (await server.node.store.rollouts.members(rollout.id)).find((m) => m.mac === mac);

beforeAll(async () => {
  server = await startE2eServer();
  await server.addDevices([A, B, C]);
  const { store } = server.node;
  const bytes = Buffer.from("image 7.6.2");
  await uploadFirmware(
    store,
    server.node.config.filesDir,
    {
      tenantId: "default",
      version: "7.6.2",
      models: ["SPA962"],
      fileName: "fw-7.6.2.bin",
      sha256: createHash("sha256").update(bytes).digest("hex"),
      bytes,
    },
    "test",
  );
  const policy = await store.firmware.setPolicy({
    tenantId: "default",
    name: "all",
    target: "7.6.2",
    staged: true,
  });
  // Three units in one wave; a third of them failing crosses the 30 % threshold.
  rollout = await store.rollouts.create({
    policyId: policy.id,
    waves: [100],
    failureThreshold: 30,
    silenceMs: 3_600_000,
    members: [A, B, C].map((mac) => ({ mac, wave: 0, fromVersion: "7.5.5" })),
  });
  // The node learns of the rollout from the change feed: wait until it offers the hop.
  await until(
    () => resync(C, ""),
    (r) => r.body.includes("Upgrade_Rule"),
  );
}, 120_000);

afterAll(async () => {
  await server?.close();
});

describe("upgrade state reported by the unit", () => {
  it("$UPGST 2 from another address counts nothing; from the unit's own it fails the unit and halts the wave", async () => {
    // Both units are offered their hop and have not attempted it yet.
    for (const mac of [A, B]) {
      expect((await resync(mac, "?upgst=&upgerr=")).body).toContain("Upgrade_Rule");
      expect((await resync(mac, "?upgst=1&upgerr=")).status).toBe(200);
    }
    // Someone else names B with a failure: not B's address, nothing counted.
    expect((await resync(B, "?upgst=2&upgerr=forged", "127.0.0.2")).status).toBe(200);
    // A's attempt failed; it resyncs right after it, saying why.
    expect((await resync(A, "?upgst=2&upgerr=http_get%20failed")).status).toBe(200);

    const failed = await until(
      () => memberOf(A),
      (m) => m?.status === "failed",
    );
    expect(failed?.error).toBe("the unit reports: http_get failed");
    const halted = await until(
      () => server.node.store.rollouts.get(rollout.id),
      (r) => r.state !== "running",
    );
    expect(halted.state).toBe("halted");
    expect((await memberOf(B))?.status).toBe("offered");

    await server.node.writer.flush();
    const events = await server.node.store.events.list({ mac: A });
    expect(events.map((e) => e.message)).toContain(
      "upgrade failed on the unit ($UPGST 2): http_get failed",
    );
    expect((await server.node.store.events.list({ mac: B })).map((e) => e.message)).not.toContain(
      "upgrade failed on the unit ($UPGST 2): forged",
    );
  });
});
