/**
 * Firmware upgrade as the unit does it (§7), on a virtual clock against a real HTTP server
 * serving emulated images (§7.6 Provisio design): when the rule is acted on, once-only
 * memory, retries and $UPGST/$UPGERR, Downgrade_Rev_Limit, idle-only, C8, C9, multi-stage
 * chains and Sipura loop protection.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  createDeviceCa,
  createServerCertificate,
  type IssuedCertificate,
} from "../../src/crypto/index.ts";
import {
  Device,
  type DeviceOptions,
  encodeFirmwareImage,
  networkFetcher,
  VirtualClock,
} from "../../src/device/index.ts";
import { flat, type StaticServer, startStaticServer } from "./helpers.ts";

const S = 1000;
let clock: VirtualClock;
let server: StaticServer;
let t0: number;

beforeEach(async () => {
  clock = new VirtualClock();
  t0 = clock.now();
  server = await startStaticServer(() => clock.now());
  server.handler = (r) => (r.url.startsWith("/p.xml") ? { body: flat("") } : undefined);
});
afterEach(async () => {
  await server.close();
});

const image = (version: string, models = ["SPA2102"]) => ({
  body: encodeFirmwareImage({ version, models, payload: Buffer.from(`firmware ${version}`) }),
  headers: { "Content-Type": "application/octet-stream" },
});

function unit(values: Record<string, string>, options: Partial<DeviceOptions> = {}): Device {
  const d = new Device({
    mac: "000e08012345",
    productName: "SPA2102",
    swVersion: "2.0.6(b)",
    clock,
    ...options,
  });
  d.configure({
    Profile_Rule: `${server.base}/p.xml?prvst=$PRVST`,
    Resync_Random_Delay: "0",
    Resync_Periodic: "3600",
    ...values,
  });
  return d;
}

const requested = () => server.requests.map((r) => `${(r.time - t0) / S} ${r.url}`);

describe("the upgrade procedure (§7.3, §7.4)", () => {
  it("after a resync: download, install, reboot (Upgrade), success line with the new version, resync with $PRVST 0", async () => {
    server.files.set("/fw/5.2.12.bin", image("5.2.12"));
    const d = unit({ Upgrade_Rule: `($SWVER ne 5.2.12)? ${server.base}/fw/5.2.12.bin` });
    d.powerOn();
    await clock.advance(1 * S);
    expect(d.identity.swVersion).toBe("5.2.12");
    expect(d.rebootHistory.map((r) => r.reason)).toEqual(["Power On", "Upgrade"]);
    expect(requested()).toEqual(["0 /p.xml?prvst=0", "0 /fw/5.2.12.bin", "0 /p.xml?prvst=0"]);
    expect(d.log.messages("syslog")).toContain(
      `SPA2102 00:0e:08:01:23:45 -- Successful upgrade http://127.0.0.1:${server.port}/fw/5.2.12.bin -- 5.2.12`,
    );
    expect(server.requests[1]!.headers["user-agent"]).toMatch(/2\.0\.6\(b\)/);
    expect(server.requests[2]!.headers["user-agent"]).toMatch(/5\.2\.12/);
    // The version guard is now false: later resyncs do not fetch the image again.
    await clock.advance(7200 * S);
    expect(requested().filter((r) => r.includes("/fw/"))).toHaveLength(1);
  });

  it("once-only (§7.3): an unguarded rule installs once, not at every resync", async () => {
    server.files.set("/fw/a.bin", image("2.0.7"));
    const d = unit({ Upgrade_Rule: `${server.base}/fw/a.bin` });
    d.powerOn();
    await clock.advance(3 * 3600 * S);
    expect(requested().filter((r) => r.includes("/fw/"))).toEqual(["0 /fw/a.bin"]);
    expect(d.identity.swVersion).toBe("2.0.7");
  });

  it("retries on Upgrade_Error_Retry_Delay with $UPGST 2 and $UPGERR; Resync_After_Upgrade_Attempt resyncs with $PRVST 1", async () => {
    const d = unit({
      Upgrade_Rule: `${server.base}/fw/missing.bin?st=$UPGST`,
      Upgrade_Error_Retry_Delay: "1800,3600",
      Resync_Periodic: "86400",
    });
    d.powerOn();
    await clock.advance(5400 * S);
    expect(requested()).toEqual([
      "0 /p.xml?prvst=0",
      "0 /fw/missing.bin?st=1",
      "0 /p.xml?prvst=1",
      "1800 /fw/missing.bin?st=2",
      "1800 /p.xml?prvst=1",
      "5400 /fw/missing.bin?st=2",
      "5400 /p.xml?prvst=1",
    ]);
    expect(d.expand("$UPGST/$UPGERR")).toBe("2/file not found");
    expect(d.log.messages("syslog")).toContain(
      "SPA2102 00:0e:08:01:23:45 -- Upgrade failed: file not found",
    );
  });

  it("C8: Upgrade_Error_Retry_Delay 0 — the failure counts as done until a reboot", async () => {
    const d = unit({
      Upgrade_Rule: `${server.base}/fw/missing.bin`,
      Upgrade_Error_Retry_Delay: "0",
    });
    d.powerOn();
    await clock.advance(3 * 3600 * S);
    expect(requested().filter((r) => r.includes("/fw/"))).toHaveLength(1);
    d.reboot("User Triggered");
    await clock.advance(1 * S);
    expect(requested().filter((r) => r.includes("/fw/"))).toHaveLength(2);
  });

  it("Downgrade_Rev_Limit refuses an older image; a wrong model is refused; nothing is installed", async () => {
    server.files.set("/fw/old.bin", image("2.0.1"));
    server.files.set("/fw/other.bin", image("5.0.0", ["SPA962"]));
    const d = unit({ Upgrade_Rule: `${server.base}/fw/old.bin`, Downgrade_Rev_Limit: "2.0.5" });
    d.powerOn();
    await clock.advance(1 * S);
    expect(d.expand("$UPGERR")).toBe("downgrade limit");
    d.configure({ Upgrade_Rule: `${server.base}/fw/other.bin` });
    await clock.advance(3600 * S); // the upgrade retry timer (3600) picks up the new rule
    expect(d.expand("$UPGERR")).toBe("wrong model");
    expect(d.identity.swVersion).toBe("2.0.6(b)");
  });

  it("a Downgrade_Rev_Limit that is not a version (or not in the image's format) limits nothing: the comparison is false, an error is logged, the image installs", async () => {
    server.files.set("/fw/2.0.7.bin", image("2.0.7"));
    server.files.set("/fw/2.0.8.bin", image("2.0.8"));
    const d = unit({
      Upgrade_Rule: `($SWVER lt 2.0.7)? ${server.base}/fw/2.0.7.bin`,
      Downgrade_Rev_Limit: "not-a-version",
    });
    expect(d.params.get("Downgrade_Rev_Limit")).toBe("not-a-version");
    d.powerOn();
    await clock.advance(1 * S);
    expect(d.expand("$UPGERR")).toBe("");
    expect(d.identity.swVersion).toBe("2.0.7");
    expect(d.log.messages("error").join("\n")).toContain("Downgrade_Rev_Limit");
    // An MPP-style limit on an SPA unit cannot be compared with an SPA version either.
    d.configure({
      Downgrade_Rev_Limit: "sip88xx.11-3-1MPP-678",
      Upgrade_Rule: `($SWVER lt 2.0.8)? ${server.base}/fw/2.0.8.bin`,
    });
    await clock.advance(3600 * S);
    expect(d.identity.swVersion).toBe("2.0.8");
  });

  it("idle only, no forced variant (§7.3): the upgrade waits for hang-up however long", async () => {
    server.files.set("/fw/5.bin", image("5.2.12"));
    const d = unit({
      Resync_On_Reset: "No",
      Upgrade_Rule: `${server.base}/fw/5.bin`,
      Forced_Resync_Delay: "60",
    });
    d.powerOn();
    d.startCall(1);
    const done = d.resync();
    await clock.advance(61 * S); // the resync is forced after 60 s; the upgrade is not
    await done;
    await clock.advance(86400 * S);
    expect(d.identity.swVersion).toBe("2.0.6(b)");
    d.endCall(1);
    await clock.advance(0);
    expect(d.identity.swVersion).toBe("5.2.12");
  });

  it("C9: an SPA ATA refuses an https firmware URL", async () => {
    const d = unit({ Upgrade_Rule: "https://fw.example.com/x.bin" });
    d.powerOn();
    await clock.advance(1 * S);
    expect(d.expand("$UPGERR")).toBe("unsupported upgrade url");
    expect(requested().filter((r) => r.includes("x.bin"))).toEqual([]);
  });

  it("§7.2 multi-stage: a chained rule walks the unit through each intermediate release", async () => {
    for (const v of ["1-0-33", "2-0-6", "3-3-6"])
      server.files.set(`/fw/${v}.bin`, image(v.replaceAll("-", ".")));
    const d = unit(
      {
        Upgrade_Rule:
          `($SWVER lt 1.0.33)? ${server.base}/fw/1-0-33.bin\n` +
          ` | ($SWVER lt 2.0.6)? ${server.base}/fw/2-0-6.bin\n` +
          ` | ($SWVER lt 3.3.6)? ${server.base}/fw/3-3-6.bin`,
      },
      { swVersion: "1.0.31(b)" },
    );
    d.powerOn();
    await clock.advance(1 * S);
    expect(d.identity.swVersion).toBe("3.3.6");
    expect(requested().filter((r) => r.includes("/fw/"))).toEqual([
      "0 /fw/1-0-33.bin",
      "0 /fw/2-0-6.bin",
      "0 /fw/3-3-6.bin",
    ]);
    expect(d.rebootHistory.filter((r) => r.reason === "Upgrade")).toHaveLength(3);
  });

  it("Sipura loop protection (§7.3): an image that still satisfies the condition is refused", async () => {
    server.files.set("/fw/spa.bin", image("0.9.9", ["SPA2000"]));
    const d = new Device({
      mac: "000e08012345",
      productName: "SPA2000",
      family: "sipura",
      swVersion: "0.9.5",
      clock,
    });
    d.configure({
      Profile_Rule: `${server.base}/p.xml`,
      Resync_Random_Delay: "0",
      Upgrade_Rule: `(<1.0)? ${server.base}/fw/spa.bin`,
    });
    d.powerOn();
    await clock.advance(1 * S);
    expect(d.expand("$UPGERR")).toBe("upgrade loop");
    expect(d.identity.swVersion).toBe("0.9.5");
  });
});

describe("MPP dual image (§7.4 step 5): a new load goes to the inactive partition; a load already there is activated without download", () => {
  const A = "sip88xx.11-3-1MPP-678";
  const B = "sip88xx.11-3-2MPP0001-609";
  const C = "sip88xx.11-2-3MPP-256";
  const mpp = (values: Record<string, string>, options: Partial<DeviceOptions> = {}) =>
    unit(values, { productName: "CP-8841-3PCC", family: "mpp", swVersion: A, ...options });
  const loads = () => requested().filter((r) => r.includes(".loads"));

  it("upgrading A→B keeps A inactive; a rule for A's load then switches back without a request, and the web upgrade to B does too", async () => {
    server.files.set(`/sw/${B}.loads`, image(B, ["CP-8841-3PCC"]));
    const d = mpp({ Upgrade_Rule: `($SWVER ne ${B})? ${server.base}/sw/${B}.loads` });
    expect(d.inactiveLoad).toBeUndefined();
    d.powerOn();
    await clock.advance(1 * S);
    expect(d.identity.swVersion).toBe(B);
    expect(d.inactiveLoad).toBe(A);
    expect(loads()).toEqual([`0 /sw/${B}.loads`]);

    // A's load is not on the server: only the inactive partition can provide it.
    d.configure({ Upgrade_Rule: `($SWVER ne ${A})? ${server.base}/sw/${A}.loads` });
    await clock.advance(3600 * S);
    expect(d.identity.swVersion).toBe(A);
    expect(d.inactiveLoad).toBe(B);
    expect(d.expand("$UPGST/$UPGERR")).toBe("1/");
    expect(d.rebootHistory.map((r) => r.reason)).toEqual(["Power On", "Upgrade", "Upgrade"]);
    expect(d.log.messages("syslog")).toContain(
      `CP-8841-3PCC 00:0e:08:01:23:45 -- Successful upgrade http://127.0.0.1:${server.port}/sw/${A}.loads -- ${A}`,
    );
    expect(loads()).toEqual([`0 /sw/${B}.loads`]);

    d.configure({ Upgrade_Rule: "" });
    expect((await d.upgrade(`${server.base}/sw/${B}.loads`))?.kind).toBe("activated");
    await clock.advance(1 * S);
    expect([d.identity.swVersion, d.inactiveLoad]).toEqual([B, A]);
    expect(loads()).toEqual([`0 /sw/${B}.loads`]);
  });

  it("a unit made with a load in its inactive partition activates it; Downgrade_Rev_Limit still applies to it", async () => {
    const d = mpp(
      { Upgrade_Rule: `($SWVER ne ${C})? ${server.base}/sw/${C}.loads`, Downgrade_Rev_Limit: A },
      { inactiveLoad: C },
    );
    d.powerOn();
    await clock.advance(1 * S);
    expect(d.expand("$UPGERR")).toBe("downgrade limit");
    expect(d.identity.swVersion).toBe(A);
    d.configure({ Downgrade_Rev_Limit: "" });
    await clock.advance(3600 * S); // the upgrade retry timer
    expect([d.identity.swVersion, d.inactiveLoad]).toEqual([C, A]);
    expect(loads()).toEqual([]);
  });

  it("an SPA unit has one image: nothing to activate, an inactive load is refused as an option", () => {
    expect(() => unit({}, { inactiveLoad: "2.0.5" })).toThrow(/inactive load/);
  });
});

describe("HTTPS firmware URLs by model (C9: SPA ATAs and SPA9000 TFTP/HTTP only; SPA9x2 phones and MPP also HTTPS)", () => {
  let tlsServer: StaticServer;
  let ca: IssuedCertificate;
  beforeAll(async () => {
    ca = await createDeviceCa({ commonName: "Upgrade Test Server CA" });
    const cert = await createServerCertificate({
      issuer: ca,
      hostnames: ["fw.example.com"],
      includeLoopback: false,
    });
    tlsServer = await startStaticServer(() => clock.now(), {
      cert: cert.certificatePem,
      key: cert.privateKeyPem,
    });
  });
  afterAll(async () => {
    await tlsServer?.close();
  });

  const httpsUnit = (productName: string, family: "spa" | "mpp" = "spa", swVersion = "5.1.5") =>
    unit(
      { Upgrade_Rule: `https://fw.example.com:${tlsServer.port}/fw/${productName}.bin` },
      {
        productName,
        family,
        swVersion,
        trustedServerCas: [ca.certificatePem],
        fetcher: networkFetcher({
          resolve: async (host) =>
            host === "127.0.0.1" || host === "fw.example.com" ? ["127.0.0.1"] : [],
        }),
      },
    );

  it("an SPA962 (SPA9x2 phone) downloads and installs an https image", async () => {
    tlsServer.requests.length = 0;
    tlsServer.files.set("/fw/SPA962.bin", image("6.1.5(a)", ["SPA962"]));
    const d = httpsUnit("SPA962");
    d.powerOn();
    await clock.advance(1 * S);
    expect(tlsServer.requests.map((r) => r.url)).toEqual(["/fw/SPA962.bin"]);
    expect(d.expand("$UPGERR")).toBe("");
    expect(d.identity.swVersion).toBe("6.1.5(a)");
  });

  it("an SPA942 too; an SPA9000 and an SPA2102 refuse the same URL without a request", async () => {
    tlsServer.requests.length = 0;
    for (const pn of ["SPA942", "SPA9000", "SPA2102"]) {
      tlsServer.files.set(`/fw/${pn}.bin`, image("6.1.5(a)", [pn]));
    }
    const phone = httpsUnit("SPA942");
    const pbx = httpsUnit("SPA9000");
    const ata = httpsUnit("SPA2102");
    for (const d of [phone, pbx, ata]) d.powerOn();
    await clock.advance(1 * S);
    expect(phone.identity.swVersion).toBe("6.1.5(a)");
    for (const d of [pbx, ata]) {
      expect(d.expand("$UPGERR")).toBe("unsupported upgrade url");
      expect(d.identity.swVersion).toBe("5.1.5");
    }
    expect(tlsServer.requests.map((r) => r.url)).toEqual(["/fw/SPA942.bin"]);
  });
});
