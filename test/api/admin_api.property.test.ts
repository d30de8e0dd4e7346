/**
 * Fuzz of the admin API's write routes over a real socket: random JSON bodies — noise, and
 * near-valid objects with the routes' own field names and hostile values — sent with a valid
 * admin token. Every answer is a 2xx, or a 4xx with `{ error: { code, message } }`; never a
 * 5xx. Afterwards the API still answers a valid request.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiResponse, startApi, type TestApi } from "./helpers.ts";

let api: TestApi;

beforeAll(async () => {
  api = await startApi();
  await api.request("PUT", "/api/v1/models/SPA504G", { body: { family: "spa", psn: "504" } });
  await api.request("POST", "/api/v1/devices", { body: { mac: "000e08aabb01", model: "SPA504G" } });
  await api.request("POST", "/api/v1/accounts", { body: { reference: "C-1" } });
  await api.request("POST", "/api/v1/groups", { body: { name: "g1" } });
}, 120_000);

afterAll(async () => {
  await api?.close();
});

const hostileString = fc.oneof(
  { weight: 4, arbitrary: fc.string({ maxLength: 20 }) },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      "",
      " ",
      "default",
      "SPA504G",
      "000e08aabb01",
      "00:0E:08:AA:BB:02",
      "000e08aabbzz",
      "C-1",
      "g1",
      "Proxy_1_",
      "Proxy[1]",
      "Resync_Periodic",
      "Admin_Passwd",
      "{{ account.line1.user_id }}",
      "{{ device.mac | upcase }}",
      "{% raw %}",
      "{{",
      "{% for x in (1..100000000) %}x{% endfor %}",
      "/profile/$MA.xml",
      "/p/$IP.xml",
      "relative/$MA",
      "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----",
      "na",
      "rw",
      "aes",
      "factory",
      "__proto__",
      "constructor",
      "\u0000",
      "2026-01-01T00:00:00Z",
      "not-a-date",
      "a".repeat(300),
      "9".repeat(30),
    ),
  },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 12 }) },
);
const scalar: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: hostileString },
  { weight: 1, arbitrary: fc.integer({ min: -5, max: 100_000 }) },
  { weight: 1, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }) },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constant(null) },
);
const value: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 8, arbitrary: scalar },
  { weight: 1, arbitrary: fc.array(scalar, { maxLength: 3 }) },
  { weight: 1, arbitrary: fc.dictionary(hostileString, scalar, { maxKeys: 3 }) },
);

/** Mostly the right type with a hostile value, sometimes anything. */
const typed = (right: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> =>
  fc.oneof({ weight: 9, arbitrary: right }, { weight: 1, arbitrary: value });
const FIELD_TYPES: Record<string, fc.Arbitrary<unknown>> = {
  line: typed(fc.integer({ min: -1, max: 70 })),
  lines: typed(fc.integer({ min: -1, max: 70 })),
  requireClientCert: typed(fc.boolean()),
  autoCreate: typed(fc.boolean()),
  slug: typed(fc.oneof(fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,10}$/), hostileString)),
  role: typed(fc.constantFrom("admin", "operator", "read-only", "root")),
  access: typed(fc.constantFrom("na", "ro", "rw", null, "xx")),
  encryption: typed(fc.constantFrom("none", "gzip", "aes", null, "des")),
  mac: typed(
    fc.oneof(
      fc.stringMatching(/^[0-9a-f]{12}$/),
      fc.constantFrom("000e08aabb01", "00:0E:08:AA:BB:03", "000e08aabbzz"),
    ),
  ),
  state: typed(fc.oneof(fc.stringMatching(/^[a-z][a-z0-9-]{0,8}$/), hostileString)),
};

/** An object with some of `fields` (and maybe a stray one), values hostile. */
function nearValid(
  fields: readonly string[],
  nested: Record<string, fc.Arbitrary<unknown>> = {},
  required: string[] = [],
): fc.Arbitrary<unknown> {
  const model = Object.fromEntries(
    fields.map((f) => [f, nested[f] ?? FIELD_TYPES[f] ?? typed(fc.option(hostileString))]),
  );
  return fc
    .tuple(
      fc.oneof(
        { weight: 4, arbitrary: fc.record(model, { requiredKeys: required }) },
        { weight: 1, arbitrary: fc.record(model, { requiredKeys: [] }) },
      ),
      fc.oneof(
        { weight: 10, arbitrary: fc.constant(null) },
        { weight: 1, arbitrary: fc.tuple(hostileString, value) },
      ),
    )
    .map(([obj, extra]) => (extra === null ? obj : { ...obj, [extra[0]]: extra[1] }));
}

const parameter = nearValid(["name", "value", "access"], {}, ["name"]);
const parameters = fc.array(parameter, { maxLength: 4 });
const line = nearValid(["line", "userId", "authId", "password", "displayName", "proxy"], {}, [
  "line",
  "userId",
]);
const settings = nearValid(
  ["profilePaths", "requireClientCert", "autoCreate", "trustedClientCas", "encryption"],
  {
    profilePaths: fc.array(hostileString, { maxLength: 3 }),
    trustedClientCas: fc.array(hostileString, { maxLength: 2 }),
  },
);
const deviceFields = [
  "tenant",
  "model",
  "serial",
  "account",
  "group",
  "label",
  "state",
  "encryption",
  "deviceKey",
];

const pushFields: Record<string, fc.Arbitrary<unknown>> = {
  event: typed(fc.constantFrom("check-sync", "resync", "report", "reboot_now", "notify", "")),
  via: typed(fc.constantFrom("sip", "http", "smtp")),
  contact: fc.oneof(
    fc.constantFrom("", " ", "[::1", "a b", "host:99999", "h:0", "x".repeat(300), "::1:5060"),
    fc.integer(),
    fc.constant(null),
    fc.boolean(),
  ),
  macs: fc.oneof(
    fc.array(fc.constantFrom("000e08aabb01", "00:0E:08:AA:BB:03", "000e08aabbzz", ""), {
      maxLength: 3,
    }),
    value,
  ),
  perSecond: typed(fc.integer({ min: -1, max: 600 })),
};

interface Call {
  readonly method: string;
  readonly path: string;
  readonly body: fc.Arbitrary<unknown>;
}
const enc = (s: string) => encodeURIComponent(s);
const segment = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom("default", "000e08aabb01", "SPA504G", "C-1", "g1") },
  { weight: 1, arbitrary: hostileString.filter((s) => s.length > 0).map(enc) },
);

const calls: fc.Arbitrary<{ method: string; path: string; body: unknown }> = fc
  .oneof(
    fc.constant<Call>({
      method: "POST",
      path: "/api/v1/tenants",
      body: nearValid(["slug", "name", "settings"], { settings }, ["slug", "name"]),
    }),
    segment.map<Call>((id) => ({
      method: "PATCH",
      path: `/api/v1/tenants/${id}`,
      body: nearValid(["slug", "name", "settings"], { settings }),
    })),
    fc.constant<Call>({
      method: "POST",
      path: "/api/v1/devices",
      body: nearValid(["mac", ...deviceFields], {}, ["mac"]),
    }),
    segment.map<Call>((mac) => ({
      method: "PATCH",
      path: `/api/v1/devices/${mac}`,
      body: nearValid(deviceFields),
    })),
    fc.constant<Call>({
      method: "POST",
      path: "/api/v1/accounts",
      body: nearValid(
        ["tenant", "reference", "name", "lines"],
        { lines: fc.array(line, { maxLength: 3 }) },
        ["reference"],
      ),
    }),
    fc.constant<Call>({
      method: "POST",
      path: "/api/v1/groups",
      body: nearValid(["tenant", "name", "description"], {}, ["name"]),
    }),
    segment.map<Call>((pn) => ({
      method: "PUT",
      path: `/api/v1/models/${pn}`,
      body: nearValid(["psn", "family", "description", "lines"], {}, ["family"]),
    })),
    fc
      .constantFrom(
        "/api/v1/tenants/default/layer",
        "/api/v1/devices/000e08aabb01/layer",
        "/api/v1/tenants/default/models/SPA504G/layer",
      )
      .chain((path) =>
        fc.constantFrom<Call>(
          { method: "PUT", path, body: fc.record({ parameters }) },
          {
            method: "PATCH",
            path,
            body: nearValid(["set", "unset"], {
              set: parameters,
              unset: fc.array(hostileString, { maxLength: 3 }),
            }),
          },
        ),
      ),
    fc
      .tuple(
        fc.constantFrom("/api/v1/tenants/default/layer", "/api/v1/devices/000e08aabb01/layer"),
        segment,
      )
      .map<Call>(([path, name]) => ({
        method: "PUT",
        path: `${path}/parameters/${name}`,
        body: nearValid(["value", "access"]),
      })),
    fc.constant<Call>({
      method: "POST",
      path: "/api/v1/tokens",
      body: nearValid(["name", "role", "tenant", "expiresAt"], {}, ["name", "role"]),
    }),
    // Push: the fuzzed devices never resynced (no contact: answered at once), and a contact is
    // never a host that resolves or listens (a NOTIFY to it would wait 32 s for an answer).
    segment.map<Call>((mac) => ({
      method: "POST",
      path: `/api/v1/devices/${mac}/push`,
      body: nearValid(["event", "via", "contact", "line"], pushFields, ["event"]),
    })),
    fc.constant<Call>({
      method: "POST",
      path: "/api/v1/push",
      body: nearValid(
        ["event", "via", "tenant", "group", "macs", "line", "perSecond"],
        pushFields,
        ["event"],
      ),
    }),
  )
  .chain((call) =>
    fc
      .oneof(
        { weight: 6, arbitrary: call.body },
        { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
      )
      .map((body) => ({ method: call.method, path: call.path, body })),
  );

function expectNo5xx(res: ApiResponse, what: string): void {
  expect(res.status, `${what} → ${res.status} ${res.text.slice(0, 300)}`).toBeLessThan(500);
  if (res.status >= 400) {
    expect(typeof res.body?.error?.code, `${what}: ${res.text.slice(0, 200)}`).toBe("string");
    expect(typeof res.body?.error?.message).toBe("string");
  }
}

describe("admin API write routes (fuzz)", () => {
  it("answers random JSON bodies with 2xx or a 4xx error body, never a 5xx", async () => {
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(calls, async ({ method, path, body }) => {
        const res = await api.request(method, path, { body });
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        expectNo5xx(res, `${method} ${path} ${JSON.stringify(body).slice(0, 300)}`);
      }),
      // Up to 1,000 bodies; on a very busy machine as many as 20 s allow (the time limit ends
      // the search early without failing; a counterexample found before it still fails).
      { numRuns: 1_000, interruptAfterTimeLimit: 20_000, markInterruptAsFailure: false },
    );
    // The fuzz got past schema validation, not only into it.
    expect([...statuses.keys()]).toEqual(expect.arrayContaining([200, 201, 400, 404]));
    expect((await api.request("GET", "/api/v1/devices/000e08aabb01")).status).toBe(200);
  });

  it("answers random reads (path parameters, query strings) with 2xx or a 4xx error body", async () => {
    const queryValue = fc.oneof(
      hostileString,
      fc.constantFrom(
        "99999999999999999999999.1",
        "1.99999999999999999999",
        "0.0",
        "-1",
        "1e400",
        "99999999999999999999",
        "2026-13-45T99:99:99Z",
        "0000-01-01T00:00:00Z",
        "275760-09-13T00:00:00.001Z",
      ),
    );
    const query = fc
      .array(
        fc.tuple(
          fc.constantFrom(
            "tenant",
            "mac",
            "since",
            "until",
            "after",
            "limit",
            "account",
            "group",
            "model",
            "state",
            "entity",
            "key",
            "actor",
            "kind",
            "x",
          ),
          queryValue,
        ),
        { maxLength: 3 },
      )
      .map((pairs) => pairs.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join("&"));
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(
          "/api/v1/devices",
          "/api/v1/devices/:p",
          "/api/v1/devices/:p/config",
          "/api/v1/devices/:p/layer",
          "/api/v1/accounts",
          "/api/v1/accounts/:p",
          "/api/v1/groups",
          "/api/v1/groups/:p/layer",
          "/api/v1/tenants/:p",
          "/api/v1/tenants/:p/models/:p/layer",
          "/api/v1/models/:p",
          "/api/v1/events",
          "/api/v1/audit",
          "/api/v1/operations/:p",
          "/api/v1/tokens",
          "/api/v1/devices/:p/report",
          "/api/v1/devices/:p/reports",
          "/api/v1/devices/:p/drift",
        ),
        segment,
        query,
        async (route, param, q) => {
          const path = `${route.replaceAll(":p", param)}?${q}`;
          const res = await api.request("GET", path);
          expectNo5xx(res, `GET ${path}`);
        },
      ),
      { numRuns: 1_000 },
    );
  });

  it("answers raw non-JSON bodies and wrong content types with a 4xx error body", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(
          "/api/v1/devices",
          "/api/v1/tenants",
          "/api/v1/tenants/default/layer",
          "/api/v1/push",
          "/api/v1/devices/000e08aabb01/push",
        ),
        fc.constantFrom("POST", "PUT", "PATCH"),
        fc.string({ unit: "binary", maxLength: 80 }),
        fc.constantFrom(
          "application/json",
          "text/plain",
          "text/csv",
          "application/x-www-form-urlencoded",
          "",
          "application/json; charset=latin1",
        ),
        async (path, method, raw, contentType) => {
          const res = await api.request(method, path, { raw, contentType });
          expectNo5xx(res, `${method} ${path} ${contentType} ${JSON.stringify(raw)}`);
        },
      ),
      { numRuns: 300 },
    );
  });
});
