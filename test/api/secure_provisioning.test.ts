/**
 * The secure-provisioning routes over a real admin listener: the tenant setting, each
 * device's key state (no key, no directory), rotations by devices, group and tenant (exactly
 * one), another tenant's devices hidden behind 404, and a reset.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseMac } from "../../src/store/index.ts";
import { startApi, type TestApi } from "./helpers.ts";

const A = parseMac("000e08ca0001");
const B = parseMac("000e08ca0002");
const X = parseMac("000e08ca0099");
let api: TestApi;
let scoped: string;

beforeAll(async () => {
  api = await startApi();
  const { store } = api;
  const group = await store.groups.create({ name: "floor-2" });
  const other = await store.tenants.create({ slug: "other", name: "Other" });
  await store.devices.create({ mac: A, modelPn: "SPA112", groupId: group.id });
  await store.devices.create({ mac: B, modelPn: "SPA112" });
  await store.devices.create({ mac: X, modelPn: "SPA112", tenantId: other.id });
  for (const mac of [A, B, X]) await store.deviceKeys.bootstrap(mac, "https", 1_000);
  await store.deviceKeys.confirm(A, 1, 2_000);
  scoped = (await store.tokens.issue({ name: "other admin", role: "admin", tenantId: other.id }))
    .secret;
});

afterAll(async () => {
  await api?.close();
});

describe("secure provisioning API", () => {
  it("the tenant setting is a tenant setting; a bad value is refused", async () => {
    const ok = await api.request("PATCH", "/api/v1/tenants/default", {
      body: { settings: { secureProvisioning: "on", keyRotationDays: 30 } },
    });
    expect(ok.status).toBe(200);
    expect(ok.body.settings.secureProvisioning).toBe("on");
    expect(ok.body.settings.keyRotationDays).toBe(30);
    const bad = await api.request("PATCH", "/api/v1/tenants/default", {
      body: { settings: { secureProvisioning: "sometimes" } },
    });
    expect(bad.status).toBe(400);
    const tooLong = await api.request("PATCH", "/api/v1/tenants/default", {
      body: { settings: { keyRotationDays: 100_000 } },
    });
    expect(tooLong.status).toBe(400);
  });

  it("shows a device's state without its key or directory; other tenants' devices are 404", async () => {
    const keys = (await api.store.deviceKeys.get(A))!;
    const res = await api.request("GET", `/api/v1/devices/${A}/secure-provisioning`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ mac: A, state: "active", generation: 1, rotation: null });
    expect(res.text).not.toContain(keys.current.key.reveal());
    expect(res.text).not.toContain(keys.current.directory);
    expect(
      (await api.request("GET", `/api/v1/devices/${A}/secure-provisioning`, { token: scoped }))
        .status,
    ).toBe(404);
    const mine = await api.request("GET", "/api/v1/secure-provisioning/devices", { token: scoped });
    expect(mine.body.map((k: { mac: string }) => k.mac)).toEqual([X]);
  });

  it("rotates by devices, group or tenant — exactly one — and reports devices already rotating", async () => {
    const none = await api.request("POST", "/api/v1/secure-provisioning/rotate", { body: {} });
    expect(none.status).toBe(400);
    const two = await api.request("POST", "/api/v1/secure-provisioning/rotate", {
      body: { group: "floor-2", tenant: "default" },
    });
    expect(two.status).toBe(400);
    const byGroup = await api.request("POST", "/api/v1/secure-provisioning/rotate", {
      body: { group: "floor-2" },
    });
    expect(byGroup.body).toEqual({ started: 1, alreadyRotating: 0 });
    const byTenant = await api.request("POST", "/api/v1/secure-provisioning/rotate", {
      body: { tenant: "default" },
    });
    expect(byTenant.body).toEqual({ started: 1, alreadyRotating: 1 });
    // A scoped token cannot name another tenant's device.
    const foreign = await api.request("POST", "/api/v1/secure-provisioning/rotate", {
      token: scoped,
      body: { macs: [A] },
    });
    expect(foreign.status).toBe(404);
    const own = await api.request("POST", "/api/v1/secure-provisioning/rotate", {
      token: scoped,
      body: { macs: [X] },
    });
    expect(own.body).toEqual({ started: 1, alreadyRotating: 0 });
    const rotating = await api.request("GET", "/api/v1/secure-provisioning/devices?rotating=true");
    expect(rotating.body.map((k: { mac: string; state: string }) => `${k.mac} ${k.state}`)).toEqual(
      [`${A} rotation-pending`, `${B} rotation-pending`, `${X} rotation-pending`],
    );
    const readOnly = await api.request("POST", "/api/v1/secure-provisioning/rotate", {
      token: api.tokens.readOnly,
      body: { tenant: "default" },
    });
    expect(readOnly.status).toBe(403);
  });

  it("pages after a MAC written any usual way; a cursor that is not a MAC is a 400", async () => {
    const res = await api.request(
      "GET",
      "/api/v1/secure-provisioning/devices?after=00:0E:08:CA:00:01",
    );
    expect(res.status).toBe(200);
    expect(res.body.map((k: { mac: string }) => k.mac)).toEqual([B, X]);
    const bad = await api.request("GET", "/api/v1/secure-provisioning/devices?after=zz");
    expect(bad.status).toBe(400);
  });

  it("a reset forgets the keys (404 afterwards)", async () => {
    expect((await api.request("DELETE", `/api/v1/devices/${B}/secure-provisioning`)).status).toBe(
      204,
    );
    expect((await api.request("DELETE", `/api/v1/devices/${B}/secure-provisioning`)).status).toBe(
      404,
    );
    expect((await api.request("GET", `/api/v1/devices/${B}/secure-provisioning`)).status).toBe(404);
  });
});
