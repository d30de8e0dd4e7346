import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApi, type TestApi } from "./helpers.ts";

describe("restricted access domains at layer set, and the staging layer (API)", () => {
  let api: TestApi;

  beforeAll(async () => {
    api = await startApi();
    const device = await api.request("POST", "/api/v1/devices", {
      body: { mac: "000e08d0d001", model: "SPA112" },
    });
    expect(device.status).toBe(201);
  });
  afterAll(() => api.close());

  const patch = (path: string, set: { name: string; value: string }[]) =>
    api.request("PATCH", path, { body: { set } });

  it("refuses more than five domains, or one that is not a host name", async () => {
    const six = await patch("/api/v1/tenants/default/layer", [
      { name: "Restricted_Access_Domains", value: "a.com, b.com, c.com, d.com, e.com, f.com" },
    ]);
    expect(six.status).toBe(400);
    // The catalogue's type check (a domain list of at most five) answers first.
    expect(["API_INVALID_VALUE", "API_RESTRICTED_DOMAIN"]).toContain(six.body.error.code);
    expect(six.body.error.message).toMatch(/at most 5/);
    const ip = await patch("/api/v1/tenants/default/layer", [
      { name: "Restricted_Access_Domains", value: "192.0.2.1" },
    ]);
    expect(ip.status).toBe(400);
    expect(["API_INVALID_VALUE", "API_RESTRICTED_DOMAIN"]).toContain(ip.body.error.code);
  });

  it("refuses a rule outside the tenant's domains in any layer, and accepts one inside", async () => {
    const domains = await patch("/api/v1/tenants/default/layer", [
      { name: "Restricted_Access_Domains", value: "example.com, voice.example.net" },
    ]);
    expect(domains.status).toBe(200);
    const outside = await patch("/api/v1/devices/000e08d0d001/layer", [
      { name: "Profile_Rule", value: "https://prov.elsewhere.org/$MA.xml" },
    ]);
    expect(outside.status).toBe(400);
    expect(outside.body.error.code).toBe("API_RESTRICTED_DOMAIN");
    expect(outside.body.error.message).toContain(
      "prov.elsewhere.org is outside the restricted domains",
    );
    const upgrade = await patch("/api/v1/tenants/default/models/SPA112/layer", [
      { name: "Upgrade_Rule", value: "http://192.0.2.7/spa112.bin" },
    ]);
    expect(upgrade.status).toBe(400);
    const gpp = await patch("/api/v1/devices/000e08d0d001/layer", [
      { name: "Profile_Rule", value: "https://$A.example.com/$MA.xml" },
    ]);
    expect(gpp.status).toBe(400);
    expect(gpp.body.error.message).toContain("$A");
    const inside = await patch("/api/v1/devices/000e08d0d001/layer", [
      { name: "Profile_Rule", value: "https://$MA.prov.example.com/p/$MA.xml" },
      { name: "Report_Rule", value: "http://reports.voice.example.net/$MA.xml" },
    ]);
    expect(inside.status).toBe(200);
    // A tenant layer rule outside its own new list: refused in the same edit.
    const both = await patch("/api/v1/tenants/default/layer", [
      { name: "Profile_Rule", value: "https://prov.other.org/$MA.xml" },
    ]);
    expect(both.status).toBe(400);
  });

  it("the staging layer: its own API path, checked like any layer, and against a later tenant change", async () => {
    const read = await api.request("GET", "/api/v1/tenants/default/staging/layer");
    expect(read.status).toBe(200);
    expect(read.body.key).toBe("staging:default");
    const outside = await patch("/api/v1/tenants/default/staging/layer", [
      { name: "Profile_Rule", value: "http://other.org/$MA.xml" },
    ]);
    expect(outside.status).toBe(400);
    const ok = await patch("/api/v1/tenants/default/staging/layer", [
      { name: "Profile_Rule", value: "http://stage.example.com/$MA.xml" },
      { name: "Resync_Periodic", value: "60" },
    ]);
    expect(ok.status).toBe(200);
    expect(ok.body.parameters.map((p: { name: string }) => p.name)).toEqual([
      "Profile_Rule",
      "Resync_Periodic",
    ]);
    const narrowed = await patch("/api/v1/tenants/default/layer", [
      { name: "Restricted_Access_Domains", value: "voice.example.net" },
    ]);
    expect(narrowed.status).toBe(400);
    expect(narrowed.body.error.message).toMatch(/^the staging layer: Profile_Rule/);
  });

  it("a device record carries its lifecycle (null: never seen)", async () => {
    const device = await api.request("GET", "/api/v1/devices/000e08d0d001");
    expect(device.status).toBe(200);
    expect(device.body.lifecycle).toBeNull();
    const never = await api.request("GET", "/api/v1/devices?lifecycle=none");
    expect(never.body.items.map((d: { mac: string }) => d.mac)).toEqual(["000e08d0d001"]);
    const custom = await api.request("GET", "/api/v1/devices?lifecycle=SP-CUST");
    expect(custom.status).toBe(200);
    expect(custom.body.items).toEqual([]);
    expect((await api.request("GET", "/api/v1/devices?lifecycle=staged")).status).toBe(400);
    const tenant = await api.request("GET", "/api/v1/tenants/default");
    expect(tenant.body.settings.staging).toBe(true);
  });
});
