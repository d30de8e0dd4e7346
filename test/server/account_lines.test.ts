import { join } from "node:path";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdminApp } from "../../src/api/index.ts";
import type { ProvisioNode } from "../../src/server/node.ts";
import { tempDir } from "../cli/helpers.ts";
import { startTestNode } from "./helpers.ts";

/**
 * An account's lines reach the rendered profile through the real node (admin API to set up,
 * the device-facing HTTP listener to fetch): no value template is written anywhere here.
 */
describe("account lines in the rendered profile", () => {
  let node: ProvisioNode;
  let http: string;
  let admin: string;
  let token: string;
  let readOnly: string;

  // biome-ignore lint/suspicious/noExplicitAny: JSON bodies in tests are read field by field.
  const api = async (method: string, path: string, body?: unknown, as = token): Promise<any> => {
    const response = await fetch(`${admin}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${as}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: text === "" ? undefined : JSON.parse(text) };
  };
  const profile = async (mac: string) => {
    const response = await fetch(`${http}/profile/${mac}.xml`);
    expect(response.status).toBe(200);
    return response.text();
  };
  /** The value of one element of a rendered flat profile (undefined when absent). */
  const element = (xml: string, name: string) =>
    new RegExp(`<${name} ua="[a-z]+">([^<]*)</${name}>`).exec(xml)?.[1];

  beforeAll(async () => {
    const data = join(tempDir("account-lines"), "data");
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
    token = (await node.store.tokens.issue({ name: "test", role: "admin" })).secret;
    readOnly = (await node.store.tokens.issue({ name: "reader", role: "read-only" })).secret;

    const account = await api("POST", "/api/v1/accounts", {
      reference: "acme-42",
      lines: [
        {
          line: 1,
          userId: "4201",
          authId: "auth4201",
          password: "first-secret",
          displayName: "Front desk",
          proxy: "sip.example.net",
          outboundProxy: "sbc.example.net:5070",
          voicemailId: "8001",
          extras: {
            Register_Expires: "600",
            // No model has this one.
            Not_A_Parameter: "1",
          },
        },
        {
          line: 2,
          userId: "4202",
          password: "second-secret",
          displayName: "Back office",
          // Not of the parameter's type (an integer 0–65535): left out, not served.
          extras: { Register_Expires: "soon" },
        },
        // A third line: more than an SPA112 has.
        { line: 3, userId: "4203", password: "third-secret" },
      ],
    });
    expect(account.status, JSON.stringify(account.body)).toBe(201);
    expect(account.body.lines[0]).toMatchObject({
      outboundProxy: "sbc.example.net:5070",
      voicemailId: "8001",
      extras: { Not_A_Parameter: "1", Register_Expires: "600" },
      hasPassword: true,
    });
    expect(account.body.lines[1]).toMatchObject({ outboundProxy: null, voicemailId: null });
    for (const [mac, model] of [
      ["000e08aa0112", "SPA112"],
      ["00a0c9aa8851", "CP-8851-3PCC"],
    ] as const) {
      const device = await api("POST", "/api/v1/devices", { mac, model, account: "acme-42" });
      expect(device.status, JSON.stringify(device.body)).toBe(201);
    }
  }, 120_000);
  afterAll(() => node?.close());

  it("renders an SPA112's two FXS ports from the account's lines", async () => {
    const xml = await profile("000e08aa0112");
    expect(element(xml, "Line_Enable_1_")).toBe("Yes");
    expect(element(xml, "User_ID_1_")).toBe("4201");
    expect(element(xml, "Use_Auth_ID_1_")).toBe("Yes");
    expect(element(xml, "Auth_ID_1_")).toBe("auth4201");
    expect(element(xml, "Password_1_")).toBe("first-secret");
    expect(element(xml, "Display_Name_1_")).toBe("Front desk");
    expect(element(xml, "Proxy_1_")).toBe("sip.example.net");
    expect(element(xml, "User_ID_2_")).toBe("4202");
    expect(element(xml, "Password_2_")).toBe("second-secret");
    expect(element(xml, "Display_Name_2_")).toBe("Back office");
    // Line 2 has no auth id and no proxy: nothing is invented for them.
    expect(element(xml, "Auth_ID_2_")).toBeUndefined();
    expect(element(xml, "Proxy_2_")).toBeUndefined();
    // The SPA112 has two ports: line 3 of the account has nowhere to go.
    expect(xml).not.toContain("4203");
    expect(xml).not.toContain("_3_");
    // An ATA has no line keys.
    expect(xml).not.toContain("<Extension_");
  });

  it("renders a CP-8851-3PCC's extensions and line keys from the same lines", async () => {
    const xml = await profile("00a0c9aa8851");
    expect(element(xml, "User_ID_1_")).toBe("4201");
    expect(element(xml, "Auth_ID_1_")).toBe("auth4201");
    // The 88xx has no Use_Auth_ID_n_ (its catalogue does not carry it).
    expect(xml).not.toContain("Use_Auth_ID_");
    expect(element(xml, "Password_2_")).toBe("second-secret");
    expect(element(xml, "User_ID_3_")).toBe("4203");
    expect(element(xml, "Extension_1_")).toBe("1");
    expect(element(xml, "Extension_2_")).toBe("2");
    expect(element(xml, "Extension_3_")).toBe("3");
    expect(xml).not.toContain("Extension_4_");
  });

  it("renders the outbound proxy, voicemail id and extras by each model's catalogue", async () => {
    const ata = await profile("000e08aa0112");
    expect(element(ata, "Outbound_Proxy_1_")).toBe("sbc.example.net:5070");
    expect(element(ata, "Use_Outbound_Proxy_1_")).toBe("Yes");
    expect(element(ata, "Mailbox_ID_1_")).toBe("8001");
    expect(element(ata, "Register_Expires_1_")).toBe("600");
    expect(ata).not.toContain("Not_A_Parameter");
    expect(ata).not.toContain("soon");
    // Line 2 has none of them.
    expect(element(ata, "Outbound_Proxy_2_")).toBeUndefined();
    expect(element(ata, "Use_Outbound_Proxy_2_")).toBeUndefined();

    const phone = await profile("00a0c9aa8851");
    expect(element(phone, "Outbound_Proxy_1_")).toBe("sbc.example.net:5070");
    // The 88xx has no Use_Outbound_Proxy_n_: the proxy alone is used.
    expect(phone).not.toContain("Use_Outbound_Proxy_");
    expect(element(phone, "Mailbox_ID_1_")).toBe("8001");
    expect(element(phone, "Register_Expires_1_")).toBe("600");
    expect(phone).not.toContain("Not_A_Parameter");
    expect(phone).not.toContain("soon");

    // What each profile left out is listed in the effective configuration, with provenance.
    const warnings = async (mac: string) => {
      const config = await api("GET", `/api/v1/devices/${mac}/config`);
      expect(config.status).toBe(200);
      type P = { name: string; valueFrom: string };
      const from = new Map<string, string>(
        config.body.parameters.map((p: P) => [p.name, p.valueFrom]),
      );
      expect(from.get("Outbound_Proxy_1_")).toBe("account:acme-42 line 1");
      expect(from.get("Mailbox_ID_1_")).toBe("account:acme-42 line 1");
      expect(from.get("Register_Expires_1_")).toBe("account:acme-42 line 1");
      return config.body.warnings as string[];
    };
    const ataWarnings = await warnings("000e08aa0112");
    expect(ataWarnings).toHaveLength(2);
    expect(ataWarnings).toContainEqual(
      expect.stringMatching(/^account:acme-42 line 1: extras\.Not_A_Parameter left out: /),
    );
    expect(ataWarnings).toContainEqual(
      expect.stringMatching(
        /^account:acme-42 line 2: extras\.Register_Expires left out: Register_Expires_2_="soon"/,
      ),
    );
    const phoneWarnings = await warnings("00a0c9aa8851");
    expect(phoneWarnings).toContainEqual(
      expect.stringMatching(/^account:acme-42 line 1: extras\.Not_A_Parameter left out: /),
    );
    expect(phoneWarnings).toHaveLength(2);
  });

  it("refuses extras that name a line field (in any case), a secret, or are not text (400)", async () => {
    for (const extras of [
      { User_ID: "x" },
      { password: "x" },
      // Only the 88xx has it, and it is a secret: extras are not sealed.
      { Auth_Page_Password: "extra-secret" },
      { Register_Expires: { value: "600" } },
      { Register_Expires_2_: "1" },
    ]) {
      const refused = await api("POST", "/api/v1/accounts", {
        reference: "bad-extras",
        lines: [{ line: 1, userId: "1", extras }],
      });
      expect(refused.status, JSON.stringify(refused.body)).toBe(400);
    }
    expect((await api("GET", "/api/v1/accounts/bad-extras")).status).toBe(404);
  });

  it("lets a layer override a line value; provenance account:<reference> line N; passwords withheld", async () => {
    const set = await api("PATCH", "/api/v1/devices/000e08aa0112/layer", {
      set: [
        { name: "Display_Name_2_", value: "Reception" },
        // The line's new fields are template variables too.
        {
          name: "Mailbox_Subscribe_URL_1_",
          value:
            "{{ account.line1.voicemail_id }}@{{ account.line1.outbound_proxy }};{{ account.line1.extras.Register_Expires }}",
        },
      ],
    });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    // A tenant layer's proxy is below the account's lines: line 1 keeps the account's.
    const tenant = await api("PATCH", "/api/v1/tenants/default/layer", {
      set: [
        { name: "Proxy_1_", value: "tenant.example.net", access: "ro" },
        { name: "Proxy_2_", value: "tenant.example.net" },
      ],
    });
    expect(tenant.status).toBe(200);

    let xml = "";
    for (let i = 0; i < 40; i++) {
      xml = await profile("000e08aa0112");
      if (element(xml, "Display_Name_2_") === "Reception") break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(element(xml, "Display_Name_2_")).toBe("Reception");
    expect(element(xml, "Mailbox_Subscribe_URL_1_")).toBe("8001@sbc.example.net:5070;600");
    expect(xml).toContain('<Proxy_1_ ua="ro">sip.example.net</Proxy_1_>');
    expect(element(xml, "Proxy_2_")).toBe("tenant.example.net");

    for (const as of [token, readOnly]) {
      const config = await api("GET", "/api/v1/devices/000e08aa0112/config", undefined, as);
      expect(config.status).toBe(200);
      type P = { name: string; value: string | null; valueFrom: string; secret: boolean };
      const byName = new Map<string, P>(config.body.parameters.map((p: P) => [p.name, p]));
      expect(byName.get("User_ID_1_")).toMatchObject({
        value: "4201",
        valueFrom: "account:acme-42 line 1",
      });
      expect(byName.get("Password_1_")).toMatchObject({
        value: null,
        secret: true,
        valueFrom: "account:acme-42 line 1",
      });
      expect(byName.get("Display_Name_2_")).toMatchObject({
        value: "Reception",
        valueFrom: "device:000e08aa0112",
        setBy: ["account:acme-42 line 2", "device:000e08aa0112"],
      });
      expect(byName.get("Proxy_1_")).toMatchObject({
        valueFrom: "account:acme-42 line 1",
        setBy: ["tenant:default", "account:acme-42 line 1"],
      });
      expect(JSON.stringify(config.body)).not.toContain("first-secret");
      expect(JSON.stringify(config.body)).not.toContain("second-secret");
    }
  });

  it("follows an edit of the account's lines on the next resync", async () => {
    const account = await api("GET", "/api/v1/accounts/acme-42");
    expect(account.status).toBe(200);
    const patched = await api("PATCH", `/api/v1/accounts/${account.body.id}`, {
      lines: [{ line: 1, userId: "4299", password: "new-secret" }],
    });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    let xml = "";
    for (let i = 0; i < 40; i++) {
      xml = await profile("00a0c9aa8851");
      if (element(xml, "User_ID_1_") === "4299") break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(element(xml, "User_ID_1_")).toBe("4299");
    expect(element(xml, "Password_1_")).toBe("new-secret");
    expect(xml).not.toContain("4202");
    expect(xml).not.toContain("Extension_2_");
  });
});
