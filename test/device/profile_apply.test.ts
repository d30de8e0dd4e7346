/**
 * Applying a received XML profile (§3.2.3–§3.2.6) as the device does, through a real
 * fetch: empty, white-space and self-closing elements, `ua` present/absent/invalid,
 * MPP's preserve-value, value clean-up, and the compatibility switches C5/C6.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Device, type DeviceOptions, userAgent, VirtualClock } from "../../src/device/index.ts";
import { flat, type StaticServer, startStaticServer } from "./helpers.ts";

let server: StaticServer;

beforeEach(async () => {
  server = await startStaticServer();
});
afterEach(async () => {
  await server.close();
});

function unit(options: Partial<DeviceOptions> = {}): Device {
  const d = new Device({
    mac: "000e08012345",
    productName: "SPA2102",
    clock: new VirtualClock(),
    ...options,
  });
  d.configure({ Resync_On_Reset: "No" });
  d.powerOn();
  return d;
}

async function serve(d: Device, xml: string): Promise<void> {
  server.files.set("/p.xml", { body: xml });
  const r = await d.resync(`${server.base}/p.xml`);
  expect(r?.ok, JSON.stringify(d.log.messages())).toBe(true);
}

const MPP: Partial<DeviceOptions> = {
  family: "mpp",
  productName: "CP-8841-3PCC",
  productSeries: "8841",
};

describe("empty values (§3.2.6, C6, C7)", () => {
  it("<X></X> and <X> </X> set the empty string; <X/> too", async () => {
    const d = unit();
    d.configure({ GPP_A: "a", GPP_B: "b", Profile_Rule_B: "/b.cfg" });
    await serve(d, flat("<GPP_A></GPP_A><GPP_B> </GPP_B><Profile_Rule_B />"));
    expect([d.params.get("GPP_A"), d.params.get("GPP_B"), d.params.get("Profile_Rule_B")]).toEqual([
      "",
      "",
      "",
    ]);
  });

  it('<Profile_Rule_B ua="na"></Profile_Rule_B> clears; <Profile_Rule_B ua="na"/> only changes access (C.1 note)', async () => {
    const d = unit();
    d.configure({ Profile_Rule_B: "/b.cfg" });
    await serve(d, flat('<Profile_Rule_B ua="ro"/>'));
    expect(d.params.get("Profile_Rule_B")).toBe("/b.cfg");
    expect(d.params.access("Profile_Rule_B")).toBe("ro");
    await serve(d, flat('<Profile_Rule_B ua="na"></Profile_Rule_B>'));
    expect(d.params.get("Profile_Rule_B")).toBe("");
  });

  it('a user\'s speed dial survives <Speed_Dial_2_2_ ua="rw"/>', async () => {
    const d = unit();
    d.configure({ Speed_Dial_2_2_: "5551234" });
    await serve(d, flat('<Speed_Dial_2_2_ ua="rw"/>'));
    expect(d.params.get("Speed_Dial_2_2_")).toBe("5551234");
    expect(d.params.access("Speed_Dial_2_2_")).toBe("rw");
  });

  it("a group annotation alone does not keep the value (device export form)", async () => {
    const d = unit();
    d.configure({ Syslog_Server: "10.0.0.1" });
    await serve(d, flat('<Syslog_Server group="System/Optional_Network_Configuration" />'));
    expect(d.params.get("Syslog_Server")).toBe("");
  });

  it("C6 switch emptyXmlValue=default: <X></X> restores the factory value", async () => {
    const d = unit({ compat: { emptyXmlValue: "default" } });
    d.configure({ Resync_Periodic: "60" });
    await serve(d, flat("<Resync_Periodic></Resync_Periodic>"));
    expect(d.params.get("Resync_Periodic")).toBe("3600");
  });
});

describe("user access (§3.2.3, C5)", () => {
  it("SPA: an element without ua gets the factory access back", async () => {
    const d = unit();
    await serve(d, flat('<Speed_Dial_3_1_ ua="na">1</Speed_Dial_3_1_>'));
    expect(d.params.access("Speed_Dial_3_1_")).toBe("na");
    await serve(d, flat("<Speed_Dial_3_1_>2</Speed_Dial_3_1_>"));
    expect(d.params.access("Speed_Dial_3_1_")).toBe("rw");
  });

  it("MPP: an element without ua keeps the current access", async () => {
    const d = unit(MPP);
    await serve(d, flat('<Speed_Dial_3_1_ ua="na">1</Speed_Dial_3_1_>'));
    await serve(d, flat("<Speed_Dial_3_1_>2</Speed_Dial_3_1_>"));
    expect(d.params.access("Speed_Dial_3_1_")).toBe("na");
    expect(d.params.get("Speed_Dial_3_1_")).toBe("2");
  });

  it("an unquoted ua is accepted leniently; an unknown ua value keeps the access", async () => {
    const d = unit();
    await serve(d, flat("<GPP_A ua=ro>x</GPP_A>"));
    expect(d.params.access("GPP_A")).toBe("ro");
    await serve(d, flat('<GPP_A ua="xx">y</GPP_A>'));
    expect(d.params.access("GPP_A")).toBe("ro");
    expect(d.params.get("GPP_A")).toBe("y");
  });

  it("MPP preserve-value: access changes, an existing value stays, an empty one is filled", async () => {
    const d = unit(MPP);
    const xml = flat('<Station_Name ua="rw" preserve-value="y">Travel Agent 1</Station_Name>');
    await serve(d, xml);
    expect(d.params.get("Station_Name")).toBe("Travel Agent 1");
    d.configure({ Station_Name: "Front Desk" });
    await serve(d, xml);
    expect(d.params.get("Station_Name")).toBe("Front Desk");
  });
});

describe("values (§3.2.4, §3.2.5)", () => {
  it("trims, turns newlines into spaces, decodes escapes and references", async () => {
    const d = unit();
    await serve(
      d,
      flat(
        "<GPP_D>\n  OU=SPA-962,\nL=88012BA01234,\r\nS=000e08abcdef  </GPP_D>" +
          "<Dial_Plan_1_>( S0 &lt;:18005551212&gt; )</Dial_Plan_1_><GPP_E>&#40;x&#x2e;</GPP_E>",
      ),
    );
    expect(d.params.get("GPP_D")).toBe("OU=SPA-962, L=88012BA01234, S=000e08abcdef");
    expect(d.params.get("Dial_Plan_1_")).toBe("( S0 <:18005551212> )");
    expect(d.params.get("GPP_E")).toBe("(x.");
  });

  it("unknown names are ignored, the last occurrence wins, absent names are untouched", async () => {
    const d = unit();
    d.configure({ GPP_F: "keep" });
    await serve(d, flat("<No_Such_Param>1</No_Such_Param><GPP_A>1</GPP_A><GPP_A>2</GPP_A>"));
    expect(d.params.has("No_Such_Param")).toBe(false);
    expect(d.params.get("GPP_A")).toBe("2");
    expect(d.params.get("GPP_F")).toBe("keep");
  });

  it("an invalid value keeps the previous one and is logged", async () => {
    const d = unit();
    await serve(
      d,
      flat("<Resync_Periodic>soon</Resync_Periodic><Provision_Enable>maybe</Provision_Enable>"),
    );
    expect(d.params.get("Resync_Periodic")).toBe("3600");
    expect(d.params.get("Provision_Enable")).toBe("Yes");
    expect(d.log.messages().join("\n")).toMatch(/Resync_Periodic refuses "soon"/);
  });

  it("non-ASCII characters are replaced (SPA values are ASCII)", async () => {
    const d = unit();
    await serve(d, flat("<Display_Name_1_>Zoë</Display_Name_1_>"));
    expect(d.params.get("Display_Name_1_")).toBe("Zo?");
  });
});

describe("User-Agent (§8.2.2)", () => {
  it("SPA, SPA with MAC, and MPP forms", async () => {
    const d = unit();
    server.files.set("/p.xml", { body: flat("") });
    await d.resync(`${server.base}/p.xml`);
    expect(server.requests[0]!.headers["user-agent"]).toBe(userAgent(d.identity));
    expect(userAgent(d.identity)).toMatch(/^Cisco\/SPA2102-2\.0\.6\(b\) \(\w+\)$/);
    expect(userAgent(d.identity, true)).toMatch(
      /^Cisco\/SPA2102-2\.0\.6\(b\) \(000E08012345\)\(\w+\)$/,
    );
    const m = unit(MPP);
    expect(userAgent(m.identity)).toBe("Cisco-CP-8841-3PCC/sip88xx.11-3-1MPP-678 (000e08012345)");
  });
});

describe("the table a unit keeps", () => {
  it("only what differs from the shared factory table; a value set back to factory is dropped", async () => {
    const d = unit();
    expect(d.params.changedNames()).toEqual(["Resync_On_Reset"]);
    await serve(d, flat('<GPP_A ua="na">x</GPP_A>'));
    expect(d.params.changedNames().sort()).toEqual(["GPP_A", "Resync_On_Reset"]);
    await serve(d, flat('<GPP_A ua="na"></GPP_A>'));
    expect(d.params.changedNames()).toEqual(["Resync_On_Reset"]);
    expect(d.params.entries().size).toBe(d.params.catalogue.parameters.length);
  });
});
