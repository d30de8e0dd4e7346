/**
 * The Upgrade_Rule a unit's profile carries, over real HTTP: the most specific policy wins,
 * another tenant's policy never reaches a unit, the next hop follows the version the unit
 * reports (also for a unit asking If-Modified-Since), a hop that cannot be offered is an
 * event on the device, and a staged policy offers nothing.
 */
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setUpgradePolicy, uploadFirmware } from "../../src/admin/index.ts";
import { parseMac } from "../../src/store/index.ts";
import { type E2eServer, startE2eServer } from "../e2e/provisio_server.ts";
import { curl } from "./helpers.ts";

const A = "000e08dd0001";
const B = "000e08dd0002";
let server: E2eServer;

function ua(mac: string, version: string): string {
  return `Cisco/SPA962-${version} (${mac})`;
}

async function rule(mac: string, version: string, extra: string[] = []) {
  const r = await curl(["-A", ua(mac, version), ...extra, `${server.http}/profile/${mac}.xml`]);
  const m = /<Upgrade_Rule ua="na">([^<]*)<\/Upgrade_Rule>/.exec(r.body);
  return { status: r.status, rule: m?.[1], headers: r.headers };
}

async function image(version: string, models: string[]) {
  const bytes = Buffer.from(`image ${version}`);
  await uploadFirmware(
    server.node.store,
    server.node.config.filesDir,
    {
      tenantId: "default",
      version,
      models,
      fileName: `fw-${version}.bin`,
      sha256: createHash("sha256").update(bytes).digest("hex"),
      bytes,
    },
    "test",
  );
}

const settle = () => new Promise((r) => setTimeout(r, 300));

beforeAll(async () => {
  server = await startE2eServer();
  await server.addDevices([A, B]);
  const { store } = server.node;
  const group = await store.groups.create({ tenantId: "default", name: "lobby" });
  await store.devices.update(parseMac(B), { groupId: group.id });
  for (const v of ["7.5.5", "7.6.2", "7.7.1"]) await image(v, ["SPA962"]);
  await setUpgradePolicy(
    store,
    { tenantId: "default", name: "all", target: "7.6.2", intermediates: ["7.5.5"] },
    "test",
  );
  await setUpgradePolicy(
    store,
    { tenantId: "default", name: "lobby", target: "7.7.1", groupId: group.id },
    "test",
  );
  await server.node.cache.settled();
  await settle();
}, 120_000);

afterAll(async () => {
  await server?.close();
});

describe("the upgrade rule in a unit's profile", () => {
  it("follows the reported version hop by hop, also for If-Modified-Since", async () => {
    const first = await rule(A, "7.4.8");
    expect(first.rule).toBe(`($SWVER lt 7.5.5)? ${server.http}/firmware/fw-7.5.5.bin?mac=$MA`);
    const next = await rule(A, "7.5.5", [
      "-H",
      `If-Modified-Since: ${first.headers["last-modified"]}`,
    ]);
    expect(next.status).toBe(200);
    expect(next.rule).toBe(`($SWVER lt 7.6.2)? ${server.http}/firmware/fw-7.6.2.bin?mac=$MA`);
    expect((await rule(A, "7.6.2")).rule).toBeUndefined();
    // Never a downgrade.
    expect((await rule(A, "7.7.1")).rule).toBeUndefined();
  });

  it("the group's policy wins over the tenant's", async () => {
    expect((await rule(B, "7.4.8")).rule).toBe(
      `($SWVER lt 7.7.1)? ${server.http}/firmware/fw-7.7.1.bin?mac=$MA`,
    );
  });

  it("another tenant's policy and images never reach a unit", async () => {
    const { store } = server.node;
    const other = await store.tenants.create({
      slug: "other",
      name: "Other",
      settings: { profilePaths: ["/other/$MA.xml"] },
    });
    await store.devices.create({
      mac: parseMac("000e08dd0003"),
      tenantId: other.id,
      modelPn: "SPA962",
    });
    await server.node.cache.settled();
    await settle();
    const r = await curl([
      "-A",
      ua("000e08dd0003", "7.4.8"),
      `${server.http}/other/000e08dd0003.xml`,
    ]);
    expect(r.status).toBe(200);
    expect(r.body).not.toContain("Upgrade_Rule");
  });

  it("a hop without an image for the unit's model is not offered, and the device's events say why", async () => {
    const { store } = server.node;
    await store.devices.create({ mac: parseMac("000e08dd0004"), modelPn: "SPA504G" });
    await server.node.cache.settled();
    const r = await curl([
      "-A",
      "Cisco/SPA504G-7.4.8 (000e08dd0004)",
      `${server.http}/profile/000e08dd0004.xml`,
    ]);
    expect(r.status).toBe(200);
    expect(r.body).not.toContain("Upgrade_Rule");
    await server.node.writer.flush();
    const events = await store.events.list({ mac: parseMac("000e08dd0004") });
    expect(events.map((e) => e.message)).toContain(
      "firmware upgrade not offered: no image of 7.5.5 for SPA504G",
    );
  });

  it("a staged policy offers nothing until a rollout admits the unit", async () => {
    await setUpgradePolicy(
      server.node.store,
      { tenantId: "default", name: "all", target: "7.6.2", intermediates: ["7.5.5"], staged: true },
      "test",
    );
    await settle();
    expect((await rule(A, "7.4.8")).rule).toBeUndefined();
  });
});
