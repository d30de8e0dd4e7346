/**
 * The device log and syslog (§6.8, §12.4 #2, §12.5): templates macro-expanded, an empty
 * template suppresses its line, lines reach a real UDP listener at Syslog_Server.
 */
import { createSocket } from "node:dgram";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Device, type LogEntry, syslogLine, VirtualClock } from "../../src/device/index.ts";
import { closedPort, flat, type StaticServer, startStaticServer } from "./helpers.ts";

let server: StaticServer;
beforeEach(async () => {
  server = await startStaticServer();
  server.files.set("/basic.txt", { body: flat("<GPP_A>12345678</GPP_A>") });
});
afterEach(async () => {
  await server.close();
});

function unit(logCapacity?: number): Device {
  const d = new Device({
    mac: "00:0e:08:ab:cd:ef",
    productName: "SPA2102",
    clock: new VirtualClock(Date.UTC(2026, 2, 5, 9, 7, 3)),
    ...(logCapacity === undefined ? {} : { logCapacity }),
  });
  d.configure({ Resync_On_Reset: "No" });
  d.powerOn();
  return d;
}

describe("syslog (§6.8)", () => {
  it("§12.4 #2: request and success lines reach the UDP listener at Syslog_Server", async () => {
    const listener = createSocket("udp4");
    await new Promise<void>((resolve) => listener.bind(0, "127.0.0.1", resolve));
    const lines: string[] = [];
    const got = new Promise<void>((resolve) => {
      listener.on("message", (m) => {
        lines.push(m.toString("latin1"));
        if (lines.length === 2) resolve();
      });
    });
    const d = unit();
    d.configure({ Syslog_Server: `127.0.0.1:${listener.address().port}` });
    await d.resync(`${server.base}/basic.txt`);
    await got;
    listener.close();
    d.powerOff();
    expect(lines).toEqual([
      `<134>Mar  5 09:07:03 SPA2102 00:0e:08:ab:cd:ef -- Requesting resync http://127.0.0.1:${server.port}/basic.txt`,
      `<134>Mar  5 09:07:03 SPA2102 00:0e:08:ab:cd:ef -- Successful resync http://127.0.0.1:${server.port}/basic.txt -- `,
    ]);
  });

  it("a unit that keeps no log (a fleet's) still sends its lines, and its listeners hear them", async () => {
    const listener = createSocket("udp4");
    await new Promise<void>((resolve) => listener.bind(0, "127.0.0.1", resolve));
    const got = new Promise<string>((resolve) => {
      listener.on("message", (m) => resolve(m.toString("latin1")));
    });
    const d = unit(0);
    d.configure({ Syslog_Server: `127.0.0.1:${listener.address().port}` });
    await d.resync(`${server.base}/basic.txt`);
    expect(await got).toMatch(/-- Requesting resync http:/);
    listener.close();
    expect(d.log.entries()).toEqual([]);
    const quiet = unit(0);
    const heard: LogEntry[] = [];
    quiet.log.on("entry", (e) => heard.push(e));
    await quiet.resync(`${server.base}/basic.txt`);
    expect(heard.filter((e) => e.kind === "syslog").map((e) => e.message)).toEqual([
      `SPA2102 00:0e:08:ab:cd:ef -- Requesting resync http://127.0.0.1:${server.port}/basic.txt`,
      `SPA2102 00:0e:08:ab:cd:ef -- Successful resync http://127.0.0.1:${server.port}/basic.txt -- `,
    ]);
    d.powerOff();
    quiet.powerOff();
  });

  it("an emptied template suppresses its line; custom templates are macro-expanded, $SA stays literal", async () => {
    const d = unit();
    const seen: LogEntry[] = [];
    d.log.on("entry", (e) => seen.push(e));
    d.configure({
      Log_Resync_Request_Msg: "",
      Log_Resync_Success_Msg: "ok $MAU $SCHEME $PATH $SA prvst=$PRVST",
    });
    await d.resync(`${server.base}/basic.txt`);
    expect(d.log.messages("syslog")).toEqual(["ok 000E08ABCDEF http /basic.txt $SA prvst=-1"]);
    expect(seen.filter((e) => e.kind === "syslog")).toHaveLength(1);
  });

  it("§12.5: the indicator tells unreachable from file errors", async () => {
    const d = unit();
    const port = await closedPort();
    await d.resync(`http://127.0.0.1:${port}/x`);
    expect(d.provisioningIndicator).toBe("unreachable");
    await d.resync(`${server.base}/missing`);
    expect(d.provisioningIndicator).toBe("fileError");
    await d.resync(`${server.base}/basic.txt`);
    expect(d.provisioningIndicator).toBe("ok");
  });

  it("the ring keeps the newest entries", () => {
    const d = new Device({
      mac: "000e08000001",
      productName: "SPA2102",
      clock: new VirtualClock(),
      logCapacity: 3,
    });
    for (let i = 0; i < 5; i++) d.reboot(`r${i}`, true);
    expect(d.log.messages()).toEqual(["boot (r2)", "boot (r3)", "boot (r4)"]);
    expect(syslogLine("x", Date.UTC(2026, 11, 31, 23, 59, 59), 60)).toBe("<134>Jan  1 00:59:59 x");
  });
});
