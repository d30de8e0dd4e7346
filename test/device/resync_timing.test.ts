/**
 * The timing rules of §6 on a virtual clock, against a real HTTP server on loopback: the
 * server stamps each request with the device's virtual time, so a day of resyncs runs in
 * milliseconds and every assertion counts requests at the server.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Device, type ResyncReport, VirtualClock } from "../../src/device/index.ts";
import {
  closedPort,
  fixtureDevice,
  flat,
  type StaticServer,
  startStaticServer,
} from "./helpers.ts";

const S = 1000;
const PROFILE = flat("<GPP_A>ok</GPP_A>");

let clock: VirtualClock;
let server: StaticServer;
let t0: number;

beforeEach(async () => {
  clock = new VirtualClock(Date.UTC(2026, 0, 1, 0, 0, 0));
  t0 = clock.now();
  server = await startStaticServer(() => clock.now());
  server.files.set("/p.xml", { body: PROFILE });
});

afterEach(async () => {
  await server.close();
});

/** Seconds after t0 at which the server saw requests. */
const seconds = (): number[] => server.requests.map((r) => (r.time - t0) / S);

function device(values: Record<string, string>, seed = 7): Device {
  const d = fixtureDevice(clock, { seed });
  d.configure({ Profile_Rule: `${server.base}/p.xml`, ...values });
  return d;
}

function reports(d: Device): ResyncReport[] {
  const out: ResyncReport[] = [];
  d.on("resync", (r) => out.push(r));
  return out;
}

describe("boot resync (§6.2.1, §6.10 row 1, B.4)", () => {
  it("§6.10: defaults — first resync within [0, 40] s of boot, the next 3600 s after it", async () => {
    const firsts = new Set<number>();
    for (let seed = 1; seed <= 12; seed++) {
      server.requests.length = 0;
      const start = clock.now();
      const d = device({}, seed);
      d.powerOn();
      await clock.advance(41 * S);
      expect(server.requests).toHaveLength(1);
      const first = (server.requests[0]!.time - start) / S;
      expect(first).toBeGreaterThanOrEqual(0);
      expect(first).toBeLessThanOrEqual(40);
      firsts.add(first);
      await clock.advance(3600 * S);
      expect(server.requests).toHaveLength(2);
      expect((server.requests[1]!.time - server.requests[0]!.time) / S).toBe(3600);
      d.powerOff();
    }
    // A random delay, not a constant: twelve boots do not all pick the same second.
    expect(firsts.size).toBeGreaterThan(1);
  });

  it("B.4: Resync_Random_Delay 9 spreads the first resync over [0, 180] s; 0 resyncs at boot", async () => {
    const seen: number[] = [];
    for (let seed = 1; seed <= 10; seed++) {
      server.requests.length = 0;
      const start = clock.now();
      const d = device({ Resync_Random_Delay: "9" }, seed);
      d.powerOn();
      await clock.advance(181 * S);
      expect(server.requests).toHaveLength(1);
      seen.push((server.requests[0]!.time - start) / S);
      d.powerOff();
    }
    expect(Math.max(...seen)).toBeLessThanOrEqual(180);
    expect(Math.max(...seen)).toBeGreaterThan(40); // beyond the 2-unit default window
    server.requests.length = 0;
    const start = clock.now();
    const d = device({ Resync_Random_Delay: "0" });
    d.powerOn();
    await clock.advance(0);
    expect(server.requests.map((r) => r.time - start)).toEqual([0]);
  });

  it("§6.2.1: Resync_On_Reset No — no boot resync; SPA's periodic timer runs from boot", async () => {
    const d = device({ Resync_On_Reset: "No", Resync_Periodic: "600" });
    d.powerOn();
    await clock.advance(599 * S);
    expect(server.requests).toHaveLength(0);
    await clock.advance(1 * S);
    expect(seconds()).toEqual([600]);
  });
});

describe("periodic resync (§6.2.2, §6.4)", () => {
  it("§6.10 row 2 (tutorial): delay 0, periodic 30 — resync at boot then every 30 s, a syslog pair each", async () => {
    const d = device({ Resync_Random_Delay: "0", Resync_Periodic: "30" });
    d.powerOn();
    await clock.advance(300 * S);
    expect(seconds()).toEqual([0, 30, 60, 90, 120, 150, 180, 210, 240, 270, 300]);
    const syslog = d.log.messages("syslog");
    expect(syslog).toHaveLength(22);
    expect(syslog[0]).toBe(
      `SPA2102 00:0e:08:01:23:45 -- Requesting resync http://127.0.0.1:${server.port}/p.xml`,
    );
    expect(syslog[1]).toBe(
      `SPA2102 00:0e:08:01:23:45 -- Successful resync http://127.0.0.1:${server.port}/p.xml -- `,
    );
  });

  it("§6.4: a periodic list walks its items and repeats the last (600,1200,300)", async () => {
    const d = device({ Resync_Random_Delay: "0", Resync_Periodic: "600,1200,300" });
    d.powerOn();
    await clock.advance(3000 * S);
    expect(seconds()).toEqual([0, 600, 1800, 2100, 2400, 2700, 3000]);
  });

  it("§6.4: 3600+600 draws each interval from [3600, 4200]", async () => {
    const d = device({ Resync_Random_Delay: "0", Resync_Periodic: "3600+600" });
    d.powerOn();
    await clock.advance(10 * 4200 * S);
    const gaps = seconds()
      .slice(1)
      .map((t, i) => t - seconds()[i]!);
    expect(gaps.length).toBeGreaterThanOrEqual(10);
    for (const g of gaps) {
      expect(g).toBeGreaterThanOrEqual(3600);
      expect(g).toBeLessThanOrEqual(4200);
    }
    expect(new Set(gaps).size).toBeGreaterThan(1);
  });

  it("§6.2.2: Resync_Periodic 0 — only the boot resync", async () => {
    const d = device({ Resync_Random_Delay: "0", Resync_Periodic: "0" });
    d.powerOn();
    await clock.advance(86400 * S);
    expect(seconds()).toEqual([0]);
  });
});

describe("error retry (§6.5, §6.10 rows 3–4)", () => {
  it("§6.10 row 3: server down — attempts at t0, +1800, +3600, +7200, +14400, +14400", async () => {
    const port = await closedPort();
    const d = fixtureDevice(clock);
    d.configure({
      Profile_Rule: `http://127.0.0.1:${port}/p.xml`,
      Resync_Random_Delay: "0",
      Resync_Error_Retry_Delay: "1800,3600,7200,14400",
    });
    const runs = reports(d);
    d.powerOn();
    await clock.advance(45000 * S);
    const times = runs.map((r) => (r.startedAt - t0) / S);
    expect(times).toEqual([0, 1800, 5400, 12600, 27000, 41400]);
    expect(runs.map((r) => r.prvst)).toEqual([0, 2, 2, 2, 2, 2]);
    expect(runs.every((r) => !r.ok && r.err === "http_get failed")).toBe(true);
    expect(d.log.messages("syslog").at(-1)).toBe(
      "SPA2102 00:0e:08:01:23:45 -- Resync failed: http_get failed",
    );
  });

  it("§6.10 row 4: server back after the 3rd attempt — periodic resumes; a later failure restarts at 1800", async () => {
    let answer = 503;
    server.handler = () => ({ status: answer, body: answer === 200 ? PROFILE : "busy" });
    const d = device({
      Resync_Random_Delay: "0",
      Resync_Periodic: "3600",
      Resync_Error_Retry_Delay: "1800,3600,7200,14400",
    });
    d.powerOn();
    await clock.advance(5399 * S); // attempts at 0 and 1800 fail
    answer = 200;
    await clock.advance(1 * S); // 5400: third attempt succeeds
    await clock.advance(3600 * S); // 9000: periodic, succeeds
    answer = 500;
    await clock.advance(3600 * S); // 12600: periodic fails
    await clock.advance(1800 * S); // 14400: retry after 1800 (index reset by the success)
    expect(seconds()).toEqual([0, 1800, 5400, 9000, 12600, 14400]);
  });

  it("§8.2.4: a 503 with Retry-After is a failure like any 5xx — the unit retries on its own schedule", async () => {
    let n = 0;
    server.handler = () =>
      n++ < 2
        ? { status: 503, body: "server busy, retry later\n", headers: { "Retry-After": "5" } }
        : { status: 200, body: PROFILE };
    const d = device({
      Resync_Random_Delay: "0",
      Resync_Periodic: "3600",
      Resync_Error_Retry_Delay: "30,60,120",
    });
    const runs = reports(d);
    d.powerOn();
    await clock.advance(200 * S);
    // Not at +5 s: Retry-After is not a device parameter; 30 then 60 from the schedule.
    expect(seconds()).toEqual([0, 30, 90]);
    expect(runs.map((r) => r.ok)).toEqual([false, false, true]);
    expect(runs[0]!.err).toBe("http_get failed");
  });

  it("C2: Resync_Error_Retry_Delay 0 — no automatic retry after a failure", async () => {
    server.handler = () => ({ status: 500 });
    const d = device({ Resync_Random_Delay: "0", Resync_Error_Retry_Delay: "0" });
    d.powerOn();
    await clock.advance(86400 * S);
    expect(seconds()).toEqual([0]);
  });

  it("C2 switch zeroRetryMeans immediate: 0 retries at once", async () => {
    let n = 0;
    server.handler = () => ({ status: n++ < 3 ? 500 : 200, body: PROFILE });
    const d = fixtureDevice(clock, { compat: { zeroRetryMeans: "immediate" } });
    d.configure({
      Profile_Rule: `${server.base}/p.xml`,
      Resync_Random_Delay: "0",
      Resync_Error_Retry_Delay: "0",
    });
    d.powerOn();
    await clock.advance(10 * S);
    expect(seconds()).toEqual([0, 0, 0, 0]);
  });
});

describe("daily resync (§6.2.3, §6.10 row 5)", () => {
  it("§6.10 row 5: Resync_At 0300, delay 600, periodic 3600 — one resync a day in [03:00, 03:10], nothing hourly", async () => {
    const d = device({
      Resync_Random_Delay: "0",
      Resync_At__HHmm_: "0300",
      Resync_At_Random_Delay: "600",
      Resync_Periodic: "3600",
    });
    d.powerOn();
    await clock.advance(3 * 86400 * S);
    const [boot, ...daily] = seconds();
    expect(boot).toBe(0);
    expect(daily).toHaveLength(3);
    daily.forEach((t, day) => {
      const intoDay = t - day * 86400;
      expect(intoDay).toBeGreaterThanOrEqual(3 * 3600);
      expect(intoDay).toBeLessThanOrEqual(3 * 3600 + 600);
    });
    expect(d.timerSnapshot().periodicAt).toBeUndefined();
  });

  it("B.4: the window widens with Resync_At_Random_Delay (899 s ⇒ 15 minutes)", async () => {
    const offsets: number[] = [];
    for (let seed = 1; seed <= 8; seed++) {
      const c = new VirtualClock(Date.UTC(2026, 0, 1, 0, 0, 0));
      const s = await startStaticServer(() => c.now());
      s.files.set("/p.xml", { body: PROFILE });
      const d = fixtureDevice(c, { seed });
      d.configure({
        Profile_Rule: `${s.base}/p.xml`,
        Resync_On_Reset: "No",
        Resync_At__HHmm_: "2330",
        Resync_At_Random_Delay: "899",
      });
      d.powerOn();
      await c.advance(86400 * S);
      await s.close();
      expect(s.requests).toHaveLength(1);
      offsets.push((s.requests[0]!.time - Date.UTC(2026, 0, 1, 23, 30)) / S);
    }
    for (const o of offsets) {
      expect(o).toBeGreaterThanOrEqual(0);
      expect(o).toBeLessThanOrEqual(15 * 60);
    }
    expect(Math.max(...offsets)).toBeGreaterThan(10 * 60 * 0.5);
  });

  it("§6.2.3: local time follows the UTC offset; a failed daily resync still retries", async () => {
    server.handler = () => ({ status: 503 });
    const d = fixtureDevice(clock, { utcOffsetMinutes: 120 });
    d.configure({
      Profile_Rule: `${server.base}/p.xml`,
      Resync_On_Reset: "No",
      Resync_At__HHmm_: "0300",
      Resync_Error_Retry_Delay: "1800",
    });
    d.powerOn();
    await clock.advance(2 * 3600 * S);
    const [first, retry] = seconds();
    // 03:00 local is 01:00 UTC.
    expect(first).toBeGreaterThanOrEqual(3600);
    expect(first).toBeLessThanOrEqual(3600 + 600);
    expect(retry).toBe(first! + 1800);
  });
});

describe("idle-only resync and Forced_Resync_Delay (§6.3, §6.10 row 6)", () => {
  it("§6.10 row 6: a resync due during a call starts at hang-up", async () => {
    const d = device({ Resync_Random_Delay: "0", Resync_Periodic: "3600" });
    const runs = reports(d);
    d.powerOn();
    await clock.advance(100 * S);
    d.startCall(1);
    await clock.advance(4900 * S); // periodic due at 3600, deferred
    expect(seconds()).toEqual([0]);
    expect(d.timerSnapshot().forcedResyncAt).toBe(t0 + (3600 + 14400) * S);
    d.endCall(1);
    await clock.advance(0);
    expect(seconds()).toEqual([0, 5000]);
    expect(runs[1]!.dueAt).toBe(t0 + 3600 * S);
    expect(runs[1]!.forced).toBe(false);
  });

  it("§6.10 row 6: still in the call 4 h after it became due — the resync is forced", async () => {
    const d = device({ Resync_Random_Delay: "0", Resync_Periodic: "3600" });
    const runs = reports(d);
    d.powerOn();
    await clock.advance(100 * S);
    d.startCall(2);
    await clock.advance(20000 * S);
    expect(seconds()).toEqual([0, 18000]);
    expect(runs[1]!.forced).toBe(true);
  });

  it("§6.3: Forced_Resync_Delay 0 — not deferred at all", async () => {
    const d = device({
      Resync_Random_Delay: "0",
      Resync_Periodic: "600",
      Forced_Resync_Delay: "0",
    });
    d.powerOn();
    await clock.advance(1 * S);
    d.startCall(1);
    await clock.advance(600 * S);
    expect(seconds()).toEqual([0, 600]);
  });

  it("C4 idleCountdown: the delay counts from hang-up", async () => {
    const d = fixtureDevice(clock, { compat: { forcedDelayMode: "idleCountdown" } });
    d.configure({
      Profile_Rule: `${server.base}/p.xml`,
      Resync_Random_Delay: "0",
      Resync_Periodic: "600",
      Forced_Resync_Delay: "100",
    });
    d.powerOn();
    await clock.advance(1 * S);
    d.startCall(1);
    await clock.advance(999 * S); // due at 600, call up until 1000
    d.endCall(1);
    await clock.advance(99 * S);
    expect(seconds()).toEqual([0]);
    await clock.advance(1 * S);
    expect(seconds()).toEqual([0, 1100]);
  });

  it("C4 idleCountdown: a new call during the countdown stops it; it restarts at the next hang-up", async () => {
    const d = fixtureDevice(clock, { compat: { forcedDelayMode: "idleCountdown" } });
    d.configure({
      Profile_Rule: `${server.base}/p.xml`,
      Resync_Random_Delay: "0",
      Resync_Periodic: "600",
      Forced_Resync_Delay: "100",
    });
    d.powerOn();
    await clock.advance(1 * S);
    d.startCall(1);
    await clock.advance(999 * S); // due at 600; hang-up at 1000
    d.endCall(1);
    await clock.advance(50 * S);
    d.startCall(1); // 1050: countdown stops
    await clock.advance(200 * S);
    expect(seconds()).toEqual([0]);
    d.endCall(1); // 1250: countdown restarts
    await clock.advance(100 * S);
    expect(seconds()).toEqual([0, 1350]);
  });

  it("§6.3: an explicit resync waits for idle too", async () => {
    const d = device({ Resync_On_Reset: "No" });
    d.powerOn();
    d.startCall(1);
    const done = d.resync();
    await clock.advance(50 * S);
    expect(server.requests).toHaveLength(0);
    d.endCall(1);
    const report = await done;
    expect(report?.prvst).toBe(-1);
    expect(seconds()).toEqual([50]);
  });
});

describe("Resync_Fails_On_FNF (§6.5, §6.10 row 7)", () => {
  it("§6.10 row 7: FNF No and a 404 — success path, periodic armed, success message logged", async () => {
    server.files.clear();
    const d = device({
      Resync_Random_Delay: "0",
      Resync_Fails_On_FNF: "No",
      Resync_Error_Retry_Delay: "60",
    });
    const runs = reports(d);
    d.powerOn();
    await clock.advance(3600 * S);
    expect(seconds()).toEqual([0, 3600]);
    expect(runs[0]!.ok).toBe(true);
    expect(d.log.messages("syslog")[1]).toMatch(
      /-- Successful resync http:\/\/127\.0\.0\.1:\d+\/p\.xml -- /,
    );
  });

  it("§6.5: FNF Yes (default) and a 404 — failure, retry timer", async () => {
    server.files.clear();
    const d = device({ Resync_Random_Delay: "0", Resync_Error_Retry_Delay: "60" });
    const runs = reports(d);
    d.powerOn();
    await clock.advance(60 * S);
    expect(seconds()).toEqual([0, 60]);
    expect(runs[0]!.err).toBe("file not found");
  });
});

describe("Resync_Trigger_1/2 (§6.2.6, §6.10 row 8)", () => {
  it("§6.10 row 8 (SPA): line 1 unregistered > 300 s and last resync ≥ 600 s ago ⇒ resync with $PRVST 1", async () => {
    server.handler = (r) => (r.url.startsWith("/p.xml") ? { body: PROFILE } : undefined);
    const d = fixtureDevice(clock);
    d.configure({
      Profile_Rule: `${server.base}/p.xml?prvst=$PRVST`,
      Resync_Random_Delay: "0",
      Resync_Periodic: "86400",
      Resync_Trigger_1: "$REGTMR1 gt 300 and $PRVTMR ge 600",
    });
    const runs = reports(d);
    d.powerOn();
    await clock.advance(240 * S);
    d.setRegistered(1, false); // lost at t=240: REGTMR1 > 300 from t=541 on
    await clock.advance(359 * S); // t=599: PRVTMR 599 < 600
    expect(runs).toHaveLength(1);
    await clock.advance(1 * S); // t=600: both comparisons hold
    expect(runs).toHaveLength(2);
    expect(runs[1]!.cause).toBe("trigger");
    expect(server.requests.map((r) => r.url)).toEqual(["/p.xml?prvst=0", "/p.xml?prvst=1"]);
    expect(seconds()[1]).toBe(600);
    // The $PRVTMR guard holds it for the next 600 s.
    await clock.advance(599 * S);
    expect(runs).toHaveLength(2);
    await clock.advance(1 * S);
    expect(runs).toHaveLength(3);
    expect(seconds()[2]).toBe(1200);
  });

  it("C3 (MPP gate): a due periodic resync is skipped while no trigger is true", async () => {
    const d = fixtureDevice(clock, {
      family: "mpp",
      productName: "CP-8841-3PCC",
      productSeries: "8841",
      swVersion: "sip88xx.11-3-1MPP-678",
    });
    d.configure({
      Profile_Rule: `${server.base}/p.xml`,
      Resync_Random_Delay: "0",
      Resync_Periodic: "600",
      Resync_Trigger_1: '"$A" eq "open"',
    });
    d.powerOn();
    await clock.advance(1800 * S);
    expect(server.requests).toHaveLength(0);
    // An explicit request bypasses the gate.
    await d.resync();
    expect(seconds()).toEqual([1800]);
    d.configure({ GPP_A: "open" });
    await clock.advance(600 * S);
    expect(seconds().length).toBeGreaterThanOrEqual(2);
  });
});

describe("Provision_Enable (§6.1)", () => {
  it("No ⇒ no resync of any kind, explicit included", async () => {
    const d = device({ Resync_Random_Delay: "0", Provision_Enable: "No" });
    d.powerOn();
    await clock.advance(7200 * S);
    expect(await d.resync()).toBeUndefined();
    expect(server.requests).toHaveLength(0);
  });
});
