/**
 * The device emulator against the real server, over real sockets: a factory unit reaches
 * SP-CUST over TFTP (DHCP option 66 and a generic `spa962.cfg`), HTTP (option 160) and
 * HTTPS (a client certificate from `provisio pki issue-device`, the server's certificate
 * trusted); the User and the Admin on the unit's own web pages see what the server's `ua`
 * tags say; a factory reset returns the unit to MFG-RESET and it provisions itself again.
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  Device,
  type DeviceWebServer,
  startWebServer,
  VirtualClock,
} from "../../src/device/index.ts";
import { parseMac } from "../../src/store/index.ts";
import { curl } from "../server/helpers.ts";
import { type E2eServer, startE2eServer } from "./provisio_server.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const TFTP_UNIT = "000e08e2e001";
const HTTP_UNIT = "000e08e2e002";
const HTTPS_UNIT = "000e08e2e003";

let server: E2eServer;

/** The server's record of what a unit fetched: `transport result path`. */
async function serverEvents(mac: string): Promise<string[]> {
  await server.node.writer.flush();
  const events = await server.node.store.events.list({ mac: parseMac(mac) });
  return events.map((e) => `${e.transport} ${e.result} ${e.path}`);
}

const LAYER = [
  { name: "Voice_Mail_Number", value: "*98", access: "rw" },
  { name: "Dial_Plan_1_", value: "(xxxx|9xxxxxxx)", access: "ro" },
  { name: "Proxy_1_", value: "sip.e2e.example", access: "na" },
  { name: "Admin_Passwd", value: "Adm1n-e2e", access: "na" },
  { name: "User_Password", value: "us3r", access: "na" },
] as const;

function provisio(args: readonly string[]): Promise<string> {
  return new Promise((done, fail) => {
    execFile(
      process.execPath,
      [join(ROOT, "bin/provisio.js"), ...args],
      { cwd: ROOT, env: { ...process.env, PROVISIO_FROM_SOURCE: "1" } },
      (error, stdout, stderr) => (error === null ? done(stdout) : fail(new Error(stderr))),
    );
  });
}

beforeAll(async () => {
  server = await startE2eServer(LAYER);
  await server.addDevices([TFTP_UNIT, HTTP_UNIT]);
  const { store } = server.node;
  // The HTTPS unit's tenant refuses a request without a device certificate.
  const secure = await store.tenants.create({
    slug: "secure",
    name: "Secure SP",
    settings: { profilePaths: ["/secure/$MA.xml"], requireClientCert: true },
  });
  await store.devices.create({ mac: parseMac(HTTPS_UNIT), tenantId: secure.id, modelPn: "SPA962" });
  await store.layers.set({ scope: "tenant", tenantId: secure.id }, [...LAYER]);
  const rule = (mac: string, url: string) =>
    store.layers.set({ scope: "device", mac: parseMac(mac) }, [
      { name: "Profile_Rule", value: url, access: "na" },
    ]);
  await rule(TFTP_UNIT, `tftp://127.0.0.1:${server.tftpPort}/profile/$MA.xml`);
  await rule(HTTP_UNIT, `${server.http}/profile/$MA.xml`);
  await rule(HTTPS_UNIT, `${server.https}/secure/$MA.xml`);
  await server.node.cache.settled();
  // What a provider leaves behind DHCP option 66 for factory units: a generic file.
  server.writeFile(
    "spa962.cfg",
    `<flat-profile>\n<Profile_Rule ua="na">tftp://127.0.0.1:${server.tftpPort}/profile/$MA.xml</Profile_Rule>\n</flat-profile>\n`,
  );
}, 120_000);

afterAll(async () => {
  await server?.close();
});

describe("a factory unit reaches SP-CUST", () => {
  it("over TFTP: option 66, the generic spa962.cfg, then its own profile", async () => {
    const clock = new VirtualClock();
    const unit = new Device({
      mac: TFTP_UNIT,
      productName: "SPA962",
      clock,
      dhcp: { option66: `127.0.0.1:${server.tftpPort}` },
    });
    expect(unit.provisioningState).toBe("MFG-RESET");
    const reports: { ok: boolean; urls: string[] }[] = [];
    unit.on("resync", (r) => reports.push({ ok: r.ok, urls: r.requests.map((q) => q.url) }));
    unit.powerOn();
    await clock.advance(60_000); // boot resync within Resync_Random_Delay (2 × 20 s)
    expect(reports[0]).toEqual({
      ok: true,
      urls: [`tftp://127.0.0.1:${server.tftpPort}/spa962.cfg`],
    });
    expect(unit.provisioningState).toBe("SP-CUST");
    expect(unit.params.get("Profile_Rule")).toBe(
      `tftp://127.0.0.1:${server.tftpPort}/profile/$MA.xml`,
    );
    // The next resync follows the new rule to the unit's own profile.
    await unit.resync();
    expect(reports[1]?.ok).toBe(true);
    expect(reports[1]?.urls).toEqual([
      `tftp://127.0.0.1:${server.tftpPort}/profile/${TFTP_UNIT}.xml`,
    ]);
    expect(unit.params.get("Voice_Mail_Number")).toBe("*98");
    expect(unit.params.get("Proxy_1_")).toBe("sip.e2e.example");
    expect(await serverEvents(TFTP_UNIT)).toContain(`tftp ok /profile/${TFTP_UNIT}.xml`);
    unit.powerOff();
  });

  it("over HTTP: DHCP option 160 names the server's URL", async () => {
    const clock = new VirtualClock();
    const unit = new Device({
      mac: HTTP_UNIT,
      productName: "SPA962",
      clock,
      dhcp: { option160: `${server.http}/profile/$MA.xml` },
    });
    unit.powerOn();
    await clock.advance(60_000);
    await unit.settled();
    expect(unit.provisioningState).toBe("SP-CUST");
    expect(unit.params.get("Profile_Rule")).toBe(`${server.http}/profile/$MA.xml`);
    expect(unit.params.get("Dial_Plan_1_")).toBe("(xxxx|9xxxxxxx)");
    expect(unit.provisioningIndicator).toBe("ok");
    // The periodic schedule the server set (3600 s) is what the unit now runs.
    expect(unit.timerSnapshot().periodicAt! - clock.now()).toBeLessThanOrEqual(3600_000);
    expect(await serverEvents(HTTP_UNIT)).toContain(`http ok /profile/${HTTP_UNIT}.xml`);
    unit.powerOff();
  });
});

describe("over HTTPS with a device certificate, then the unit's web pages", () => {
  let unit: Device;
  let web: DeviceWebServer;
  let clock: VirtualClock;

  beforeAll(async () => {
    const out = join(server.dir, "https-unit");
    await provisio([
      "pki",
      "issue-device",
      "--data",
      server.node.config.dataDir,
      "--mac",
      HTTPS_UNIT,
      "--product",
      "SPA962",
      "--out",
      out,
    ]);
    clock = new VirtualClock();
    unit = new Device({
      mac: HTTPS_UNIT,
      productName: "SPA962",
      clock,
      trustedServerCas: [server.serverCa],
      clientCertificate: {
        certificatePem: readFileSync(join(out, "device.crt"), "utf8"),
        privateKeyPem: readFileSync(join(out, "device.key"), "utf8"),
      },
    });
    unit.powerOn();
    await clock.advance(60_000); // the factory rule finds no server: nothing to fetch
    web = await startWebServer(unit);
  }, 120_000);

  afterAll(async () => {
    unit?.powerOff();
    await web?.close();
  });

  it("without the certificate the server refuses the unit", async () => {
    const bare = new Device({
      mac: HTTPS_UNIT,
      productName: "SPA962",
      clock: new VirtualClock(),
      trustedServerCas: [server.serverCa],
    });
    bare.powerOn();
    const report = await bare.resync(`${server.https}/secure/$MA.xml`);
    expect(report?.ok).toBe(false);
    expect(bare.provisioningState).toBe("MFG-RESET");
    bare.powerOff();
  });

  it("an admin's /admin/resync?URL on the unit's web server provisions it over HTTPS", async () => {
    expect(unit.provisioningState).toBe("MFG-RESET");
    const done = new Promise<boolean>((r) => unit.once("resync", (report) => r(report.ok)));
    const ack = await curl([`${web.url}/admin/resync?${server.https}/secure/$MA.xml`]);
    expect(ack.status).toBe(200);
    expect(await done).toBe(true);
    expect(unit.provisioningState).toBe("SP-CUST");
    expect(unit.params.get("Profile_Rule")).toBe(`${server.https}/secure/$MA.xml`);
    expect(await serverEvents(HTTPS_UNIT)).toContain(`https ok /secure/${HTTPS_UNIT}.xml`);
  });

  it("the User sees rw as inputs and ro as text, never na; the Admin sees everything", async () => {
    const anonymous = await curl([`${web.url}/`]);
    expect(anonymous.status).toBe(401);
    const user = await curl(["-u", "user:us3r", `${web.url}/`]);
    expect(user.status).toBe(200);
    expect(user.body).toMatch(/<input[^>]*name="Voice_Mail_Number"[^>]*value="\*98"/);
    expect(user.body).toContain("(xxxx|9xxxxxxx)");
    expect(user.body).not.toMatch(/<input[^>]*name="Dial_Plan_1_"/);
    expect(user.body).not.toContain("Proxy_1_");
    expect(user.body).not.toContain("sip.e2e.example");
    expect((await curl(["-u", "user:us3r", `${web.url}/admin/`])).status).toBe(401);
    expect((await curl(["-u", "admin:wrong", `${web.url}/admin/`])).status).toBe(401);
    const admin = await curl(["-u", "admin:Adm1n-e2e", `${web.url}/admin/advanced`]);
    expect(admin.status).toBe(200);
    expect(admin.body).toContain("sip.e2e.example");
    expect(admin.body).not.toContain("Adm1n-e2e"); // secrets are never shown
  });

  it("a User edit of a rw field sticks; an na field is refused by name", async () => {
    const post = await curl([
      "-u",
      "user:us3r",
      "--data-urlencode",
      "Voice_Mail_Number=*99",
      "--data-urlencode",
      "Proxy_1_=evil.example",
      `${web.url}/`,
    ]);
    expect(post.status).toBeLessThan(500);
    expect(post.body).toContain("Proxy_1_");
    expect(unit.params.get("Voice_Mail_Number")).toBe("*99");
    expect(unit.params.get("Proxy_1_")).toBe("sip.e2e.example");
  });
});

describe("factory reset", () => {
  it("needs the admin password, returns to MFG-RESET and factory values, and the unit provisions itself again", async () => {
    const clock = new VirtualClock();
    const unit = new Device({
      mac: TFTP_UNIT,
      productName: "SPA962",
      clock,
      dhcp: { option66: `127.0.0.1:${server.tftpPort}` },
    });
    unit.powerOn();
    await clock.advance(60_000);
    await unit.resync();
    expect(unit.provisioningState).toBe("SP-CUST");
    expect(unit.params.get("Admin_Passwd")).toBe("Adm1n-e2e");

    expect(unit.ivrFactoryReset("1234")).toBe(false);
    expect(unit.provisioningState).toBe("SP-CUST");
    expect(unit.ivrFactoryReset("Adm1n-e2e")).toBe(true);
    expect(unit.provisioningState).toBe("MFG-RESET");
    expect(unit.params.get("Profile_Rule")).toBe("/spa$PSN.cfg");
    expect(unit.params.get("Proxy_1_")).toBe("");
    expect(unit.rebootHistory.at(-1)?.reason).toBe("Factory Reset");

    await clock.advance(60_000); // boot resync: option 66 again
    await unit.settled();
    expect(unit.provisioningState).toBe("SP-CUST");
    unit.powerOff();
  });
});
