import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApi, type TestApi } from "./helpers.ts";

describe("layers, parameters and the effective configuration", () => {
  let api: TestApi;
  let accountId: string;

  beforeAll(async () => {
    api = await startApi();
    expect(
      (await api.request("PUT", "/api/v1/models/SPA112", { body: { family: "spa", lines: 2 } }))
        .status,
    ).toBe(200);
    const account = await api.request("POST", "/api/v1/accounts", {
      body: { reference: "1001", lines: [{ line: 1, userId: "1001", password: "pw-1001-secret" }] },
    });
    accountId = account.body.id;
    await api.request("POST", "/api/v1/devices", {
      body: { mac: "000e08abcdef", model: "SPA112", account: "1001" },
    });
  });
  afterAll(() => api.close());

  it("sets and unsets parameters on every scope, canonicalising bracket names", async () => {
    const tenant = await api.request("PATCH", "/api/v1/tenants/default/layer", {
      body: {
        set: [
          { name: "Proxy[1]", value: "tenant.example.com", access: "ro" },
          { name: "Resync_Periodic", value: "3600" },
        ],
      },
    });
    expect(tenant.status).toBe(200);
    expect(tenant.body.key).toBe("tenant:default");
    expect(tenant.body.parameters).toEqual([
      { name: "Proxy_1_", value: "tenant.example.com", access: "ro", secret: false },
      { name: "Resync_Periodic", value: "3600", access: null, secret: false },
    ]);
    const model = await api.request(
      "PUT",
      "/api/v1/tenants/default/models/SPA112/layer/parameters/Resync_Periodic",
      {
        body: { value: "1800" },
      },
    );
    expect(model.status).toBe(200);
    expect(model.body.key).toBe("model:default/SPA112");
    const account = await api.request("PATCH", `/api/v1/accounts/${accountId}/layer`, {
      body: {
        set: [
          { name: "User_ID_1_", value: "{{ account.line1.user_id }}" },
          { name: "Password_1_", value: "{{ account.line1.password }}" },
        ],
      },
    });
    expect(account.status).toBe(200);
    const device = await api.request("PATCH", "/api/v1/devices/00:0e:08:ab:cd:ef/layer", {
      body: {
        set: [
          { name: "Proxy_1_", value: "device.example.com" },
          { name: "Resync_Periodic", access: "rw" },
        ],
      },
    });
    expect(device.status).toBe(200);
    const unset = await api.request(
      "DELETE",
      "/api/v1/tenants/default/models/SPA112/layer/parameters/Resync_Periodic",
    );
    expect(unset.status).toBe(200);
    expect(unset.body).toMatchObject({ parameters: [], version: 0 });
    const missingParam = await api.request(
      "DELETE",
      "/api/v1/tenants/default/models/SPA112/layer/parameters/Resync_Periodic",
    );
    expect(missingParam.status).toBe(404);
  });

  it("returns the effective configuration with provenance (device over tenant; access kept separately)", async () => {
    await api.request(
      "PUT",
      "/api/v1/tenants/default/models/SPA112/layer/parameters/Resync_Periodic",
      {
        body: { value: "1800" },
      },
    );
    const res = await api.request("GET", "/api/v1/devices/000e08abcdef/config");
    expect(res.status).toBe(200);
    expect(res.body.layers.map((l: { key: string }) => l.key)).toEqual([
      "tenant:default",
      "model:default/SPA112",
      `account:${accountId}`,
      "device:000e08abcdef",
    ]);
    const byName = new Map(res.body.parameters.map((p: { name: string }) => [p.name, p]));
    expect(byName.get("Proxy_1_")).toMatchObject({
      value: "device.example.com",
      valueFrom: "device:000e08abcdef",
      access: "ro",
      accessFrom: "tenant:default",
      setBy: ["tenant:default", "device:000e08abcdef"],
    });
    expect(byName.get("Resync_Periodic")).toMatchObject({
      value: "1800",
      valueFrom: "model:default/SPA112",
      access: "rw",
      accessFrom: "device:000e08abcdef",
    });
    expect(byName.get("User_ID_1_")).toMatchObject({
      value: "1001",
      valueFrom: `account:${accountId}`,
    });
    // The rendered password is a secret: withheld.
    expect(byName.get("Password_1_")).toMatchObject({ value: null, secret: true });
    expect(res.text).not.toContain("pw-1001-secret");
  });

  it("refuses unknown parameters with suggestions and invalid values, with codes", async () => {
    const unknown = await api.request("PATCH", "/api/v1/tenants/default/layer", {
      body: { set: [{ name: "Resync_Periodc", value: "60" }] },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.code).toBe("API_UNKNOWN_PARAMETER");
    expect(unknown.body.error.message).toContain("did you mean Resync_Periodic");
    expect(unknown.body.error.details.suggestions[0]).toBe("Resync_Periodic");

    const invalid = await api.request("PATCH", "/api/v1/tenants/default/layer", {
      body: { set: [{ name: "Resync_Periodic", value: "soon" }] },
    });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.code).toBe("API_INVALID_VALUE");

    const template = await api.request("PATCH", "/api/v1/tenants/default/layer", {
      body: { set: [{ name: "Proxy_1_", value: "{{ account.line1.user_id " }] },
    });
    expect(template.status).toBe(400);
    expect(template.body.error.code).toBe("SERVER_TEMPLATE_INVALID");

    const access = await api.request("PATCH", "/api/v1/tenants/default/layer", {
      body: { set: [{ name: "Proxy_1_", access: "xx" }] },
    });
    expect(access.status).toBe(400);
    expect(access.body.error.code).toBe("API_VALIDATION");

    const empty = await api.request("PATCH", "/api/v1/tenants/default/layer", {
      body: { set: [{ name: "Proxy_1_" }] },
    });
    expect(empty.status).toBe(400);
    expect(empty.body.error.code).toBe("API_INVALID_PARAMETER");

    const twice = await api.request("PUT", "/api/v1/tenants/default/layer", {
      body: {
        parameters: [
          { name: "Proxy[1]", value: "a" },
          { name: "Proxy_1_", value: "b" },
        ],
      },
    });
    expect(twice.status).toBe(400);

    const unknownModel = await api.request("GET", "/api/v1/tenants/default/models/NOPE/layer");
    expect(unknownModel.status).toBe(404);
    // Nothing of the refused writes landed.
    const layer = await api.request("GET", "/api/v1/tenants/default/layer");
    expect(layer.body.parameters.map((p: { value: string }) => p.value)).toEqual([
      "tenant.example.com",
      "3600",
    ]);
  });

  it("shows secret parameter values in layers to admin tokens only", async () => {
    const set = await api.request("PUT", "/api/v1/tenants/default/layer/parameters/Admin_Passwd", {
      token: api.tokens.operator,
      body: { value: "adm1n-pass", access: "na" },
    });
    expect(set.status).toBe(200);
    expect(set.text).not.toContain("adm1n-pass");
    const asOperator = await api.request("GET", "/api/v1/tenants/default/layer", {
      token: api.tokens.operator,
    });
    expect(asOperator.text).not.toContain("adm1n-pass");
    expect(
      asOperator.body.parameters.find((p: { name: string }) => p.name === "Admin_Passwd"),
    ).toEqual({
      name: "Admin_Passwd",
      value: null,
      access: "na",
      secret: true,
    });
    const asAdmin = await api.request("GET", "/api/v1/tenants/default/layer");
    expect(
      asAdmin.body.parameters.find((p: { name: string }) => p.name === "Admin_Passwd").value,
    ).toBe("adm1n-pass");
    const audit = await api.request("GET", "/api/v1/audit?entity=layer&key=tenant:default");
    expect(audit.status).toBe(200);
    expect(audit.text).toContain("Admin_Passwd");
    expect(audit.text).not.toContain("adm1n-pass");
    await api.request("DELETE", "/api/v1/tenants/default/layer/parameters/Admin_Passwd");
  });

  it("replaces a layer with PUT and removes it with DELETE", async () => {
    const put = await api.request("PUT", "/api/v1/devices/000e08abcdef/layer", {
      body: { parameters: [{ name: "Display_Name_1_", value: "Front desk" }] },
    });
    expect(put.status).toBe(200);
    expect(put.body.parameters).toEqual([
      { name: "Display_Name_1_", value: "Front desk", access: null, secret: false },
    ]);
    // "" is an empty value, null is no value (access only): JSON types are kept as sent.
    const empty = await api.request("PATCH", "/api/v1/devices/000e08abcdef/layer", {
      body: {
        set: [
          { name: "Display_Name_2_", value: "" },
          { name: "Proxy_2_", value: null, access: "na" },
        ],
      },
    });
    expect(empty.status).toBe(200);
    expect(empty.body.parameters.slice(1)).toEqual([
      { name: "Display_Name_2_", value: "", access: null, secret: false },
      { name: "Proxy_2_", value: null, access: "na", secret: false },
    ]);
    expect((await api.request("DELETE", "/api/v1/devices/000e08abcdef/layer")).status).toBe(204);
    const after = await api.request("GET", "/api/v1/devices/000e08abcdef/layer");
    expect(after.body).toMatchObject({ key: "device:000e08abcdef", parameters: [], version: 0 });
    const audit = await api.store.audit.list({ entity: "layer", key: "device:000e08abcdef" });
    expect(audit.map((a) => a.action)).toContain("layer.unset");
    expect(audit.every((a) => a.actor === `token:${api.tokens.adminId}`)).toBe(true);
  });
});
