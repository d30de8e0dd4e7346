import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApi, type TestApi } from "./helpers.ts";

describe("admin API authentication and authorisation", () => {
  let api: TestApi;
  let acmeId: string;
  let acmeToken: string;
  let acmeTokenId: string;

  beforeAll(async () => {
    api = await startApi();
    const tenant = await api.request("POST", "/api/v1/tenants", {
      body: { slug: "acme", name: "Acme" },
    });
    expect(tenant.status).toBe(201);
    acmeId = tenant.body.id;
    const token = await api.request("POST", "/api/v1/tokens", {
      body: { name: "acme operator", role: "operator", tenant: "acme" },
    });
    expect(token.status).toBe(201);
    acmeToken = token.body.secret;
    acmeTokenId = token.body.token.id;
    expect(token.body.token).not.toHaveProperty("hash");
    await api.request("POST", "/api/v1/devices", {
      body: { mac: "00:0e:08:00:00:01", model: "SPA112" },
    });
    await api.request("POST", "/api/v1/devices", {
      body: { mac: "00:0e:08:00:00:02", model: "SPA112", tenant: "acme" },
    });
  });
  afterAll(() => api.close());

  it("answers 401 without a token, with a malformed one and with an unknown one", async () => {
    const none = await api.request("GET", "/api/v1/devices", { token: null });
    expect(none.status).toBe(401);
    expect(none.body.error.code).toBe("API_UNAUTHORIZED");
    expect(none.headers.get("www-authenticate")).toBe("Bearer");
    const unknown = await api.request("GET", "/api/v1/devices", { token: "pvo_nope" });
    expect(unknown.status).toBe(401);
    const res = await fetch(`${api.url}/api/v1/devices`, {
      headers: { authorization: "Basic YTpi" },
    });
    expect(res.status).toBe(401);
  });

  it("answers 401 before reading a large body", async () => {
    const res = await api.request("POST", "/api/v1/devices/import", {
      token: null,
      raw: `mac\n${"000e08000003\n".repeat(1000)}`,
    });
    expect(res.status).toBe(401);
  });

  it("lets read-only read but not write (403), operators not manage tenants or tokens", async () => {
    const read = await api.request("GET", "/api/v1/devices", { token: api.tokens.readOnly });
    expect(read.status).toBe(200);
    const write = await api.request("POST", "/api/v1/devices", {
      token: api.tokens.readOnly,
      body: { mac: "000e08000009", model: "SPA112" },
    });
    expect(write.status).toBe(403);
    expect(write.body.error.code).toBe("API_FORBIDDEN");
    expect((await api.store.devices.findByMac("000e08000009" as never)) === null).toBe(true);
    const layer = await api.request("PATCH", "/api/v1/tenants/default/layer", {
      token: api.tokens.readOnly,
      body: { set: [{ name: "Proxy_1_", value: "x" }] },
    });
    expect(layer.status).toBe(403);
    const tenant = await api.request("POST", "/api/v1/tenants", {
      token: api.tokens.operator,
      body: { slug: "other", name: "Other" },
    });
    expect(tenant.status).toBe(403);
    const tokens = await api.request("GET", "/api/v1/tokens", { token: api.tokens.operator });
    expect(tokens.status).toBe(403);
    const audit = await api.request("GET", "/api/v1/audit", { token: api.tokens.operator });
    expect(audit.status).toBe(403);
  });

  it("shows a tenant-scoped token only its tenant: other tenants' records are 404, like missing ones", async () => {
    const list = await api.request("GET", "/api/v1/devices", { token: acmeToken });
    expect(list.status).toBe(200);
    expect(list.body.items.map((d: { mac: string }) => d.mac)).toEqual(["000e08000002"]);

    const foreign = await api.request("GET", "/api/v1/devices/000e08000001", { token: acmeToken });
    const missing = await api.request("GET", "/api/v1/devices/000e080000ff", { token: acmeToken });
    expect(foreign.status).toBe(404);
    expect(missing.status).toBe(404);
    expect(foreign.body.error.code).toBe(missing.body.error.code);

    for (const [method, path, body] of [
      ["PATCH", "/api/v1/devices/000e08000001", { label: "x" }],
      ["DELETE", "/api/v1/devices/000e08000001", undefined],
      ["GET", "/api/v1/devices/000e08000001/config", undefined],
      ["PATCH", "/api/v1/devices/000e08000001/layer", { set: [{ name: "Proxy_1_", value: "x" }] }],
      ["GET", "/api/v1/tenants/default", undefined],
      ["GET", "/api/v1/devices?tenant=default", undefined],
      ["POST", "/api/v1/devices", { mac: "000e08000005", model: "SPA112", tenant: "default" }],
      ["POST", "/api/v1/devices/import?tenant=default", undefined],
    ] as const) {
      const res = await api.request(method, path, {
        token: acmeToken,
        ...(path.endsWith("import?tenant=default")
          ? { raw: "mac\n000e08000006\n" }
          : body === undefined
            ? {}
            : { body }),
      });
      expect(res.status, `${method} ${path}`).toBe(404);
    }
    expect((await api.store.devices.get("000e08000001" as never)).label).toBeNull();

    const tenants = await api.request("GET", "/api/v1/tenants", { token: acmeToken });
    expect(tenants.body.items.map((t: { slug: string }) => t.slug)).toEqual(["acme"]);

    // Its own tenant works, and writes default to it.
    const created = await api.request("POST", "/api/v1/devices", {
      token: acmeToken,
      body: { mac: "000e08000007", model: "SPA112" },
    });
    expect(created.status).toBe(201);
    expect(created.body.tenantId).toBe(acmeId);
  });

  it("records every change in the audit log with the token as actor", async () => {
    const patched = await api.request("PATCH", "/api/v1/devices/000e08000002", {
      token: acmeToken,
      body: { label: "reception" },
    });
    expect(patched.status).toBe(200);
    const audit = await api.request("GET", "/api/v1/audit?entity=device&key=000e08000002");
    expect(audit.status).toBe(200);
    const entry = audit.body.items.find((e: { action: string }) => e.action === "device.update");
    expect(entry.actor).toBe(`token:${acmeTokenId}`);
    expect(entry.after.label).toBe("reception");
    const creation = await api.store.audit.list({ entity: "tenant", key: acmeId });
    expect(creation[0]?.actor).toBe(`token:${api.tokens.adminId}`);
  });

  it("keeps tenant admins inside their tenant when they issue tokens; expired tokens are refused", async () => {
    const tenantAdmin = await api.store.tokens.issue({
      name: "acme admin",
      role: "admin",
      tenantId: acmeId,
    });
    const minted = await api.request("POST", "/api/v1/tokens", {
      token: tenantAdmin.secret,
      body: { name: "try global", role: "admin", tenant: null },
    });
    expect(minted.status).toBe(201);
    expect(minted.body.token.tenantId).toBe(acmeId);
    const other = await api.request("POST", "/api/v1/tokens", {
      token: tenantAdmin.secret,
      body: { name: "try default", role: "admin", tenant: "default" },
    });
    expect(other.status).toBe(404);
    const list = await api.request("GET", "/api/v1/tokens", { token: tenantAdmin.secret });
    expect(new Set(list.body.items.map((t: { tenantId: string }) => t.tenantId))).toEqual(
      new Set([acmeId]),
    );

    const expired = await api.request("POST", "/api/v1/tokens", {
      body: { name: "old", role: "admin", expiresAt: "2000-01-01T00:00:00Z" },
    });
    expect(expired.status).toBe(201);
    const refused = await api.request("GET", "/api/v1/devices", { token: expired.body.secret });
    expect(refused.status).toBe(401);
  });

  it("never lets the API read a token's hash or secret back", async () => {
    const list = await api.request("GET", "/api/v1/tokens");
    expect(list.status).toBe(200);
    expect(list.text).not.toContain(acmeToken);
    expect(list.body.items.every((t: Record<string, unknown>) => !("hash" in t))).toBe(true);
    const revoke = await api.request("DELETE", `/api/v1/tokens/${acmeTokenId}`);
    expect(revoke.status).toBe(204);
    expect((await api.request("GET", "/api/v1/devices", { token: acmeToken })).status).toBe(401);
  });
});
