/**
 * Firmware over HTTPS under an `https` upgrade policy, against the real server node: the
 * SPA9x2 phones (an SPA962) and MPP units take https image URLs; an SPA ATA (SPA2102),
 * which cannot upgrade over HTTPS, gets an http one. End to end, an emulated SPA962
 * provisioned over HTTPS downloads its image over HTTPS and installs it.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setUpgradePolicy } from "../../src/admin/index.ts";
import { Device, VirtualClock } from "../../src/device/index.ts";
import { curl } from "../server/helpers.ts";
import { runUntilVersion, uploadImage } from "./firmware_helpers.ts";
import { type E2eServer, startE2eServer } from "./provisio_server.ts";

const PHONE = "000e08f10001";
const ATA = "000e08f10002";
const EMULATED = "000e08f10003";
let server: E2eServer;
let ca: string;

beforeAll(async () => {
  server = await startE2eServer([{ name: "Resync_Random_Delay", value: "0", access: "na" }]);
  await server.addDevices([PHONE, EMULATED]);
  await server.addDevices([ATA], "SPA2102");
  ca = join(server.dir, "ca.pem");
  writeFileSync(ca, server.serverCa);
  await uploadImage(server, "7.5.5", ["SPA962", "SPA2102"], "spa-7.5.5.bin");
  await setUpgradePolicy(
    server.node.store,
    { tenantId: "default", name: "over-https", target: "7.5.5", scheme: "https" },
    "test",
  );
  await server.node.cache.settled();
  await new Promise((r) => setTimeout(r, 200)); // the change feed reaches the flows
});

afterAll(async () => {
  await server?.close();
});

/** The Upgrade_Rule in the profile a unit running `ua` gets from `base`. */
async function ruleFor(base: string, mac: string, ua: string): Promise<string | undefined> {
  const r = await curl(["--cacert", ca, "-A", ua, `${base}/profile/${mac}.xml`]);
  expect(r.status).toBe(200);
  return /<Upgrade_Rule ua="na">([^<]*)<\/Upgrade_Rule>/.exec(r.body)?.[1];
}

describe("an https upgrade policy", () => {
  it("gives an SPA962 an https image URL and an SPA2102 an http one", async () => {
    expect(await ruleFor(server.https, PHONE, `Cisco/SPA962-7.4.8 (${PHONE})`)).toBe(
      `($SWVER lt 7.5.5)? ${server.https}/firmware/spa-7.5.5.bin?mac=$MA`,
    );
    expect(await ruleFor(server.http, ATA, `Cisco/SPA2102-7.4.8 (${ATA})`)).toBe(
      `($SWVER lt 7.5.5)? ${server.http}/firmware/spa-7.5.5.bin?mac=$MA`,
    );
    // Asking over HTTPS does not give the ATA an https URL either.
    const overHttps = await ruleFor(server.https, ATA, `Cisco/SPA2102-7.4.8 (${ATA})`);
    expect(overHttps ?? "").not.toContain("https:");
  });

  it("an emulated SPA962 provisioned over HTTPS downloads its image over HTTPS and installs it", async () => {
    const clock = new VirtualClock();
    const unit = new Device({
      mac: EMULATED,
      productName: "SPA962",
      swVersion: "7.4.8",
      clock,
      trustedServerCas: [server.serverCa],
    });
    unit.configure({ Profile_Rule: `${server.https}/profile/$MA.xml`, Resync_Random_Delay: "0" });
    unit.powerOn();
    expect(await runUntilVersion(unit, clock, "7.5.5")).toEqual(["7.5.5"]);
    expect(unit.params.get("Upgrade_Rule")).toBe(
      `($SWVER lt 7.5.5)? ${server.https}/firmware/spa-7.5.5.bin?mac=$MA`,
    );
    unit.powerOff();
  });
});
