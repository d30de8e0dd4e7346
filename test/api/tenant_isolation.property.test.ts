/**
 * Tenant isolation of the admin API: a tenant-scoped token (read-only, operator or tenant
 * admin) never sees another tenant's devices, accounts, groups, layers, events, operations or
 * audit entries — by direct id, by list filter, or by a random query — and a foreign record
 * answers exactly like a missing one (404), so ids cannot be probed.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApi, type TestApi, waitForOperation } from "./helpers.ts";

let api: TestApi;
const tokens: Record<string, string> = {};
const FOREIGN_MAC = "000e08d0d001";
const OWN_MAC = "000e08acac01";
let foreignAccount: string;
let foreignGroup: string;
let foreignOperation: string;
/** Strings that exist only in the default tenant's records: none may reach an acme token. */
const MARKERS = ["foreign-secret-label", "FOREIGN-REF", "foreign-group", "foreign-proxy.example"];

beforeAll(async () => {
  api = await startApi();
  await api.request("PUT", "/api/v1/models/SPA504G", { body: { family: "spa", psn: "504" } });
  const acme = await api.request("POST", "/api/v1/tenants", {
    body: { slug: "acme", name: "Acme" },
  });
  expect(acme.status).toBe(201);
  for (const role of ["read-only", "operator", "admin"] as const) {
    const t = await api.store.tokens.issue({ name: `acme ${role}`, role, tenantId: acme.body.id });
    tokens[role] = t.secret;
  }
  // The default tenant's records.
  const account = await api.request("POST", "/api/v1/accounts", {
    body: { reference: "FOREIGN-REF", lines: [{ line: 1, userId: "1001", password: "pw" }] },
  });
  foreignAccount = account.body.id;
  const group = await api.request("POST", "/api/v1/groups", { body: { name: "foreign-group" } });
  foreignGroup = group.body.id;
  await api.request("POST", "/api/v1/devices", {
    body: {
      mac: FOREIGN_MAC,
      model: "SPA504G",
      serial: "FSER1",
      label: "foreign-secret-label",
      account: "FOREIGN-REF",
      group: "foreign-group",
    },
  });
  for (const path of [
    `/api/v1/devices/${FOREIGN_MAC}/layer`,
    `/api/v1/accounts/${foreignAccount}/layer`,
    `/api/v1/groups/${foreignGroup}/layer`,
    "/api/v1/tenants/default/layer",
    "/api/v1/tenants/default/models/SPA504G/layer",
  ]) {
    const res = await api.request("PATCH", path, {
      body: { set: [{ name: "Proxy_1_", value: "foreign-proxy.example" }] },
    });
    expect(res.status, path).toBe(200);
  }
  const op = await api.request("POST", "/api/v1/devices/import", {
    raw: `mac,label\n000e08d0d002,foreign-secret-label\n`,
  });
  expect(op.status).toBe(202);
  foreignOperation = op.body.operation.id;
  await waitForOperation(api, foreignOperation);
  // Acme's own device, and resync events for both tenants.
  await api.request("POST", "/api/v1/devices", {
    token: tokens.operator,
    body: { mac: OWN_MAC, model: "SPA504G", label: "own" },
  });
  await api.store.events.appendBatch(
    [FOREIGN_MAC, OWN_MAC].map((mac, i) => ({
      mac: mac as never,
      tenantId: i === 0 ? "default" : acme.body.id,
      at: new Date(),
      transport: "http",
      result: "ok",
      statusCode: 200,
      path: `/profile/${mac}.xml`,
      bytes: 10,
      durationMs: 1,
      remoteAddress: "127.0.0.1",
      userAgent: i === 0 ? "foreign-secret-label" : null,
      message: null,
    })),
  );
}, 120_000);

afterAll(async () => {
  await api?.close();
});

const ROLES = ["read-only", "operator", "admin"] as const;

/** A foreign marker in the answer that the request did not itself name (404s echo the key). */
function leaks(text: string, request = ""): string | undefined {
  return [FOREIGN_MAC, "000e08d0d002", ...MARKERS, foreignAccount, foreignGroup].find(
    (m) => text.includes(m) && !request.toLowerCase().replaceAll(":", "").includes(m.toLowerCase()),
  );
}

describe("tenant isolation (admin API)", () => {
  it("a foreign record answers 404 exactly like a missing one, for every role and route", async () => {
    const direct: [string, string, unknown?][] = [
      ["GET", `/api/v1/devices/${FOREIGN_MAC}`],
      ["GET", `/api/v1/devices/${FOREIGN_MAC.toUpperCase()}`],
      ["GET", "/api/v1/devices/00:0e:08:d0:d0:01"],
      ["GET", `/api/v1/devices/${FOREIGN_MAC}/config`],
      ["GET", `/api/v1/devices/${FOREIGN_MAC}/layer`],
      ["GET", `/api/v1/accounts/${foreignAccount}`],
      ["GET", "/api/v1/accounts/FOREIGN-REF"],
      ["GET", `/api/v1/accounts/${foreignAccount}/layer`],
      ["GET", `/api/v1/groups/${foreignGroup}`],
      ["GET", "/api/v1/groups/foreign-group"],
      ["GET", `/api/v1/groups/${foreignGroup}/layer`],
      ["GET", "/api/v1/tenants/default"],
      ["GET", "/api/v1/tenants/default/layer"],
      ["GET", "/api/v1/tenants/default/models/SPA504G/layer"],
      ["GET", `/api/v1/operations/${foreignOperation}`],
      ["GET", "/api/v1/devices?tenant=default"],
      ["GET", "/api/v1/events?tenant=default"],
      ["PATCH", `/api/v1/devices/${FOREIGN_MAC}`, { label: "x" }],
      ["PATCH", `/api/v1/accounts/${foreignAccount}`, { name: "x" }],
      ["PATCH", `/api/v1/groups/${foreignGroup}`, { description: "x" }],
      ["PATCH", "/api/v1/tenants/default/layer", { set: [{ name: "Proxy_1_", value: "x" }] }],
      ["PUT", `/api/v1/devices/${FOREIGN_MAC}/layer/parameters/Proxy_1_`, { value: "x" }],
      ["DELETE", `/api/v1/groups/${foreignGroup}/layer/parameters/Proxy_1_`],
      ["DELETE", `/api/v1/devices/${FOREIGN_MAC}`],
      ["DELETE", `/api/v1/accounts/${foreignAccount}`],
      ["POST", "/api/v1/devices", { mac: FOREIGN_MAC, tenant: "default" }],
      ["POST", "/api/v1/groups", { name: "x", tenant: "default" }],
    ];
    for (const role of ROLES) {
      for (const [method, path, body] of direct) {
        const res = await api.request(method, path, {
          token: tokens[role]!,
          ...(body === undefined ? {} : { body }),
        });
        const what = `${role} ${method} ${path}`;
        // Reads: 404. Writes: 403 (role too low) or 404 (hidden) — never a success.
        if (method === "GET" || role !== "read-only") expect(res.status, what).toBe(404);
        else expect([403, 404], what).toContain(res.status);
        expect(leaks(res.text, what + JSON.stringify(body ?? null)), what).toBeUndefined();
      }
    }
    // Nothing was changed.
    const device = await api.store.devices.get(FOREIGN_MAC as never);
    expect(device.label).toBe("foreign-secret-label");
  });

  it("lists, events and the audit log hold only the token's tenant", async () => {
    for (const role of ROLES) {
      for (const path of [
        "/api/v1/devices",
        "/api/v1/devices?limit=1000",
        "/api/v1/accounts",
        "/api/v1/groups",
        "/api/v1/tenants",
        "/api/v1/events",
        `/api/v1/events?mac=${FOREIGN_MAC}`,
        "/api/v1/tokens",
        "/api/v1/audit",
        `/api/v1/audit?entity=device&key=${FOREIGN_MAC}`,
      ]) {
        const res = await api.request("GET", path, { token: tokens[role]! });
        const what = `${role} GET ${path}`;
        expect([200, 403], what).toContain(res.status);
        expect(leaks(res.text, res.status === 200 ? "" : what), what).toBeUndefined();
      }
    }
    const own = await api.request("GET", "/api/v1/devices", { token: tokens["read-only"]! });
    expect(own.body.items.map((d: { mac: string }) => d.mac)).toEqual([OWN_MAC]);
  });

  it("random list queries never reveal another tenant's records", async () => {
    const param = fc.oneof(
      fc.constantFrom(
        "tenant=default",
        "tenant=acme",
        `mac=${FOREIGN_MAC}`,
        "account=FOREIGN-REF",
        `account=${foreignAccount}`,
        "group=foreign-group",
        `group=${foreignGroup}`,
        "model=SPA504G",
        "state=factory",
        "limit=1000",
        "after=000000000000",
        "after=1.1",
        "since=1970-01-01T00:00:00Z",
        "entity=device",
        `key=${FOREIGN_MAC}`,
      ),
      fc
        .tuple(fc.stringMatching(/^[a-z]{1,8}$/), fc.string({ maxLength: 12 }))
        .map(([k, v]) => `${k}=${encodeURIComponent(v)}`),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(
          "/api/v1/devices",
          "/api/v1/accounts",
          "/api/v1/groups",
          "/api/v1/events",
          "/api/v1/audit",
          "/api/v1/tokens",
          "/api/v1/tenants",
        ),
        fc.array(param, { maxLength: 4 }),
        fc.constantFrom(...ROLES),
        async (path, params, role) => {
          const res = await api.request("GET", `${path}?${params.join("&")}`, {
            token: tokens[role]!,
          });
          const what = `${role} GET ${path}?${params.join("&")}`;
          expect(res.status, `${what}: ${res.text.slice(0, 200)}`).toBeLessThan(500);
          // A 200 list never holds a foreign record, even one the query named.
          expect(
            leaks(res.text, res.status === 200 ? "" : decodeURIComponent(what)),
            what,
          ).toBeUndefined();
        },
      ),
      { numRuns: 1_000 },
    );
  });
});
