/**
 * Reboots, factory reset and the C12 rule on a virtual clock against a real HTTP server:
 * which reboots resync on reset, what a factory reset restores, and the syslog pairing
 * when name resolution fails.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Device, networkFetcher, VirtualClock } from "../../src/device/index.ts";
import { flat, type StaticServer, startStaticServer } from "./helpers.ts";

let clock: VirtualClock;
let server: StaticServer;

beforeEach(async () => {
  clock = new VirtualClock();
  server = await startStaticServer(() => clock.now());
});
afterEach(async () => {
  await server.close();
});

function unit(compat: { resyncAfterProfileReboot?: boolean } = {}): Device {
  return new Device({
    mac: "000e08012345",
    productName: "SPA2102",
    clock,
    compat,
    fetcher: networkFetcher({
      resolve: async (h) => (h === "127.0.0.1" ? ["127.0.0.1"] : []),
    }),
  });
}

describe("C12: which reboots resync on reset (§6.2.1)", () => {
  it("a profile that changes a line parameter reboots the unit without a boot resync", async () => {
    server.files.set("/p.xml", { body: flat("<User_ID_1_>4085551234</User_ID_1_>") });
    const d = unit();
    d.configure({ Profile_Rule: `${server.base}/p.xml`, Resync_Random_Delay: "0" });
    d.powerOn();
    await clock.advance(60_000);
    expect(d.rebootHistory.map((r) => r.reason)).toEqual(["Power On", "Provisioning"]);
    expect(server.requests).toHaveLength(1);
    expect(d.timerSnapshot().bootResyncAt).toBeUndefined();
  });

  it("switch resyncAfterProfileReboot: the profile-caused reboot resyncs too (and only once more)", async () => {
    server.files.set("/p.xml", { body: flat("<User_ID_1_>4085551234</User_ID_1_>") });
    const d = unit({ resyncAfterProfileReboot: true });
    d.configure({ Profile_Rule: `${server.base}/p.xml`, Resync_Random_Delay: "0" });
    d.powerOn();
    await clock.advance(60_000);
    // The second resync changes nothing, so there is no further reboot.
    expect(server.requests).toHaveLength(2);
    expect(d.rebootHistory).toHaveLength(2);
  });

  it("§12.4 #4: Submit All Changes reboots and resyncs", async () => {
    server.files.set("/SPA2102_000e08012345.cfg", { body: flat("<GPP_A>unique</GPP_A>") });
    const d = unit();
    d.configure({ Resync_On_Reset: "No" });
    d.powerOn();
    d.submit({
      Profile_Rule: `${server.base}/$PN_$MA.cfg`,
      Resync_On_Reset: "Yes",
      Resync_Random_Delay: "0",
    });
    await clock.advance(1000);
    expect(server.requests.map((r) => r.url)).toEqual(["/SPA2102_000e08012345.cfg"]);
    expect(d.params.get("GPP_A")).toBe("unique");
    expect(d.provisioningState).toBe("SP-CUST");
  });

  it("a reboot asked for during a call waits for hang-up (§6.3)", async () => {
    const d = unit();
    d.configure({ Resync_On_Reset: "No" });
    d.powerOn();
    d.startCall(1);
    d.reboot("SIP Triggered");
    expect(d.rebootHistory).toHaveLength(1);
    d.endCall(1);
    expect(d.rebootHistory.map((r) => r.reason)).toEqual(["Power On", "SIP Triggered"]);
  });
});

describe("factory reset (§2.4, §9.4)", () => {
  it("restores every value and access, MFG-RESET, and clears the reboot history", async () => {
    server.files.set("/p.xml", {
      body: flat('<GPP_A ua="rw">x</GPP_A><Profile_Rule_B>/b.cfg</Profile_Rule_B>'),
    });
    const d = unit();
    d.configure({ Resync_On_Reset: "No" });
    d.powerOn();
    await d.resync(`${server.base}/p.xml`);
    expect(d.provisioningState).toBe("SP-CUST");
    d.factoryReset();
    expect(d.provisioningState).toBe("MFG-RESET");
    expect(d.params.get("GPP_A")).toBe("");
    expect(d.params.access("GPP_A")).toBe("na");
    expect(d.params.get("Resync_On_Reset")).toBe("Yes");
    expect(d.params.changedNames()).toEqual([]);
    expect(d.rebootHistory.map((r) => r.reason)).toEqual(["Factory Reset"]);
    // Back at factory: the boot resync goes to /spa$PSN.cfg, and with no DHCP it fails.
    await clock.advance(41_000);
    expect(d.log.messages("syslog").slice(-2)).toEqual([
      "SPA2102 00:0e:08:01:23:45 -- Requesting resync tftp://:69/spa2102.cfg",
      "SPA2102 00:0e:08:01:23:45 -- Resync failed: no provisioning server",
    ]);
  });
});

describe("request/result pairing (§6.8)", () => {
  it("a name that does not resolve still logs one request line, then the failure", async () => {
    const d = unit();
    d.configure({ Resync_On_Reset: "No" });
    d.powerOn();
    const r = await d.resync("http://prov.invalid/p.xml");
    expect(r).toMatchObject({ ok: false, err: "dns lookup failed" });
    expect(d.log.messages("syslog")).toEqual([
      "SPA2102 00:0e:08:01:23:45 -- Requesting resync http://:80/p.xml",
      "SPA2102 00:0e:08:01:23:45 -- Resync failed: dns lookup failed",
    ]);
  });
});
