/**
 * In-house staging end to end, over real sockets, as a factory SPA112 on a staging LAN does
 * it (DHCP option 66 names this server): its factory rule `/spa$PSN.cfg` fetches
 * `/spa112.cfg` over TFTP (tftp-hpa here), the profile it gets sets a new Profile_Rule, which
 * the unit expands and fetches, and so on until it fetches its own profile. Each step is
 * taken by reading the rule out of the profile just received, as the unit would — nothing
 * here knows the server's paths.
 */
import { execFile } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { importDevicesCsv } from "../../src/admin/index.ts";
import { parseXmlProfile } from "../../src/profile/index.ts";
import { deviceVariables, expandMacros, parseProfileRule } from "../../src/rules/index.ts";
import type { ProvisioNode } from "../../src/server/node.ts";
import { ANONYMOUS_STAGING_PER_MINUTE } from "../../src/server/staging_flow.ts";
import { parseMac } from "../../src/store/index.ts";
import { curl, startTestNode, tempDir } from "./helpers.ts";

const MAC = "000e08a1b2c3";
const UA = `Cisco/SPA112-1.4.1 (${MAC.toUpperCase()})`;

function tftpGet(port: number, file: string, out: string): Promise<string> {
  return new Promise((resolve) => {
    execFile(
      "tftp",
      ["-m", "binary", "127.0.0.1", String(port), "-c", "get", file, out],
      { timeout: 10_000 },
      (_error, stdout, stderr) => resolve(`${stdout}${stderr}`),
    );
  });
}

/** The Profile_Rule a received profile sets, expanded for this unit (SPA112, PSN 112). */
function nextUrl(xml: string): { scheme: string; host: string | undefined; path: string } {
  const profile = parseXmlProfile(xml);
  const rule = profile.entries.find((e) => e.name === "Profile_Rule")?.value;
  expect(rule, `no Profile_Rule in ${xml}`).toBeDefined();
  const vars = deviceVariables({
    mac: MAC,
    productName: "SPA112",
    productSeries: "112",
    serial: "CCQ1234",
    swVersion: "1.4.1",
    hwVersion: "1.0.0",
  });
  const parsed = parseProfileRule(expandMacros(rule!, vars));
  const url = parsed.alternatives.at(-1)!.url!;
  return { scheme: url.scheme ?? "tftp", host: url.host, path: url.path };
}

async function waitFor<T>(read: () => Promise<T>, done: (v: T) => boolean): Promise<T> {
  for (let i = 0; ; i++) {
    const value = await read();
    if (done(value) || i > 200) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("a factory SPA112 staged over TFTP (tftp-hpa)", () => {
  let node: ProvisioNode | undefined;
  afterEach(async () => {
    await node?.close();
    node = undefined;
  });

  async function start(env: Record<string, string> = {}) {
    const dir = tempDir("staging");
    const started = await startTestNode(join(dir, "data"), { tftpPort: "0" }, {}, env);
    node = started;
    // The bar-code scan list of the shipment: one unit.
    const result = await importDevicesCsv([`mac,serial,model\n${MAC},CCQ1234,SPA112\n`], {
      store: started.store,
      tenantId: "default",
      actor: "test",
    });
    expect(result.committed).toBe(1);
    return { node: started, dir, tftp: started.addresses.tftp!.port };
  }

  it("spa112.cfg, then its per-MAC path, then its own profile (all TFTP): ends SP-CUST, each step in its history", async () => {
    const { node, dir, tftp } = await start();
    const mac = parseMac(MAC);

    // 1. The factory rule: no scheme, no server — TFTP from the DHCP-named server.
    const first = join(dir, "1.cfg");
    expect(await tftpGet(tftp, "spa112.cfg", first)).not.toMatch(/Error/);
    const step2 = nextUrl(readFileSync(first, "utf8"));
    expect(step2.scheme).toBe("tftp");
    expect(step2.path).toContain(MAC); // the generic file cannot know the unit: $MA does

    // 2. Its per-MAC path.
    const second = join(dir, "2.cfg");
    expect(await tftpGet(tftp, step2.path.slice(1), second)).not.toMatch(/Error/);
    const secondXml = readFileSync(second, "utf8");
    const step3 = nextUrl(secondXml);
    expect(parseXmlProfile(secondXml).entries.map((e) => e.name)).toEqual(
      expect.arrayContaining(["Profile_Rule", "Resync_Periodic", "Resync_Error_Retry_Delay"]),
    );

    // 3. Its own profile (no public URL configured: the same TFTP server).
    expect(step3.scheme).toBe("tftp");
    expect(step3.host).toBeUndefined();
    const third = join(dir, "3.cfg");
    expect(await tftpGet(tftp, step3.path.slice(1), third)).not.toMatch(/Error/);
    expect(readFileSync(third, "utf8")).toContain("<flat-profile>");

    const device = await waitFor(
      () => node.store.devices.get(mac),
      (d) => d.lifecycle?.state === "sp-cust",
    );
    expect(device.lifecycle?.state).toBe("sp-cust");
    expect(device.lifecycle?.cause).toContain(step3.path);

    const events = await waitFor(
      async () => (await node.store.events.list({ mac, limit: 50 })).reverse(),
      (e) => e.filter((x) => x.result === "lifecycle").length >= 2,
    );
    const paths = events.filter((e) => e.result === "ok").map((e) => e.path);
    expect(paths).toEqual(expect.arrayContaining(["/spa112.cfg", step2.path]));
    expect(events.filter((e) => e.result === "lifecycle").map((e) => e.message)).toEqual([
      "(never seen) → MFG-RESET: asked for its factory file /spa112.cfg",
      `MFG-RESET → SP-CUST: fetched its own profile ${step3.path}`,
    ]);

    // Devices per state and the transitions, on the admin listener's /metrics.
    const admin = node.addresses.admin!;
    const metrics = await (await fetch(`http://127.0.0.1:${admin.port}/metrics`)).text();
    expect(metrics).toMatch(/^provisio_devices\{lifecycle="sp-cust"\} 1$/m);
    expect(metrics).toMatch(/^provisio_devices\{lifecycle="mfg-reset"\} 0$/m);
    expect(metrics).toMatch(
      /^provisio_lifecycle_transitions_total\{from="mfg-reset",to="sp-cust"\} 1$/m,
    );
  }, 120_000);

  it("with a public HTTP URL the unit is sent there, and a unit staged over HTTP is known by its User-Agent", async () => {
    const probe = await start();
    const http = `http://127.0.0.1:${probe.node.addresses.http!.port}`;
    await probe.node.close();
    // Same data directory, now with the public URL (the port stays free for the restart).
    const restarted = await startTestNode(
      join(probe.dir, "data"),
      { tftpPort: "0", httpPort: String(probe.node.addresses.http!.port) },
      {},
      { PROVISIO_PUBLIC_HTTP_URL: http },
    );
    node = restarted;
    const mac = parseMac(MAC);

    // Over HTTP the User-Agent names the unit: its per-device staging profile at once.
    const staged = await curl(["-A", UA, `${http}/spa112.cfg`]);
    expect(staged.status).toBe(200);
    const own = nextUrl(staged.body);
    expect(own.scheme).toBe("http");
    expect(`http://${own.host}`).toBe(http.replace(/:\d+$/, ""));
    const profile = await curl(["-A", UA, `${http}${own.path}`]);
    expect(profile.status).toBe(200);
    const device = await waitFor(
      () => restarted.store.devices.get(mac),
      (d) => d.lifecycle?.state === "sp-cust",
    );
    expect(device.lifecycle?.state).toBe("sp-cust");

    // Reset to factory defaults, it asks for its factory file again: back to MFG-RESET.
    expect((await curl(["-A", UA, `${http}/spa112.cfg`])).status).toBe(200);
    const reset = await waitFor(
      () => restarted.store.devices.get(mac),
      (d) => d.lifecycle?.state === "mfg-reset",
    );
    expect(reset.lifecycle?.cause).toBe("asked for its factory file /spa112.cfg");

    // A unit nobody imported is staged too (by the default tenant) and stays unknown.
    const stranger = await curl(["-A", "Cisco/SPA112-1.4.1 (000E08FFFFFE)", `${http}/spa112.cfg`]);
    expect(stranger.status).toBe(200);
    expect(
      parseXmlProfile(stranger.body).entries.find((e) => e.name === "Profile_Rule")?.value,
    ).toBe(`${http}/profile/$MA.xml`);
    expect(await restarted.store.devices.findByMac(parseMac("000e08fffffe"))).toBeNull();
  }, 120_000);

  it("a factory file the operator put in the TFTP files root is served as it is", async () => {
    const { node, dir, tftp } = await start();
    mkdirSync(node.config.filesDir, { recursive: true });
    const own =
      '<flat-profile><Profile_Rule ua="na">tftp://10.0.0.9/mine/$MA.cfg</Profile_Rule></flat-profile>\n';
    writeFileSync(join(node.config.filesDir, "spa112.cfg"), own);
    const out = join(dir, "own.cfg");
    expect(await tftpGet(tftp, "spa112.cfg", out)).not.toMatch(/Error/);
    expect(readFileSync(out, "utf8")).toBe(own);
  }, 120_000);

  it("answers for units nobody knows are budgeted per source address; a known unit is not", async () => {
    const { node } = await start();
    const http = `http://127.0.0.1:${node.addresses.http!.port}`;
    const statuses: number[] = [];
    for (let i = 0; i < ANONYMOUS_STAGING_PER_MINUTE + 1; i++) {
      const r = await fetch(`${http}/spa112.cfg`);
      await r.arrayBuffer();
      statuses.push(r.status);
    }
    expect(statuses.slice(0, -1).every((s) => s === 200)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
    const known = await curl(["-A", UA, `${http}/spa112.cfg`]);
    expect(known.status).toBe(200);
  }, 120_000);

  it("a tenant that turns its own staging on does not get units no tenant knows", async () => {
    const { node } = await start();
    await node.store.tenants.update("default", { settings: { staging: false } });
    await node.store.tenants.create({
      slug: "acme",
      name: "Acme",
      settings: { staging: true, profilePaths: ["/acme/$MA.xml"] },
    });
    const http = `http://127.0.0.1:${node.addresses.http!.port}`;
    const stranger = await curl(["-A", "Cisco/SPA112-1.4.1 (000E08FFFFFD)", `${http}/spa112.cfg`]);
    expect(stranger.status).toBe(404);
    expect(stranger.body).not.toContain("/acme/");
    const direct = await curl([`${http}/staging/000e08fffffd.cfg`]);
    expect(direct.status).toBe(404);
  }, 120_000);

  it("an IPv6 source is budgeted by its /64: a new address in the same network is no new budget", async () => {
    const { node } = await start();
    const statuses: number[] = [];
    for (let i = 1; i <= ANONYMOUS_STAGING_PER_MINUTE + 1; i++) {
      const response = await node.pipeline.handle({
        transport: "http",
        method: "GET",
        path: "/spa112.cfg",
        query: "",
        remoteAddress: `2001:db8:1:2::${i.toString(16)}`,
        userAgent: undefined,
      });
      statuses.push(response.status);
    }
    expect(statuses.slice(0, -1).every((s) => s === 200)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
  }, 120_000);
});
