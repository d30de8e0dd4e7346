/**
 * SIP NOTIFY control (§9.6) over real UDP: the 401 challenge, a Digest retry with the
 * line's credentials (computed here independently, RFC 2617), the events and their gates.
 */
import { createHash } from "node:crypto";
import { createSocket, type Socket } from "node:dgram";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  Device,
  type SipListener,
  startSipListener,
  VirtualClock,
} from "../../src/device/index.ts";
import { flat, type StaticServer, startStaticServer } from "./helpers.ts";

let server: StaticServer;
let sip: SipListener | undefined;
let client: Socket;

beforeEach(async () => {
  server = await startStaticServer();
  server.files.set("/p.xml", { body: flat("<GPP_A>notified</GPP_A>") });
  client = createSocket("udp4");
  await new Promise<void>((r) => client.bind(0, "127.0.0.1", r));
});
afterEach(async () => {
  await sip?.close();
  sip = undefined;
  client.close();
  await server.close();
});

let cseq = 1;
function notify(event: string, authorization?: string, user = "4085551234"): string {
  const port = client.address().port;
  return [
    `NOTIFY sip:${user}@127.0.0.1 SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:${port};branch=z9hG4bK${cseq}`,
    "From: <sip:pbx@127.0.0.1>;tag=pbx1",
    "To: <sip:4085551234@127.0.0.1>",
    "Call-ID: notify-test@127.0.0.1",
    `CSeq: ${cseq++} NOTIFY`,
    `Event: ${event}`,
    ...(authorization === undefined ? [] : [`Authorization: ${authorization}`]),
    "Content-Length: 0",
    "",
    "",
  ].join("\r\n");
}

async function send(text: string): Promise<string> {
  const answer = new Promise<string>((resolve) =>
    client.once("message", (m) => resolve(m.toString())),
  );
  client.send(text, sip!.port, "127.0.0.1");
  return answer;
}

function digest(challenge: string, user: string, password: string, uri: string): string {
  const realm = /realm="([^"]+)"/.exec(challenge)![1]!;
  const nonce = /nonce="([^"]+)"/.exec(challenge)![1]!;
  const md5 = (t: string) => createHash("md5").update(t).digest("hex");
  const ha1 = md5(`${user}:${realm}:${password}`);
  const ha2 = md5(`NOTIFY:${uri}`);
  const response = md5(`${ha1}:${nonce}:00000001:abcdef:auth:${ha2}`);
  return `Digest username="${user}", realm="${realm}", nonce="${nonce}", uri="${uri}", response="${response}", qop=auth, nc=00000001, cnonce="abcdef", algorithm=MD5`;
}

async function unit(values: Record<string, string> = {}): Promise<Device> {
  const d = new Device({ mac: "000e08012345", productName: "SPA2102", clock: new VirtualClock() });
  d.configure({
    Resync_On_Reset: "No",
    Profile_Rule: `${server.base}/p.xml`,
    User_ID_1_: "4085551234",
    Password_1_: "line-secret",
    ...values,
  });
  d.powerOn();
  sip = await startSipListener(d);
  return d;
}

describe("SIP NOTIFY (§9.6)", () => {
  it("challenges with 401, accepts the line's Digest credentials, then resyncs ($PRVST -1)", async () => {
    const d = await unit();
    const challenge = await send(notify("resync"));
    expect(challenge).toMatch(/^SIP\/2\.0 401 Unauthorized\r\n/);
    expect(challenge).toContain("Call-ID: notify-test@127.0.0.1");
    expect(server.requests).toHaveLength(0);
    const ok = await send(
      notify("resync", digest(challenge, "4085551234", "line-secret", "sip:4085551234@127.0.0.1")),
    );
    expect(ok).toMatch(/^SIP\/2\.0 200 OK\r\n/);
    await d.settled();
    expect(d.params.get("GPP_A")).toBe("notified");
  });

  it("a wrong password is challenged again and nothing happens", async () => {
    const d = await unit();
    const challenge = await send(notify("check-sync"));
    const again = await send(
      notify("check-sync", digest(challenge, "4085551234", "guess", "sip:4085551234@127.0.0.1")),
    );
    expect(again).toMatch(/^SIP\/2\.0 401/);
    await d.settled();
    expect(server.requests).toHaveLength(0);
  });

  it("Auth_Resync-Reboot No: acted on without a challenge; reboot_now reboots (SIP Triggered)", async () => {
    const d = await unit({ "Auth_Resync-Reboot_1_": "No" });
    expect(await send(notify("reboot_now"))).toMatch(/^SIP\/2\.0 200 OK/);
    expect(d.rebootHistory.at(-1)?.reason).toBe("SIP Triggered");
  });

  it("Resync_From_SIP No: accepted but no resync; an unknown event gets 489", async () => {
    const d = await unit({ "Auth_Resync-Reboot_1_": "No", Resync_From_SIP: "No" });
    expect(await send(notify("resync"))).toMatch(/^SIP\/2\.0 200 OK/);
    await d.settled();
    expect(server.requests).toHaveLength(0);
    expect(await send(notify("presence"))).toMatch(/^SIP\/2\.0 489 Bad Event/);
  });

  it("Restrict_Source_IP: a NOTIFY not from the line's proxy is dropped", async () => {
    const d = await unit({
      "Auth_Resync-Reboot_1_": "No",
      Restrict_Source_IP_1_: "Yes",
      Proxy_1_: "10.0.0.1",
      User_ID_2_: "4085559999",
      "Auth_Resync-Reboot_2_": "No",
    });
    // Line 1 drops it silently; line 2 (unrestricted) answers the next one. Datagrams on
    // loopback arrive in order, so the first answer must be line 2's.
    const first = new Promise<string>((resolve) =>
      client.once("message", (m) => resolve(m.toString())),
    );
    client.send(notify("reboot_now"), sip!.port, "127.0.0.1");
    const second = cseq;
    client.send(notify("restart_now", undefined, "4085559999"), sip!.port, "127.0.0.1");
    expect(await first).toContain(`CSeq: ${second} NOTIFY`);
    expect(d.rebootHistory).toHaveLength(1);
  });
});
