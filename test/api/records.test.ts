import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MacAddress } from "../../src/store/index.ts";
import { startApi, type TestApi } from "./helpers.ts";

describe("tenants, groups, models and events", () => {
  let api: TestApi;

  beforeAll(async () => {
    api = await startApi({ deps: { importBodyLimit: 4096 } });
  });
  afterAll(() => api.close());

  it("manages tenants (settings merged) and moves a device between tenants", async () => {
    const created = await api.request("POST", "/api/v1/tenants", {
      body: { slug: "acme", name: "Acme", settings: { profilePaths: ["/acme/$MA.xml"] } },
    });
    expect(created.status).toBe(201);
    const patched = await api.request("PATCH", "/api/v1/tenants/acme", {
      body: { settings: { autoCreate: true } },
    });
    expect(patched.status).toBe(200);
    expect(patched.body.settings).toMatchObject({
      profilePaths: ["/acme/$MA.xml"],
      autoCreate: true,
    });
    const badSlug = await api.request("POST", "/api/v1/tenants", {
      body: { slug: "Bad Slug", name: "x" },
    });
    expect(badSlug.status).toBe(400);

    await api.request("POST", "/api/v1/groups", { body: { name: "lobby" } });
    const device = await api.request("POST", "/api/v1/devices", {
      body: { mac: "000e08000001", model: "SPA112", group: "lobby" },
    });
    expect(device.body.groupId).not.toBeNull();
    const moved = await api.request("PATCH", "/api/v1/devices/000e08000001", {
      body: { tenant: "acme" },
    });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ tenantId: created.body.id, groupId: null });
    const busy = await api.request("DELETE", "/api/v1/tenants/acme");
    expect(busy.status).toBe(409);
    expect((await api.request("DELETE", "/api/v1/devices/000e08000001")).status).toBe(204);
    expect((await api.request("DELETE", "/api/v1/tenants/acme")).status).toBe(204);
    const gone = await api.request("DELETE", "/api/v1/tenants/default");
    expect(gone.status).toBe(409);
  });

  it("manages groups and models; models need an installation-wide admin", async () => {
    const group = await api.request("POST", "/api/v1/groups", {
      body: { name: "floor 2", description: "2nd" },
    });
    expect(group.status).toBe(201);
    const dup = await api.request("POST", "/api/v1/groups", { body: { name: "floor 2" } });
    expect(dup.status).toBe(409);
    const renamed = await api.request("PATCH", "/api/v1/groups/floor 2", {
      body: { name: "floor-2" },
    });
    expect(renamed.status).toBe(200);
    expect((await api.request("GET", `/api/v1/groups/${group.body.id}`)).body.name).toBe("floor-2");
    expect((await api.request("DELETE", `/api/v1/groups/${group.body.id}`)).status).toBe(204);

    const model = await api.request("PUT", "/api/v1/models/CP-8851-3PCC", {
      body: { family: "mpp", lines: 5 },
    });
    expect(model.status).toBe(200);
    expect(
      (await api.request("GET", "/api/v1/models")).body.items.map((m: { pn: string }) => m.pn),
    ).toContain("CP-8851-3PCC");
    const operator = await api.request("PUT", "/api/v1/models/SPA112", {
      token: api.tokens.operator,
      body: { family: "spa" },
    });
    expect(operator.status).toBe(403);
  });

  it("queries resync events newest first with a cursor and filters", async () => {
    const base = Date.parse("2026-01-01T00:00:00Z");
    await api.store.events.appendBatch(
      Array.from({ length: 5 }, (_, i) => ({
        mac: (i < 3 ? "000e08aaaaaa" : "000e08bbbbbb") as MacAddress,
        tenantId: "default",
        at: new Date(base + i * 1000),
        transport: "http",
        result: "ok",
        statusCode: 200,
        path: "/profile/x.xml",
        bytes: 100,
        durationMs: 1,
        remoteAddress: "192.0.2.1",
        userAgent: null,
        message: null,
      })),
    );
    const first = await api.request("GET", "/api/v1/events?limit=2", {
      token: api.tokens.readOnly,
    });
    expect(first.status).toBe(200);
    expect(first.body.items.map((e: { at: string }) => e.at)).toEqual([
      "2026-01-01T00:00:04.000Z",
      "2026-01-01T00:00:03.000Z",
    ]);
    const second = await api.request("GET", `/api/v1/events?limit=2&after=${first.body.next}`);
    expect(second.body.items.map((e: { at: string }) => e.at)).toEqual([
      "2026-01-01T00:00:02.000Z",
      "2026-01-01T00:00:01.000Z",
    ]);
    const byMac = await api.request("GET", "/api/v1/events?mac=00:0e:08:bb:bb:bb");
    expect(byMac.body.items).toHaveLength(2);
    const since = await api.request("GET", "/api/v1/events?since=2026-01-01T00:00:03Z");
    expect(since.body.items).toHaveLength(2);
    const bad = await api.request("GET", "/api/v1/events?since=yesterday");
    expect(bad.status).toBe(400);
  });

  it("refuses an import body over the limit with 413 and a JSON body with 400", async () => {
    const big = await api.request("POST", "/api/v1/devices/import", {
      raw: `mac\n${"000e08000001\n".repeat(1000)}`,
    });
    expect(big.status).toBe(413);
    expect(big.body.error.code).toBe("API_BODY_TOO_LARGE");
    const json = await api.request("POST", "/api/v1/devices/import", {
      body: { mac: "000e08000001" },
    });
    expect(json.status).toBe(400);
  });
});
