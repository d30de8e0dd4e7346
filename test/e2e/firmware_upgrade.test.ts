/**
 * Firmware upgrades end to end, over real sockets: the real server (images uploaded through
 * the admin service, a policy with a required intermediate release) and the device emulator
 * three releases behind, once over HTTP and once over TFTP. The unit must pass through the
 * intermediate release and end on the target; the server's upgrade rule is what moves it.
 */
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setUpgradePolicy } from "../../src/admin/index.ts";
import { Device, VirtualClock } from "../../src/device/index.ts";
import { parseMac } from "../../src/store/index.ts";
import { curl } from "../server/helpers.ts";
import { firmwareImage, runUntilVersion, uploadImage } from "./firmware_helpers.ts";
import { type E2eServer, startE2eServer } from "./provisio_server.ts";

const HTTP_UNIT = "000e08f00001";
const TFTP_UNIT = "000e08f00002";
let server: E2eServer;

const image = (version: string): Buffer => firmwareImage(version, ["SPA962"]);
const upload = (version: string) =>
  uploadImage(server, version, ["SPA962"], `spa962-${version}.bin`);

/** Paths the server served to a unit, in order (its event log). */
async function served(mac: string): Promise<string[]> {
  await server.node.writer.flush();
  const events = await server.node.store.events.list({ mac: parseMac(mac) });
  return events.map((e) => `${e.transport} ${e.result} ${e.path}`).reverse();
}

beforeAll(async () => {
  server = await startE2eServer([{ name: "Resync_Random_Delay", value: "0", access: "na" }]);
  await server.addDevices([HTTP_UNIT, TFTP_UNIT]);
  writeFileSync(join(server.dir, "ca.pem"), server.serverCa);
  // Three releases newer than the units' 7.4.8; 7.5.5 is required on the way to 7.6.2.
  for (const v of ["7.5.5", "7.5.6", "7.6.2"]) await upload(v);
  await setUpgradePolicy(
    server.node.store,
    { tenantId: "default", name: "spa-762", target: "7.6.2", intermediates: ["7.5.5"] },
    "test",
  );
  await server.node.cache.settled();
  await new Promise((r) => setTimeout(r, 200)); // the change feed reaches the flows
}, 120_000);

afterAll(async () => {
  await server?.close();
});

function unitAt(mac: string, clock: VirtualClock, rule: string, dhcp?: string): Device {
  const unit = new Device({
    mac,
    productName: "SPA962",
    swVersion: "7.4.8",
    clock,
    ...(dhcp === undefined ? {} : { dhcp: { option66: dhcp } }),
  });
  unit.configure({ Profile_Rule: rule, Resync_Random_Delay: "0" });
  return unit;
}

describe("a unit three releases behind reaches the target through the required release (emulated unit)", () => {
  it("over HTTP", async () => {
    const clock = new VirtualClock();
    const unit = unitAt(HTTP_UNIT, clock, `${server.http}/profile/$MA.xml`);
    unit.powerOn();
    const versions = await runUntilVersion(unit, clock, "7.6.2");
    expect(versions).toEqual(["7.5.5", "7.6.2"]);
    expect(unit.identity.swVersion).toBe("7.6.2");
    expect((await served(HTTP_UNIT)).filter((p) => p.includes("/profile/")).length).toBeGreaterThan(
      2,
    );
    const rule = unit.params.get("Upgrade_Rule");
    expect(rule).toBe(`($SWVER lt 7.6.2)? ${server.http}/firmware/spa962-7.6.2.bin?mac=$MA`);
    expect(unit.params.get("Resync_After_Upgrade_Attempt")).toBe("Yes");
    // At the target the server offers nothing more.
    await unit.resync();
    expect(unit.params.get("Upgrade_Rule")).toBe(rule);
    unit.powerOff();
  }, 120_000);

  it("over TFTP (the unit's DHCP server, no server in the URL)", async () => {
    const clock = new VirtualClock();
    const unit = unitAt(TFTP_UNIT, clock, "/profile/$MA.xml", `127.0.0.1:${server.tftpPort}`);
    await server.node.store.firmware.listPolicies();
    const policy = (await server.node.store.firmware.listPolicies())[0]!;
    await setUpgradePolicy(
      server.node.store,
      {
        tenantId: "default",
        name: policy.name,
        target: "7.6.2",
        intermediates: ["7.5.5"],
        scheme: "tftp",
      },
      "test",
    );
    await new Promise((r) => setTimeout(r, 200));
    unit.powerOn();
    const versions = await runUntilVersion(unit, clock, "7.6.2");
    expect(versions).toEqual(["7.5.5", "7.6.2"]);
    expect(unit.identity.swVersion).toBe("7.6.2");
    // TFTP carries no User-Agent: the server cannot read the unit's version, so the rule is
    // the whole chain and the unit picks its hop (each alternative guarded by its image).
    expect(unit.params.get("Upgrade_Rule")).toBe(
      "($SWVER lt 7.5.5)? /firmware/spa962-7.5.5.bin?mac=$MA | ($SWVER lt 7.6.2)? /firmware/spa962-7.6.2.bin?mac=$MA",
    );
    unit.powerOff();
  }, 120_000);
});

describe("serving images", () => {
  it("HTTP Range returns the asked bytes; an unknown name is 404; a missing file is 503", async () => {
    const bytes = image("7.5.6");
    // Images go to the tenant's units only: the URL names the unit, as the upgrade rule does.
    const unit = `?mac=${HTTP_UNIT}`;
    expect((await curl([`${server.http}/firmware/spa962-7.5.6.bin`])).status).toBe(404);
    const full = await curl([`${server.http}/firmware/spa962-7.5.6.bin${unit}`]);
    expect(full.status).toBe(200);
    const part = await curl([
      "-H",
      "Range: bytes=7-20",
      `${server.http}/firmware/spa962-7.5.6.bin${unit}`,
    ]);
    expect(part.status).toBe(206);
    expect(part.body).toBe(bytes.subarray(7, 21).toString("latin1"));
    // HTTPS serves the same bytes, with Range too.
    const tls = await curl([
      "--cacert",
      join(server.dir, "ca.pem"),
      "-H",
      "Range: bytes=-10",
      `${server.https}/firmware/spa962-7.5.6.bin${unit}`,
    ]);
    expect(tls.status).toBe(206);
    expect(tls.headers["content-range"]).toBe(
      `bytes ${bytes.length - 10}-${bytes.length - 1}/${bytes.length}`,
    );
    expect(tls.body).toBe(bytes.subarray(bytes.length - 10).toString("latin1"));
    expect((await curl([`${server.http}/firmware/nothing.bin${unit}`])).status).toBe(404);
    // Registered, but the file never reached this node's files directory.
    await upload("7.5.7");
    rmSync(join(server.node.config.filesDir, "firmware", "default", "spa962-7.5.7.bin"));
    await new Promise((r) => setTimeout(r, 200));
    const missing = await curl([`${server.http}/firmware/spa962-7.5.7.bin${unit}`]);
    expect(missing.status).toBe(503);
    expect(missing.body).toContain("registered but not on this node");
    expect(missing.headers["retry-after"]).toBe("60");
    // …and says so in the tenant's event log.
    await server.node.writer.flush();
    const events = await server.node.store.events.list({ limit: 50 });
    expect(
      events.some(
        (e) =>
          e.statusCode === 503 &&
          e.message?.includes("spa962-7.5.7.bin is registered but not on this node"),
      ),
    ).toBe(true);
  });
});
