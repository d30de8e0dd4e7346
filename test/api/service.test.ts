import { describe, expect, it } from "vitest";
import { createAdminApp } from "../../src/api/index.ts";
import type { StartNodeOptions } from "../../src/server/node.ts";
import { startApi } from "./helpers.ts";

// The server node's admin factory slot takes createAdminApp as is (checked by tsc).
const factory: StartNodeOptions["createAdmin"] = createAdminApp;

describe("OpenAPI, health and metrics", () => {
  it("fits the server node's admin factory slot", () => {
    expect(factory).toBe(createAdminApp);
  });

  it("publishes a valid OpenAPI 3 document listing the routes, without a token", async () => {
    const api = await startApi();
    try {
      const res = await api.request("GET", "/api/openapi.json", { token: null });
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toContain("application/json");
      const doc = JSON.parse(res.text);
      expect(doc.openapi).toMatch(/^3\./);
      expect(doc.components.securitySchemes.bearer).toMatchObject({
        type: "http",
        scheme: "bearer",
      });
      for (const path of [
        "/api/v1/tenants",
        "/api/v1/models/{pn}",
        "/api/v1/devices",
        "/api/v1/devices/{mac}",
        "/api/v1/devices/{mac}/config",
        "/api/v1/devices/import",
        "/api/v1/operations/{id}",
        "/api/v1/accounts",
        "/api/v1/groups",
        "/api/v1/tenants/{id}/layer",
        "/api/v1/devices/{mac}/layer/parameters/{name}",
        "/api/v1/events",
        "/api/v1/audit",
        "/api/v1/tokens",
        "/healthz",
        "/metrics",
      ]) {
        expect(doc.paths, path).toHaveProperty([path]);
      }
      // Request schemas are the routes' own.
      const create = doc.paths["/api/v1/devices"].post;
      expect(create.requestBody.content["application/json"].schema.required).toContain("mac");
      // A script sends its bearer token; the browser UI its session cookie.
      expect(create.security).toEqual([{ bearer: [] }, { session: [] }]);
      expect(doc.paths["/api/v1/devices/import"].post.requestBody.content).toHaveProperty([
        "text/csv",
      ]);
    } finally {
      await api.close();
    }
  });

  it("reports health (DB reachable) and 503 when the database is gone", async () => {
    const api = await startApi();
    const ok = await api.request("GET", "/healthz", { token: null });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ status: "ok", database: "sqlite" });
    await api.store.close();
    const down = await api.request("GET", "/healthz", { token: null });
    expect(down.status).toBe(503);
    expect(down.body.status).toBe("unavailable");
    await api.close().catch(() => undefined);
  });

  it("exposes API metrics in the shared registry; optionally behind a token", async () => {
    const open = await startApi();
    try {
      await open.request("GET", "/api/v1/devices");
      await open.request("GET", "/api/v1/devices", { token: null });
      const res = await open.request("GET", "/metrics", { token: null });
      expect(res.status).toBe(200);
      expect(res.text).toMatch(
        /provisio_api_requests_total\{method="GET",route="\/api\/v1\/devices",status="200"\} 1/,
      );
      expect(res.text).toMatch(/status="401"\} 1/);
      expect(res.text).toContain("provisio_api_request_duration_seconds_bucket");
    } finally {
      await open.close();
    }
    const locked = await startApi({ deps: { metricsRequireToken: true } });
    try {
      expect((await locked.request("GET", "/metrics", { token: null })).status).toBe(401);
      expect(
        (await locked.request("GET", "/metrics", { token: locked.tokens.readOnly })).status,
      ).toBe(200);
    } finally {
      await locked.close();
    }
  });
});
