/**
 * The resync recorder over a real StatusWriter and SQLite store: repeat windows, refusals
 * aggregated per source and status, one row per scan; plus the status → result mapping and
 * the security log's rate limit.
 */
import { Writable } from "node:stream";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ServerMetrics } from "../../src/server/metrics.ts";
import { NOT_FOUND_REASON, refuse, resultOfStatus } from "../../src/server/resync_outcome.ts";
import { ResyncRecorder } from "../../src/server/resync_recorder.ts";
import type { ResyncRequest } from "../../src/server/resync_request.ts";
import { SecurityLog } from "../../src/server/security_log.ts";
import { StatusWriter } from "../../src/server/status_writer.ts";
import { parseMac, type Store } from "../../src/store/index.ts";
import { dialects, type Fresh } from "../store/dialects.ts";

const sqlite = dialects().find((d) => d.name === "sqlite")!;

/** A recorder with the server's default repeat windows (an event a minute, a status every 10 s). */
const withDefaultWindows = (writer: ConstructorParameters<typeof ResyncRecorder>[0]["writer"]) =>
  new ResyncRecorder({ writer, repeatEventWindowMs: 60_000, repeatStatusWindowMs: 10_000 });
let fresh: Fresh;
let store: Store;
let writer: StatusWriter;

beforeAll(async () => {
  fresh = await sqlite.fresh();
  store = await fresh.open();
  writer = new StatusWriter({
    sink: { write: (batch) => store.devices.recordActivity(batch) },
    intervalMs: 60_000,
  });
});

afterAll(async () => {
  await writer.close();
  await fresh?.dispose();
});

const req = (remoteAddress: string, path = "/p/x.xml"): ResyncRequest => ({
  transport: "http",
  method: "GET",
  path,
  query: "",
  remoteAddress,
});

async function rows(remoteAddress: string) {
  await writer.flush();
  return (await store.events.list({ limit: 1000 })).filter(
    (e) => e.remoteAddress === remoteAddress,
  );
}

describe("ResyncRecorder", () => {
  it("forgets a device's last write once both windows are over, and its next resync writes as it did", () => {
    const writes: string[] = [];
    const counting = {
      status: () => void writes.push("status"),
      event: () => void writes.push("event"),
    };
    const mac = parseMac("000e08ff0001");
    const ok = {
      response: { status: 200, headers: {}, body: Buffer.from("x"), result: "ok" as const },
      mac,
      tenantId: "default",
    };
    // The same resyncs against a recorder that sweeps (flushed by its timer) and one never flushed.
    const run = (sweep: boolean): string[] => {
      writes.length = 0;
      const r = withDefaultWindows(counting);
      for (const at of [1_000, 5_000, 12_000, 30_000, 70_000, 200_000, 205_000]) {
        if (sweep) r.flush(at);
        r.record(req("10.9.0.1"), undefined, ok, 0, at);
      }
      if (sweep) {
        expect(r.lastWrites).toBe(1);
        r.flush(266_000); // both windows over since 205,000 (and a sweep is due)
        expect(r.lastWrites).toBe(0);
      }
      r.record(req("10.9.0.1"), undefined, ok, 0, 266_000);
      r.record(req("10.9.0.1"), undefined, ok, 0, 267_000);
      return [...writes];
    };
    const swept = run(true);
    expect(swept).toEqual(run(false));
    // First resync, the status again after its window, the event after its own, …
    expect(swept.slice(0, 4)).toEqual(["status", "event", "status", "status"]);
  });

  it("decides the same writes with a slot kept by the caller as by looking the MAC up", () => {
    const writes: string[] = [];
    const counting = {
      status: (s: { mac: string; remoteAddress: string | null }) =>
        void writes.push(`status ${s.mac} ${s.remoteAddress}`),
      event: (e: { mac: string | null; result: string }) =>
        void writes.push(`event ${e.mac} ${e.result}`),
    };
    const a = parseMac("000e08ff0011");
    const b = parseMac("000e08ff0012");
    const ok = (mac: typeof a) => ({
      response: { status: 200, headers: {}, body: Buffer.from("x"), result: "ok" as const },
      mac,
      tenantId: "default",
    });
    const refused = (mac: typeof a) => ({ ...refuse(403, "device disabled"), mac });
    // One path's slot sees device A, then a refusal naming A, A again, then device B (a path
    // may name another device after a change), a sweep, and A from another address.
    const steps: [number, ReturnType<typeof ok> | ReturnType<typeof refused>, string][] = [
      [1_000, ok(a), "10.9.1.1"],
      [2_000, ok(a), "10.9.1.1"],
      [3_000, refused(a), "10.9.1.1"],
      [4_000, ok(a), "10.9.1.1"],
      [5_000, ok(b), "10.9.1.1"],
      [6_000, ok(a), "10.9.1.1"],
      [20_000, ok(a), "10.9.1.1"],
      [100_000, ok(a), "10.9.1.1"],
      [200_000, ok(a), "10.9.1.2"],
      [201_000, ok(a), "10.9.1.2"],
    ];
    const run = (slotted: boolean): string[] => {
      writes.length = 0;
      const r = withDefaultWindows(counting);
      const slot = { lastWrite: undefined };
      for (const [at, outcome, address] of steps) {
        r.flush(at);
        r.record(req(address), undefined, outcome, 0, at, slotted ? slot : undefined);
      }
      return [...writes];
    };
    const slotted = run(true);
    expect(slotted).toEqual(run(false));
    expect(slotted.filter((w) => w.startsWith("status"))).toHaveLength(6);
  });

  it("forgets expired last writes a step at a time (each flush looks at 20,000)", () => {
    const r = withDefaultWindows({ status: () => {}, event: () => {} });
    for (let i = 0; i < 25_000; i++) {
      const mac = parseMac(`000e08${i.toString(16).padStart(6, "0")}`);
      const ok = {
        response: { status: 200, headers: {}, body: Buffer.from("x"), result: "ok" as const },
        mac,
        tenantId: "default",
      };
      r.record(req("10.9.0.2"), undefined, ok, 0, 1_000);
    }
    r.flush(70_000);
    expect(r.lastWrites).toBe(5_000);
    r.flush(75_000); // the pass goes on where it stopped
    expect(r.lastWrites).toBe(0);
  });

  it("aggregates unowned refusals per source and status until the window ends", async () => {
    const r = new ResyncRecorder({ writer, repeatEventWindowMs: 0, repeatStatusWindowMs: 0 });
    for (let i = 0; i < 100; i++) {
      r.record(
        req("10.1.0.1", `/p/${i}.xml`),
        undefined,
        refuse(404, NOT_FOUND_REASON),
        0,
        1000 + i,
      );
    }
    r.record(req("10.1.0.1"), undefined, refuse(400, "path contains an empty segment"), 0, 1000);
    r.record(req("10.1.0.2"), undefined, refuse(404, NOT_FOUND_REASON), 0, 1000);
    expect(r.pendingRefusals).toBe(3);
    r.flush(30_000);
    expect(await rows("10.1.0.1")).toHaveLength(0);
    r.flush(61_000);
    const written = await rows("10.1.0.1");
    expect(written.map((e) => e.statusCode).sort()).toEqual([400, 404]);
    expect(written.find((e) => e.statusCode === 404)?.message).toMatch(/^100 × no profile/);
    // A single refusal keeps its own text.
    expect((await rows("10.1.0.2"))[0]?.message).toBe(NOT_FOUND_REASON);
  });

  it("a refusal naming a device does not move its status (the address pushes go to and reports are checked against)", async () => {
    const r = new ResyncRecorder({ writer, repeatEventWindowMs: 0, repeatStatusWindowMs: 0 });
    const mac = parseMac("000e08990042");
    await store.devices.create({ mac });
    const ok = {
      response: { status: 200, headers: {}, body: Buffer.from("x"), result: "ok" as const },
      mac,
      tenantId: "default",
    };
    r.record(req("10.4.0.1"), undefined, ok, 0, 1000);
    // Anyone can send a request naming the MAC; refused, it must not become the device's address.
    r.record(
      req("203.0.113.66"),
      undefined,
      refuse(403, "no certificate", { mac, tenantId: "default" }),
      0,
      2000,
    );
    r.flush(2000, true);
    await writer.flush();
    const device = await store.devices.get(mac);
    expect(device.status?.remoteAddress).toBe("10.4.0.1");
    expect(device.status?.result).toBe("ok");
  });

  it("aggregates refusals that name an owned device too (a lone one keeps its MAC), and skips repeated successes", async () => {
    const r = new ResyncRecorder({ writer, repeatEventWindowMs: 60_000, repeatStatusWindowMs: 0 });
    const mac = parseMac("000e08990001");
    const owned = refuse(403, "device disabled", { mac, tenantId: "default" });
    r.record(req("10.2.0.1"), undefined, owned, 0, 1000);
    r.record(req("10.2.0.1"), undefined, owned, 0, 1001);
    r.record(req("10.2.0.2"), undefined, owned, 0, 1001);
    const ok = {
      response: { status: 200, headers: {}, body: Buffer.from("x"), result: "ok" as const },
      mac,
    };
    r.record(req("10.2.0.1"), undefined, ok, 0, 2000);
    r.record(req("10.2.0.1"), undefined, ok, 0, 3000);
    r.flush(3000, true);
    const list = await rows("10.2.0.1");
    expect(list).toHaveLength(2);
    expect(list.filter((e) => e.result === "denied").map((e) => e.message)).toEqual([
      "2 × device disabled (aggregated over 60 s)",
    ]);
    const [alone] = await rows("10.2.0.2");
    expect(alone).toMatchObject({ mac, tenantId: "default", message: "device disabled" });
  });

  it("writes one row per scan", async () => {
    const r = new ResyncRecorder({ writer, repeatEventWindowMs: 0, repeatStatusWindowMs: 0 });
    r.recordScan({
      source: "10.3.0.1",
      transport: "tftp",
      count: 99_880,
      firstAt: 0,
      lastAt: 60_000,
    });
    const [scan] = await rows("10.3.0.1");
    expect(scan?.message).toBe("scan: 99880 throttled requests from 10.3.0.1 in 60 s");
  });

  it("bounds the aggregated keys: beyond the cap, one row for other sources", async () => {
    const r = new ResyncRecorder({
      writer,
      repeatEventWindowMs: 0,
      repeatStatusWindowMs: 0,
      maxRefusalKeys: 10,
    });
    for (let i = 0; i < 500; i++) {
      r.record(req(`10.4.${i >> 8}.${i & 255}`), undefined, refuse(404, NOT_FOUND_REASON), 0, 0);
    }
    expect(r.pendingRefusals).toBeLessThanOrEqual(11);
    r.flush(0, true);
    const other = await rows("(other sources)");
    expect(other[0]?.message).toMatch(/^490 ×/);
  });
});

describe("resultOfStatus", () => {
  it("maps refusals to the event log's results", () => {
    expect([404, 429, 400, 405, 414, 403, 500, 503].map(resultOfStatus)).toEqual([
      "not-found",
      "rate-limited",
      "bad-request",
      "bad-request",
      "bad-request",
      "denied",
      "error",
      "error",
    ]);
  });
});

describe("SecurityLog", () => {
  it("logs up to its rate per second, then one summary line; the metric counts all", async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const metrics = new ServerMetrics({ defaultMetrics: false });
    const log = new SecurityLog({ logger: pino(sink), metrics, perSecond: 5 });
    const event = { reason: "scan", message: "m", remoteAddress: "10.5.0.1", transport: "http" };
    for (let i = 0; i < 50; i++) log.report(event, 10_000);
    log.report(event, 11_000);
    await new Promise((r) => setImmediate(r));
    expect(lines.filter((l) => l.includes('"security":"scan"'))).toHaveLength(6);
    expect(lines.some((l) => l.includes("45 more security events not logged"))).toBe(true);
    expect(await metrics.registry.metrics()).toMatch(
      /provisio_security_events_total\{reason="scan"\} 51/,
    );
  });
});
