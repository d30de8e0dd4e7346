/**
 * The emulator against tftp-hpa's in.tftpd (a real, independent TFTP server) serving
 * hand-written files: the factory default rule with DHCP option 66, the staging profile
 * of Appendix C.1, gzip and OpenSSL-encrypted files made by the real gzip and openssl
 * tools, file-not-found, and malformed files.
 */
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Device, networkFetcher, VirtualClock } from "../../src/device/index.ts";
import { MALFORMED, nestedProfile, stagingProfile } from "./fixtures.ts";
import { closedPort, flat, freeUdpPort, startTftpd, type Tftpd } from "./helpers.ts";

let tftpd: Tftpd;

beforeAll(async () => {
  tftpd = await startTftpd();
});

afterAll(async () => {
  await tftpd?.close();
});

function unit(clock: VirtualClock, option66?: string): Device {
  return new Device({
    mac: "00:0e:08:01:23:45",
    productName: "SPA2102",
    serial: "88012BA01234",
    clock,
    fetcher: networkFetcher({
      tftpRetransmitMs: 100,
      tftpMaxRetries: 2,
      // The staging profile names prov.example.com; it lives on loopback here.
      resolve: async (host) =>
        host === "127.0.0.1" || host.endsWith("example.com") ? ["127.0.0.1"] : [],
    }),
    ...(option66 === undefined ? {} : { dhcp: { option66 } }),
  });
}

describe("factory unit over TFTP (§1.1.1, §2.2 way 1, §8.1.2, Appendix C.1)", () => {
  it("fetches /spa$PSN.cfg from the DHCP option-66 server, applies C.1, reaches SP-CUST, reboots for the password and tries its Upgrade_Rule", async () => {
    const fwPort = await closedPort();
    tftpd.put("spa2102.cfg", stagingProfile("prov.example.com:1", `prov.example.com:${fwPort}`));
    const clock = new VirtualClock();
    const d = unit(clock, `127.0.0.1:${tftpd.port}`);
    expect(d.provisioningState).toBe("MFG-RESET");
    const reboots: string[] = [];
    d.on("reboot", (r) => reboots.push(r.reason));
    d.powerOn();
    await clock.advance(40_000); // default random delay: within 40 s
    expect(d.params.get("Profile_Rule")).toBe("https://prov.example.com:1/spa/init/$MA.xml");
    expect(d.params.get("Admin_Passwd")).toBe("S3cret-Admin");
    expect(d.params.access("Admin_Passwd")).toBe("na");
    expect(d.params.get("Resync_Error_Retry_Delay")).toBe("1800,3600,7200,14400");
    expect(d.provisioningState).toBe("SP-CUST");
    const syslog = d.log.messages("syslog");
    expect(syslog.slice(0, 2)).toEqual([
      `SPA2102 00:0e:08:01:23:45 -- Requesting resync tftp://127.0.0.1:${tftpd.port}/spa2102.cfg`,
      `SPA2102 00:0e:08:01:23:45 -- Successful resync tftp://127.0.0.1:${tftpd.port}/spa2102.cfg -- `,
    ]);
    // Admin_Passwd needs a restart; a profile-caused reboot does not resync on reset (C12).
    expect(reboots).toEqual(["Power On", "Provisioning"]);
    // After the reboot the unit acts on Upgrade_Rule (§6.7 last step), fails (nothing
    // listens), arms the upgrade retry and resyncs after the attempt (§6.2.5), which fails
    // too (nothing listens on the HTTPS port either).
    expect(syslog.slice(2)).toEqual([
      `SPA2102 00:0e:08:01:23:45 -- Requesting upgrade http://127.0.0.1:${fwPort}/fw/spa2102-5-2-12.bin`,
      "SPA2102 00:0e:08:01:23:45 -- Upgrade failed: http_get failed",
      "SPA2102 00:0e:08:01:23:45 -- Requesting resync https://127.0.0.1:1/spa/init/000e08012345.xml",
      "SPA2102 00:0e:08:01:23:45 -- Resync failed: http_get failed",
    ]);
    expect(d.expand("$UPGST $UPGERR")).toBe("2 http_get failed");
    const attemptAt = d.log.entries("syslog")[2]!.time;
    const t = d.timerSnapshot();
    expect(t.upgradeRetryAt).toBe(attemptAt + 3600_000);
    expect(t.retryAt).toBe(attemptAt + 1800_000);
    expect(t.bootResyncAt).toBeUndefined();
    d.powerOff();
  });

  it("§3.2.1: the guide's nested example is applied from inside <top-level>", async () => {
    tftpd.put("nested.xml", nestedProfile("tftp://prov.telco.com:6900/Linksys/config/spa2102.cfg"));
    const d = unit(new VirtualClock(), `127.0.0.1:${tftpd.port}`);
    d.powerOn();
    const r = await d.resync("/nested.xml");
    expect(r?.ok).toBe(true);
    expect(d.params.get("Resync_Periodic")).toBe("7200");
    expect(d.params.get("Profile_Rule")).toBe(
      "tftp://prov.telco.com:6900/Linksys/config/spa2102.cfg",
    );
    d.powerOff();
  });

  it("§6.9: DHCP option 160 replaces the factory Profile_Rule, but not an admin-set one", async () => {
    tftpd.put("o160.cfg", flat("<GPP_I>from-160</GPP_I>"));
    const clock = new VirtualClock();
    const d = new Device({
      mac: "00:0e:08:01:23:45",
      productName: "SPA2102",
      clock,
      dhcp: { option66: "127.0.0.1:1", option160: `tftp://127.0.0.1:${tftpd.port}/o160.cfg` },
    });
    d.powerOn();
    expect((await d.resync())?.ok).toBe(true);
    expect(d.params.get("GPP_I")).toBe("from-160");
    d.configure({ Profile_Rule: `tftp://127.0.0.1:${tftpd.port}/basic-none.cfg` });
    expect(await d.resync()).toMatchObject({ ok: false, err: "file not found" });
    d.powerOff();
  });

  it("§6.9: no server in the rule and none from DHCP ⇒ the resync fails at once", async () => {
    const d = unit(new VirtualClock());
    d.powerOn();
    const r = await d.resync();
    expect(r).toMatchObject({ ok: false, err: "no provisioning server" });
    d.powerOff();
  });
});

describe("TFTP files (§12.4 tutorial exercises, §8.1.1)", () => {
  const rule = (file: string, options = "") => `${options}tftp://127.0.0.1:${tftpd.port}/${file}`;

  it("§12.4 #1: basic.txt sets GPP_A (the extension is irrelevant)", async () => {
    tftpd.put("basic.txt", "<device>" + flat("<GPP_A>12345678</GPP_A>") + "</device>");
    const d = unit(new VirtualClock());
    d.powerOn();
    expect((await d.resync(rule("basic.txt")))?.ok).toBe(true);
    expect(d.params.get("GPP_A")).toBe("12345678");
  });

  it("§12.4 #10: a file gzipped by gzip(1) is decompressed", async () => {
    tftpd.put("basic2.txt", flat("<GPP_B>zipped</GPP_B>"));
    execFileSync("gzip", ["-kf", join(tftpd.root, "basic2.txt")]);
    const d = unit(new VirtualClock());
    d.powerOn();
    expect((await d.resync(rule("basic2.txt.gz")))?.ok).toBe(true);
    expect(d.params.get("GPP_B")).toBe("zipped");
  });

  it("§12.4 #11: openssl enc -aes-256-cbc -md md5 -k MyOwnSecret, fetched with [--key MyOwnSecret ]; a wrong key is a corrupt file", async () => {
    tftpd.put("plain.txt", flat("<GPP_C>encrypted-value</GPP_C>"));
    execFileSync("openssl", [
      "enc",
      "-e",
      "-aes-256-cbc",
      "-md",
      "md5",
      "-k",
      "MyOwnSecret",
      "-in",
      join(tftpd.root, "plain.txt"),
      "-out",
      join(tftpd.root, "basic.cfg"),
    ]);
    execFileSync("chmod", ["644", join(tftpd.root, "basic.cfg")]);
    const d = unit(new VirtualClock());
    d.powerOn();
    expect((await d.resync(rule("basic.cfg", "[--key MyOwnSecret ] ")))?.ok).toBe(true);
    expect(d.params.get("GPP_C")).toBe("encrypted-value");
    const wrong = await d.resync(rule("basic.cfg", "[--key NotTheSecret] "));
    expect(wrong).toMatchObject({ ok: false, err: "corrupt file" });
    const none = await d.resync(rule("basic.cfg"));
    expect(none).toMatchObject({ ok: false, err: "corrupt file" });
    expect(d.log.messages("syslog").at(-1)).toBe(
      "SPA2102 00:0e:08:01:23:45 -- Resync failed: corrupt file",
    );
  });

  it("C11: SPA tries only MD5; an MPP unit also reads a SHA-256 (OpenSSL ≥ 1.1 default) file", async () => {
    tftpd.put("plain256.txt", flat("<GPP_D>sha</GPP_D>"));
    execFileSync("openssl", [
      "enc",
      "-e",
      "-aes-256-cbc",
      "-md",
      "sha256",
      "-k",
      "K",
      "-in",
      join(tftpd.root, "plain256.txt"),
      "-out",
      join(tftpd.root, "sha.cfg"),
    ]);
    execFileSync("chmod", ["644", join(tftpd.root, "sha.cfg")]);
    const spa = unit(new VirtualClock());
    spa.powerOn();
    expect(await spa.resync(rule("sha.cfg", "[--key K] "))).toMatchObject({
      ok: false,
      err: "corrupt file",
    });
    const mpp = new Device({
      mac: "00:0e:08:01:23:46",
      productName: "CP-8841-3PCC",
      productSeries: "8841",
      family: "mpp",
      clock: new VirtualClock(),
    });
    mpp.powerOn();
    expect((await mpp.resync(rule("sha.cfg", "[--key K] ")))?.ok).toBe(true);
    expect(mpp.params.get("GPP_D")).toBe("sha");
  });

  it("§8.1.1: TFTP error 1 is file-not-found (class B); Resync_Fails_On_FNF No turns it into success", async () => {
    const d = unit(new VirtualClock());
    d.powerOn();
    expect(await d.resync(rule("nope.cfg"))).toMatchObject({ ok: false, err: "file not found" });
    d.configure({ Resync_Fails_On_FNF: "No" });
    expect(await d.resync(rule("nope.cfg"))).toMatchObject({ ok: true });
  });

  it("§6.6: no TFTP server answering ⇒ tftp failed", async () => {
    const port = await freeUdpPort();
    const d = unit(new VirtualClock());
    d.powerOn();
    expect(await d.resync(`tftp://127.0.0.1:${port}/x.cfg`)).toMatchObject({
      ok: false,
      err: "tftp failed",
    });
  });

  for (const [what, content] of Object.entries(MALFORMED)) {
    it(`§3.1 step 5: ${what} ⇒ corrupt file, nothing applied`, async () => {
      const file = `bad-${what.replace(/[^a-z]+/g, "-")}.cfg`;
      tftpd.put(file, content);
      const d = unit(new VirtualClock());
      d.powerOn();
      const before = d.params.entries();
      expect(await d.resync(rule(file))).toMatchObject({ ok: false, err: "corrupt file" });
      expect(d.params.entries()).toEqual(before);
    });
  }

  it("§12.4 #6: tftp://…/cisco/$B/$MA.cfg with GPP_B=Dj6Lmp23Q", async () => {
    tftpd.put("cisco/Dj6Lmp23Q/000e08012345.cfg", flat("<GPP_E>resolved</GPP_E>"));
    const d = unit(new VirtualClock());
    d.configure({ GPP_B: "Dj6Lmp23Q" });
    d.powerOn();
    expect((await d.resync(rule("cisco/$B/$MA.cfg")))?.ok).toBe(true);
    expect(d.params.get("GPP_E")).toBe("resolved");
  });
});
