/**
 * The redirect and activation API as providers use it: tenant tokens see only their own
 * units; a claim on another provider's MAC is 409 without naming it; transfers need an
 * installation admin; activation codes are shown once with the device-side URL.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseMac } from "../../src/store/index.ts";
import { startApi, type TestApi, waitForOperation } from "./helpers.ts";

let api: TestApi;
let acmeToken: string;
let betaToken: string;
const MAC = "00:0e:08:ee:00:01";

beforeAll(async () => {
  api = await startApi();
  for (const slug of ["acme", "beta"]) {
    expect(
      (await api.request("POST", "/api/v1/tenants", { body: { slug, name: slug.toUpperCase() } }))
        .status,
    ).toBe(201);
  }
  const tenants = new Map((await api.store.tenants.list()).map((t) => [t.slug, t.id]));
  acmeToken = (
    await api.store.tokens.issue({ name: "acme", role: "operator", tenantId: tenants.get("acme")! })
  ).secret;
  betaToken = (
    await api.store.tokens.issue({ name: "beta", role: "operator", tenantId: tenants.get("beta")! })
  ).secret;
});
afterAll(() => api.close());

describe("redirect API", () => {
  it("profiles are validated: six domains or a rule outside them are refused", async () => {
    const six = await api.request("PUT", "/api/v1/redirect/profiles/default", {
      token: acmeToken,
      body: {
        restrictedDomains: ["a.x", "b.x", "c.x", "d.x", "e.x", "f.x"],
        profileRule: "https://a.x/$MA.xml",
      },
    });
    expect(six.status).toBe(400);
    const outside = await api.request("PUT", "/api/v1/redirect/profiles/default", {
      token: acmeToken,
      body: { restrictedDomains: ["acme.example"], profileRule: "https://evil.example/$MA.xml" },
    });
    expect(outside.status).toBe(400);
    expect(outside.body.error.message).toContain("outside the restricted domains");
    for (const [token, domain] of [
      [acmeToken, "acme.example"],
      [betaToken, "beta.example"],
    ] as const) {
      const ok = await api.request("PUT", "/api/v1/redirect/profiles/default", {
        token,
        body: {
          restrictedDomains: [domain],
          resyncPeriodic: "30",
          profileRule: `https://prov.${domain}/$MA.xml`,
        },
      });
      expect(ok.status).toBe(200);
    }
  });

  it("a MAC is one provider's: the other gets 409 naming nobody, cannot see or release it", async () => {
    const mine = await api.request("PUT", `/api/v1/redirect/units/${MAC}`, {
      token: acmeToken,
      body: { profile: "default" },
    });
    expect(mine.status).toBe(200);
    expect(mine.body.customization).toBe("Open");
    const claim = await api.request("PUT", `/api/v1/redirect/units/${MAC}`, {
      token: betaToken,
      body: { profile: "default" },
    });
    expect(claim.status).toBe(409);
    expect(claim.text).not.toMatch(/acme/i);
    const bulk = await api.request("POST", "/api/v1/redirect/units", {
      token: betaToken,
      body: { profile: "default", macs: [MAC, "000e08ee0002"] },
    });
    expect(bulk.body).toEqual({ registered: 1, unchanged: 0, conflicts: ["000e08ee0001"] });
    expect(
      (await api.request("GET", `/api/v1/redirect/units/${MAC}`, { token: betaToken })).status,
    ).toBe(404);
    expect(
      (await api.request("DELETE", `/api/v1/redirect/units/${MAC}`, { token: betaToken })).status,
    ).toBe(404);
    const listed = await api.request("GET", "/api/v1/redirect/units", { token: betaToken });
    expect(listed.body.items.map((u: { mac: string }) => u.mac)).toEqual(["000e08ee0002"]);
  });

  it("a CSV of MACs registers as an operation: progress, unreadable lines and another provider's MACs by line", async () => {
    const started = await api.request("POST", "/api/v1/redirect/units/import?profile=default", {
      token: acmeToken,
      raw: "serial,mac\nS1,000e08ee0010\nS2,bogus\nS3,000e08ee0002\nS4,00:0e:08:ee:00:11\n",
    });
    expect(started.status).toBe(202);
    const done = await waitForOperation(api, started.body.operation.id, acmeToken);
    expect(done.status).toBe("succeeded");
    expect(done.progress).toMatchObject({ rowsRead: 4, committed: 2, rejected: 2 });
    expect(done.errors.map((e: { line: number; code: string }) => [e.line, e.code])).toEqual([
      [3, "API_CSV_INVALID"],
      [4, "STORE_CONFLICT"],
    ]);
    expect(JSON.stringify(done)).not.toMatch(/beta/i);
    expect((await api.store.redirects.find(parseMac("000e08ee0011")))?.status).toBe("open");
  });

  it("a transfer needs an installation admin; the provider reports acquired", async () => {
    const byTenant = await api.request("POST", `/api/v1/redirect/units/${MAC}/transfer`, {
      token: betaToken,
      body: { tenant: "beta", profile: "default" },
    });
    expect(byTenant.status).toBe(403);
    // Not even a tenant's admin: between its look and its write another provider may claim
    // the MAC, and a transfer overwrites whoever holds it.
    const betaAdmin = (
      await api.store.tokens.issue({
        name: "beta-admin",
        role: "admin",
        tenantId: (await api.store.tenants.list()).find((t) => t.slug === "beta")!.id,
      })
    ).secret;
    const unclaimed = "000e08ee00f1";
    const byTenantAdmin = await api.request(
      "POST",
      `/api/v1/redirect/units/${unclaimed}/transfer`,
      {
        token: betaAdmin,
        body: { tenant: "beta", profile: "default" },
      },
    );
    expect(byTenantAdmin.status, JSON.stringify(byTenantAdmin.body)).toBe(403);
    expect(await api.store.redirects.find(parseMac(unclaimed))).toBeNull();
    const moved = await api.request("POST", `/api/v1/redirect/units/${MAC}/transfer`, {
      body: { tenant: "beta", profile: "default" },
    });
    expect(moved.status).toBe(200);
    expect(moved.body.tenant).toBe("beta");
    const reported = await api.request("PATCH", `/api/v1/redirect/units/${MAC}`, {
      token: betaToken,
      body: { status: "acquired" },
    });
    expect(reported.body.customization).toBe("Acquired");
    const audit = await api.store.audit.list({ entity: "redirect", key: "000e08ee0001" });
    expect(audit.map((a) => a.action)).toEqual(
      expect.arrayContaining(["redirect.transfer", "redirect.transfer-out"]),
    );
  });
});

describe("activation API", () => {
  it("issues a code once with its URLs; the list never shows it; other providers cannot see or revoke it", async () => {
    const account = await api.request("POST", "/api/v1/accounts", {
      token: acmeToken,
      body: { reference: "R-1" },
    });
    expect(account.status).toBe(201);
    const issued = await api.request(
      "POST",
      `/api/v1/accounts/${account.body.id}/activation-codes`,
      {
        token: acmeToken,
        body: { server: "https://prov.acme.example:8443" },
      },
    );
    expect(issued.status).toBe(201);
    expect(issued.body.code).toMatch(/^\d{16}$/);
    expect(issued.body.deviceUrl).toBe(
      `http://DEVICE/admin/resync?https://prov.acme.example:8443/init/${issued.body.code}`,
    );
    const list = await api.request("GET", `/api/v1/accounts/${account.body.id}/activation-codes`, {
      token: acmeToken,
    });
    expect(list.body).toHaveLength(1);
    expect(list.text).not.toContain(issued.body.code);
    expect(
      (
        await api.request("GET", `/api/v1/accounts/${account.body.id}/activation-codes`, {
          token: betaToken,
        })
      ).status,
    ).toBe(404);
    expect(
      (
        await api.request("DELETE", `/api/v1/activation-codes/${issued.body.record.id}`, {
          token: betaToken,
        })
      ).status,
    ).toBe(404);
    expect(
      (
        await api.request("DELETE", `/api/v1/activation-codes/${issued.body.record.id}`, {
          token: acmeToken,
        })
      ).status,
    ).toBe(204);
  });
});
