/**
 * Secure provisioning over TFTP with the device emulator, real sockets: an SPA unit in
 * SP-CUST (its rule a TFTP path, DHCP option 66 naming the server) gets its bootstrap in a
 * file targeted to its MAC (SEC-PRV-1), opens it with the installation's targeting secret,
 * then fetches its encrypted profile from its random directory over TFTP (SEC-PRV-2).
 * tftp-hpa fetches the same file; openssl decrypts it with the delivered key. Another unit
 * cannot open the first one's bootstrap; the old path and other directories answer
 * "file not found"; an MPP phone (no targeted files) is not sent a key over plain HTTP.
 */
import { execFile, execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isSpcContainer, openSpcContainer } from "../../src/crypto/index.ts";
import { Device, VirtualClock } from "../../src/device/index.ts";
import { loadTargetSecret } from "../../src/server/secure_provisioning_target.ts";
import { parseMac } from "../../src/store/index.ts";
import { curl } from "../server/helpers.ts";
import { type E2eServer, startE2eServer } from "./provisio_server.ts";

const UNIT = "000e08ed0001";
const OTHER = "000e08ed0002";
const PHONE = "00562b0d0003";
let server: E2eServer;

function tftpGet(file: string, out: string): Promise<string> {
  return new Promise((resolve) => {
    execFile(
      "tftp",
      ["-m", "binary", "127.0.0.1", String(server.tftpPort), "-c", "get", file, out],
      { timeout: 10_000 },
      (_error, stdout, stderr) => resolve(`${stdout}${stderr}`),
    );
  });
}

/** The installation's targeting secret (what the units carry in their firmware). */
function secret(): Buffer {
  return loadTargetSecret(server.node.config.dataDir);
}

beforeAll(async () => {
  // A loaded test machine must not turn the units' resyncs into 503s (load shedding).
  server = await startE2eServer([], { PROVISIO_SHEDDING_ENABLED: "false" });
  const { store } = server.node;
  await store.layers.set({ scope: "tenant", tenantId: "default" }, [
    { name: "Profile_Rule", value: "/profile/$MA.xml", access: "na" },
    { name: "Resync_Periodic", value: "3600", access: "na" },
    { name: "Proxy_1_", value: "sip.tftp.example", access: "na" },
  ]);
  await server.addDevices([UNIT, OTHER]);
  await store.models.upsert({ pn: "CP-8851-3PCC", psn: "8851", family: "mpp", lines: 10 });
  await server.addDevices([PHONE], "CP-8851-3PCC");
}, 120_000);

afterAll(async () => {
  await server?.close();
});

describe("secure provisioning over TFTP with a targeted bootstrap", () => {
  it("SP-CUST → SEC-PRV-1 (targeted) → SEC-PRV-2 over TFTP; openssl opens the file; 404 elsewhere", async () => {
    const { store } = server.node;
    const tftp = `127.0.0.1:${server.tftpPort}`;
    const clock = new VirtualClock();
    const unit = new Device({
      mac: UNIT,
      productName: "SPA962",
      clock,
      dhcp: { option66: tftp },
      installationSecret: secret(),
    });
    unit.powerOn();
    await clock.advance(60_000);
    const plain = await unit.resync(`/profile/$MA.xml`);
    expect(plain?.ok).toBe(true);
    expect(unit.provisioningState).toBe("SP-CUST");

    await store.tenants.update("default", { settings: { secureProvisioning: "on" } });
    await server.node.cache.settled();

    // The bootstrap, as any TFTP client gets it: a targeted container, no key in clear.
    const bootFile = join(server.dir, "boot.cfg");
    expect(await tftpGet(`/profile/${UNIT}.xml`, bootFile)).not.toMatch(/error/i);
    const sealed = readFileSync(bootFile);
    expect(isSpcContainer(sealed)).toBe(true);
    const inside = openSpcContainer(sealed, { mac: UNIT, installationSecret: secret() });
    const delivered = /<GPP_SA ua="na">([0-9a-f]{64})<\/GPP_SA>/.exec(
      inside.payload.toString("utf8"),
    )?.[1];
    expect(delivered).toBeDefined();
    expect(sealed.includes(Buffer.from(delivered!))).toBe(false);
    // Another unit's identity cannot open it.
    let refused: unknown;
    try {
      openSpcContainer(sealed, { mac: OTHER, installationSecret: secret() });
    } catch (error) {
      refused = error;
    }
    expect((refused as { code?: string } | undefined)?.code).toBe(
      "CRYPTO_CONTAINER_NOT_FOR_DEVICE",
    );

    // The unit itself opens it with its MAC and the installation's secret.
    const boot = await unit.resync();
    expect(boot?.ok).toBe(true);
    expect(unit.provisioningState).toBe("SEC-PRV-1");
    const key = unit.params.get("GPP_SA")!;
    const dir = unit.params.get("GPP_B")!;
    expect(key).toBe(delivered);
    expect(unit.params.get("Profile_Rule")).toBe("[--key $SA] /secure/$B/$MA.cfg");

    const keyed = await unit.resync();
    expect(keyed?.ok).toBe(true);
    expect(keyed?.requests.map((r) => `${r.outcome} ${r.url}`)).toEqual([
      `ok tftp://${tftp}/secure/${dir}/${UNIT}.cfg`,
    ]);
    expect(unit.provisioningState).toBe("SEC-PRV-2");
    expect(unit.params.get("Proxy_1_")).toBe("sip.tftp.example");
    await server.node.lifecycles.flush();
    expect((await store.devices.get(parseMac(UNIT))).lifecycle?.state).toBe("sec-prv-2");

    // tftp-hpa fetches the encrypted profile; openssl decrypts it with the delivered key.
    const encFile = join(server.dir, "secure.cfg");
    expect(await tftpGet(`/secure/${dir}/${UNIT}.cfg`, encFile)).not.toMatch(/error/i);
    const xml = gunzipSync(
      execFileSync(
        "openssl",
        ["enc", "-d", "-aes-256-cbc", "-md", "md5", "-k", key, "-in", encFile],
        {
          stdio: ["ignore", "pipe", "pipe"],
        },
      ),
    ).toString("utf8");
    expect(xml).toContain('<Proxy_1_ ua="na">sip.tftp.example</Proxy_1_>');

    // The bootstrap path, another unit's file in this directory, a guessed directory: not found.
    for (const path of [
      `/profile/${UNIT}.xml`,
      `/secure/${dir}/${OTHER}.cfg`,
      `/secure/${"0".repeat(32)}/${UNIT}.cfg`,
    ]) {
      expect(await tftpGet(path, join(server.dir, "miss.cfg"))).toMatch(/Error code 1/);
    }
    unit.powerOff();
  }, 180_000);

  it("an MPP phone cannot open targeted files: no key for it over plain HTTP", async () => {
    const res = await curl(["-o", "-", `${server.http}/profile/${PHONE}.xml`]);
    expect(res.status).toBe(404);
    expect(await server.node.store.deviceKeys.get(parseMac(PHONE))).toBeNull();
  });
});
