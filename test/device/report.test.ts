/**
 * Report_Rule uploads (§8.4) to a real node:http server and to in.tftpd (TFTP PUT), the
 * encrypted report opened with the real openssl tool, and re-applied as a profile. MPP reports
 * encoded with the IKM (§3.6.6) are opened by a decoder written here from RFC 8188 over
 * node:crypto's HKDF, not by the project's own.
 */
import { execFileSync } from "node:child_process";
import { createDecipheriv, hkdfSync } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Device, type DeviceOptions, VirtualClock } from "../../src/device/index.ts";
import { flat, type StaticServer, startStaticServer, startTftpd, type Tftpd } from "./helpers.ts";

let server: StaticServer;
let tftpd: Tftpd;
beforeAll(async () => {
  server = await startStaticServer();
  tftpd = await startTftpd({ allowCreate: true });
});
afterAll(async () => {
  await server?.close();
  await tftpd?.close();
});

/**
 * RFC 8188 section 2: salt (16) | rs (uint32) | idlen | keyid, then records of rs bytes (the
 * last shorter); CEK and NONCE by HKDF-SHA-256 over the IKM and salt; record i under
 * NONCE xor i; plaintext ends with delimiter 1 (more records) or 2 (last), then zero padding.
 */
function rfc8188Decode(body: Buffer, ikm: string): { plaintext: Buffer; recordSize: number } {
  const salt = body.subarray(0, 16);
  const rs = body.readUInt32BE(16);
  const start = 21 + body[20]!;
  const hkdf = (info: string, length: number) =>
    Buffer.from(
      hkdfSync("sha256", Buffer.from(ikm, "utf8"), salt, Buffer.from(info, "latin1"), length),
    );
  const cek = hkdf("Content-Encoding: aes128gcm\0", 16);
  const nonce = hkdf("Content-Encoding: nonce\0", 12);
  const parts: Buffer[] = [];
  for (let at = start, seq = 0; at < body.length; at += rs, seq++) {
    const record = body.subarray(at, Math.min(at + rs, body.length));
    const iv = Buffer.from(nonce);
    iv.writeUInt32BE((iv.readUInt32BE(8) ^ seq) >>> 0, 8);
    const d = createDecipheriv("aes-128-gcm", cek, iv);
    d.setAuthTag(record.subarray(record.length - 16));
    const plain = Buffer.concat([d.update(record.subarray(0, record.length - 16)), d.final()]);
    let end = plain.length - 1;
    while (plain[end] === 0) end--;
    expect(plain[end]).toBe(at + rs >= body.length ? 2 : 1);
    parts.push(plain.subarray(0, end));
  }
  return { plaintext: Buffer.concat(parts), recordSize: rs };
}

function unit(options: Partial<DeviceOptions> = {}): Device {
  const d = new Device({
    mac: "000e08012345",
    productName: "SPA2102",
    serial: "88012BA01234",
    clock: new VirtualClock(),
    ...options,
  });
  d.configure({ Resync_On_Reset: "No" });
  d.powerOn();
  return d;
}

describe("Report_Rule (§8.4)", () => {
  it("[--key] http: POSTs the whole configuration, openssl decrypts it, GPP_SA..SD are never in it, and it re-applies", async () => {
    server.files.set("/p.xml", {
      body: flat(
        '<GPP_A ua="rw">hello</GPP_A><GPP_SB ua="na">never-reported</GPP_SB><Dial_Plan_2_ ua="ro">(x.)</Dial_Plan_2_>',
      ),
    });
    server.handler = (r) => (r.method === "POST" ? { status: 201 } : undefined);
    const d = unit();
    await d.resync(`${server.base}/p.xml`);
    d.configure({ Report_Rule: `[--key secretphrase] ${server.base}/spa/$MA/rep.xml.enc` });
    const results = await d.report();
    server.handler = undefined;
    expect(results).toMatchObject([{ ok: true, content: "config" }]);
    const post = server.requests.find((r) => r.method === "POST")!;
    expect(post.url).toBe("/spa/000e08012345/rep.xml.enc");
    expect(post.headers["content-type"]).toBe("application/octet-stream");
    const file = join(tftpd.root, "rep.xml.enc");
    writeFileSync(file, Buffer.from(post.body, "latin1"));
    const xml = execFileSync("openssl", [
      "enc",
      "-d",
      "-aes-256-cbc",
      "-md",
      "md5",
      "-k",
      "secretphrase",
      "-in",
      file,
    ]).toString();
    expect(xml).toContain('<GPP_A ua="rw">hello</GPP_A>');
    expect(xml).toContain('<Dial_Plan_2_ ua="ro">(x.)</Dial_Plan_2_>');
    expect(xml).not.toContain("GPP_SB");
    expect(xml).not.toContain("never-reported");
    // The report is a profile: a factory unit that applies it ends with the same table.
    server.files.set("/rep.xml", { body: xml });
    const twin = new Device({
      mac: "000e08099999",
      productName: "SPA2102",
      clock: new VirtualClock(),
    });
    twin.configure({ Resync_On_Reset: "No" });
    twin.powerOn();
    expect((await twin.resync(`${server.base}/rep.xml`))?.ok).toBe(true);
    for (const name of ["GPP_A", "Dial_Plan_2_", "Report_Rule", "Resync_On_Reset"]) {
      expect([twin.params.get(name), twin.params.access(name)]).toEqual([
        d.params.get(name),
        d.params.access(name),
      ]);
    }
  });

  it("--delta sends only what changed since the last resync; --status the Info page; `;` separates targets", async () => {
    server.files.set("/p.xml", { body: flat('<Dial_Plan_2_ ua="rw">(x.)</Dial_Plan_2_>') });
    server.handler = (r) => (r.method === "POST" ? { status: 200 } : undefined);
    const d = unit();
    d.configure({
      Report_Rule: `[--delta]${server.base}/config-525.xml; [--status]${server.base}/status-525.xml`,
    });
    await d.resync(`${server.base}/p.xml`);
    expect(d.edit("user", "Dial_Plan_2_", "(1xxx)")).toBeUndefined();
    server.requests.length = 0;
    const results = await d.report();
    server.handler = undefined;
    expect(results.map((r) => [r.content, r.ok])).toEqual([
      ["delta", true],
      ["status", true],
    ]);
    const [delta, status] = server.requests;
    expect(delta!.url).toBe("/config-525.xml");
    expect(delta!.body.match(/<[A-Z][A-Za-z0-9_]*[ >]/g)).toEqual(["<Dial_Plan_2_ "]);
    expect(status!.body).toContain("<Product_Name>SPA2102</Product_Name>");
    expect(status!.body).toContain("<Serial_Number>88012BA01234</Serial_Number>");
  });

  it("passwords: reported by default (admin-equivalent document); reportHidePasswords leaves them out, and the report re-applied keeps the target's passwords", async () => {
    server.handler = (r) => (r.method === "POST" ? { status: 200 } : undefined);
    const secrets = {
      Admin_Passwd: "adm-Secret-1",
      User_Password: "usr-Secret-2",
      Password_1_: "line-Secret-3",
    };
    const bodies: string[] = [];
    for (const reportHidePasswords of [false, true]) {
      const d = unit({ compat: { reportHidePasswords } });
      d.configure({
        ...secrets,
        GPP_A: "kept",
        Report_Rule: `${server.base}/rep-${reportHidePasswords}.xml`,
      });
      server.requests.length = 0;
      expect(await d.report()).toMatchObject([{ ok: true, content: "config" }]);
      bodies.push(server.requests.find((r) => r.method === "POST")!.body);
    }
    server.handler = undefined;
    const [shown, hidden] = bodies as [string, string];
    expect(shown).toContain("<Admin_Passwd");
    expect(shown).toContain("adm-Secret-1");
    expect(shown).toContain("usr-Secret-2");
    expect(hidden).toContain("<GPP_A");
    for (const [name, value] of Object.entries(secrets)) {
      expect(hidden).not.toContain(`<${name}`);
      expect(hidden).not.toContain(value);
    }
    // Applied to a unit with other passwords, the hidden report changes none of them.
    server.files.set("/hidden.xml", { body: hidden });
    const twin = unit();
    twin.configure({ Admin_Passwd: "twin-admin", User_Password: "twin-user" });
    expect((await twin.resync(`${server.base}/hidden.xml`))?.ok).toBe(true);
    expect([twin.params.get("Admin_Passwd"), twin.params.get("User_Password")]).toEqual([
      "twin-admin",
      "twin-user",
    ]);
    expect(twin.params.get("GPP_A")).toBe("kept");
  });

  it("IKM_HTTP_Encrypt_Content is never reported, not even with reportHidePasswords off (config and --delta)", async () => {
    server.files.set("/ikm.xml", { body: flat('<GPP_B ua="rw">synced</GPP_B>') });
    server.handler = (r) => (r.method === "POST" ? { status: 200 } : undefined);
    const ikm = "ikm-Secret-0123456789";
    const d = unit({
      productName: "CP-8841-3PCC",
      family: "mpp",
      compat: { reportHidePasswords: false },
    });
    d.configure({
      IKM_HTTP_Encrypt_Content: ikm,
      Report_Rule: `${server.base}/ikm-config.xml; [--delta]${server.base}/ikm-delta.xml`,
    });
    expect((await d.resync(`${server.base}/ikm.xml`))?.ok).toBe(true);
    // Changed outside a resync, so --delta would carry both.
    expect(d.edit("admin", "IKM_HTTP_Encrypt_Content", `${ikm}-2`)).toBeUndefined();
    expect(d.edit("admin", "GPP_A", "edited")).toBeUndefined();
    server.requests.length = 0;
    expect((await d.report()).map((r) => [r.content, r.ok])).toEqual([
      ["config", true],
      ["delta", true],
    ]);
    server.handler = undefined;
    // Sent encoded with the IKM the unit holds (§3.6.6): opened with it, they carry no IKM.
    const [config, delta] = server.requests
      .filter((r) => r.method === "POST")
      .map((r) => rfc8188Decode(Buffer.from(r.body, "latin1"), `${ikm}-2`).plaintext.toString());
    expect(config).toContain("<GPP_B");
    expect(delta).toContain("<GPP_A");
    for (const body of [config!, delta!]) {
      expect(body).not.toContain("IKM_HTTP_Encrypt_Content");
      expect(body).not.toContain(ikm);
    }
  });

  it("MPP with an IKM and no --key: http POSTs the report aes128gcm-encoded under the IKM, marked Content-Encoding: aes128gcm", async () => {
    server.handler = (r) => (r.method === "POST" ? { status: 200 } : undefined);
    const ikm = "ikm-Report-0123456789";
    const d = unit({ productName: "CP-8841-3PCC", family: "mpp" });
    d.configure({
      IKM_HTTP_Encrypt_Content: ikm,
      GPP_A: "encoded-value",
      Report_Rule: `${server.base}/mpp/$MA.xml`,
    });
    server.requests.length = 0;
    expect(await d.report()).toMatchObject([{ ok: true, content: "config" }]);
    server.handler = undefined;
    const post = server.requests.find((r) => r.method === "POST")!;
    expect(post.headers["content-encoding"]).toBe("aes128gcm");
    const body = Buffer.from(post.body, "latin1");
    expect(Number(post.headers["content-length"])).toBe(body.length);
    expect(body.toString("latin1")).not.toContain("encoded-value");
    const { plaintext } = rfc8188Decode(body, ikm);
    const xml = plaintext.toString("utf8");
    expect(xml).toMatch(/^<\?xml [^>]*\?>\s*<flat-profile>/);
    expect(xml).toContain('<GPP_A ua="na">encoded-value</GPP_A>');
    expect(xml).not.toContain(ikm);
    // Another IKM does not open it (the tag authenticates the record).
    expect(() => rfc8188Decode(body, `${ikm}-other`)).toThrow();
  });

  it("MPP: a --key wins over the IKM (AES-256-CBC, no Content-Encoding); without an IKM the report is plain XML", async () => {
    server.handler = (r) => (r.method === "POST" ? { status: 200 } : undefined);
    const keyed = unit({ productName: "CP-8841-3PCC", family: "mpp" });
    keyed.configure({
      IKM_HTTP_Encrypt_Content: "ikm-Ignored-0123456789",
      Report_Rule: `[--key secretphrase] ${server.base}/mpp-keyed.xml.enc`,
    });
    const plain = unit({ productName: "CP-8841-3PCC", family: "mpp" });
    plain.configure({ Report_Rule: `${server.base}/mpp-plain.xml` });
    server.requests.length = 0;
    expect(await keyed.report()).toMatchObject([{ ok: true }]);
    expect(await plain.report()).toMatchObject([{ ok: true }]);
    server.handler = undefined;
    const [k, p] = server.requests.filter((r) => r.method === "POST");
    expect(k!.url).toBe("/mpp-keyed.xml.enc");
    expect(k!.body.startsWith("Salted__")).toBe(true);
    expect(k!.headers["content-encoding"]).toBeUndefined();
    expect(p!.headers["content-encoding"]).toBeUndefined();
    expect(p!.headers["content-type"]).toBe("application/xml");
    expect(p!.body).toContain("<flat-profile>");
  });

  it("MPP with an IKM over tftp: the TFTP PUT carries the aes128gcm bytes (no header to mark them)", async () => {
    const ikm = "ikm-Tftp-0123456789";
    const d = unit({ productName: "CP-8841-3PCC", family: "mpp" });
    d.configure({
      IKM_HTTP_Encrypt_Content: ikm,
      GPP_P: "via-tftp-encoded",
      Report_Rule: `tftp://127.0.0.1:${tftpd.port}/mpp-$MA.xml`,
    });
    expect(await d.report()).toMatchObject([{ ok: true }]);
    const file = readFileSync(join(tftpd.root, "mpp-000e08012345.xml"));
    expect(file.toString("latin1")).not.toContain("via-tftp-encoded");
    expect(rfc8188Decode(file, ikm).plaintext.toString()).toContain(
      '<GPP_P ua="na">via-tftp-encoded</GPP_P>',
    );
  });

  it("tftp: a TFTP PUT (WRQ) to in.tftpd", async () => {
    const d = unit();
    d.configure({ Report_Rule: `tftp://127.0.0.1:${tftpd.port}/$MA.xml`, GPP_P: "via-tftp" });
    const results = await d.report();
    expect(results).toMatchObject([{ ok: true }]);
    expect(readFileSync(join(tftpd.root, "000e08012345.xml"), "utf8")).toContain(
      `<GPP_P ua="na">via-tftp</GPP_P>`,
    );
  });

  it("one attempt, no retry, when the target fails", async () => {
    server.requests.length = 0;
    const d = unit();
    d.configure({ Report_Rule: `${server.base}/nowhere.xml` });
    expect(await d.report()).toMatchObject([{ ok: false, err: "file not found" }]);
    expect(server.requests).toHaveLength(1);
  });
});
