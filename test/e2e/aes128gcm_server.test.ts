/**
 * MPP's RFC 8188 `aes128gcm` profile encoding as a per-model tenant setting, over real HTTP:
 * a model the tenant lists gets its profiles with `Content-Encoding: aes128gcm` under the IKM
 * its profile sets (`IKM_HTTP_Encrypt_Content`), which the emulated phone holding that IKM
 * opens and `src/crypto`'s decoder opens without openssl; another model of the same tenant
 * still gets plain XML.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeAes128gcm } from "../../src/crypto/index.ts";
import { Device, networkFetcher, VirtualClock } from "../../src/device/index.ts";
import { curl } from "../server/helpers.ts";
import { type E2eServer, startE2eServer } from "./provisio_server.ts";

const PHONE = "000e08ab8841";
const ATA = "000e08ab0962";
const IKM = "ikm-of-the-8841-fleet-0123";
let server: E2eServer;

beforeAll(async () => {
  server = await startE2eServer(
    [
      { name: "IKM_HTTP_Encrypt_Content", value: IKM, access: "na" },
      { name: "GPP_D", value: "served-gcm", access: "na" },
    ],
    { PROVISIO_SHEDDING_ENABLED: "false" },
  );
  const { store } = server.node;
  await store.models.upsert({ pn: "CP-8841-3PCC", psn: "8841", family: "mpp", lines: 10 });
  await server.addDevices([PHONE], "CP-8841-3PCC");
  await server.addDevices([ATA]);
  await store.tenants.update("default", { settings: { aes128gcmModels: ["CP-8841-3PCC"] } });
  await server.node.cache.settled();
}, 120_000);

afterAll(async () => {
  await server?.close();
});

describe("aes128gcm per model", () => {
  it("serves the listed model's profile aes128gcm-encoded under its IKM; other models in clear", async () => {
    const r = await curl(["-o", "-", `${server.http}/profile/${PHONE}.xml`]);
    expect(r.status).toBe(200);
    expect(r.headers["content-encoding"]).toBe("aes128gcm");
    const body = Buffer.from(r.body, "latin1");
    expect(body.includes("served-gcm")).toBe(false);
    const xml = decodeAes128gcm(body, IKM).plaintext.toString("utf8");
    expect(xml).toContain('<GPP_D ua="na">served-gcm</GPP_D>');
    expect(() => decodeAes128gcm(body, "another-ikm")).toThrow();
    // A conditional request is answered as for any profile.
    const again = await curl([
      "-o",
      "-",
      "-H",
      `If-None-Match: ${r.headers.etag}`,
      `${server.http}/profile/${PHONE}.xml`,
    ]);
    expect(again.status).toBe(304);

    const ata = await curl(["-o", "-", `${server.http}/profile/${ATA}.xml`]);
    expect(ata.status).toBe(200);
    expect(ata.headers["content-encoding"]).toBeUndefined();
    expect(ata.body).toContain('<GPP_D ua="na">served-gcm</GPP_D>');
  });

  it("the emulated phone holding the IKM opens what the server serves", async () => {
    const phone = new Device({
      mac: PHONE,
      productName: "CP-8841-3PCC",
      productSeries: "8841",
      family: "mpp",
      clock: new VirtualClock(),
      fetcher: networkFetcher(),
    });
    phone.powerOn();
    phone.configure({ IKM_HTTP_Encrypt_Content: IKM });
    const result = await phone.resync(`${server.http}/profile/$MA.xml`);
    expect(result?.ok).toBe(true);
    expect(phone.params.get("GPP_D")).toBe("served-gcm");
  });
});
