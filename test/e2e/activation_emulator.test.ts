/**
 * Retail activation with the device emulator: the customer's browser opens
 * `http://DEVICE/admin/resync?https://PROV/init/CODE` on the unit's own web server; the unit
 * (with its device certificate) fetches the init URL, is bound to the account, applies the
 * account's line and the permanent rule, and its next resync by itself lands on its own
 * profile. The same code then fails for another unit.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  Device,
  type DeviceWebServer,
  startWebServer,
  VirtualClock,
} from "../../src/device/index.ts";
import { parseMac } from "../../src/store/index.ts";
import { curl, issueCert } from "../server/helpers.ts";
import { type E2eServer, startE2eServer } from "./provisio_server.ts";

const UNIT = "000e08ac0001";
const OTHER = "000e08ac0002";
let server: E2eServer;

async function unitWithCert(mac: string, clock: VirtualClock): Promise<Device> {
  const files = await issueCert(server.node.config.dataDir, server.dir, mac, {
    mac,
    serial: `SN${mac.slice(-4)}`,
  });
  return new Device({
    mac,
    productName: "SPA962",
    clock,
    trustedServerCas: [server.serverCa],
    clientCertificate: {
      certificatePem: readFileSync(files.cert, "utf8"),
      privateKeyPem: readFileSync(files.key, "utf8"),
    },
  });
}

beforeAll(async () => {
  server = await startE2eServer();
}, 120_000);

afterAll(async () => {
  await server?.close();
});

describe("retail activation with the emulator", () => {
  let web: DeviceWebServer | undefined;
  afterAll(async () => {
    await web?.close();
  });

  it("the unit runs the init URL from its web server, is bound, and resyncs to its own profile", async () => {
    const { store } = server.node;
    const account = await store.accounts.create({
      reference: "SHOP-1",
      lines: [{ line: 1, userId: "4085550199", password: "sip-0199", displayName: "Shop" }],
    });
    const { secret } = await store.activationCodes.issue({ accountId: account.id });

    const clock = new VirtualClock();
    const unit = await unitWithCert(UNIT, clock);
    unit.powerOn();
    await clock.advance(60_000); // factory rule, no DHCP server: nothing to fetch
    expect(unit.provisioningState).toBe("MFG-RESET");
    web = await startWebServer(unit);

    const done = new Promise<boolean>((r) => unit.once("resync", (report) => r(report.ok)));
    const ack = await curl([`${web.url}/admin/resync?${server.https}/init/${secret}`]);
    expect(ack.status).toBe(200);
    expect(await done).toBe(true);
    expect(unit.params.get("User_ID_1_")).toBe("4085550199");
    expect(unit.params.get("Profile_Rule")).toBe(`${server.https}/profile/$MA.xml`);
    expect(unit.provisioningState).toBe("SP-CUST");
    const bound = await store.devices.get(parseMac(UNIT));
    expect(bound.accountId).toBe(account.id);
    const [code] = await store.activationCodes.list({ accountId: account.id });
    expect(code?.boundMac).toBe(UNIT);

    // Its next resync, by itself, is its own profile at the permanent URL.
    const next = new Promise<string[]>((r) =>
      unit.once("resync", (report) => r(report.requests.map((q) => `${q.outcome} ${q.url}`))),
    );
    await clock.advance(3_700_000); // Resync_Periodic 3600 from the tenant layer
    expect(await next).toEqual([`ok ${server.https}/profile/${UNIT}.xml`]);
    unit.powerOff();

    // The same code for another unit: refused; that unit stays unbound.
    const otherClock = new VirtualClock();
    const other = await unitWithCert(OTHER, otherClock);
    other.powerOn();
    await otherClock.advance(60_000);
    const refused = await other.resync(`${server.https}/init/${secret}`);
    other.powerOff();
    expect(refused?.ok).toBe(false);
    expect(await store.devices.findByMac(parseMac(OTHER))).toBeNull();
  }, 120_000);

  it("a tenant with encrypted profiles: the first profile gives the unit its key, later resyncs are decrypted with it", async () => {
    const { store } = server.node;
    const secure = await store.tenants.create({
      slug: "aes",
      name: "AES SP",
      settings: { profilePaths: ["/aes/$MA.xml"], encryption: "aes" },
    });
    await store.layers.set({ scope: "tenant", tenantId: secure.id }, [
      { name: "Resync_Periodic", value: "3600", access: "na" },
      { name: "Voice_Mail_Number", value: "*97", access: "rw" },
    ]);
    const account = await store.accounts.create({
      tenantId: secure.id,
      reference: "AES-1",
      lines: [{ line: 1, userId: "4085550300", password: "sip-0300" }],
    });
    const { secret } = await store.activationCodes.issue({ accountId: account.id });
    const clock = new VirtualClock();
    const unit = await unitWithCert("000e08ac0003", clock);
    unit.powerOn();
    await clock.advance(60_000);
    const first = await unit.resync(`${server.https}/init/${secret}`);
    expect(first?.ok).toBe(true);
    expect(unit.params.get("Profile_Rule")).toBe(`[--key $SA] ${server.https}/aes/$MA.xml`);
    const key = unit.params.get("GPP_SA");
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    const device = await store.devices.get(parseMac("000e08ac0003"));
    expect(device.deviceKey?.reveal()).toBe(key);
    // The next resync fetches the encrypted profile and decrypts it with that key.
    const next = await unit.resync();
    expect(next?.ok).toBe(true);
    expect(unit.params.get("Voice_Mail_Number")).toBe("*97");
    expect(unit.params.get("User_ID_1_")).toBe("4085550300");
    unit.powerOff();
  }, 120_000);
});
