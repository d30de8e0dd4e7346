/**
 * HTTPS as the device sees it (§8.3, §12.4 #7–#8) and the secure provisioning chain of
 * §2.4/§10.2: a factory unit staged over TFTP (in.tftpd, Appendix C.1), bootstrapped over
 * HTTPS with its client certificate (Appendix C.2), then resyncing AES-encrypted files
 * over plain HTTP — MFG-RESET → SP-CUST → SEC-PRV-1 → SEC-PRV-2 → SP-CUST.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createDeviceCa,
  createServerCertificate,
  encodeProfileBytes,
  type IssuedCertificate,
  issueDeviceCertificate,
} from "../../src/crypto/index.ts";
import { Device, networkFetcher, VirtualClock } from "../../src/device/index.ts";
import { bootstrapAnswer, DEVICE_KEY, stagingProfile } from "./fixtures.ts";
import { flat, type StaticServer, startStaticServer, startTftpd, type Tftpd } from "./helpers.ts";

let vendorServerCa: IssuedCertificate;
let deviceCa: IssuedCertificate;
let deviceCert: IssuedCertificate;
let https: StaticServer;
let httpsNoClientAuth: StaticServer;
let selfSigned: StaticServer;
let http: StaticServer;
let tftpd: Tftpd;

const MAC = "000e08012345";

beforeAll(async () => {
  vendorServerCa = await createDeviceCa({ commonName: "Test Server CA Root" });
  deviceCa = await createDeviceCa({ commonName: "Test Client CA Root" });
  deviceCert = await issueDeviceCertificate(deviceCa, {
    mac: MAC,
    serial: "88012BA01234",
    product: "SPA-2102",
  });
  const serverCert = await createServerCertificate({
    issuer: vendorServerCa,
    hostnames: ["prov.example.com"],
    includeLoopback: false,
  });
  const tls = { cert: serverCert.certificatePem, key: serverCert.privateKeyPem };
  https = await startStaticServer(Date.now, {
    ...tls,
    ca: deviceCa.certificatePem,
    requestCert: true,
  });
  httpsNoClientAuth = await startStaticServer(Date.now, tls);
  const own = await createServerCertificate({
    hostnames: ["prov.example.com"],
    includeLoopback: false,
  });
  selfSigned = await startStaticServer(Date.now, {
    cert: own.certificatePem,
    key: own.privateKeyPem,
  });
  http = await startStaticServer();
  tftpd = await startTftpd();
});

afterAll(async () => {
  await Promise.all([https, httpsNoClientAuth, selfSigned, http].map((s) => s?.close()));
  await tftpd?.close();
});

const resolveToLoopback = async (host: string): Promise<string[]> =>
  host === "127.0.0.1" || host.endsWith("example.com") ? ["127.0.0.1"] : [];

function unit(clock = new VirtualClock(), withCert = true): Device {
  return new Device({
    mac: MAC,
    productName: "SPA2102",
    serial: "88012BA01234",
    clock,
    fetcher: networkFetcher({ resolve: resolveToLoopback }),
    trustedServerCas: [vendorServerCa.certificatePem],
    dhcp: { option66: `127.0.0.1:${tftpd.port}` },
    ...(withCert
      ? {
          clientCertificate: {
            certificatePem: deviceCert.certificatePem,
            privateKeyPem: deviceCert.privateKeyPem,
          },
        }
      : {}),
  });
}

describe("server trust (§8.3.1, §12.4 #7)", () => {
  it("a server certificate from the vendor's server CA for the URL's host is trusted", async () => {
    httpsNoClientAuth.files.set("/basic.txt", { body: flat("<GPP_A>tls</GPP_A>") });
    const d = unit();
    d.powerOn();
    const r = await d.resync(`https://prov.example.com:${httpsNoClientAuth.port}/basic.txt`);
    expect(r?.ok).toBe(true);
    expect(d.params.get("GPP_A")).toBe("tls");
  });

  it("a self-signed server certificate is refused (class C)", async () => {
    selfSigned.files.set("/basic.txt", { body: flat("<GPP_A>x</GPP_A>") });
    const d = unit();
    d.powerOn();
    const r = await d.resync(`https://prov.example.com:${selfSigned.port}/basic.txt`);
    expect(r).toMatchObject({ ok: false, err: "http_get failed" });
    expect(selfSigned.requests).toHaveLength(0);
  });

  it("a trusted certificate for another name is refused", async () => {
    const d = unit();
    d.powerOn();
    // 127.0.0.1 is not a name in the certificate (it was made without loopback names).
    const r = await d.resync(`https://127.0.0.1:${httpsNoClientAuth.port}/basic.txt`);
    expect(r).toMatchObject({ ok: false, err: "http_get failed" });
  });
});

describe("MPP name validation (§8.3.1)", () => {
  it("HTTPS_Name_Validate Yes refuses a certificate for another name; No accepts it", async () => {
    httpsNoClientAuth.files.set("/mpp.xml", { body: flat("<GPP_A>mpp</GPP_A>") });
    const d = new Device({
      mac: MAC,
      productName: "CP-8841-3PCC",
      productSeries: "8841",
      family: "mpp",
      clock: new VirtualClock(),
      fetcher: networkFetcher({ resolve: resolveToLoopback }),
      trustedServerCas: [vendorServerCa.certificatePem],
    });
    d.powerOn();
    const other = `https://other.example.com:${httpsNoClientAuth.port}/mpp.xml`;
    expect(await d.resync(other)).toMatchObject({ ok: false, err: "http_get failed" });
    d.configure({ HTTPS_Name_Validate: "No" });
    expect((await d.resync(other))?.ok).toBe(true);
    expect(d.params.get("GPP_A")).toBe("mpp");
  });
});

describe("client certificate (§8.3.3, §12.4 #8)", () => {
  it("the server reads the unit's identity from the certificate subject (OU, L, S)", async () => {
    https.files.set("/reflect", { body: flat("") });
    const d = unit();
    d.powerOn();
    expect((await d.resync(`https://prov.example.com:${https.port}/reflect`))?.ok).toBe(true);
    expect(https.requests.at(-1)!.clientCertSubject).toMatchObject({
      OU: "SPA-2102",
      L: "88012BA01234",
      ST: MAC,
    });
    expect(d.expand("$CCERT")).toBe("Installed");
  });

  it("a unit without a certificate cannot pass SSLVerifyClient require", async () => {
    const d = unit(new VirtualClock(), false);
    d.powerOn();
    expect(d.expand("$CCERT")).toBe("Not Installed");
    const r = await d.resync(`https://prov.example.com:${https.port}/reflect`);
    expect(r).toMatchObject({ ok: false, err: "http_get failed" });
  });
});

describe("the secure provisioning chain (§2.4, §10.2, Appendix C)", () => {
  it("MFG-RESET → SP-CUST (TFTP staging) → SEC-PRV-1 (HTTPS bootstrap) → SEC-PRV-2 (encrypted HTTP) → SP-CUST", async () => {
    const prov = `prov.example.com:${https.port}`;
    const plain = `prov.example.com:${http.port}`;
    tftpd.put("spa2102.cfg", stagingProfile(prov, plain));
    https.files.set(`/spa/init/${MAC}.xml`, { body: bootstrapAnswer(plain) });
    const encrypted = (xml: string) =>
      encodeProfileBytes(Buffer.from(xml), { key: DEVICE_KEY, gzip: true });
    http.files.set(`/spa/q7Lm2Xv9Pd/${MAC}.cfg`, {
      body: encrypted(flat('<GPP_C ua="na">rotated</GPP_C>')),
    });

    const clock = new VirtualClock();
    const d = unit(clock);
    const states: string[] = [];
    d.on("state", (s) => states.push(s));
    d.powerOn();
    // Everything below happens at the boot resync's instant (within 40 s), as a unit does it:
    // TFTP staging ⇒ SP-CUST, reboot (Admin_Passwd), Upgrade_Rule tried (404 here), resync
    // after the attempt ⇒ HTTPS bootstrap with the client certificate ⇒ SEC-PRV-1, reboot
    // (line parameters), upgrade tried again, resync ⇒ encrypted file over HTTP ⇒ SEC-PRV-2.
    await clock.advance(40_000);
    expect(states).toEqual(["SP-CUST", "SEC-PRV-1", "SEC-PRV-2"]);
    expect(d.params.get("Restricted_Access_Domains")).toBe("prov.example.com");
    expect(d.params.get("GPP_SA")).toBe(DEVICE_KEY);
    expect(d.params.access("Display_Name_1_")).toBe("rw");
    expect(d.params.get("GPP_C")).toBe("rotated");
    expect(d.rebootHistory.map((r) => r.reason)).toEqual([
      "Power On",
      "Provisioning",
      "Provisioning",
    ]);
    expect(https.requests.at(-1)!.clientCertSubject).toMatchObject({ ST: MAC });
    const syslog = d.log.messages("syslog");
    expect(syslog.filter((l) => l.includes("Upgrade failed: file not found"))).toHaveLength(2);
    expect(syslog.at(-1)).toBe(
      `SPA2102 00:0e:08:01:23:45 -- Successful resync http://127.0.0.1:${http.port}/spa/q7Lm2Xv9Pd/${MAC}.cfg -- `,
    );
    // The key never reaches the log: $SA is not expanded in syslog templates (§6.8).
    expect(d.log.messages().join("\n")).not.toContain(DEVICE_KEY);

    http.files.set(`/spa/q7Lm2Xv9Pd/${MAC}.cfg`, {
      body: encrypted(
        flat(`<Profile_Rule ua="na">http://${plain}/spa/clear/$MA.xml</Profile_Rule>`),
      ),
    });
    expect((await d.resync())?.ok).toBe(true);
    expect(d.provisioningState).toBe("SP-CUST");
    expect(states).toEqual(["SP-CUST", "SEC-PRV-1", "SEC-PRV-2", "SP-CUST"]);
  });

  it("§1.1.3 RC unit: Pending until the RC server's profile is applied, then the company; $ISCUST follows", async () => {
    https.files.set(`/rc/${MAC}`, { body: flat('<GPP_H ua="na">rc</GPP_H>') });
    const d = new Device({
      mac: MAC,
      productName: "SPA2102",
      clock: new VirtualClock(),
      fetcher: networkFetcher({ resolve: resolveToLoopback }),
      trustedServerCas: [vendorServerCa.certificatePem],
      clientCertificate: {
        certificatePem: deviceCert.certificatePem,
        privateKeyPem: deviceCert.privateKeyPem,
      },
      remoteCustomization: {
        profileRule: `https://prov.example.com:${https.port}/rc/$MA`,
        company: "Example Telecom",
      },
    });
    expect(d.customization).toBe("Pending");
    expect(d.expand("$ISCUST")).toBe("0");
    d.powerOn();
    const r = await d.resync();
    expect(r?.requests, JSON.stringify(d.log.messages())).toMatchObject([{ outcome: "ok" }]);
    expect(d.customization).toBe("Example Telecom");
    expect(d.expand("$ISCUST")).toBe("1");
    d.factoryReset();
    expect(d.customization).toBe("Pending");
    d.powerOff();
  });
});
