import { X509Certificate } from "node:crypto";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import type { TLSSocket } from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type CertificateAuthority,
  CryptoErrorCode,
  checkIssuedBy,
  createDeviceCa,
  createServerCertificate,
  type IssuedCertificate,
  issueDeviceCertificate,
  type KeyType,
  parseDeviceCertificateIdentity,
} from "../../src/crypto/index.ts";
import {
  CURL,
  expectCode,
  expectCodeAsync,
  OPENSSL,
  run,
  runOk,
  type TempDir,
  tempDir,
} from "./helpers.ts";

const MAC = "000e08abcdef";
const SERIAL = "88012BA01234";

let dir: TempDir;
beforeAll(async () => {
  dir = await tempDir();
});
afterAll(async () => {
  await dir.remove();
});

for (const keyType of ["ec-p256", "rsa-2048"] as KeyType[]) {
  describe(`device PKI with ${keyType} keys`, () => {
    let ca: IssuedCertificate;
    let otherCa: IssuedCertificate;
    let device: IssuedCertificate;

    beforeAll(async () => {
      ca = await createDeviceCa({ keyType, commonName: "Test Device CA" });
      otherCa = await createDeviceCa({ keyType, commonName: "Test Device CA" }); // same name!
      device = await issueDeviceCertificate(ca, {
        mac: "00:0E:08:AB:CD:EF",
        serial: SERIAL,
        product: "SPA-962",
        keyType,
      });
    });

    it("openssl verify accepts the device certificate against the CA", async () => {
      const caFile = await dir.write(`ca-${keyType}.pem`, ca.certificatePem);
      const devFile = await dir.write(`dev-${keyType}.pem`, device.certificatePem);
      const out = await runOk(OPENSSL, [
        "verify",
        "-CAfile",
        caFile,
        "-purpose",
        "sslclient",
        devFile,
      ]);
      expect(out.toString()).toContain(": OK");
    });

    it("openssl verify rejects it against another CA with the same name", async () => {
      const otherFile = await dir.write(`other-${keyType}.pem`, otherCa.certificatePem);
      const devFile = await dir.write(`dev-${keyType}.pem`, device.certificatePem);
      const result = await run(OPENSSL, ["verify", "-CAfile", otherFile, devFile]);
      expect(result.code).not.toBe(0);
    });

    it("puts the identity in the subject as §8.3.3 shows it (OU / L / ST=MAC)", async () => {
      const devFile = await dir.write(`dev-${keyType}.pem`, device.certificatePem);
      const text = (await runOk(OPENSSL, ["x509", "-in", devFile, "-noout", "-text"])).toString();
      expect(text).toContain("Subject: OU = SPA-962, L = 88012BA01234, ST = 000e08abcdef");
      expect(text).toContain("TLS Web Client Authentication");
      expect(text).toContain("CA:FALSE");
      expect(text).toContain(
        keyType === "rsa-2048" ? "Public-Key: (2048 bit)" : "NIST CURVE: P-256",
      );
      // What mod_ssl hands a CGI as SSL_CLIENT_S_DN (RFC 2253 order is reversed).
      const subject = (
        await runOk(OPENSSL, ["x509", "-in", devFile, "-noout", "-subject", "-nameopt", "RFC2253"])
      ).toString();
      expect(subject.trim()).toBe("subject=ST=000e08abcdef,L=88012BA01234,OU=SPA-962");
    });

    it("the private key is PKCS#8 PEM that openssl reads and that matches the certificate", async () => {
      expect(device.privateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
      const keyFile = await dir.write(`dev-${keyType}.key`, device.privateKeyPem);
      const devFile = await dir.write(`dev-${keyType}.pem`, device.certificatePem);
      const fromKey = await runOk(OPENSSL, ["pkey", "-in", keyFile, "-pubout"]);
      const fromCert = await runOk(OPENSSL, ["x509", "-in", devFile, "-noout", "-pubkey"]);
      expect(fromKey.toString()).toBe(fromCert.toString());
    });

    it("parseDeviceCertificateIdentity round-trips from PEM, DER and node X509Certificate", () => {
      const node = new X509Certificate(device.certificatePem);
      for (const input of [
        device.certificatePem,
        node.raw,
        node,
        Buffer.from(device.certificatePem),
      ]) {
        const id = parseDeviceCertificateIdentity(input);
        expect(id.mac).toBe(MAC);
        expect(id.macField).toBe("ST");
        expect(id.serial).toBe(SERIAL);
        expect(id.product).toBe("SPA-962");
        expect(id.generic).toBe(false);
        expect(id.issuer).toBe("O=Provisio, CN=Test Device CA");
        expect(id.fingerprint256).toBe(node.fingerprint256);
        expect(id.notBefore.getTime()).toBe(new Date(node.validFrom).getTime());
        expect(id.notAfter.getTime()).toBe(new Date(node.validTo).getTime());
        expect(id.certificateSerial).toBe(node.serialNumber.toLowerCase());
      }
    });

    it("checkIssuedBy / node X509Certificate.verify: own CA yes, other CA no", () => {
      expect(checkIssuedBy(device.certificatePem, ca.certificatePem)).toEqual({ ok: true });
      // Same subject name, different key: checkIssued may pass on names, the signature fails.
      const other = checkIssuedBy(device.certificatePem, otherCa.certificatePem);
      expect(other.ok).toBe(false);
      const node = new X509Certificate(device.certificatePem);
      expect(node.verify(new X509Certificate(ca.certificatePem).publicKey)).toBe(true);
      expect(node.verify(new X509Certificate(otherCa.certificatePem).publicKey)).toBe(false);
      expect(node.checkIssued(new X509Certificate(ca.certificatePem))).toBe(true);
    });
  });
}

describe("device certificate options", () => {
  let ca: IssuedCertificate;
  beforeAll(async () => {
    ca = await createDeviceCa({ now: new Date("2026-01-01T00:00:00Z"), validityDays: 3650 });
  });

  it("honours an injected clock and validity", async () => {
    const now = new Date("2027-03-04T05:06:07Z");
    const device = await issueDeviceCertificate(ca, { mac: MAC, now, validityDays: 30 });
    expect(device.notBefore.toISOString()).toBe("2027-03-04T05:01:07.000Z");
    expect(device.notAfter.getTime() - device.notBefore.getTime()).toBe(
      (30 * 24 * 60 + 5) * 60 * 1000,
    );
    expect(checkIssuedBy(device.certificatePem, ca.certificatePem, { at: now })).toEqual({
      ok: true,
    });
    expect(
      checkIssuedBy(device.certificatePem, ca.certificatePem, { at: new Date("2028-01-01") }),
    ).toEqual({ ok: false, reason: "expired" });
    expect(
      checkIssuedBy(device.certificatePem, ca.certificatePem, { at: new Date("2027-01-01") }),
    ).toEqual({ ok: false, reason: "not-yet-valid" });
  });

  it("issues the generic certificate of pre-2.0 units, which identifies no unit", async () => {
    const generic = await issueDeviceCertificate(ca, { generic: "cisco" });
    const id = parseDeviceCertificateIdentity(generic.certificatePem);
    expect(id.generic).toBe(true);
    expect(id.mac).toBeUndefined();
    expect(id.serial).toBeUndefined();
    expect(id.subject).toBe("OU=cisco.com, L=ciscogeneric, ST=ciscogeneric");
  });

  it("omits L when there is no serial", async () => {
    const device = await issueDeviceCertificate(ca, { mac: "00-0E-08-00-00-01" });
    const id = parseDeviceCertificateIdentity(device.certificatePem);
    expect(id).toMatchObject({ mac: "000e08000001", product: "SPA-2102", generic: false });
    expect(id.serial).toBeUndefined();
  });

  it("rejects bad MACs and missing identities with codes", async () => {
    await expectCodeAsync(
      () => issueDeviceCertificate(ca, { mac: "000e08abcde" }),
      CryptoErrorCode.MacInvalid,
    );
    await expectCodeAsync(() => issueDeviceCertificate(ca, {}), CryptoErrorCode.MacInvalid);
    await expectCodeAsync(
      () => issueDeviceCertificate(ca, { mac: MAC, product: "bad\nproduct" }),
      CryptoErrorCode.OptionInvalid,
    );
    await expectCodeAsync(
      () =>
        issueDeviceCertificate(
          { certificatePem: ca.certificatePem, privateKeyPem: "nope" },
          { mac: MAC },
        ),
      CryptoErrorCode.CertificateInvalid,
    );
  });

  it("device certificates take the MAC in every documented input form, and refuse others", async () => {
    for (const form of ["000E08ABCDEF", "00-0E-08-AB-CD-EF", "000e.08ab.cdef"]) {
      const issued = await issueDeviceCertificate(ca, { mac: form });
      expect(parseDeviceCertificateIdentity(issued.certificatePem).mac).toBe(MAC);
    }
    for (const bad of ["00:0e:08-ab:cd:ef", "000e08abcdeg", "", "000e08abcdef0"]) {
      await expectCodeAsync(
        () => issueDeviceCertificate(ca, { mac: bad }),
        CryptoErrorCode.MacInvalid,
      );
    }
  });
});

describe("identity parsing of certificates made by other tools", () => {
  it("reads the MAC from CN=SEP<mac> (Cisco MIC style) and from a surname attribute", async () => {
    const key = await dir.write("ext.key", "");
    await runOk(OPENSSL, [
      "genpkey",
      "-algorithm",
      "EC",
      "-pkeyopt",
      "ec_paramgen_curve:P-256",
      "-out",
      key,
    ]);
    const cases: [string, string, string | undefined][] = [
      [
        "/CN=CP-8841-3PCC-SEP00562B043615/serialNumber=PID:CP-8841-3PCC SN:FCH1234ABCD",
        "CN",
        "FCH1234ABCD",
      ],
      ["/OU=SPA-2102/L=FM500F123456/SN=000e08aabbcc", "surname", "FM500F123456"],
      ["/CN=SEP00562B043615", "CN", undefined],
    ];
    for (const [subject, field, serial] of cases) {
      const cert = await dir.write("ext.pem", "");
      await runOk(OPENSSL, [
        "req",
        "-new",
        "-x509",
        "-key",
        key,
        "-subj",
        subject,
        "-days",
        "1",
        "-out",
        cert,
      ]);
      const id = parseDeviceCertificateIdentity((await dir.read("ext.pem")).toString());
      expect(id.macField, subject).toBe(field);
      expect(id.mac).toMatch(/^[0-9a-f]{12}$/);
      expect(id.serial).toBe(serial);
    }
  });

  it("a certificate without a MAC yields no mac, not an error; garbage is CRYPTO_CERTIFICATE_INVALID", async () => {
    const server = await createServerCertificate({ hostnames: ["prov.example.com"] });
    const id = parseDeviceCertificateIdentity(server.certificatePem);
    expect(id.mac).toBeUndefined();
    expect(id.subject).toBe("CN=prov.example.com");
    expectCode(
      () => parseDeviceCertificateIdentity("not a cert"),
      CryptoErrorCode.CertificateInvalid,
    );
    expectCode(
      () => parseDeviceCertificateIdentity(Buffer.from([0x30, 0x03, 0x01, 0x01])),
      CryptoErrorCode.CertificateInvalid,
    );
    expectCode(
      () =>
        parseDeviceCertificateIdentity(
          "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
        ),
      CryptoErrorCode.CertificateInvalid,
    );
  });
});

describe("server certificate", () => {
  it("carries SANs for loopback and the configured names; CN is the first host name", async () => {
    const server = await createServerCertificate({ hostnames: ["prov.example.com", "10.1.2.3"] });
    const file = await dir.write("server.pem", server.certificatePem);
    const text = (await runOk(OPENSSL, ["x509", "-in", file, "-noout", "-text"])).toString();
    expect(text).toContain("Subject: CN = prov.example.com");
    expect(text).toContain(
      "DNS:prov.example.com, DNS:localhost, IP Address:10.1.2.3, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1",
    );
    expect(text).toContain("TLS Web Server Authentication");
    for (const [flag, value] of [
      ["-checkhost", "prov.example.com"],
      ["-checkip", "127.0.0.1"],
    ] as const) {
      const check = (await runOk(OPENSSL, ["x509", "-in", file, "-noout", flag, value])).toString();
      expect(check).toContain("does match");
    }
    expect(
      (await run(OPENSSL, ["verify", "-CAfile", file, "-purpose", "sslserver", file])).code,
    ).toBe(0);
  });

  it("can be signed by a CA instead of self-signed", async () => {
    const serverCa = await createDeviceCa({ commonName: "Test Server CA" });
    const server = await createServerCertificate({
      issuer: serverCa,
      hostnames: ["prov.test"],
      keyType: "rsa-2048",
    });
    expect(checkIssuedBy(server.certificatePem, serverCa.certificatePem)).toEqual({ ok: true });
  });

  it("rejects names that are neither host names nor IPs", async () => {
    await expectCodeAsync(
      () => createServerCertificate({ hostnames: ["bad host"] }),
      CryptoErrorCode.OptionInvalid,
    );
    await expectCodeAsync(
      () => createServerCertificate({ hostnames: [], includeLoopback: false }),
      CryptoErrorCode.OptionInvalid,
    );
  });
});

/**
 * End to end over real TLS: node's https server requires a client certificate from the
 * device CA; curl (Debian, OpenSSL 3) presents the device certificate; the server reads the
 * identity from `getPeerX509Certificate()` — what the provisioning server will do.
 */
describe("HTTPS with client certificates: curl ⇄ node", () => {
  async function withServer(
    ca: CertificateAuthority,
    server: IssuedCertificate,
    body: (port: number) => Promise<void>,
  ): Promise<void> {
    const https: Server = createServer(
      {
        cert: server.certificatePem,
        key: server.privateKeyPem,
        ca: ca.certificatePem,
        requestCert: true,
        rejectUnauthorized: true,
      },
      (req, res) => {
        const peer = (req.socket as TLSSocket).getPeerX509Certificate();
        const id = peer === undefined ? undefined : parseDeviceCertificateIdentity(peer);
        res.setHeader("content-type", "application/json");
        res.end(JSON.stringify({ mac: id?.mac, serial: id?.serial, product: id?.product }));
      },
    );
    await new Promise<void>((resolve) => https.listen(0, "127.0.0.1", resolve));
    try {
      await body((https.address() as AddressInfo).port);
    } finally {
      https.closeAllConnections();
      await new Promise((resolve) => https.close(resolve));
    }
  }

  for (const [serverKey, deviceKey] of [
    ["ec-p256", "ec-p256"],
    ["rsa-2048", "rsa-2048"],
    ["ec-p256", "rsa-2048"],
  ] as [KeyType, KeyType][]) {
    it(`server ${serverKey}, device ${deviceKey}: the server learns the MAC; a foreign device is refused`, async () => {
      const ca = await createDeviceCa({ keyType: deviceKey });
      const foreignCa = await createDeviceCa({ keyType: deviceKey });
      const server = await createServerCertificate({ keyType: serverKey });
      const device = await issueDeviceCertificate(ca, {
        mac: MAC,
        serial: SERIAL,
        product: "SPA-962",
        keyType: deviceKey,
      });
      const foreign = await issueDeviceCertificate(foreignCa, {
        mac: "000e08666666",
        keyType: deviceKey,
      });
      const files = {
        serverCert: await dir.write("tls-server.pem", server.certificatePem),
        deviceCert: await dir.write("tls-device.pem", device.certificatePem),
        deviceKey: await dir.write("tls-device.key", device.privateKeyPem),
        foreignCert: await dir.write("tls-foreign.pem", foreign.certificatePem),
        foreignKey: await dir.write("tls-foreign.key", foreign.privateKeyPem),
      };
      await withServer(ca, server, async (port) => {
        const url = `https://localhost:${port}/spa962.cfg`;
        const ok = await run(CURL, [
          "-sS",
          "--max-time",
          "10",
          "--cacert",
          files.serverCert,
          "--cert",
          files.deviceCert,
          "--key",
          files.deviceKey,
          url,
        ]);
        expect(ok.code, ok.stderr).toBe(0);
        expect(JSON.parse(ok.stdout.toString())).toEqual({
          mac: MAC,
          serial: SERIAL,
          product: "SPA-962",
        });

        const refused = await run(CURL, [
          "-sS",
          "--max-time",
          "10",
          "--cacert",
          files.serverCert,
          "--cert",
          files.foreignCert,
          "--key",
          files.foreignKey,
          url,
        ]);
        expect(refused.code).not.toBe(0);

        const noCert = await run(CURL, [
          "-sS",
          "--max-time",
          "10",
          "--cacert",
          files.serverCert,
          url,
        ]);
        expect(noCert.code).not.toBe(0);
      });
    });
  }
});
