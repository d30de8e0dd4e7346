/**
 * Secure provisioning with the device emulator against the real server, over real sockets:
 * a unit in SP-CUST on a tenant that turns secure provisioning on gets its bootstrap over HTTPS
 * with its device certificate (SEC-PRV-1: a key in GPP_SA, a random directory in GPP_B, a
 * `--key $SA` rule), then fetches its encrypted profile from the random directory (SEC-PRV-2).
 * Debian's openssl decrypts that file with the delivered key; the bootstrap path, the old
 * directory after a rotation and another device's directory answer 404.
 */
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Device, VirtualClock } from "../../src/device/index.ts";
import { parseMac } from "../../src/store/index.ts";
import { curl, issueCert } from "../server/helpers.ts";
import { type E2eServer, startE2eServer } from "./provisio_server.ts";

const UNIT = "000e08ec0001";
const OTHER = "000e08ec0002";
let server: E2eServer;

async function unitWithCert(mac: string, clock: VirtualClock) {
  const files = await issueCert(server.node.config.dataDir, server.dir, mac, {
    mac,
    serial: `SN${mac.slice(-4)}`,
  });
  const unit = new Device({
    mac,
    productName: "SPA962",
    clock,
    trustedServerCas: [server.serverCa],
    clientCertificate: {
      certificatePem: readFileSync(files.cert, "utf8"),
      privateKeyPem: readFileSync(files.key, "utf8"),
    },
  });
  return { unit, files };
}

/** openssl's own decryption of a SEC-PRV-2 file with the key the unit was given, gunzipped. */
function opensslDecrypt(body: Buffer, key: string): string {
  const file = join(server.dir, `enc-${Math.random().toString(36).slice(2)}.cfg`);
  writeFileSync(file, body);
  const out = execFileSync(
    "openssl",
    ["enc", "-d", "-aes-256-cbc", "-md", "md5", "-k", key, "-in", file],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  return gunzipSync(out).toString("utf8");
}

async function get(url: string, files?: { cert: string; key: string }) {
  const tls = files === undefined ? [] : ["--cert", files.cert, "--key", files.key];
  return curl(["-k", ...tls, "-o", "-", url]);
}

beforeAll(async () => {
  // A loaded test machine must not turn the units' resyncs into 503s (load shedding).
  server = await startE2eServer([], { PROVISIO_SHEDDING_ENABLED: "false" });
  const { store } = server.node;
  await store.layers.set({ scope: "tenant", tenantId: "default" }, [
    { name: "Profile_Rule", value: `${server.https}/profile/$MA.xml`, access: "na" },
    { name: "Resync_Periodic", value: "3600", access: "na" },
    { name: "Voice_Mail_Number", value: "*97", access: "rw" },
    { name: "Admin_Passwd", value: "Secr3t-admin", access: "na" },
  ]);
  await server.addDevices([UNIT, OTHER]);
}, 120_000);

afterAll(async () => {
  await server?.close();
});

describe("secure provisioning over HTTPS with the emulator", () => {
  it("SP-CUST → SEC-PRV-1 → SEC-PRV-2; openssl opens the file; old and foreign paths 404; rotation", async () => {
    const { store } = server.node;
    const clock = new VirtualClock();
    const { unit, files } = await unitWithCert(UNIT, clock);
    unit.powerOn();
    await clock.advance(60_000);

    // SP-CUST: its own profile, in clear, while the tenant does not secure provisioning.
    const plain = await unit.resync(`${server.https}/profile/$MA.xml`);
    expect(plain?.ok).toBe(true);
    expect(unit.provisioningState).toBe("SP-CUST");

    await store.tenants.update("default", { settings: { secureProvisioning: "on" } });
    await server.node.cache.settled();

    // SEC-PRV-1: the same path now answers the bootstrap.
    const boot = await unit.resync();
    expect(boot?.ok).toBe(true);
    expect(unit.provisioningState).toBe("SEC-PRV-1");
    const key = unit.params.get("GPP_SA")!;
    const dir = unit.params.get("GPP_B")!;
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(dir).toMatch(/^[0-9a-f]{32}$/);
    expect(unit.params.get("Profile_Rule")).toBe(`[--key $SA] ${server.https}/secure/$B/$MA.cfg`);
    await server.node.lifecycles.flush();
    expect((await store.devices.get(parseMac(UNIT))).lifecycle?.state).toBe("sec-prv-1");
    const stored = await store.deviceKeys.get(parseMac(UNIT));
    expect(stored?.status).toBe("bootstrap");
    expect(stored?.current.key.reveal()).toBe(key);

    // SEC-PRV-2: the encrypted profile from the random directory, decrypted with the key.
    const keyed = await unit.resync();
    expect(keyed?.ok).toBe(true);
    expect(keyed?.requests.map((r) => `${r.outcome} ${r.url}`)).toEqual([
      `ok ${server.https}/secure/${dir}/${UNIT}.cfg`,
    ]);
    expect(unit.provisioningState).toBe("SEC-PRV-2");
    expect(unit.params.get("Voice_Mail_Number")).toBe("*97");
    await server.node.lifecycles.flush();
    expect((await store.devices.get(parseMac(UNIT))).lifecycle?.state).toBe("sec-prv-2");
    expect((await store.deviceKeys.get(parseMac(UNIT)))?.status).toBe("active");

    // Real openssl decrypts what the unit fetches, with the key it was given.
    const secureUrl = `${server.https}/secure/${dir}/${UNIT}.cfg`;
    const fetched = await curl(["-k", "-o", "-", secureUrl]);
    expect(fetched.status).toBe(200);
    expect(fetched.body.startsWith("Salted__")).toBe(true);
    const xml = opensslDecrypt(Buffer.from(fetched.body, "latin1"), key);
    expect(xml).toContain('<Voice_Mail_Number ua="rw">*97</Voice_Mail_Number>');
    expect(xml).toContain(`<GPP_B ua="na">${dir}</GPP_B>`);
    expect(xml).toContain("<Admin_Passwd");
    // The wrong key: openssl refuses (bad decrypt).
    expect(() => opensslDecrypt(Buffer.from(fetched.body, "latin1"), "0".repeat(64))).toThrow();

    // The bootstrap path no longer answers the provisioned unit, even with its certificate.
    expect((await get(`${server.https}/profile/${UNIT}.xml`, files)).status).toBe(404);

    // Another unit's directory: 404 with either file name.
    const other = await unitWithCert(OTHER, clock);
    other.unit.powerOn();
    await clock.advance(60_000);
    expect((await other.unit.resync(`${server.https}/profile/$MA.xml`))?.ok).toBe(true);
    const otherDir = other.unit.params.get("GPP_B")!;
    expect(otherDir).toMatch(/^[0-9a-f]{32}$/);
    expect(otherDir).not.toBe(dir);
    expect((await get(`${server.https}/secure/${otherDir}/${UNIT}.cfg`)).status).toBe(404);
    expect((await get(`${server.https}/secure/${dir}/${OTHER}.cfg`)).status).toBe(404);
    // With another unit's certificate, the right path of this unit: 404 too.
    expect((await get(secureUrl, other.files)).status).toBe(404);
    other.unit.powerOff();

    // Rotation on demand: the old location under the old key installs the new pair…
    const rotation = await store.deviceKeys.rotate({ macs: [parseMac(UNIT)] }, Date.now());
    expect(rotation).toEqual({ started: 1, alreadyRotating: 0 });
    const moved = await unit.resync();
    expect(moved?.ok).toBe(true);
    expect(moved?.requests[0]?.url).toBe(secureUrl);
    const newKey = unit.params.get("GPP_SA")!;
    const newDir = unit.params.get("GPP_B")!;
    expect(newKey).not.toBe(key);
    expect(newDir).not.toBe(dir);
    // … both pairs answer until the unit fetched with the new one …
    expect((await get(secureUrl)).status).toBe(200);
    const after = await unit.resync();
    expect(after?.requests.map((r) => `${r.outcome} ${r.url}`)).toEqual([
      `ok ${server.https}/secure/${newDir}/${UNIT}.cfg`,
    ]);
    expect(unit.provisioningState).toBe("SEC-PRV-2");
    // … then the old one is retired.
    expect((await get(secureUrl)).status).toBe(404);
    const rotated = await store.deviceKeys.get(parseMac(UNIT));
    expect(rotated?.rotations).toBe(1);
    expect(rotated?.next).toBeNull();
    expect(rotated?.current.directory).toBe(newDir);
    unit.powerOff();
  }, 120_000);
});
