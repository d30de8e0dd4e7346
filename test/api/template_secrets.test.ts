import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApi, type TestApi } from "./helpers.ts";

// Issue 10, finding 6: a value rendered from a template that reads a secret (a SIP password)
// is itself a secret in the effective configuration — for every role, whatever path, loop
// or filter the template reads it through.
describe("values rendered from secrets", () => {
  let api: TestApi;
  const mac = "000e08c0ffee";
  const password = "pw-7777-Secret";

  beforeAll(async () => {
    api = await startApi();
    await api.request("PUT", "/api/v1/models/SPA112", { body: { family: "spa", lines: 2 } });
    const account = await api.request("POST", "/api/v1/accounts", {
      body: { reference: "7777", lines: [{ line: 1, userId: "7777", password }] },
    });
    expect(account.status).toBe(201);
    const device = await api.request("POST", "/api/v1/devices", {
      body: { mac, model: "SPA112", account: "7777" },
    });
    expect(device.status).toBe(201);
    const layer = await api.request("PATCH", `/api/v1/devices/${mac}/layer`, {
      token: api.tokens.operator,
      body: {
        set: [
          { name: "Display_Name_1_", value: "{{ account.line1.password }}" },
          {
            name: "Display_Name_2_",
            value: "{% for l in account.lines %}{{ l.password | upcase }}{% endfor %}",
          },
          { name: "Proxy_2_", value: "x{{ account.lines[0].password | size }}" },
          { name: "User_ID_1_", value: "{{ account.line1.user_id }}" },
        ],
      },
    });
    expect(layer.status).toBe(200);
  });
  afterAll(() => api.close());

  it.each([
    ["admin", () => api.tokens.admin],
    ["operator", () => api.tokens.operator],
    ["read-only", () => api.tokens.readOnly],
  ])("GET /devices/:mac/config withholds them from a %s token", async (_role, token) => {
    const res = await api.request("GET", `/api/v1/devices/${mac}/config`, { token: token() });
    expect(res.status).toBe(200);
    expect(res.text).not.toContain(password);
    expect(res.text).not.toContain(password.toUpperCase());
    const byName = new Map(res.body.parameters.map((p: { name: string }) => [p.name, p]));
    for (const name of ["Display_Name_1_", "Display_Name_2_", "Proxy_2_"]) {
      expect(byName.get(name)).toMatchObject({ value: null, secret: true });
    }
    // A template that reads no secret is shown as rendered.
    expect(byName.get("User_ID_1_")).toMatchObject({ value: "7777", secret: false });
  });
});

// The re-probe of finding 6: a template's *error message* carried the password
// (`{% include account.line1.password %}` → `Failed to lookup "<password>"`), readable by
// every role through /config, and written to the device's answer, the log and the events.
describe("template errors never carry a secret", () => {
  let api: TestApi;
  const mac = "000e08c0ffe0";
  const password = "pw-8888-Secret";

  beforeAll(async () => {
    api = await startApi();
    await api.request("PUT", "/api/v1/models/SPA112", { body: { family: "spa", lines: 2 } });
    await api.request("POST", "/api/v1/accounts", {
      body: { reference: "8888", lines: [{ line: 1, userId: "8888", password }] },
    });
    await api.request("POST", "/api/v1/devices", {
      body: { mac, model: "SPA112", account: "8888" },
    });
  });
  afterAll(() => api.close());

  it.each([
    "{% include account.line1.password %}",
    "{% render account.lines[0].password %}",
    "{% layout account.line1.password %}x",
  ])("a tag that looks a name up at render time is refused when written: %s", async (value) => {
    const res = await api.request("PATCH", `/api/v1/devices/${mac}/layer`, {
      token: api.tokens.operator,
      body: { set: [{ name: "Display_Name_1_", value }] },
    });
    expect(res.status).toBe(400);
    expect(res.text).not.toContain(password);
  });

  it("a template that fails after reading a secret says so without any detail", async () => {
    const layer = await api.request("PATCH", `/api/v1/devices/${mac}/layer`, {
      token: api.tokens.operator,
      body: {
        set: [
          {
            name: "Display_Name_1_",
            value:
              // The secret is read first; then the range is over the memory limit: a
              // deterministic failure, whatever the machine's speed.
              "{% assign p = account.line1.password %}{% for i in (1..2000000) %}{{ p }}{% endfor %}",
          },
        ],
      },
    });
    expect(layer.status).toBe(200);
    for (const token of [api.tokens.operator, api.tokens.readOnly, api.tokens.admin]) {
      const res = await api.request("GET", `/api/v1/devices/${mac}/config`, { token });
      expect(res.text).not.toContain(password);
      expect(res.text).toContain("details withheld");
    }
  });
});
