/**
 * The API paths whose behaviour depends on storage — bulk import with acknowledged batches,
 * keyset pagination, tenant filters, layer version checks — on both dialects.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dialects, type Fresh } from "../store/dialects.ts";
import { startApi, type TestApi, waitForOperation } from "./helpers.ts";

for (const dialect of dialects()) {
  describe(`admin API on ${dialect.name}`, () => {
    let fresh: Fresh;
    let api: TestApi;

    beforeAll(async () => {
      fresh = await dialect.fresh();
      api = await startApi({ store: fresh.options });
    });
    afterAll(async () => {
      await api.close();
      await fresh.dispose();
    });

    it("imports, paginates and filters by tenant", async () => {
      await api.request("POST", "/api/v1/tenants", { body: { slug: "acme", name: "Acme" } });
      const rows = ["mac,model"];
      for (let i = 0; i < 1200; i++) rows.push(`02${i.toString(16).padStart(10, "0")},SPA112`);
      const started = await api.request(
        "POST",
        "/api/v1/devices/import?tenant=acme&batchSize=250",
        {
          raw: rows.join("\n"),
        },
      );
      expect(started.status).toBe(202);
      const done = await waitForOperation(api, started.body.operation.id);
      expect(done).toMatchObject({
        status: "succeeded",
        progress: { committed: 1200, rejected: 0 },
      });

      // A second import of the same MACs into another tenant must not move them.
      const steal = await api.request("POST", "/api/v1/devices/import", {
        raw: "mac,label\n020000000001,mine\n0300000000aa,new\n",
      });
      const stolen = await waitForOperation(api, steal.body.operation.id);
      expect(stolen.progress).toMatchObject({ committed: 1, rejected: 1 });
      expect(stolen.errors[0]).toMatchObject({ line: 2, code: "STORE_CONFLICT" });

      let after: string | null = null;
      let count = 0;
      do {
        const page = await api.request(
          "GET",
          `/api/v1/devices?tenant=acme&limit=500${after === null ? "" : `&after=${after}`}`,
        );
        expect(page.status).toBe(200);
        count += page.body.items.length;
        after = page.body.next;
      } while (after !== null);
      expect(count).toBe(1200);
      const defaults = await api.request("GET", "/api/v1/devices?tenant=default");
      expect(defaults.body.items.map((d: { mac: string }) => d.mac)).toEqual(["0300000000aa"]);
      expect((await api.store.check()).ok).toBe(true);
    });

    it("keeps concurrent layer patches from losing each other's parameters", async () => {
      const names = ["Proxy_1_", "Proxy_2_", "Proxy_3_", "Proxy_4_"];
      const results = await Promise.all(
        names.map((name) =>
          api.request("PATCH", "/api/v1/tenants/acme/layer", {
            body: { set: [{ name, value: `p${name.slice(6, 7)}.example.com` }] },
          }),
        ),
      );
      // Each patch either landed or was refused with 409 (never silently lost).
      const landed = names.filter((_, i) => results[i]!.status === 200);
      for (const r of results) expect([200, 409]).toContain(r.status);
      const layer = await api.request("GET", "/api/v1/tenants/acme/layer");
      expect(layer.body.parameters.map((p: { name: string }) => p.name).sort()).toEqual(
        landed.sort(),
      );
    });
  });
}
