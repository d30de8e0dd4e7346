import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApi, type TestApi, waitForOperation } from "./helpers.ts";

describe("devices API", () => {
  let api: TestApi;

  beforeAll(async () => {
    api = await startApi();
  });
  afterAll(() => api.close());

  it("creates, reads, changes and deletes a device; MACs in any form, canonical out", async () => {
    const created = await api.request("POST", "/api/v1/devices", {
      body: { mac: "00-0E-08-AA-BB-CC", model: "SPA112", serial: "CBT123", label: "desk" },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      mac: "000e08aabbcc",
      model: "SPA112",
      tenantId: "default",
    });
    expect(created.headers.get("location")).toBe("/api/v1/devices/000e08aabbcc");
    const again = await api.request("POST", "/api/v1/devices", { body: { mac: "000e08aabbcc" } });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe("STORE_CONFLICT");

    const read = await api.request("GET", "/api/v1/devices/000E.08AA.BBCC");
    expect(read.status).toBe(200);
    expect(read.body.serial).toBe("CBT123");
    const patched = await api.request("PATCH", "/api/v1/devices/000e08aabbcc", {
      body: { label: null, deviceKey: "k3y-material" },
    });
    expect(patched.status).toBe(200);
    expect(patched.body.label).toBeNull();
    expect(patched.body.hasDeviceKey).toBe(true);
    expect(patched.text).not.toContain("k3y-material");
    expect((await api.request("DELETE", "/api/v1/devices/000e08aabbcc")).status).toBe(204);
    expect((await api.request("GET", "/api/v1/devices/000e08aabbcc")).status).toBe(404);
  });

  it("answers bad input with 4xx and the error shape, never 5xx", async () => {
    const cases: [string, string, Parameters<TestApi["request"]>[2], number, string][] = [
      ["GET", "/api/v1/devices/not-a-mac", {}, 400, "API_VALIDATION"],
      ["GET", "/api/v1/devices/..%2F..%2Fetc%2Fpasswd", {}, 400, "API_VALIDATION"],
      ["GET", "/api/v1/devices/%00%00", {}, 400, "API_VALIDATION"],
      ["GET", `/api/v1/devices/${"a".repeat(5000)}`, {}, 414, "API_URL_TOO_LONG"],
      ["GET", "/api/v1/devices/%E0%A4%A", {}, 400, "API_VALIDATION"],
      ["GET", "/api/v1/../../etc/passwd", {}, 404, "API_NOT_FOUND"],
      ["POST", "/api/v1/devices", { body: { mac: "zz:zz" } }, 400, "API_VALIDATION"],
      [
        "POST",
        "/api/v1/devices",
        { body: { mac: "000e08000001", colour: "red" } },
        400,
        "API_VALIDATION",
      ],
      [
        "POST",
        "/api/v1/devices",
        { body: { mac: "000e08000001", state: "Bad State" } },
        400,
        "API_VALIDATION",
      ],
      [
        "POST",
        "/api/v1/devices",
        { raw: "{not json", contentType: "application/json" },
        400,
        "API_VALIDATION",
      ],
      [
        "POST",
        "/api/v1/devices",
        { raw: "mac=1", contentType: "application/x-www-form-urlencoded" },
        415,
        "API_UNSUPPORTED_MEDIA_TYPE",
      ],
      [
        "POST",
        "/api/v1/devices",
        { body: { mac: "000e08000001", label: "x".repeat(2 * 1024 * 1024) } },
        413,
        "API_BODY_TOO_LARGE",
      ],
      ["GET", "/api/v1/devices?limit=0", {}, 400, "API_VALIDATION"],
      ["GET", "/api/v1/devices?after=xyz", {}, 400, "API_VALIDATION"],
      ["GET", "/api/v1/devices?account=nope", {}, 404, "API_NOT_FOUND"],
      ["PATCH", "/api/v1/devices/000e08000404", { body: { label: "x" } }, 404, "API_NOT_FOUND"],
      [
        "POST",
        "/api/v1/devices",
        { body: { mac: "000e08000001", account: "missing" } },
        404,
        "API_NOT_FOUND",
      ],
      ["GET", "/api/v1/nothing-here", {}, 404, "API_NOT_FOUND"],
    ];
    for (const [method, path, options, status, code] of cases) {
      const res = await api.request(method, path, options);
      expect(res.status, `${method} ${path.slice(0, 60)}: ${res.text.slice(0, 200)}`).toBe(status);
      expect(res.body?.error?.code, `${method} ${path.slice(0, 60)}`).toBe(code);
      expect(typeof res.body.error.message).toBe("string");
    }
  });

  it("lists with filters and keyset pagination", async () => {
    for (let i = 0; i < 5; i++) {
      const res = await api.request("POST", "/api/v1/devices", {
        body: {
          mac: `0200000000${i.toString(16).padStart(2, "0")}`,
          model: i % 2 === 0 ? "SPA112" : "SPA504G",
        },
      });
      expect(res.status).toBe(201);
    }
    const seen: string[] = [];
    let after: string | null = null;
    do {
      const page = await api.request(
        "GET",
        `/api/v1/devices?limit=2${after === null ? "" : `&after=${after}`}`,
      );
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.items.map((d: { mac: string }) => d.mac));
      after = page.body.next;
    } while (after !== null);
    expect(seen).toEqual([...seen].sort());
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toHaveLength(5);
    const spa112 = await api.request("GET", "/api/v1/devices?model=SPA112");
    expect(spa112.body.items).toHaveLength(3);
  });

  it("accounts keep SIP passwords write-only", async () => {
    const created = await api.request("POST", "/api/v1/accounts", {
      body: {
        reference: "1001",
        lines: [{ line: 1, userId: "1001", password: "hunter2-secret", proxy: "sip.example.com" }],
      },
    });
    expect(created.status).toBe(201);
    expect(created.text).not.toContain("hunter2-secret");
    expect(created.body.lines[0]).toMatchObject({ userId: "1001", hasPassword: true });
    const byRef = await api.request("GET", "/api/v1/accounts/1001");
    expect(byRef.status).toBe(200);
    expect(byRef.text).not.toContain("hunter2");
    const list = await api.request("GET", "/api/v1/accounts");
    expect(list.text).not.toContain("hunter2");
    // A patch without the password keeps it.
    const patched = await api.request("PATCH", `/api/v1/accounts/${created.body.id}`, {
      body: { lines: [{ line: 1, userId: "1001", displayName: "Desk" }] },
    });
    expect(patched.body.lines[0]).toMatchObject({ displayName: "Desk", hasPassword: true });
    const account = await api.store.accounts.get(created.body.id);
    expect(account.lines[0]?.password?.reveal()).toBe("hunter2-secret");
    const audit = await api.store.audit.list({ entity: "account" });
    expect(JSON.stringify(audit)).not.toContain("hunter2");
  });

  it("imports CSV asynchronously: 202 + operation, progress, per-line errors, committed rows", async () => {
    await api.request("POST", "/api/v1/groups", { body: { name: "lobby" } });
    const rows = ["MAC,Model,serial,account,group,label"];
    for (let i = 0; i < 2500; i++) {
      rows.push(
        `00:0e:09:00:${((i >> 8) & 0xff).toString(16).padStart(2, "0")}:${(i & 0xff).toString(16).padStart(2, "0")},SPA112,S${i},1001,lobby,"desk, ${i}"`,
      );
    }
    rows.push("not-a-mac,SPA112,,,,");
    rows.push("000e09000001,SPA112,,,,"); // duplicate of row 2 (i = 1)
    rows.push("000e09ffffff,SPA112,,nosuch,,");
    rows.push("000e09fffffe,SPA112,,,nogroup,");
    rows.push("000e09fffffd,SPA112");
    const res = await api.request("POST", "/api/v1/devices/import?batchSize=500", {
      raw: `${rows.join("\r\n")}\r\n`,
    });
    expect(res.status).toBe(202);
    expect(res.body.operation.status).toBe("running");
    expect(res.headers.get("location")).toBe(`/api/v1/operations/${res.body.operation.id}`);
    const done = await waitForOperation(api, res.body.operation.id);
    expect(done.status).toBe("succeeded");
    expect(done.progress).toMatchObject({
      rowsRead: 2505,
      committed: 2500,
      rejected: 5,
      lastCommittedLine: 2501,
    });
    expect(done.errors.map((e: { line: number; code: string }) => [e.line, e.code])).toEqual([
      [2502, "STORE_INVALID_MAC"],
      [2503, "STORE_CONFLICT"],
      [2504, "API_NOT_FOUND"],
      [2505, "API_NOT_FOUND"],
      [2506, "API_CSV_INVALID"],
    ]);
    expect(done.errors[1].message).toContain("line 3");
    const device = await api.request("GET", "/api/v1/devices/000e090009c3");
    expect(device.body).toMatchObject({ model: "SPA112", serial: "S2499", label: "desk, 2499" });
    expect(device.body.accountId).not.toBeNull();
    expect(device.body.groupId).not.toBeNull();
    const count = await api.store.devices.count({ modelPn: "SPA112" });
    expect(count).toBeGreaterThanOrEqual(2500);
    // One audit entry per imported row, keyed by its MAC, by this token.
    const audit = await api.store.audit.list({
      entity: "device",
      key: "000e090009c3",
      actor: `token:${api.tokens.adminId}`,
    });
    expect(audit.filter((a) => a.action === "device.bulk_upsert")).toHaveLength(1);
  });

  it("fails an import with a bad header at once, in the operation", async () => {
    const res = await api.request("POST", "/api/v1/devices/import", {
      raw: "mac,colour\n000e08000001,red\n",
    });
    expect(res.status).toBe(202);
    const done = await waitForOperation(api, res.body.operation.id);
    expect(done.status).toBe("failed");
    expect(done.error.code).toBe("API_CSV_INVALID");
    expect(done.error.message).toContain("colour");
    const unknown = await api.request(
      "GET",
      "/api/v1/operations/00000000-0000-0000-0000-000000000000",
    );
    expect(unknown.status).toBe(404);
  });
});
