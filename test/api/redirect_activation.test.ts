/**
 * The redirect and activation API as providers use it: tenant tokens see only their own
 * units and register only inside the MAC ranges the installation granted them (so no
 * provider can claim another's units, nor learn whether they are registered); a claim on
 * another provider's MAC is 409 without naming it; grants and transfers need an
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

  it("only the installation grants MAC ranges, never overlapping another provider's", async () => {
    const byTenant = await api.request("POST", "/api/v1/redirect/grants", {
      token: acmeToken,
      body: { tenant: "acme", range: "000e08" },
    });
    expect(byTenant.status).toBe(403);
    const acme = await api.request("POST", "/api/v1/redirect/grants", {
      body: { tenant: "acme", range: "000e08ee00", note: "shipment 1" },
    });
    expect(acme.status).toBe(201);
    expect(acme.body).toMatchObject({ first: "000e08ee0000", last: "000e08ee00ff", size: 256 });
    const overlapping = await api.request("POST", "/api/v1/redirect/grants", {
      body: { tenant: "beta", range: "00:0e:08:ee:00:80-00:0e:08:ee:01:ff" },
    });
    expect(overlapping.status).toBe(409);
    const beta = await api.request("POST", "/api/v1/redirect/grants", {
      body: { tenant: "beta", range: "000e08ef0000-000e08ef00ff" },
    });
    expect(beta.status).toBe(201);
    const seen = await api.request("GET", "/api/v1/redirect/grants", { token: betaToken });
    expect(seen.body.map((g: { first: string }) => g.first)).toEqual(["000e08ef0000"]);
    expect(
      (await api.request("DELETE", `/api/v1/redirect/grants/${acme.body.id}`, { token: acmeToken }))
        .status,
    ).toBe(403);
  });

  it("a provider registers only inside its grants; outside them the answer is the same whether anyone holds the MAC", async () => {
    const mine = await api.request("PUT", `/api/v1/redirect/units/${MAC}`, {
      token: acmeToken,
      body: { profile: "default" },
    });
    expect(mine.status).toBe(200);
    expect(mine.body.customization).toBe("Open");
    // Beta tries acme's unit, and a MAC nobody holds, both outside its grants.
    const claim = await api.request("PUT", `/api/v1/redirect/units/${MAC}`, {
      token: betaToken,
      body: { profile: "default" },
    });
    const free = await api.request("PUT", "/api/v1/redirect/units/000e08ee0077", {
      token: betaToken,
      body: { profile: "default" },
    });
    expect(claim.status).toBe(403);
    expect(claim.body.error.code).toBe("API_REDIRECT_NOT_GRANTED");
    expect(claim.text).not.toMatch(/acme/i);
    expect(claim.text.replace("000e08ee0001", "M")).toBe(free.text.replace("000e08ee0077", "M"));
    expect(await api.store.redirects.find(parseMac("000e08ee0077"))).toBeNull();
    const bulk = await api.request("POST", "/api/v1/redirect/units", {
      token: betaToken,
      body: { profile: "default", macs: [MAC, "000e08ef0002"] },
    });
    expect(bulk.body).toEqual({
      registered: 1,
      unchanged: 0,
      conflicts: [],
      outside: ["000e08ee0001"],
    });
  });

  it("a MAC is one provider's: the other gets 409 naming nobody, cannot see or release it", async () => {
    // The installation registered a unit of beta's range for acme (a token of the whole
    // installation registers any MAC): beta's claim on it is a conflict that names nobody.
    const held = "000e08ef0005";
    expect(
      (
        await api.request("PUT", `/api/v1/redirect/units/${held}`, {
          body: { tenant: "acme", profile: "default" },
        })
      ).status,
    ).toBe(200);
    const claim = await api.request("PUT", `/api/v1/redirect/units/${held}`, {
      token: betaToken,
      body: { profile: "default" },
    });
    expect(claim.status).toBe(409);
    expect(claim.text).not.toMatch(/acme/i);
    expect(
      (await api.request("GET", `/api/v1/redirect/units/${MAC}`, { token: betaToken })).status,
    ).toBe(404);
    expect(
      (await api.request("DELETE", `/api/v1/redirect/units/${MAC}`, { token: betaToken })).status,
    ).toBe(404);
    const listed = await api.request("GET", "/api/v1/redirect/units", { token: betaToken });
    expect(listed.body.items.map((u: { mac: string }) => u.mac)).toEqual(["000e08ef0002"]);
  });

  it("a CSV of MACs registers as an operation: progress, unreadable lines and another provider's MACs by line", async () => {
    // A unit of acme's range the installation registered for beta: a conflict in acme's file.
    await api.request("PUT", "/api/v1/redirect/units/000e08ee00f0", {
      body: { tenant: "beta", profile: "default" },
    });
    const started = await api.request("POST", "/api/v1/redirect/units/import?profile=default", {
      token: acmeToken,
      raw: "serial,mac\nS1,000e08ee0010\nS2,bogus\nS3,000e08ef0002\nS4,00:0e:08:ee:00:11\nS5,000e08ee00f0\n",
    });
    expect(started.status).toBe(202);
    const done = await waitForOperation(api, started.body.operation.id, acmeToken);
    expect(done.status).toBe("succeeded");
    expect(done.progress).toMatchObject({ rowsRead: 5, committed: 2, rejected: 3 });
    const errors = done.errors.map((e: { line: number; code: string }) => [e.line, e.code]);
    expect(errors.sort((a: number[], b: number[]) => a[0]! - b[0]!)).toEqual([
      [3, "API_CSV_INVALID"],
      [4, "API_REDIRECT_NOT_GRANTED"],
      [6, "STORE_CONFLICT"],
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
