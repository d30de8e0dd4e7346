import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApi, type TestApi } from "./helpers.ts";

/** A fresh install knows the catalogue's models; layers are checked per model. */
describe("built-in models and per-model layer checks", () => {
  let api: TestApi;

  beforeAll(async () => {
    api = await startApi();
  });
  afterAll(() => api.close());

  it("lists every catalogue model on a fresh install, with its factory Profile_Rule", async () => {
    const list = await api.request("GET", "/api/v1/models");
    expect(list.status).toBe(200);
    const byPn = new Map(list.body.items.map((m: { pn: string }) => [m.pn, m]));
    for (const pn of [
      "SPA2102",
      "SPA3102",
      "SPA112",
      "SPA122",
      "SPA8000",
      "SPA303",
      "SPA504G",
      "SPA525G2",
      "SPA962",
      "CP-6841-3PCC",
      "CP-6851-3PCC",
      "CP-7821-3PCC",
      "CP-7841-3PCC",
      "CP-7861-3PCC",
      "CP-8811-3PCC",
      "CP-8841-3PCC",
      "CP-8851-3PCC",
      "CP-8861-3PCC",
      "ATA191-MPP",
      "ATA192-MPP",
      "SPA-2000",
      "SPA-3000",
    ]) {
      expect(byPn.has(pn), pn).toBe(true);
    }
    expect(byPn.get("SPA2102")).toMatchObject({
      psn: "2102",
      family: "spa-ata",
      lines: 2,
      fxsPorts: 2,
      lineKeys: 0,
      factoryProfileRule: "/spa2102.cfg",
      builtIn: true,
      version: 0,
    });
    expect(byPn.get("CP-8851-3PCC")).toMatchObject({
      psn: "8851",
      family: "mpp-phone",
      lines: 10,
      fxsPorts: 0,
      lineKeys: 10,
      factoryProfileRule: "/8851.xml",
    });
    expect(byPn.get("ATA191-MPP")).toMatchObject({ factoryProfileRule: "/ata191.cfg" });
    expect(byPn.get("SPA-2000")).toMatchObject({ factoryProfileRule: "/spa.cfg" });
    const one = await api.request("GET", "/api/v1/models/SPA504G");
    expect(one.body).toMatchObject({ lineKeys: 4, factoryProfileRule: "/spa504G.cfg" });
  });

  it("overrides a built-in model with a stored row; deleting the row restores it", async () => {
    const put = await api.request("PUT", "/api/v1/models/SPA122", {
      body: { family: "spa1xx", description: "our SPA122" },
    });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ builtIn: true, lines: 2, description: "our SPA122" });
    expect(put.body.version).toBeGreaterThan(0);
    expect((await api.request("DELETE", "/api/v1/models/SPA122")).status).toBe(204);
    const back = await api.request("GET", "/api/v1/models/SPA122");
    expect(back.body).toMatchObject({
      version: 0,
      description: "Cisco SPA122 2-port ATA with router",
    });
    const again = await api.request("DELETE", "/api/v1/models/SPA122");
    expect(again.status).toBe(409);
    expect(again.body.error.message).toContain("built in");
  });

  it("refuses a line or line key the model does not have, with the model's limits", async () => {
    const ata = await api.request("PATCH", "/api/v1/tenants/default/models/SPA112/layer", {
      body: { set: [{ name: "Line_Enable_3_", value: "Yes" }] },
    });
    expect(ata.status).toBe(400);
    expect(ata.body.error.code).toBe("API_UNKNOWN_PARAMETER");
    expect(ata.body.error.message).toContain("SPA112 has 2 lines (FXS ports)");
    expect(ata.body.error.message).toContain("from 1 to 2");

    const phone = await api.request(
      "PUT",
      "/api/v1/tenants/default/models/SPA504G/layer/parameters/Extension_7_",
      { body: { value: "1" } },
    );
    expect(phone.status).toBe(400);
    expect(phone.body.error.message).toContain("SPA504G has 4 line keys");

    // A device with a model is checked like its model.
    expect(
      (
        await api.request("POST", "/api/v1/devices", {
          body: { mac: "000e08bb0112", model: "SPA112" },
        })
      ).status,
    ).toBe(201);
    const device = await api.request("PATCH", "/api/v1/devices/000e08bb0112/layer", {
      body: { set: [{ name: "User_ID_3_", value: "3003" }] },
    });
    expect(device.status).toBe(400);
    expect(device.body.error.message).toContain("SPA112 has 2 lines");
    const notOnAta = await api.request("PATCH", "/api/v1/devices/000e08bb0112/layer", {
      body: { set: [{ name: "Text_Logo", value: "ACME" }] },
    });
    expect(notOnAta.status).toBe(400);
    expect(notOnAta.body.error.message).toContain("Text_Logo is not a parameter of SPA112");

    // Within the limits, accepted; the tenant layer (no model) checks against every model.
    const ok = await api.request("PATCH", "/api/v1/tenants/default/models/SPA112/layer", {
      body: { set: [{ name: "Line_Enable_2_", value: "Yes" }] },
    });
    expect(ok.status).toBe(200);
    const tenant = await api.request("PATCH", "/api/v1/tenants/default/layer", {
      body: { set: [{ name: "Line_Enable_3_", value: "No" }] },
    });
    expect(tenant.status).toBe(200);
  });

  it("accepts everyday parameters on the tenant layer of a fresh install", async () => {
    const everyday = {
      Time_Zone: "GMT-05:00",
      Primary_NTP_Server: "pool.ntp.org",
      Preferred_Codec_1_: "G711u",
      NAT_Keep_Alive_Enable_1_: "Yes",
      Enable_VLAN: "Yes",
      VLAN_ID: "100",
      Text_Logo: "ACME",
      Voice_Mail_Number: "*97",
      Extension_1_: "1",
      RTP_Port_Min: "16384",
      Dial_Tone: "350@-19,440@-19;10(*/0/1+2)",
      Ring_Back_Tone: "440@-19,480@-19;*(2/4/1+2)",
    };
    const response = await api.request("PATCH", "/api/v1/tenants/default/layer", {
      body: { set: Object.entries(everyday).map(([name, value]) => ({ name, value })) },
    });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(response.body.warnings).toBeUndefined();
    for (const name of Object.keys(everyday)) {
      expect(
        response.body.parameters.some((p: { name: string }) => p.name === name),
        name,
      ).toBe(true);
    }
  });

  it("refuses unknown parameters unless the tenant allows them; then keeps them with a warning", async () => {
    const refused = await api.request("PATCH", "/api/v1/tenants/default/layer", {
      body: { set: [{ name: "Time_Zonee", value: "x" }] },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe("API_UNKNOWN_PARAMETER");
    expect(refused.body.error.message).toContain("did you mean Time_Zone");

    const setting = await api.request("PATCH", "/api/v1/tenants/default", {
      body: { settings: { allowUnknownParameters: true } },
    });
    expect(setting.status).toBe(200);
    expect(setting.body.settings.allowUnknownParameters).toBe(true);

    const kept = await api.request("PATCH", "/api/v1/tenants/default/layer", {
      body: { set: [{ name: "Future_Firmware_Knob", value: "42" }] },
    });
    expect(kept.status).toBe(200);
    expect(kept.body.warnings).toHaveLength(1);
    expect(kept.body.warnings[0]).toContain('unknown parameter "Future_Firmware_Knob"');
    expect(kept.body.parameters).toContainEqual({
      name: "Future_Firmware_Knob",
      value: "42",
      access: null,
      secret: false,
    });
    // A name that is no parameter name at all is still refused.
    const bad = await api.request("PATCH", "/api/v1/tenants/default/layer", {
      body: { set: [{ name: "not a name", value: "1" }] },
    });
    expect(bad.status).toBe(400);
    // Lines beyond a model's are refused even then.
    const beyond = await api.request("PATCH", "/api/v1/tenants/default/models/SPA112/layer", {
      body: { set: [{ name: "Line_Enable_3_", value: "Yes" }] },
    });
    expect(beyond.status).toBe(400);
    // The kept name can be removed as written.
    const removed = await api.request(
      "DELETE",
      "/api/v1/tenants/default/layer/parameters/Future_Firmware_Knob",
    );
    expect(removed.status).toBe(200);
    expect(
      removed.body.parameters.some((p: { name: string }) => p.name === "Future_Firmware_Knob"),
    ).toBe(false);
  });
});
