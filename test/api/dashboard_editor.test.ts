/**
 * The dashboard's data and the layer editor's helpers (catalogue, validate as you type, change
 * preview) through HTTP on both dialects, with tenant-scoped tokens.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MacAddress, parseMac, type ResyncEventInput } from "../../src/store/index.ts";
import { dialects, type Fresh } from "../store/dialects.ts";
import { startApi, type TestApi } from "./helpers.ts";

const HOUR = 3_600_000;
const mac = (i: number): MacAddress => parseMac(`0c0d0e${i.toString(16).padStart(6, "0")}`);

function event(i: number, at: number, result: string, tenantId: string | null): ResyncEventInput {
  return {
    mac: mac(i),
    tenantId,
    at: new Date(at),
    transport: "http",
    result,
    statusCode: result === "ok" ? 200 : result === "error" ? 500 : 403,
    path: "/profile.xml",
    bytes: null,
    durationMs: 1,
    remoteAddress: "192.0.2.9",
    userAgent: null,
    message: result === "denied" ? "certificate-untrusted" : null,
  };
}

for (const dialect of dialects()) {
  describe(`dashboard and layer editor on ${dialect.name}`, () => {
    let fresh: Fresh;
    let api: TestApi;
    let acmeId: string;
    let acmeToken: string;
    const now = Date.now();

    beforeAll(async () => {
      fresh = await dialect.fresh();
      api = await startApi({ store: fresh.options });
      const { store } = api;
      acmeId = (await store.tenants.create({ slug: "acme", name: "Acme" })).id;
      await store.devices.bulkUpsert(
        Array.from({ length: 12 }, (_, i) => ({
          mac: mac(i),
          tenantId: i < 8 ? acmeId : "default",
          modelPn: i % 2 === 0 ? "SPA112" : "CP-7841-3PCC",
          state: i < 3 ? "new" : "active",
        })),
      );
      await store.devices.recordStatusBatch(
        [0, 1, 2, 3, 4, 8].map((i) => ({
          mac: mac(i),
          at: new Date(now - i * HOUR),
          remoteAddress: "192.0.2.9",
          userAgent: null,
          firmware: i < 3 ? "1.4.1" : "11.3.7",
          result: "ok",
          transport: "http",
        })),
      );
      await store.lifecycle.recordBatch([
        { mac: mac(0), state: "sp-cust", since: new Date(now), cause: null },
        { mac: mac(1), state: "sec-prv-2", since: new Date(now), cause: null },
        { mac: mac(9), state: "sp-cust", since: new Date(now), cause: null },
      ]);
      await store.events.appendBatch([
        event(0, now - 30 * 60_000, "ok", acmeId),
        event(1, now - 30 * 60_000, "ok", acmeId),
        event(2, now - 2 * HOUR, "error", acmeId),
        event(3, now - 3 * 24 * HOUR, "ok", acmeId),
        event(4, now - 10 * 60_000, "denied", acmeId),
        event(9, now - 10 * 60_000, "denied", "default"),
        event(0, now - 10 * 24 * HOUR, "ok", acmeId),
      ]);
      acmeToken = (await store.tokens.issue({ name: "acme", role: "read-only", tenantId: acmeId }))
        .secret;
    });
    afterAll(async () => {
      await api.close();
      await fresh.dispose();
    });

    it("summarises states, lifecycle, firmware and rollouts per tenant", async () => {
      const all = await api.request("GET", "/api/v1/dashboard/summary");
      expect(all.status, all.text).toBe(200);
      expect(all.body.devices).toMatchObject({ total: 12, neverSeen: 6 });
      expect(all.body.devices.byState).toEqual([
        { state: "active", count: 9 },
        { state: "new", count: 3 },
      ]);
      expect(all.body.devices.byLifecycle).toContainEqual({ state: "SP-CUST", count: 2 });
      expect(all.body.devices.byLifecycle).toContainEqual({ state: "none", count: 9 });
      // Most common first; a tie in version order.
      expect(all.body.firmware).toEqual([
        { version: "1.4.1", count: 3 },
        { version: "11.3.7", count: 3 },
      ]);
      expect(all.body.rollouts).toEqual({ inProgress: 0, items: [] });

      const acme = await api.request("GET", "/api/v1/dashboard/summary", { token: acmeToken });
      expect(acme.body.devices).toMatchObject({ total: 8, neverSeen: 3 });
      expect(acme.body.devices.byLifecycle).toContainEqual({ state: "SP-CUST", count: 1 });
      expect(acme.body.firmware).toEqual([
        { version: "1.4.1", count: 3 },
        { version: "11.3.7", count: 2 },
      ]);
      const other = await api.request("GET", "/api/v1/dashboard/summary?tenant=default", {
        token: acmeToken,
      });
      expect(other.status).toBe(404);
    });

    it("buckets resyncs, failures and refusals per hour and per day", async () => {
      const res = await api.request("GET", "/api/v1/dashboard/activity", { token: acmeToken });
      expect(res.status, res.text).toBe(200);
      const { hours, days } = res.body;
      expect(hours).toHaveLength(24);
      expect(days).toHaveLength(7);
      const sum = (buckets: { resyncs: number; failures: number; refusals: number }[]) =>
        buckets.reduce(
          (t, b) => ({
            resyncs: t.resyncs + b.resyncs,
            failures: t.failures + b.failures,
            refusals: t.refusals + b.refusals,
          }),
          { resyncs: 0, failures: 0, refusals: 0 },
        );
      // The tenant's own events: not the default tenant's refusal, not the one 10 days old.
      expect(sum(hours)).toEqual({ resyncs: 2, failures: 1, refusals: 1 });
      expect(sum(days)).toEqual({ resyncs: 3, failures: 1, refusals: 1 });
      expect(Date.parse(hours.at(-1).start)).toBeLessThanOrEqual(now);
      expect(Date.parse(hours.at(-1).start)).toBeGreaterThan(now - HOUR);
    });

    it("lists the newest refusals, the tenant's own to a scoped token", async () => {
      const all = await api.request("GET", "/api/v1/dashboard/security");
      expect(all.body.items.map((e: { mac: string }) => e.mac).sort()).toEqual(
        [mac(4), mac(9)].sort(),
      );
      const acme = await api.request("GET", "/api/v1/dashboard/security", { token: acmeToken });
      expect(acme.body.items).toHaveLength(1);
      expect(acme.body.items[0]).toMatchObject({ mac: mac(4), message: "certificate-untrusted" });
    });

    it("lists a model's parameters with defaults, types and secrets", async () => {
      const res = await api.request("GET", "/api/v1/models/SPA112/parameters?q=proxy_");
      expect(res.status, res.text).toBe(200);
      const names = res.body.items.map((p: { name: string }) => p.name);
      expect(names).toContain("Proxy_1_");
      expect(names).toContain("Proxy_2_");
      expect(names).not.toContain("Proxy_3_");
      const all = await api.request("GET", "/api/v1/models/SPA112/parameters", {
        token: api.tokens.readOnly,
      });
      const byName = new Map(all.body.items.map((p: { name: string }) => [p.name, p]));
      expect(byName.get("Password_1_")).toMatchObject({ secret: true });
      expect(byName.get("Line_Enable_1_")).toMatchObject({ type: "bool", secret: false });
      const unknown = await api.request("GET", "/api/v1/models/NOPE/parameters");
      expect(unknown.status).toBe(404);
    });

    it("validates a parameter as a layer edit would", async () => {
      const check = (body: unknown) =>
        api.request("POST", "/api/v1/parameters/validate", { body, token: api.tokens.readOnly });
      expect((await check({ parameter: "Proxy[1]", value: "sip.example.com" })).body).toEqual({
        ok: true,
        name: "Proxy_1_",
        warnings: [],
      });
      const bad = await check({ parameter: "Line_Enable_1_", value: "maybe" });
      expect(bad.status).toBe(200);
      expect(bad.body).toMatchObject({ ok: false, code: "API_INVALID_VALUE" });
      const typo = await check({ parameter: "Proxy_1" });
      expect(typo.body).toMatchObject({ ok: false, code: "API_UNKNOWN_PARAMETER" });
      expect(typo.body.suggestions).toContain("Proxy_1_");
      const beyond = await check({ parameter: "Line_Enable_3_", value: "Yes", model: "SPA112" });
      expect(beyond.body).toMatchObject({ ok: false, code: "API_UNKNOWN_PARAMETER" });
      expect(beyond.body.message).toContain("SPA112");
    });

    it("previews which devices an edit changes, without saving it", async () => {
      const { store } = api;
      await store.layers.set({ scope: "device", mac: mac(2) }, [
        { name: "Proxy_1_", value: "own.example.com", access: null },
      ]);
      await store.layers.set({ scope: "tenant", tenantId: acmeId }, [
        { name: "Proxy_1_", value: "old.example.com", access: null },
      ]);
      const preview = (body: unknown, token?: string) =>
        api.request("POST", "/api/v1/layers/preview", {
          body,
          token: token ?? api.tokens.readOnly,
        });
      const res = await preview({
        target: { scope: "tenant", tenant: "acme" },
        set: [{ name: "Proxy[1]", value: "new.example.com" }],
        sample: 3,
      });
      expect(res.status, res.text).toBe(200);
      // Eight devices in the tenant; the one with its own Proxy_1_ keeps it.
      expect(res.body).toMatchObject({
        devices: 8,
        evaluated: 8,
        complete: true,
        changed: 7,
        macs: [mac(0), mac(1), mac(3)],
        parameters: [{ name: "Proxy_1_", devices: 7 }],
      });
      const same = await preview({
        target: { scope: "tenant", tenant: "acme" },
        set: [{ name: "Proxy_1_", value: "old.example.com" }],
      });
      expect(same.body).toMatchObject({ changed: 0, macs: [] });
      const model = await preview({
        target: { scope: "model", tenant: "acme", model: "SPA112" },
        unset: ["Proxy_1_"],
        set: [{ name: "Line_Enable_1_", value: "No" }],
      });
      expect(model.body).toMatchObject({ devices: 4, changed: 4 });
      expect((await store.layers.get({ scope: "tenant", tenantId: acmeId }))?.parameters).toEqual([
        { name: "Proxy_1_", value: "old.example.com", access: null },
      ]);
      const device = await preview({
        target: { scope: "device", mac: mac(2) },
        unset: ["Proxy_1_"],
      });
      expect(device.body).toMatchObject({ devices: 1, changed: 1, macs: [mac(2)] });
      const invalid = await preview({
        target: { scope: "tenant", tenant: "acme" },
        set: [{ name: "Line_Enable_1_", value: "maybe" }],
      });
      expect(invalid.status).toBe(400);
      const missing = await preview({ target: { scope: "group" }, unset: ["Proxy_1_"] });
      expect(missing.status).toBe(400);
      const hidden = await preview(
        { target: { scope: "tenant", tenant: "default" }, unset: ["Proxy_1_"] },
        acmeToken,
      );
      expect(hidden.status).toBe(404);
    });
  });
}
