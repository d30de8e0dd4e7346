/**
 * What a browser may keep of the admin API's answers: some carry secrets (an admin reads a
 * layer's secret values; a new token's secret is shown once), so no answer under /api/ may be
 * stored by a cache, and none may be sniffed into another type.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApi, type TestApi } from "./helpers.ts";

describe("admin API answers and caches", () => {
  let api: TestApi;

  beforeAll(async () => {
    api = await startApi();
    await api.request("PUT", "/api/v1/models/SPA962", { body: { family: "spa", lines: 2 } });
    const layer = await api.request("PATCH", "/api/v1/tenants/default/layer", {
      body: { set: [{ name: "Admin_Passwd", value: "adm-secret-42" }] },
    });
    expect(layer.status).toBe(200);
  });
  afterAll(() => api.close());

  it("an admin's read of a secret layer value is not stored by any cache", async () => {
    const res = await api.request("GET", "/api/v1/tenants/default/layer");
    expect(res.status).toBe(200);
    expect(res.text).toContain("adm-secret-42");
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
  });

  it("a new token's one showing is not stored either, nor an error", async () => {
    const issued = await api.request("POST", "/api/v1/tokens", {
      body: { name: "ci", role: "read-only" },
    });
    expect(issued.status).toBe(201);
    expect(issued.headers.get("cache-control")).toBe("no-store");
    const missing = await api.request("GET", "/api/v1/no-such-route");
    expect(missing.status).toBe(404);
    expect(missing.headers.get("cache-control")).toBe("no-store");
  });
});
