import { join } from "node:path";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdminApp } from "../../src/api/index.ts";
import type { ProvisioNode } from "../../src/server/node.ts";
import { startTestNode } from "../server/helpers.ts";
import { provisio, tempDir } from "./helpers.ts";

/**
 * Management commands against an installation a server is running on: what the CLI writes,
 * the running server serves within a second (the store's change feed), and a token the CLI
 * creates works on the server's admin listener (the node built with `createAdminApp`).
 */
describe("provisio account, layer and token with a running server", () => {
  let data: string;
  let node: ProvisioNode;
  let http: string;
  let admin: string;

  beforeAll(async () => {
    data = join(tempDir("layer"), "data");
    node = await startTestNode(
      data,
      {},
      {
        createAdmin: (deps) => createAdminApp({ ...deps, logger: pino({ level: "silent" }) }),
        issueInitialToken: false,
      },
    );
    http = `http://127.0.0.1:${node.addresses.http!.port}`;
    admin = `http://127.0.0.1:${node.addresses.admin!.port}`;
  }, 120_000);
  afterAll(() => node?.close());

  it("sets layers from the CLI and the running server serves them within a second", async () => {
    const account = await provisio([
      "account",
      "add",
      "--id",
      "1001",
      "-d",
      data,
      "--line",
      "1:user_id=1001,password=pa\\,ss,display_name=Front desk,proxy=sip.example.com",
    ]);
    expect(account.code, account.stderr).toBe(0);
    const device = await provisio([
      "device",
      "add",
      "--mac",
      "000e08abcdef",
      "--model",
      "SPA112",
      "--account",
      "1001",
      "-d",
      data,
    ]);
    expect(device.code, device.stderr).toBe(0);
    const tenant = await provisio([
      "layer",
      "set",
      "Proxy[1]=tenant.example.com",
      "Resync_Periodic=3600",
      "--access",
      "ro",
      "-d",
      data,
    ]);
    expect(tenant.code, tenant.stderr).toBe(0);
    expect(tenant.stdout).toContain("tenant:default: set 2 parameters");
    const acct = await provisio([
      "layer",
      "set",
      "--account",
      "1001",
      "User_ID_1_={{ account.line1.user_id }}",
      "Password_1_={{ account.line1.password }}",
      "-d",
      data,
    ]);
    expect(acct.code, acct.stderr).toBe(0);

    const wrong = await provisio([
      "layer",
      "set",
      "--device",
      "000e08abcdef",
      "Resync_Periodc=60",
      "-d",
      data,
    ]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain("did you mean Resync_Periodic");
    expect(wrong.stderr).toContain("[API_UNKNOWN_PARAMETER]");
    const invalid = await provisio([
      "layer",
      "set",
      "--device",
      "000e08abcdef",
      "Resync_Periodic=soon",
      "-d",
      data,
    ]);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toContain("[API_INVALID_VALUE]");

    const before = await fetch(`${http}/profile/000e08abcdef.xml`);
    expect(before.status).toBe(200);
    const xml = await before.text();
    // The account's line 1 sets Proxy_1_ over the tenant's value; the tenant's access stays.
    expect(xml).toMatch(/<Proxy_1_ ua="ro">sip\.example\.com<\/Proxy_1_>/);
    expect(xml).toMatch(/<Display_Name_1_ ua="na">Front desk<\/Display_Name_1_>/);
    expect(xml).toContain(">pa,ss</Password_1_>");

    const set = await provisio([
      "layer",
      "set",
      "--device",
      "00:0e:08:ab:cd:ef",
      "Proxy_1_:rw=device.example.com",
      "-d",
      data,
    ]);
    expect(set.code, set.stderr).toBe(0);
    const changedAt = Date.now();
    let served = "";
    while (Date.now() - changedAt < 1000) {
      served = await (await fetch(`${http}/profile/000e08abcdef.xml`)).text();
      if (served.includes("device.example.com")) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(served).toMatch(/<Proxy_1_ ua="rw">device\.example\.com<\/Proxy_1_>/);

    const effective = await provisio([
      "layer",
      "show",
      "--device",
      "000e08abcdef",
      "--effective",
      "--json",
      "-d",
      data,
    ]);
    expect(effective.code, effective.stderr).toBe(0);
    const config = JSON.parse(effective.stdout);
    const proxy = config.parameters.find((p: { name: string }) => p.name === "Proxy_1_");
    expect(proxy).toMatchObject({
      value: "device.example.com",
      valueFrom: "device:000e08abcdef",
      access: "rw",
      accessFrom: "device:000e08abcdef",
      setBy: ["tenant:default", "account:1001 line 1", "device:000e08abcdef"],
    });
    const password = config.parameters.find((p: { name: string }) => p.name === "Password_1_");
    expect(password).toMatchObject({ value: null, secret: true });

    const table = await provisio([
      "layer",
      "show",
      "--device",
      "000e08abcdef",
      "--effective",
      "-d",
      data,
    ]);
    expect(table.stdout).toMatch(/Proxy_1_\s+device\.example\.com\s+rw\s+device:000e08abcdef/);
    expect(table.stdout).not.toContain("pa,ss");
  }, 120_000);

  it("creates a token the server's admin API accepts; printed once, stored only as a hash", async () => {
    const created = await provisio([
      "token",
      "create",
      "--role",
      "read-only",
      "--name",
      "grafana",
      "-d",
      data,
    ]);
    expect(created.code, created.stderr).toBe(0);
    const token = created.stdout.trim();
    expect(token).toMatch(/^pvo_[A-Za-z0-9_-]{20,}$/);
    expect(created.stderr).toContain("role read-only, every tenant");

    const list = await fetch(`${admin}/api/v1/devices`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(list.status).toBe(200);
    const body = (await list.json()) as { items: { mac: string }[] };
    expect(body.items.map((d) => d.mac)).toEqual(["000e08abcdef"]);
    const write = await fetch(`${admin}/api/v1/devices/000e08abcdef`, {
      method: "DELETE",
      headers: { authorization: `Bearer ${token}` },
    });
    expect(write.status).toBe(403);
    expect((await fetch(`${admin}/api/v1/devices`)).status).toBe(401);
    const metrics = await (await fetch(`${admin}/metrics`)).text();
    expect(metrics).toContain("provisio_resyncs_total");
    expect(metrics).toContain("provisio_api_requests_total");

    const tokens = await node.store.tokens.list();
    const stored = tokens.find((t) => t.name === "grafana");
    expect(stored?.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(tokens)).not.toContain(token);

    const audit = await node.store.audit.list({ entity: "layer" });
    expect(audit.length).toBeGreaterThanOrEqual(3);
    expect(audit.every((a) => a.actor.startsWith("cli:"))).toBe(true);
  }, 120_000);
});
