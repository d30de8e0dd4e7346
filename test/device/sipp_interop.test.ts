/**
 * SIP NOTIFY (§9.6) with sipp (Debian sip-tester) as the far end: sipp sends
 * `Event: check-sync`, answers the unit's 401 with its own RFC 2617 Digest computation
 * (`[authentication]`), and expects 200; the unit then resyncs.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Device, startSipListener, VirtualClock } from "../../src/device/index.ts";
import { flat, freeUdpPort, type StaticServer, startStaticServer } from "./helpers.ts";

const run = promisify(execFile);

function notify(cseq: number, auth: boolean): string {
  return `
  <send retrans="500">
    <![CDATA[
      NOTIFY sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:pbx@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: ${cseq} NOTIFY
      Event: check-sync
${auth ? "      [authentication]\n" : ""}      Content-Length: 0

    ]]>
  </send>`;
}

const SCENARIO = `<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="notify check-sync with digest">
${notify(1, false)}
  <recv response="401" auth="true"/>
${notify(2, true)}
  <recv response="200"/>
</scenario>
`;

let dir: string;
let server: StaticServer;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "provisio-sipp-"));
  writeFileSync(join(dir, "notify.xml"), SCENARIO);
  server = await startStaticServer();
  server.files.set("/p.xml", { body: flat("<GPP_A>via-sipp</GPP_A>") });
});
afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("sipp interop (§9.6)", () => {
  it("sipp's Digest answer to the unit's challenge is accepted and the unit resyncs", async () => {
    const d = new Device({
      mac: "000e08012345",
      productName: "SPA2102",
      clock: new VirtualClock(),
    });
    d.configure({
      Resync_On_Reset: "No",
      Profile_Rule: `${server.base}/p.xml`,
      User_ID_1_: "4085551234",
      Password_1_: "line-secret",
    });
    d.powerOn();
    const sip = await startSipListener(d);
    try {
      const local = await freeUdpPort();
      const { stdout, stderr } = await run(
        "sipp",
        [
          `127.0.0.1:${sip.port}`,
          "-sf",
          join(dir, "notify.xml"),
          "-s",
          "4085551234",
          "-au",
          "4085551234",
          "-ap",
          "line-secret",
          "-i",
          "127.0.0.1",
          "-p",
          String(local),
          "-m",
          "1",
          "-timeout",
          "20s",
          "-nostdin",
        ],
        { cwd: dir, timeout: 30_000 },
      ).catch((e: { stdout?: string; stderr?: string; code?: number }) => {
        throw new RangeError(
          `sipp failed (${e.code}): ${e.stderr ?? ""} ${e.stdout?.slice(-500) ?? ""}`,
        );
      });
      expect(`${stdout}${stderr}`).toMatch(/Successful call\s*\|\s*\d+\s*\|\s*1/);
      await d.settled();
      expect(d.params.get("GPP_A")).toBe("via-sipp");
    } finally {
      await sip.close();
      d.powerOff();
    }
  });
});
