/**
 * Files compiled by the real `provisio compile --target / --target-cert` (Provisio SPC
 * container), served by in.tftpd and a plain HTTP server, opened by emulated units with
 * their own identity: the target opens it (MFG-RESET → SEC-PRV-1 → SEC-PRV-2 with the key
 * it installed), any other unit fails it as a corrupt file — for both key kinds. And MPP's
 * RFC 8188 `Content-Encoding: aes128gcm` answers, keyed by the phone's IKM.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createDeviceCa,
  encodeAes128gcm,
  encodeProfileBytes,
  type IssuedCertificate,
  issueDeviceCertificate,
} from "../../src/crypto/index.ts";
import { Device, networkFetcher, VirtualClock } from "../../src/device/index.ts";
import { runCli } from "../cli/run_cli.ts";
import { flat, type StaticServer, startStaticServer, startTftpd, type Tftpd } from "./helpers.ts";

const MAC_A = "000e08aabbcc";
const MAC_B = "000e08aabbcd";
const SECRET_HEX = "9f".repeat(32);
const SECRET = Buffer.from(SECRET_HEX, "hex");
const DEVICE_KEY = "3e9f0c11".repeat(8);

let tftpd: Tftpd;
let http: StaticServer;
let dir: string;
let certA: IssuedCertificate;
let certB: IssuedCertificate;

/** The §10.3 SEC-PRV-1 file: installs a 256-bit key and a random directory. */
const source = (port: number) => `# targeted bootstrap
GPP_SA "${DEVICE_KEY}" ;
GPP_B "Gp3sqLn4Rt" ;
Profile_Rule "[--key $SA] tftp://127.0.0.1:${port}/$B/$MA.cfg" ;
`;

beforeAll(async () => {
  tftpd = await startTftpd();
  http = await startStaticServer();
  dir = mkdtempSync(join(tmpdir(), "provisio-targeted-"));
  const ca = await createDeviceCa();
  const rsaCa = await createDeviceCa({ keyType: "rsa-2048" });
  [certA, certB] = await Promise.all([
    issueDeviceCertificate(rsaCa, { mac: MAC_A, product: "SPA-962", keyType: "rsa-2048" }),
    issueDeviceCertificate(ca, { mac: MAC_B, product: "SPA-962" }),
  ]);
  writeFileSync(join(dir, "target.key"), `${SECRET_HEX}\n`);
  writeFileSync(join(dir, "a.crt"), certA.certificatePem);
  writeFileSync(join(dir, "spa962.txt"), source(tftpd.port));
  const [byMac, byCert] = await Promise.all([
    runCli([
      "compile",
      join(dir, "spa962.txt"),
      "-o",
      join(dir, "mac.cfg"),
      "--target",
      MAC_A,
      "--installation-secret-file",
      join(dir, "target.key"),
    ]),
    runCli([
      "compile",
      join(dir, "spa962.txt"),
      "-o",
      join(dir, "cert.cfg"),
      "--target-cert",
      join(dir, "a.crt"),
    ]),
  ]);
  expect(byMac.stderr).toBe("");
  expect(byMac.code).toBe(0);
  expect(byCert.code).toBe(0);
  tftpd.put("spa962.cfg", readFileSync(join(dir, "mac.cfg")));
  http.files.set("/cert/spa962.cfg", {
    body: readFileSync(join(dir, "cert.cfg")),
    headers: { "Content-Type": "application/octet-stream" },
  });
  // SEC-PRV-2: the next file, AES-256-CBC under the key the targeted file installed.
  tftpd.put(
    `Gp3sqLn4Rt/${MAC_A}.cfg`,
    encodeProfileBytes(Buffer.from(flat("<GPP_C>second</GPP_C>")), { key: DEVICE_KEY }),
  );
}, 300_000);

afterAll(async () => {
  await tftpd?.close();
  await http?.close();
});

function unit(mac: string, extra: Partial<ConstructorParameters<typeof Device>[0]> = {}) {
  return new Device({
    mac,
    productName: "SPA962",
    clock: new VirtualClock(),
    fetcher: networkFetcher(),
    ...extra,
  });
}

describe("a MAC-targeted file (compile --target) over TFTP", () => {
  it("opens on its unit: SEC-PRV-1, then SEC-PRV-2 with the key it installed", async () => {
    const d = unit(MAC_A, { installationSecret: SECRET });
    d.powerOn();
    const first = await d.resync(`tftp://127.0.0.1:${tftpd.port}/spa962.cfg`);
    expect(first?.ok).toBe(true);
    expect(d.params.get("GPP_SA")).toBe(DEVICE_KEY);
    expect(d.provisioningState).toBe("SEC-PRV-1");
    const second = await d.resync();
    expect(second?.ok).toBe(true);
    expect(d.params.get("GPP_C")).toBe("second");
    expect(d.provisioningState).toBe("SEC-PRV-2");
  });

  it("is a corrupt file for another unit of the same installation", async () => {
    const d = unit(MAC_B, { installationSecret: SECRET });
    d.powerOn();
    const r = await d.resync(`tftp://127.0.0.1:${tftpd.port}/spa962.cfg`);
    expect(r).toMatchObject({ ok: false, err: "corrupt file" });
    expect(d.params.get("GPP_SA")).not.toBe(DEVICE_KEY);
    expect(d.provisioningState).toBe("MFG-RESET");
  });

  it("is a corrupt file for its own MAC under another installation's secret, or none", async () => {
    for (const extra of [{ installationSecret: Buffer.alloc(32, 1) }, {}]) {
      const d = unit(MAC_A, extra);
      d.powerOn();
      const r = await d.resync(`tftp://127.0.0.1:${tftpd.port}/spa962.cfg`);
      expect(r).toMatchObject({ ok: false, err: "corrupt file" });
    }
  });
});

describe("a certificate-targeted file (compile --target-cert) over HTTP", () => {
  it("opens with the unit's own certificate key (RSA) and is corrupt for another unit's (EC)", async () => {
    const url = `http://127.0.0.1:${http.port}/cert/spa962.cfg`;
    const a = unit(MAC_A, {
      clientCertificate: {
        certificatePem: certA.certificatePem,
        privateKeyPem: certA.privateKeyPem,
      },
    });
    a.powerOn();
    expect((await a.resync(url))?.ok).toBe(true);
    expect(a.params.get("GPP_SA")).toBe(DEVICE_KEY);
    expect(a.provisioningState).toBe("SEC-PRV-1");
    const b = unit(MAC_B, {
      clientCertificate: {
        certificatePem: certB.certificatePem,
        privateKeyPem: certB.privateKeyPem,
      },
      installationSecret: SECRET,
    });
    b.powerOn();
    expect(await b.resync(url)).toMatchObject({ ok: false, err: "corrupt file" });
    const none = unit(MAC_A);
    none.powerOn();
    expect(await none.resync(url)).toMatchObject({ ok: false, err: "corrupt file" });
  });
});

describe("MPP Content-Encoding: aes128gcm", () => {
  const IKM = "ikm-of-this-phone-0123";
  const mpp = () =>
    new Device({
      mac: MAC_A,
      productName: "CP-8841-3PCC",
      productSeries: "8841",
      family: "mpp",
      clock: new VirtualClock(),
      fetcher: networkFetcher(),
    });

  it("decodes with IKM_HTTP_Encrypt_Content; a wrong or missing IKM is a corrupt file", async () => {
    http.files.set("/gcm.xml", {
      body: encodeAes128gcm(Buffer.from(flat("<GPP_D>gcm</GPP_D>")), IKM, { recordSize: 64 }),
      headers: { "Content-Type": "text/xml", "Content-Encoding": "aes128gcm" },
    });
    const url = `http://127.0.0.1:${http.port}/gcm.xml`;
    const d = mpp();
    d.powerOn();
    d.configure({ IKM_HTTP_Encrypt_Content: IKM });
    expect((await d.resync(url))?.ok).toBe(true);
    expect(d.params.get("GPP_D")).toBe("gcm");
    const wrong = mpp();
    wrong.powerOn();
    wrong.configure({ IKM_HTTP_Encrypt_Content: "another" });
    expect(await wrong.resync(url)).toMatchObject({ ok: false, err: "corrupt file" });
    const none = mpp();
    none.powerOn();
    expect(await none.resync(url)).toMatchObject({ ok: false, err: "corrupt file" });
  });

  it("a rule with --key reads AES-256-CBC whatever the header says", async () => {
    http.files.set("/cbc.xml", {
      body: encodeProfileBytes(Buffer.from(flat("<GPP_D>cbc</GPP_D>")), { key: "k1" }),
      headers: { "Content-Type": "text/xml", "Content-Encoding": "aes128gcm" },
    });
    const d = mpp();
    d.powerOn();
    d.configure({ IKM_HTTP_Encrypt_Content: IKM });
    expect((await d.resync(`[--key k1] http://127.0.0.1:${http.port}/cbc.xml`))?.ok).toBe(true);
    expect(d.params.get("GPP_D")).toBe("cbc");
  });
});
