/**
 * The unit's web server (§9.1, §9.2, §9.5, §12.4 #1) driven by curl and node:http: admin
 * URLs, logins, user vs admin views, Submit All Changes, configuration download.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { encodeProfileBytes } from "../../src/crypto/index.ts";
import {
  Device,
  type DeviceOptions,
  type DeviceWebServer,
  encodeFirmwareImage,
  networkFetcher,
  startWebServer,
  VirtualClock,
} from "../../src/device/index.ts";
import { flat, type StaticServer, startStaticServer, startTftpd, type Tftpd } from "./helpers.ts";

const run = promisify(execFile);
let tftpd: Tftpd;
let files: StaticServer;
let web: DeviceWebServer | undefined;

beforeAll(async () => {
  tftpd = await startTftpd();
  files = await startStaticServer();
});
afterAll(async () => {
  await tftpd?.close();
  await files?.close();
});
afterEach(async () => {
  await web?.close();
  web = undefined;
});

async function unitWithWeb(
  values: Record<string, string> = {},
  options: Partial<DeviceOptions> = {},
) {
  const d = new Device({
    mac: "000e08abcdef",
    productName: "SPA2102",
    clock: new VirtualClock(),
    ...options,
  });
  d.configure({ Resync_On_Reset: "No", ...values });
  d.powerOn();
  web = await startWebServer(d);
  return { d, base: web.url };
}

async function curl(...args: string[]): Promise<{ code: number; body: string }> {
  const { stdout } = await run("curl", ["-s", "-w", "\n%{http_code}", ...args]);
  const nl = stdout.lastIndexOf("\n");
  return { code: Number(stdout.slice(nl + 1)), body: stdout.slice(0, nl) };
}

describe("admin URLs (§9.5)", () => {
  it("§12.4 #1: /admin/resync?tftp://…/basic.txt sets GPP_A", async () => {
    tftpd.put("basic.txt", flat("<GPP_A>12345678</GPP_A>"));
    const { d, base } = await unitWithWeb();
    const r = await curl(`${base}/admin/resync?tftp://127.0.0.1:${tftpd.port}/basic.txt`);
    expect(r.code).toBe(200);
    await d.settled();
    expect(d.params.get("GPP_A")).toBe("12345678");
    const page = await curl(`${base}/admin/advanced`);
    expect(page.body).toMatch(/GPP A<\/td><td><input name="GPP_A" value="12345678">/);
  });

  it("the rule is URL-decoded (%5B, +) and macro-expanded", async () => {
    files.files.set("/000e08abcdef.cfg", {
      body: encodeProfileBytes(Buffer.from(flat("<GPP_B>decoded</GPP_B>")), {
        key: "My Own Secret",
      }),
    });
    const { d, base } = await unitWithWeb();
    await curl(
      `${base}/admin/resync?%5B--key+%22My+Own+Secret%22%5Dhttp://127.0.0.1:${files.port}/$MA.cfg`,
    );
    await d.settled();
    expect(d.params.get("GPP_B")).toBe("decoded");
    expect(d.params.get("Profile_Rule")).toBe("/spa$PSN.cfg"); // not stored
  });

  it("/admin/reboot reboots; /admin/upgrade?… installs; a URL without server asks the requester", async () => {
    files.files.set("/fw.bin", {
      body: encodeFirmwareImage({
        version: "5.2.12",
        models: ["SPA2102"],
        payload: Buffer.from("x"),
      }),
    });
    const { d, base } = await unitWithWeb(
      { Resync_After_Upgrade_Attempt: "No" },
      { fetcher: networkFetcher({ tftpRetransmitMs: 50, tftpMaxRetries: 1 }) },
    );
    await curl(`${base}/admin/reboot`);
    expect(d.rebootHistory.map((r) => r.reason)).toEqual(["Power On", "User Triggered"]);
    await curl(`${base}/admin/upgrade?http://127.0.0.1:${files.port}/fw.bin`);
    await d.settled(); // the handler starts the attempt before it answers
    expect(d.identity.swVersion).toBe("5.2.12");
    expect(d.rebootHistory.at(-1)?.reason).toBe("Upgrade");
    await curl(`${base}/upgrade?/fw/next.bin`);
    await d.settled();
    expect(d.log.messages("syslog")).toContain(
      "SPA2102 00:0e:08:ab:cd:ef -- Requesting upgrade tftp://127.0.0.1:69/fw/next.bin",
    );
  });
});

describe("logins and views (§9.1, §9.2, §3.2.3)", () => {
  it("with passwords set: admin pages need admin, the user view needs user or admin", async () => {
    const { base } = await unitWithWeb({ Admin_Passwd: "S3cret-Admin", User_Password: "u-pass" });
    expect((await curl(`${base}/admin/advanced`)).code).toBe(401);
    expect((await curl("-u", "user:u-pass", `${base}/admin/advanced`)).code).toBe(401);
    expect((await curl("-u", "admin:S3cret-Admin", `${base}/admin/advanced`)).code).toBe(200);
    expect((await curl(`${base}/`)).code).toBe(401);
    expect((await curl("-u", "user:u-pass", `${base}/`)).code).toBe(200);
    // MPP-style inline credentials.
    expect((await curl(`${base}/admin/cfg.xml&xuser=admin&xpassword=S3cret-Admin`)).code).toBe(200);
    expect(
      (await curl(`${base}/admin/resync?/x.cfg&xuser=admin&xpassword=S3cret-Admin`)).code,
    ).toBe(200);
    expect((await curl(`${base}/admin/resync?/x.cfg&xuser=admin&xpassword=wrong`)).code).toBe(401);
  });

  it("the user view renders rw as inputs, ro as text, never na; the admin view shows everything but secrets", async () => {
    tftpd.put(
      "ua.xml",
      flat(
        '<Dial_Plan_1_ ua="ro"/><Dial_Plan_2_ ua="rw"/><GPP_SA ua="rw">k</GPP_SA><Admin_Passwd ua="na"></Admin_Passwd>',
      ),
    );
    const { d, base } = await unitWithWeb();
    await d.resync(`tftp://127.0.0.1:${tftpd.port}/ua.xml`);
    const user = (await curl(`${base}/`)).body;
    expect(user).toContain('<span id="Dial_Plan_1_">');
    expect(user).toContain('<input name="Dial_Plan_2_"');
    expect(user).not.toContain("Profile_Rule");
    expect(user).not.toContain("GPP_SA");
    expect(user).toContain("<td>Product Name</td><td>SPA2102</td>");
    const admin = (await curl(`${base}/admin/`)).body;
    expect(admin).toContain('<input name="Profile_Rule"');
    expect(admin).not.toContain("GPP_SA");
  });

  it("Submit All Changes: the user may change rw only; a change reboots and resyncs (C12)", async () => {
    files.files.set("/after-submit.xml", { body: flat("") });
    tftpd.put("ua2.xml", flat('<Dial_Plan_1_ ua="ro"/><Dial_Plan_2_ ua="rw"/>'));
    const { d, base } = await unitWithWeb();
    await d.resync(`tftp://127.0.0.1:${tftpd.port}/ua2.xml`);
    const refused = await curl("-d", "Dial_Plan_1_=(1x)&Dial_Plan_2_=(2x)", `${base}/`);
    expect(refused.code).toBe(400);
    expect(refused.body).toContain("Dial_Plan_1_: read-only");
    expect(d.params.get("Dial_Plan_2_")).toBe("(2x)");
    expect(d.rebootHistory.at(-1)?.reason).toBe("Provisioning");
    const ok = await curl(
      "-d",
      `Profile_Rule=http://127.0.0.1:${files.port}/after-submit.xml&Resync_On_Reset=Yes&Resync_Random_Delay=0`,
      `${base}/admin/advanced`,
    );
    expect(ok.code).toBe(200);
    expect(d.provisioningState).toBe("SP-CUST");
    expect(d.timerSnapshot().bootResyncAt).toBeDefined();
  });

  it("submitting the admin page unchanged keeps the passwords it does not show", async () => {
    const { d, base } = await unitWithWeb({ Admin_Passwd: "pw", Password_1_: "line-secret" });
    const page = (await curl("-u", "admin:pw", `${base}/admin/advanced`)).body;
    expect(page).not.toContain("line-secret");
    const form = new URLSearchParams(
      [...page.matchAll(/<input (?:type="password" )?name="([^"]+)" value="([^"]*)"/g)].map(
        (m): [string, string] => [
          m[1]!,
          m[2]!
            .replaceAll("&quot;", '"')
            .replaceAll("&lt;", "<")
            .replaceAll("&gt;", ">")
            .replaceAll("&amp;", "&"),
        ],
      ),
    ).toString();
    const r = await curl("-u", "admin:pw", "--data-binary", form, `${base}/admin/advanced`);
    expect(r.code).toBe(200);
    expect(d.params.get("Password_1_")).toBe("line-secret");
    expect(d.params.get("Admin_Passwd")).toBe("pw");
    expect(d.rebootHistory).toHaveLength(1); // nothing changed, no reboot
  });

  it("Enable_Web_Admin_Access No closes the admin pages; Enable_Web_Server No the whole server", async () => {
    const { d, base } = await unitWithWeb({ Enable_Web_Admin_Access: "No" });
    expect((await curl(`${base}/admin/resync`)).code).toBe(403);
    expect((await curl(`${base}/`)).code).toBe(200);
    d.configure({ Enable_Web_Server: "No" });
    expect((await curl(`${base}/`)).code).toBe(503);
  });

  it("/admin/cfg.xml downloads the configuration as a re-appliable profile without GPP_SA..SD", async () => {
    tftpd.put("cfg.xml", flat('<GPP_C ua="ro">c</GPP_C><GPP_SC>hidden</GPP_SC>'));
    const { d, base } = await unitWithWeb();
    await d.resync(`tftp://127.0.0.1:${tftpd.port}/cfg.xml`);
    const cfg = await curl(`${base}/admin/cfg.xml`);
    expect(cfg.body).toContain(
      '<GPP_C group="Provisioning/General_Purpose_Parameters" ua="ro">c</GPP_C>',
    );
    expect(cfg.body).not.toContain("GPP_SC");
  });
});

describe("MPP admin endpoints (§9.5)", () => {
  const MPP: Partial<DeviceOptions> = {
    family: "mpp",
    productName: "CP-8841-3PCC",
    productSeries: "8841",
  };

  it("curl -d @config.xml …/admin/config.xml&xuser=admin&xpassword=… applies the profile", async () => {
    const { d, base } = await unitWithWeb({ Admin_Passwd: "admin" }, MPP);
    const r = await curl(
      "-H",
      "Content-Type: text/xml",
      "--data-binary",
      flat('<GPP_A ua="rw">posted</GPP_A><Station_Name>Lobby</Station_Name>'),
      `${base}/admin/config.xml&xuser=admin&xpassword=admin`,
    );
    expect(r.code).toBe(200);
    expect(d.params.get("GPP_A")).toBe("posted");
    expect(d.params.access("GPP_A")).toBe("rw");
    // Station_Name is not a provisioning parameter: the unit restarts to apply it.
    expect(d.rebootHistory.at(-1)?.reason).toBe("Provisioning");
    const bad = await curl(
      "--data-binary",
      "<flat-profile><GPP_A>",
      `${base}/admin/config.xml&xuser=admin&xpassword=admin`,
    );
    expect(bad.code).toBe(400);
  });

  it('POST /CGI/Execute with ExecuteItem URL="Resync:[rule]" resyncs from that rule', async () => {
    files.files.set("/exec.xml", { body: flat("<GPP_B>executed</GPP_B>") });
    const { d, base } = await unitWithWeb({}, MPP);
    const r = await curl(
      "--data-binary",
      `<CP-8841-3PCCExecute><ExecuteItem URL="Resync:http://127.0.0.1:${files.port}/exec.xml"/></CP-8841-3PCCExecute>`,
      `${base}/CGI/Execute`,
    );
    expect(r.code).toBe(200);
    await d.settled();
    expect(d.params.get("GPP_B")).toBe("executed");
  });

  it("an SPA unit has neither endpoint", async () => {
    const { base } = await unitWithWeb();
    expect((await curl("--data-binary", flat(""), `${base}/admin/config.xml`)).code).toBe(404);
  });
});

describe("IVR factory reset (§9.4)", () => {
  it("needs the admin password when one is set, and is refused when protected", async () => {
    const d = new Device({
      mac: "000e08abcdef",
      productName: "SPA2102",
      clock: new VirtualClock(),
    });
    d.configure({ Resync_On_Reset: "No", Admin_Passwd: "pw", GPP_A: "x" });
    d.powerOn();
    expect(d.ivrFactoryReset("nope")).toBe(false);
    d.configure({ Protect_IVR_FactoryReset: "Yes" });
    expect(d.ivrFactoryReset("pw")).toBe(false);
    d.configure({ Protect_IVR_FactoryReset: "No" });
    expect(d.ivrFactoryReset("pw")).toBe(true);
    expect(d.params.get("GPP_A")).toBe("");
    expect(d.provisioningState).toBe("MFG-RESET");
  });
});
