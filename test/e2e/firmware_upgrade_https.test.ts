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
import { parseMac } from "../../src/store/index.ts";
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
    // Asking over HTTPS (no public HTTP URL configured) gives the ATA an http URL on this
    // node's HTTP listener, under the name it asked by.
    expect(await ruleFor(server.https, ATA, `Cisco/SPA2102-7.4.8 (${ATA})`)).toBe(
      `($SWVER lt 7.5.5)? ${server.http}/firmware/spa-7.5.5.bin?mac=$MA`,
    );
  });

  it("with an https base URL, an SPA ATA gets an http URL from public.http_url, or no rule and an event saying why", async () => {
    const [phone, ata] = ["000e08f10011", "000e08f10012"];
    /** A group of `target` whose policy names an https base only, with an SPA962 and an ATA. */
    const based = async (target: E2eServer) => {
      const { store } = target.node;
      await target.addDevices([phone]);
      await target.addDevices([ata], "SPA2102");
      const group = await store.groups.create({ tenantId: "default", name: "cdn" });
      for (const mac of [phone, ata])
        await store.devices.update(parseMac(mac), { groupId: group.id });
      await setUpgradePolicy(
        store,
        {
          tenantId: "default",
          name: "cdn",
          target: "7.5.5",
          scheme: "https",
          baseUrl: "https://fw.example.com",
          groupId: group.id,
        },
        "test",
      );
      await target.node.cache.settled();
      await new Promise((r) => setTimeout(r, 200));
    };
    await based(server);
    expect(await ruleFor(server.http, phone, `Cisco/SPA962-7.4.8 (${phone})`)).toBe(
      "($SWVER lt 7.5.5)? https://fw.example.com/firmware/spa-7.5.5.bin?mac=$MA",
    );
    // No public HTTP URL: the ATA gets no rule, and its events say why.
    expect(await ruleFor(server.http, ata, `Cisco/SPA2102-7.4.8 (${ata})`)).toBeUndefined();
    await server.node.writer.flush();
    const events = await server.node.store.events.list({ mac: parseMac(ata) });
    expect(events.map((e) => e.message)).toContain(
      "firmware upgrade not offered: SPA2102 cannot upgrade over https and no http server address is known (set public.http_url)",
    );
    // With one, the ATA's URL names it.
    const withPublic = await startE2eServer([], {
      PROVISIO_PUBLIC_HTTP_URL: "http://prov.example.com:8080/",
    });
    try {
      await uploadImage(withPublic, "7.5.5", ["SPA962", "SPA2102"], "spa-7.5.5.bin");
      await based(withPublic);
      const r = await curl([
        "-A",
        `Cisco/SPA2102-7.4.8 (${ata})`,
        `${withPublic.http}/profile/${ata}.xml`,
      ]);
      expect(/<Upgrade_Rule ua="na">([^<]*)<\/Upgrade_Rule>/.exec(r.body)?.[1]).toBe(
        "($SWVER lt 7.5.5)? http://prov.example.com:8080/firmware/spa-7.5.5.bin?mac=$MA",
      );
    } finally {
      await withPublic.close();
    }
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
