/**
 * MPP reports aes128gcm-encoded (RFC 8188) against a real node: an emulated 8841 whose tenant
 * lists its model in `aes128gcmModels` holds the IKM its profile sets, and with a Report_Rule
 * without `--key` uploads its configuration encoded under it — over HTTP (`Content-Encoding:
 * aes128gcm`) and over TFTP (the bare bytes). The server decodes it with the IKM the device's
 * configuration sets and stores the entries; a unit holding another IKM is refused
 * (`SERVER_REPORT_UNDECODABLE`) and nothing is stored.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Device, networkFetcher, VirtualClock } from "../../src/device/index.ts";
import type { ProvisioNode } from "../../src/server/node.ts";
import { type MacAddress, parseMac } from "../../src/store/index.ts";
import { allEvents, startTestNode, tempDir } from "../server/helpers.ts";

const MAC = parseMac("000e08ab8851") as MacAddress;
const IKM = "ikm-of-the-reporting-8841-0123";
let node: ProvisioNode;
let http: string;
let tftp: string;
let unit: Device;

/** The server stores a TFTP upload after its last ACK: wait for the report to show. */
async function latestAfter(count: number) {
  for (let i = 0; i < 400; i++) {
    const history = await node.store.reports.history(MAC);
    if (history.length > count) return node.store.reports.latest(MAC);
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error("no report stored");
}

beforeAll(async () => {
  node = await startTestNode(
    join(tempDir("aes128gcm-report"), "data"),
    { tftpPort: "0" },
    {},
    { PROVISIO_SHEDDING_ENABLED: "false" },
  );
  http = `http://127.0.0.1:${node.addresses.http!.port}`;
  tftp = `tftp://127.0.0.1:${node.addresses.tftp!.port}`;
  const { store } = node;
  await store.models.upsert({ pn: "CP-8841-3PCC", psn: "8841", family: "mpp", lines: 10 });
  await store.tenants.update("default", {
    settings: { profilePaths: ["/profile/$MA.xml"], aes128gcmModels: ["CP-8841-3PCC"] },
  });
  await store.devices.create({ mac: MAC, modelPn: "CP-8841-3PCC" });
  await store.layers.set({ scope: "tenant", tenantId: "default" }, [
    { name: "IKM_HTTP_Encrypt_Content", value: IKM, access: "na" },
    { name: "Profile_Rule", value: `${http}/profile/$MA.xml`, access: "na" },
    { name: "Report_Rule", value: `${http}/report/$MA.xml`, access: "na" },
    { name: "Station_Name", value: "lobby-8841", access: "rw" },
  ]);
  await node.cache.settled();
  unit = new Device({
    mac: MAC,
    productName: "CP-8841-3PCC",
    productSeries: "8841",
    family: "mpp",
    clock: new VirtualClock(),
    fetcher: networkFetcher(),
  });
  unit.powerOn();
  // The IKM reached the unit before its profiles were encoded with it (docs/security.md).
  unit.configure({ IKM_HTTP_Encrypt_Content: IKM, Profile_Rule: `${http}/profile/$MA.xml` });
  expect((await unit.resync())?.ok).toBe(true);
  await unit.settled();
  expect(unit.params.get("Report_Rule")).toBe(`${http}/report/$MA.xml`);
}, 120_000);

afterAll(async () => {
  unit?.powerOff();
  await node?.close();
});

describe("aes128gcm configuration reports from an emulated MPP unit", () => {
  it("HTTP: the unit's encoded report is decoded with the device's IKM and stored", async () => {
    expect(unit.edit("user", "Station_Name", "desk-8841")).toBeUndefined();
    expect(await unit.report()).toMatchObject([{ ok: true, content: "config" }]);
    const report = await node.store.reports.latest(MAC);
    expect(report).toMatchObject({ kind: "config", identifiedBy: "path" });
    expect(report!.entries.find((e) => e.name === "Station_Name")?.value).toBe("desk-8841");
    expect(report!.entries.length).toBeGreaterThan(100);
    // The unit never reports its IKM.
    expect(report!.entries.some((e) => e.name === "IKM_HTTP_Encrypt_Content")).toBe(false);
  });

  it("TFTP: the bare encoded bytes are recognised, decoded and stored", async () => {
    await node.store.layers.set({ scope: "device", mac: MAC }, [
      { name: "Report_Rule", value: `${tftp}/report/$MA.xml`, access: "na" },
    ]);
    await node.cache.settled();
    expect((await unit.resync())?.ok).toBe(true); // takes the new rule
    await unit.settled();
    expect(unit.edit("user", "Station_Name", "tftp-8841")).toBeUndefined();
    const before = (await node.store.reports.history(MAC)).length;
    expect(await unit.report()).toMatchObject([{ ok: true }]);
    const report = await latestAfter(before);
    expect(report).toMatchObject({ kind: "config", identifiedBy: "path" });
    expect(report!.entries.find((e) => e.name === "Station_Name")?.value).toBe("tftp-8841");
  });

  it("a unit holding another IKM is refused (SERVER_REPORT_UNDECODABLE), nothing stored", async () => {
    await node.store.layers.set({ scope: "device", mac: MAC }, []);
    await node.cache.settled();
    expect((await unit.resync())?.ok).toBe(true); // back to the HTTP rule
    await unit.settled();
    const before = (await node.store.reports.history(MAC)).length;
    expect(
      unit.edit("admin", "IKM_HTTP_Encrypt_Content", "another-ikm-on-the-unit"),
    ).toBeUndefined();
    const [result] = await unit.report();
    expect(result).toMatchObject({ ok: false });
    expect((await node.store.reports.history(MAC)).length).toBe(before);
    const refused = (await allEvents(node)).filter(
      (e) => e.mac === MAC && e.statusCode === 400 && e.path?.startsWith("/report/"),
    );
    expect(refused.map((e) => e.message)).toEqual([
      expect.stringContaining("SERVER_REPORT_UNDECODABLE"),
    ]);
  });
});
