/**
 * Profile_Rule semantics as the device executes them (§4, §4.8, Appendix B.3, §6.7),
 * against a real node:http server: which requests go out, in what order, with what body,
 * and what ends up in the parameter table.
 */
import { createHash } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { encodeProfileBytes } from "../../src/crypto/index.ts";
import { type Device, VirtualClock } from "../../src/device/index.ts";
import {
  closedPort,
  fixtureDevice,
  flat,
  type StaticServer,
  startStaticServer,
} from "./helpers.ts";

let clock: VirtualClock;
let server: StaticServer;
let device: Device;
let base: string;

beforeEach(async () => {
  clock = new VirtualClock();
  server = await startStaticServer(() => clock.now());
  base = server.base;
  device = fixtureDevice(clock);
  device.configure({ Resync_On_Reset: "No", Resync_Periodic: "0", Resync_Error_Retry_Delay: "0" });
  device.powerOn();
});

afterEach(async () => {
  device.powerOff();
  await server.close();
});

const paths = (): string[] => server.requests.map((r) => `${r.method} ${r.url}`);

describe("§4.8 / B.3 worked examples", () => {
  it("§4.8 row 1: $MA in the URL; the request carries exactly Host, User-Agent, Connection (§8.2.2)", async () => {
    server.files.set("/cisco/000e08012345.cfg", { body: flat("<GPP_C>x</GPP_C>") });
    const report = await device.resync(`${base}/cisco/$MA.cfg`);
    expect(report?.ok).toBe(true);
    expect(paths()).toEqual(["GET /cisco/000e08012345.cfg"]);
    const h = server.requests[0]!.headers;
    expect(Object.keys(h).sort()).toEqual(["connection", "host", "user-agent"]);
    expect(h["user-agent"]).toBe("Cisco/SPA2102-2.0.6(b) (88012BA01234)");
    expect(h.host).toBe(`127.0.0.1:${server.port}`);
    expect(device.params.get("GPP_C")).toBe("x");
  });

  it("B.3: a false condition picks the next alternative (GPP_F = beta-customer ⇒ /y.cfg)", async () => {
    server.files.set("/y.cfg", { body: flat("") });
    device.configure({ GPP_F: "beta-customer" });
    await device.resync(`("$F" ne "beta-customer")? ${base}/x.cfg | ${base}/y.cfg`);
    expect(paths()).toEqual(["GET /y.cfg"]);
  });

  it("§4.8 row 4: the assignment runs before the fetch; the init profile flips the rule to /configs", async () => {
    server.files.set("/init-prov", { body: flat("<GPP_A>Provisioned</GPP_A>") });
    server.files.set("/configs", { body: flat("<GPP_C>final</GPP_C>") });
    device.configure({
      Profile_Rule: `("$A" ne "Provisioned")? (Line_Enable_1_ = "No";)! ${base}/init-prov | ${base}/configs`,
    });
    expect(device.params.get("Line_Enable_1_")).toBe("Yes");
    await device.resync();
    expect(device.params.get("Line_Enable_1_")).toBe("No");
    // A line parameter changed (here by the assignment): the unit restarts (§6.7 notes).
    expect(device.rebootHistory.at(-1)?.reason).toBe("Provisioning");
    await device.resync();
    expect(paths()).toEqual(["GET /init-prov", "GET /configs"]);
    expect(device.params.get("GPP_C")).toBe("final");
  });

  it("§4.4: an assignment is not undone when the download fails", async () => {
    const port = await closedPort();
    const report = await device.resync(`( c = "kept" ; )! http://127.0.0.1:${port}/x.cfg`);
    expect(report?.ok).toBe(false);
    expect(device.params.get("GPP_C")).toBe("kept");
  });

  it('B.3: ( a = "Provisioned" ; )! sets GPP_A and fetches nothing — neither success nor failure', async () => {
    server.files.set("/b.xml", { body: flat("<GPP_D>b</GPP_D>") });
    device.configure({ Profile_Rule: '( a = "Provisioned" ; )!', Profile_Rule_B: `${base}/b.xml` });
    const report = await device.resync();
    expect(report?.ok).toBe(true);
    expect(device.params.get("GPP_A")).toBe("Provisioned");
    expect(paths()).toEqual(["GET /b.xml"]);
  });

  it("B.3: [--key … --post b] POSTs GPP_B and decrypts the answer with the key", async () => {
    const answer = encodeProfileBytes(Buffer.from(flat("<GPP_E>secret-config</GPP_E>")), {
      key: "my secret phrase",
    });
    server.files.set("/x?", {
      body: answer,
      headers: { "Content-Type": "application/octet-stream" },
    });
    device.configure({ GPP_B: "123" });
    const report = await device.resync(`[--key "my secret phrase" --post b] ${base}/x?`);
    expect(report?.ok).toBe(true);
    expect(server.requests[0]).toMatchObject({ method: "POST", url: "/x?", body: "123" });
    expect(server.requests[0]!.headers["content-type"]).toBe("text/plain");
    expect(device.params.get("GPP_E")).toBe("secret-config");
  });

  it("B.1/§3.6.5: $SA expands inside --key only; the URL keeps $SA literal", async () => {
    const answer = encodeProfileBytes(Buffer.from(flat("<GPP_E>ok</GPP_E>")), { key: "Secret!" });
    server.files.set("/x$SA.cfg", { body: answer });
    device.params.apply({
      format: "xml",
      entries: [{ name: "GPP_SA", value: "Secret!", access: "na" }],
    });
    const report = await device.resync(`[--key $SA] ${base}/x$SA.cfg`);
    expect(report?.ok).toBe(true);
    expect(paths()).toEqual(["GET /x$SA.cfg"]);
  });

  it("§4.8 last row: a commented-out rule is skipped and B still runs", async () => {
    server.files.set("/b.xml", { body: flat("<GPP_D>b</GPP_D>") });
    device.configure({
      Profile_Rule: `# ${base}/sample.cfg`,
      Profile_Rule_B: `${base}/b.xml`,
    });
    const report = await device.resync();
    expect(report?.ok).toBe(true);
    expect(paths()).toEqual(["GET /b.xml"]);
  });

  it("§4.2 rule 3: a rule that does not parse is skipped with an error in the device log", async () => {
    server.files.set("/b.xml", { body: flat("") });
    device.configure({
      Profile_Rule: `${base}/a.xml | ${base}/c.xml`,
      Profile_Rule_B: `${base}/b.xml`,
    });
    const report = await device.resync();
    expect(report?.ok).toBe(true);
    expect(paths()).toEqual(["GET /b.xml"]);
    expect(device.log.messages("error").join("\n")).toMatch(/Profile_Rule skipped/);
  });
});

describe("the four rules in order (§4.1, §6.7)", () => {
  it("§12.4 #12 partitioned profiles: both files fetched in order, GPP_A and GPP_B set", async () => {
    server.files.set("/basic.txt", { body: flat("<GPP_A>12345678</GPP_A>") });
    server.files.set("/basic2.txt", { body: flat("<GPP_B>ABCD</GPP_B>") });
    device.configure({ Profile_Rule: `${base}/basic.txt`, Profile_Rule_B: `${base}/basic2.txt` });
    await device.resync();
    expect(paths()).toEqual(["GET /basic.txt", "GET /basic2.txt"]);
    expect([device.params.get("GPP_A"), device.params.get("GPP_B")]).toEqual(["12345678", "ABCD"]);
  });

  it("§4.1: a failing rule stops the sequence; earlier files stay applied; the retry starts over", async () => {
    server.files.set("/a.xml", { body: flat("<GPP_A>from-a</GPP_A>") });
    server.files.set("/c.xml", { body: flat("<GPP_C>from-c</GPP_C>") });
    device.configure({
      Profile_Rule: `${base}/a.xml`,
      Profile_Rule_B: `${base}/missing.xml`,
      Profile_Rule_C: `${base}/c.xml`,
      Resync_Error_Retry_Delay: "60",
    });
    const report = await device.resync();
    expect(report).toMatchObject({ ok: false, err: "file not found" });
    expect(device.params.get("GPP_A")).toBe("from-a");
    expect(device.params.get("GPP_C")).toBe("");
    await clock.advance(60_000);
    expect(paths()).toEqual(["GET /a.xml", "GET /missing.xml", "GET /a.xml", "GET /missing.xml"]);
  });

  it("§6.7: a later rule expands with the values an earlier file of the same run set", async () => {
    server.files.set("/a.xml", { body: flat("<GPP_B>Dj6Lmp23Q</GPP_B>") });
    server.files.set("/cisco/Dj6Lmp23Q/000e08012345.cfg", { body: flat("<GPP_C>deep</GPP_C>") });
    device.configure({
      Profile_Rule: `${base}/a.xml`,
      Profile_Rule_B: `${base}/cisco/$B/$MA.cfg`,
    });
    await device.resync();
    expect(paths()).toEqual(["GET /a.xml", "GET /cisco/Dj6Lmp23Q/000e08012345.cfg"]);
    expect(device.params.get("GPP_C")).toBe("deep");
  });

  it("§3.2.5: later files win", async () => {
    server.files.set("/a.xml", { body: flat("<GPP_A>a</GPP_A><GPP_B>a</GPP_B>") });
    server.files.set("/b.xml", { body: flat("<GPP_B>b</GPP_B>") });
    device.configure({ Profile_Rule: `${base}/a.xml`, Profile_Rule_B: `${base}/b.xml` });
    await device.resync();
    expect([device.params.get("GPP_A"), device.params.get("GPP_B")]).toEqual(["a", "b"]);
  });

  it("§6.7 notes: an explicit rule replaces the four for one run and is not stored", async () => {
    server.files.set("/one.xml", { body: flat("") });
    const before = device.params.get("Profile_Rule");
    await device.resync(`${base}/one.xml`);
    expect(device.params.get("Profile_Rule")).toBe(before);
  });
});

describe("URL defaults (§4.6, §6.1)", () => {
  it("Transport_Protocol http: a rule written without a scheme is fetched over HTTP", async () => {
    server.files.set("/noscheme.xml", { body: flat("<GPP_K>http</GPP_K>") });
    device.configure({ Transport_Protocol: "http" });
    const report = await device.resync(`127.0.0.1:${server.port}/noscheme.xml`);
    expect(report?.requests[0]?.url).toBe(`http://127.0.0.1:${server.port}/noscheme.xml`);
    expect(device.params.get("GPP_K")).toBe("http");
  });
});

describe("--alias (§4.5.3, §12.4 #13)", () => {
  it("remaps the CPE document to Display_Name_1_, User_ID_1_, Password_1_", async () => {
    server.files.set("/credentials/spa000e08012345.xml", {
      body:
        "<CPE><SIP-Credentials><name>J. Smith</name><number>14085551234</number>" +
        "<auth-secret>732091751563sfd</auth-secret></SIP-Credentials></CPE>",
    });
    device.configure({
      GPP_M:
        "/CPE/SIP-Credentials/name = /flat-profile/Display_Name_1_ ;\n" +
        "/CPE/SIP-Credentials/number = /flat-profile/User_ID_1_ ;\n" +
        "/CPE/SIP-Credentials/auth-secret = /flat-profile/Password_1_ ;",
    });
    const report = await device.resync(`[--alias m] ${base}/credentials/spa$MA.xml`);
    expect(report?.ok).toBe(true);
    expect(device.params.get("Display_Name_1_")).toBe("J. Smith");
    expect(device.params.get("User_ID_1_")).toBe("14085551234");
    expect(device.params.get("Password_1_")).toBe("732091751563sfd");
  });
});

describe("HTTP status handling (§8.2.4)", () => {
  it("302 is followed for this request only; 301 is remembered for later ones", async () => {
    server.files.set("/tmp", { status: 302, headers: { Location: "/real.xml" } });
    server.files.set("/old", { status: 301, headers: { Location: `${base}/new.xml` } });
    server.files.set("/real.xml", { body: flat("") });
    server.files.set("/new.xml", { body: flat("") });
    await device.resync(`${base}/tmp`);
    await device.resync(`${base}/tmp`);
    await device.resync(`${base}/old`);
    await device.resync(`${base}/old`);
    expect(paths()).toEqual([
      "GET /tmp",
      "GET /real.xml",
      "GET /tmp",
      "GET /real.xml",
      "GET /old",
      "GET /new.xml",
      "GET /new.xml",
    ]);
  });

  it("a redirect loop fails after 5 hops", async () => {
    server.files.set("/loop", { status: 302, headers: { Location: "/loop" } });
    const report = await device.resync(`${base}/loop`);
    expect(report).toMatchObject({ ok: false, err: "http_get failed" });
    expect(server.requests).toHaveLength(6);
  });

  it("401 Digest is answered with --uid/--pwd (RFC 2617); without credentials it fails", async () => {
    const realm = "prov";
    const nonce = "abc123";
    server.handler = (r) => {
      const auth = r.headers.authorization;
      if (auth === undefined) {
        return {
          status: 401,
          headers: { "WWW-Authenticate": `Digest realm="${realm}", nonce="${nonce}", qop="auth"` },
        };
      }
      const f = Object.fromEntries(
        [...auth.matchAll(/(\w+)=(?:"([^"]*)"|([^,\s]*))/g)].map((m) => [m[1], m[2] ?? m[3]]),
      );
      const md5 = (s: string) => createHash("md5").update(s).digest("hex");
      const ha1 = md5(`alice:${realm}:s3cret`);
      const ha2 = md5(`${r.method}:${f.uri}`);
      const ok = f.response === md5(`${ha1}:${nonce}:${f.nc}:${f.cnonce}:auth:${ha2}`);
      return ok ? { body: flat("<GPP_G>authed</GPP_G>") } : { status: 401 };
    };
    const report = await device.resync(`[--uid alice --pwd s3cret] ${base}/secure.xml`);
    expect(report?.ok).toBe(true);
    expect(device.params.get("GPP_G")).toBe("authed");
    expect(server.requests).toHaveLength(2);
    server.requests.length = 0;
    const without = await device.resync(`${base}/secure.xml`);
    expect(without).toMatchObject({ ok: false, err: "http_get failed" });
    expect(server.requests).toHaveLength(1);
  });

  it("wrong credentials: at most 2 retries, then failure", async () => {
    server.handler = () => ({ status: 401, headers: { "WWW-Authenticate": 'Basic realm="x"' } });
    const report = await device.resync(`[--uid a --pwd b] ${base}/x.xml`);
    expect(report?.ok).toBe(false);
    expect(server.requests).toHaveLength(3);
    expect(server.requests[1]!.headers.authorization).toBe(
      `Basic ${Buffer.from("a:b").toString("base64")}`,
    );
  });

  it("500 and 403 are class C failures with http_get failed; a POST failure says http_post failed", async () => {
    server.files.set("/e", { status: 500 });
    expect(await device.resync(`${base}/e`)).toMatchObject({ ok: false, err: "http_get failed" });
    expect(await device.resync(`[--post a] ${base}/e`)).toMatchObject({
      ok: false,
      err: "http_post failed",
    });
  });
});

describe("Restricted_Access_Domains (§9.3)", () => {
  it("a host outside the list is refused without any traffic; an allowed one works", async () => {
    server.files.set("/ok.xml", { body: flat("") });
    device.configure({ Restricted_Access_Domains: "example.com" });
    const refused = await device.resync(`${base}/ok.xml`);
    expect(refused?.ok).toBe(false);
    expect(server.requests).toHaveLength(0);
    device.configure({ Restricted_Access_Domains: "" });
    expect((await device.resync(`${base}/ok.xml`))?.ok).toBe(true);
  });
});
