/**
 * Who sees and edits what (§3.2.3, §3.7, §9.1) after profiles set `ua`, and the Info page
 * (§12.1).
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Device, editParameter, VirtualClock, visibleParameters } from "../../src/device/index.ts";
import { flat, type StaticServer, startStaticServer } from "./helpers.ts";

let server: StaticServer;
beforeEach(async () => {
  server = await startStaticServer();
});
afterEach(async () => {
  await server.close();
});

describe("user access on the web page (§3.2.3)", () => {
  it("the User sees rw and ro, edits only rw, never sees na; the Admin sees and edits all but secrets", async () => {
    server.files.set("/p.xml", {
      body: flat(
        '<Dial_Plan_1_ ua="ro"/><Dial_Plan_2_ ua="rw"/><GPP_A ua="rw">a</GPP_A>' +
          '<SIP_TOS_DiffServ_Value_1_ ua="na"/><GPP_SA ua="rw">secret-key</GPP_SA>' +
          '<Password_1_ ua="ro">line-secret</Password_1_>',
      ),
    });
    const d = new Device({
      mac: "000e08012345",
      productName: "SPA2102",
      clock: new VirtualClock(),
    });
    d.configure({ Resync_On_Reset: "No" });
    d.powerOn();
    expect((await d.resync(`${server.base}/p.xml`))?.ok).toBe(true);
    const user = new Map(visibleParameters(d.params, "user").map((p) => [p.name, p]));
    expect(user.get("Dial_Plan_1_")).toMatchObject({ editable: false });
    expect(user.get("Dial_Plan_2_")).toMatchObject({ editable: true });
    expect(user.get("GPP_A")).toMatchObject({ value: "a", editable: true });
    expect(user.has("SIP_TOS_DiffServ_Value_1_")).toBe(false);
    expect(user.has("Profile_Rule")).toBe(false); // factory na
    expect(user.has("GPP_SA")).toBe(false); // never on a web page
    expect(user.get("Password_1_")).toMatchObject({ value: undefined }); // shown as a field, not its value
    const admin = new Map(visibleParameters(d.params, "admin").map((p) => [p.name, p]));
    expect(admin.get("SIP_TOS_DiffServ_Value_1_")).toMatchObject({ editable: true });
    expect(admin.has("GPP_SA")).toBe(false);

    expect(editParameter(d.params, "user", "Dial_Plan_1_", "(x.)")).toBe("read-only");
    expect(editParameter(d.params, "user", "SIP_TOS_DiffServ_Value_1_", "0x10")).toBe("hidden");
    expect(editParameter(d.params, "user", "Dial_Plan_2_", "(x.)")).toBeUndefined();
    expect(editParameter(d.params, "admin", "SIP_TOS_DiffServ_Value_1_", "0x10")).toBeUndefined();
    expect(editParameter(d.params, "admin", "GPP_SA", "x")).toBe("profile-only");
    expect(editParameter(d.params, "admin", "Resync_Periodic", "soon")).toBe("invalid");
    expect(d.params.get("Dial_Plan_2_")).toBe("(x.)");
    expect(d.params.get("GPP_SA")).toBe("secret-key");
  });
});

describe("Info page (§12.1)", () => {
  it("product information", () => {
    const d = new Device({
      mac: "00:0e:08:ab:cd:ef",
      productName: "SPA962",
      serial: "88012BA01234",
      swVersion: "6.1.5(a)",
      hwVersion: "1.0.0",
      clock: new VirtualClock(),
    });
    expect(d.productInformation).toEqual({
      productName: "SPA962",
      serialNumber: "88012BA01234",
      softwareVersion: "6.1.5(a)",
      hardwareVersion: "1.0.0",
      macAddress: "000E08ABCDEF",
      clientCertificate: "Not Installed",
      customization: "Open",
    });
    expect(d.expand("$PSN")).toBe("962");
  });
});
