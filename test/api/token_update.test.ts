import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApi, type TestApi } from "./helpers.ts";

describe("PATCH /api/v1/tokens/:id", () => {
  let api: TestApi;
  let acmeId: string;

  beforeAll(async () => {
    api = await startApi();
    const tenant = await api.request("POST", "/api/v1/tenants", {
      body: { slug: "acme", name: "Acme" },
    });
    expect(tenant.status).toBe(201);
    acmeId = tenant.body.id;
  });
  afterAll(() => api.close());

  it("renames, re-roles, re-scopes and expires a token; its secret stays the same", async () => {
    const issued = await api.request("POST", "/api/v1/tokens", {
      body: { name: "portal", role: "operator" },
    });
    expect(issued.status).toBe(201);
    const { id } = issued.body.token;
    const secret: string = issued.body.secret;

    const patched = await api.request("PATCH", `/api/v1/tokens/${id}`, {
      body: { name: "acme portal", role: "read-only", tenant: "acme" },
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ id, name: "acme portal", role: "read-only" });
    expect(patched.body.tenantId).toBe(acmeId);
    expect(patched.text).not.toContain(secret);
    expect(patched.body).not.toHaveProperty("hash");
    // Now read-only: reading works, writing is refused.
    expect((await api.request("GET", "/api/v1/devices", { token: secret })).status).toBe(200);
    const write = await api.request("POST", "/api/v1/devices", {
      token: secret,
      body: { mac: "00:0e:08:00:00:09", model: "SPA112" },
    });
    expect(write.status).toBe(403);

    const expired = await api.request("PATCH", `/api/v1/tokens/${id}`, {
      body: { expiresAt: "2000-01-01T00:00:00Z" },
    });
    expect(expired.status).toBe(200);
    expect((await api.request("GET", "/api/v1/devices", { token: secret })).status).toBe(401);

    const audit = await api.request("GET", `/api/v1/audit?entity=token&key=${id}`);
    expect(audit.body.items.map((e: { action: string }) => e.action)).toContain("token.update");
  });

  it("refuses a body that changes nothing or names the secret", async () => {
    const issued = await api.request("POST", "/api/v1/tokens", {
      body: { name: "x", role: "operator" },
    });
    const { id } = issued.body.token;
    expect((await api.request("PATCH", `/api/v1/tokens/${id}`, { body: {} })).status).toBe(400);
    const secret = await api.request("PATCH", `/api/v1/tokens/${id}`, {
      body: { secret: "pvo_mine" },
    });
    expect(secret.status).toBe(400);
    expect(
      (await api.request("PATCH", "/api/v1/tokens/nosuch", { body: { name: "y" } })).status,
    ).toBe(404);
  });

  it("keeps a tenant admin inside its tenant", async () => {
    const tenantAdmin = await api.store.tokens.issue({
      name: "acme admin",
      role: "admin",
      tenantId: acmeId,
    });
    const own = await api.store.tokens.issue({
      name: "acme ro",
      role: "read-only",
      tenantId: acmeId,
    });
    const global = await api.store.tokens.issue({ name: "global ro", role: "read-only" });
    const as = { token: tenantAdmin.secret };

    const rename = await api.request("PATCH", `/api/v1/tokens/${own.token.id}`, {
      ...as,
      body: { name: "acme grafana" },
    });
    expect(rename.status).toBe(200);
    // Widening its own tenant's token to every tenant, moving it to another tenant, or
    // touching a token of another scope: refused (the last as if it did not exist).
    const widen = await api.request("PATCH", `/api/v1/tokens/${own.token.id}`, {
      ...as,
      body: { tenant: null },
    });
    expect(widen.status).toBe(403);
    const move = await api.request("PATCH", `/api/v1/tokens/${own.token.id}`, {
      ...as,
      body: { tenant: "default" },
    });
    expect(move.status).toBe(404);
    const foreign = await api.request("PATCH", `/api/v1/tokens/${global.token.id}`, {
      ...as,
      body: { role: "admin" },
    });
    expect(foreign.status).toBe(404);
    expect((await api.store.tokens.findByHash(global.token.hash))?.role).toBe("read-only");
    expect((await api.store.tokens.findByHash(own.token.hash))?.tenantId).toBe(acmeId);

    // An operator cannot manage tokens at all.
    const operator = await api.request("PATCH", `/api/v1/tokens/${own.token.id}`, {
      token: api.tokens.operator,
      body: { role: "admin" },
    });
    expect(operator.status).toBe(403);
  });
});
