/**
 * Reports and push resync against the device emulator, over real sockets: the server pushes
 * a SIP NOTIFY (`report`, `check-sync`) to the unit's SIP listener, answers its 401 with the
 * line's Digest credentials from the account, and the unit uploads its configuration report
 * (HTTP POST, Report_Rule) or resyncs. Drift then shows a value the unit's user changed and
 * one changed with the admin password; a `--delta` report lays over the full one. No line
 * password appears in any log line of the node.
 */

import { join } from "node:path";
import { Writable } from "node:stream";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deviceDrift, EffectiveConfigResolver, pushDevices } from "../../src/admin/index.ts";
import {
  Device,
  type SipListener,
  startSipListener,
  VirtualClock,
} from "../../src/device/index.ts";
import type { ProvisioNode } from "../../src/server/node.ts";
import { type MacAddress, parseMac } from "../../src/store/index.ts";
import { startTestNode, tempDir } from "../server/helpers.ts";

const MAC = parseMac("000e08e2f101") as MacAddress;
const LINE_PASSWORD = "Line-Pa55-e2e-7x";
const logLines: string[] = [];

let node: ProvisioNode;
let http: string;
let unit: Device;
let sip: SipListener;
let resolver: EffectiveConfigResolver;

/** The unit acts on a NOTIFY after answering it: wait until what it does is seen. */
async function until<T>(probe: () => Promise<T | undefined | null | false>): Promise<T> {
  for (let i = 0; i < 400; i++) {
    const v = await probe();
    if (v !== undefined && v !== null && v !== false) return v;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error("the unit did not act on the NOTIFY");
}

beforeAll(async () => {
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      logLines.push(...chunk.toString().split("\n").filter(Boolean));
      done();
    },
  });
  node = await startTestNode(
    join(tempDir("reports-push"), "data"),
    { tftpPort: "0" },
    { logger: pino({ level: "debug" }, sink) },
  );
  http = `http://127.0.0.1:${node.addresses.http!.port}`;
  const { store } = node;
  await store.models.upsert({ pn: "SPA962", psn: "962", family: "spa", lines: 6 });
  await store.tenants.update("default", { settings: { profilePaths: ["/profile/$MA.xml"] } });
  const account = await store.accounts.create({
    reference: "C-2001",
    lines: [{ line: 1, userId: "4085550101", password: LINE_PASSWORD }],
  });
  await store.devices.create({ mac: MAC, modelPn: "SPA962", accountId: account.id });
  await store.layers.set({ scope: "tenant", tenantId: "default" }, [
    { name: "Resync_Periodic", value: "3600", access: "na" },
    { name: "Profile_Rule", value: `${http}/profile/$MA.xml`, access: "na" },
    { name: "Report_Rule", value: `${http}/report/$MA.xml`, access: "na" },
    { name: "Voice_Mail_Number", value: "*98", access: "rw" },
    { name: "Dial_Plan_1_", value: "(xxxx|9xxxxxxx)", access: "na" },
    { name: "Admin_Passwd", value: "Adm1n-e2e", access: "na" },
  ]);
  await node.cache.settled();
  resolver = new EffectiveConfigResolver(store);
  unit = new Device({ mac: MAC, productName: "SPA962", clock: new VirtualClock() });
  unit.configure({ Resync_On_Reset: "No", Profile_Rule: `${http}/profile/$MA.xml` });
  unit.powerOn();
  await unit.resync();
  await unit.settled();
  sip = await startSipListener(unit);
}, 120_000);

afterAll(async () => {
  await sip?.close();
  unit?.powerOff();
  await node?.close();
});

const contact = () => ({ host: "127.0.0.1", port: sip.port });

describe("reports and push resync with the emulator", () => {
  it("a pushed `report` NOTIFY makes the unit upload; drift shows the changed values", async () => {
    expect(unit.params.get("User_ID_1_")).toBe("4085550101");
    // The unit's user changes an rw value; someone with the admin password an na one.
    expect(unit.edit("user", "Voice_Mail_Number", "*77")).toBeUndefined();
    expect(unit.edit("admin", "Dial_Plan_1_", "(x.)")).toBeUndefined();
    const [result] = await pushDevices(
      node.store,
      resolver,
      [(await node.store.devices.get(MAC))!],
      {
        event: "report",
        contact: contact(),
        actor: "test",
      },
    );
    expect(result).toMatchObject({ outcome: "accepted", status: 200, challenged: true });
    const report = await until(() => node.store.reports.latest(MAC));
    expect(report).toMatchObject({ kind: "config", identifiedBy: "path" });
    expect(report!.entries.find((e) => e.name === "Voice_Mail_Number")?.value).toBe("*77");
    // GPP_SA..SD are never reported (the unit's rule); passwords are sealed, not plaintext.
    expect(report!.entries.some((e) => e.name === "GPP_SA")).toBe(false);
    expect(report!.entries.find((e) => e.name === "Password_1_")?.secret).toBe(true);

    const drift = await deviceDrift(node.store, resolver, await node.store.devices.get(MAC));
    const byName = new Map(drift.items.map((i) => [i.name, i]));
    expect(byName.get("Voice_Mail_Number")).toMatchObject({
      kind: "changed-on-device",
      expected: "*98",
      reported: "*77",
    });
    expect(byName.get("Dial_Plan_1_")).toMatchObject({
      kind: "differs",
      expected: "(xxxx|9xxxxxxx)",
      reported: "(x.)",
    });
    // The line password matches (served = held): no drift, and never shown.
    expect(byName.has("Password_1_")).toBe(false);
    expect(JSON.stringify(drift)).not.toContain(LINE_PASSWORD);
  });

  it("`--delta`: a later delta report lays over the full one", async () => {
    await node.store.layers.set({ scope: "device", mac: MAC }, [
      { name: "Report_Rule", value: `[--delta] ${http}/report/delta/$MA.xml`, access: "na" },
    ]);
    await node.cache.settled();
    await unit.resync(); // takes the new rule; the delta set starts empty here
    await unit.settled();
    expect(unit.edit("user", "Voice_Mail_Number", "*55")).toBeUndefined();
    const [result] = await pushDevices(node.store, resolver, [await node.store.devices.get(MAC)], {
      event: "report",
      contact: contact(),
      actor: "test",
    });
    expect(result?.outcome).toBe("accepted");
    const delta = await until(async () => {
      const r = await node.store.reports.latest(MAC);
      return r?.kind === "delta" ? r : undefined;
    });
    expect(delta?.kind).toBe("delta");
    expect(delta!.entries.map((e) => e.name)).toEqual(["Voice_Mail_Number"]);
    const drift = await deviceDrift(node.store, resolver, await node.store.devices.get(MAC));
    expect(drift.basedOn.map((b) => b.kind)).toEqual(["config", "delta"]);
    // The resync put Dial_Plan_1_ back (na): only the delta's user change is left.
    expect(drift.items.find((i) => i.name === "Voice_Mail_Number")).toMatchObject({
      kind: "changed-on-device",
      reported: "*55",
    });
  });

  it("a tftp:// Report_Rule: the unit uploads by TFTP write request and the report is stored", async () => {
    const tftp = `tftp://127.0.0.1:${node.addresses.tftp!.port}`;
    await node.store.layers.set({ scope: "device", mac: MAC }, [
      { name: "Report_Rule", value: `${tftp}/report/$MA.xml`, access: "na" },
    ]);
    await node.cache.settled();
    await unit.resync(); // takes the new rule
    await unit.settled();
    const [result] = await pushDevices(node.store, resolver, [await node.store.devices.get(MAC)], {
      event: "report",
      contact: contact(),
      actor: "test",
    });
    expect(result?.outcome).toBe("accepted");
    // The latest report was the delta above: a config report now is the TFTP upload.
    const report = await until(async () => {
      const r = await node.store.reports.latest(MAC);
      return r?.kind === "config" ? r : undefined;
    });
    expect(report).toMatchObject({ kind: "config", identifiedBy: "path" });
    expect(report!.entries.find((e) => e.name === "Voice_Mail_Number")?.value).toBe(
      unit.params.get("Voice_Mail_Number"),
    );
    expect(report!.entries.length).toBeGreaterThan(100);
  });

  it("a pushed `check-sync` makes the unit resync now", async () => {
    // Repeated resyncs are not written to the event log again: count the access log's lines.
    const fetches = () => logLines.filter((l) => l.includes(`/profile/${MAC}.xml`)).length;
    const before = fetches();
    expect(before).toBeGreaterThan(0);
    const [result] = await pushDevices(node.store, resolver, [await node.store.devices.get(MAC)], {
      event: "check-sync",
      contact: contact(),
      actor: "test",
    });
    expect(result).toMatchObject({ outcome: "accepted", challenged: true });
    const after = await until(async () => (fetches() > before ? fetches() : undefined));
    expect(after).toBe(before + 1);
  });

  it("a wrong line password is refused by the unit and reported as such", async () => {
    const account = (await node.store.accounts.list())[0]!;
    await node.store.accounts.update(account.id, {
      lines: [{ line: 1, userId: "4085550101", password: "not-what-the-unit-has" }],
    });
    const [result] = await pushDevices(node.store, resolver, [await node.store.devices.get(MAC)], {
      event: "check-sync",
      contact: contact(),
      actor: "test",
    });
    expect(result).toMatchObject({ outcome: "unauthorized", status: 401, challenged: true });
    await node.store.accounts.update(account.id, {
      lines: [{ line: 1, userId: "4085550101", password: LINE_PASSWORD }],
    });
  });

  it("no log line of the node holds the line password; the pushes are audited", async () => {
    expect(logLines.length).toBeGreaterThan(0);
    expect(logLines.filter((l) => l.includes(LINE_PASSWORD))).toEqual([]);
    const audit = await node.store.audit.list({});
    const pushes = audit.filter((a) => a.action.startsWith("device.push."));
    expect(pushes.map((a) => a.action)).toContain("device.push.check-sync");
    expect(JSON.stringify(pushes)).not.toContain(LINE_PASSWORD);
  });
});
