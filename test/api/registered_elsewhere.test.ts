import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApi, type TestApi, waitForOperation } from "./helpers.ts";

// Issue 10, finding 9 (admin side): a tenant-scoped token creating or importing a MAC that
// another tenant registered gets the same answer as for a MAC its own tenant registered —
// 409 STORE_CONFLICT "device … already exists" — never a word about another tenant.
describe("a MAC registered to another tenant", () => {
  let api: TestApi;
  let acmeToken: string;
  const foreign = "000e08aa0001"; // the default tenant's
  const own = "000e08bb0001"; // acme's

  beforeAll(async () => {
    api = await startApi();
    expect(
      (await api.request("POST", "/api/v1/tenants", { body: { slug: "acme", name: "Acme" } }))
        .status,
    ).toBe(201);
    const token = await api.request("POST", "/api/v1/tokens", {
      body: { name: "acme operator", role: "operator", tenant: "acme" },
    });
    acmeToken = token.body.secret;
    for (const [mac, tenant] of [
      [foreign, "default"],
      [own, "acme"],
    ]) {
      const res = await api.request("POST", "/api/v1/devices", {
        body: { mac, model: "SPA112", tenant },
      });
      expect(res.status).toBe(201);
    }
  });
  afterAll(() => api.close());

  const masked = (text: string, mac: string) => text.replaceAll(mac, "<mac>");

  it("POST /devices answers exactly as for a MAC the tenant itself registered", async () => {
    const post = (mac: string) =>
      api.request("POST", "/api/v1/devices", {
        token: acmeToken,
        body: { mac, model: "SPA112", label: "x" },
      });
    const theirs = await post(foreign);
    const mine = await post(own);
    expect(mine.status).toBe(409);
    expect(theirs.status).toBe(mine.status);
    expect(masked(theirs.text, foreign)).toBe(masked(mine.text, own));
    expect(theirs.body.error.code).toBe("STORE_CONFLICT");
    expect(theirs.text).not.toMatch(/tenant/i);
    // And nothing moved.
    expect((await api.store.devices.findByMac(foreign as never))?.label).toBeNull();
  });

  it("a CSV import's row says the MAC exists, in the words POST uses, never where", async () => {
    const started = await api.request("POST", "/api/v1/devices/import", {
      token: acmeToken,
      raw: `mac,label\n${foreign},stolen\n000e08cc0001,new\n`,
    });
    expect(started.status).toBe(202);
    const done = await waitForOperation(api, started.body.operation.id, acmeToken);
    expect(done.progress).toMatchObject({ committed: 1, rejected: 1 });
    expect(done.errors).toEqual([
      { line: 2, code: "STORE_CONFLICT", message: `device ${foreign} already exists` },
    ]);
    expect(JSON.stringify(done.errors)).not.toMatch(/tenant/i);
    expect((await api.store.devices.findByMac(foreign as never))?.label).toBeNull();
  });
});
