/**
 * The miss throttle on its own, on an injected clock: budget, refill, one report per scan,
 * over-long scans reported in parts, bounded memory under many (spoofed) sources.
 */
import { describe, expect, it } from "vitest";
import { MissThrottle } from "../../src/server/miss_throttle.ts";

describe("MissThrottle", () => {
  it("admits a source's misses up to the budget, then throttles it until tokens refill", () => {
    const t = new MissThrottle({ perMinute: 60 });
    let now = 0;
    for (let i = 0; i < 60; i++) {
      expect(t.admit("a", "http", now)).toBe(true);
      t.miss("a", "http", now);
    }
    expect(t.admit("a", "http", now)).toBe(false);
    expect(t.admit("b", "http", now)).toBe(true);
    now += 1000; // one token back (60 per minute)
    expect(t.admit("a", "http", now)).toBe(true);
    t.miss("a", "http", now);
    expect(t.admit("a", "http", now)).toBe(false);
  });

  it("reports each scan once, with its count and window, after it goes idle", () => {
    const t = new MissThrottle({ perMinute: 10, scanIdleMs: 60_000 });
    for (let i = 0; i < 10; i++) t.miss("s", "tftp", i);
    let throttled = 0;
    for (let i = 0; i < 1000; i++) if (!t.admit("s", "tftp", 100 + i)) throttled++;
    expect(throttled).toBe(1000);
    expect(t.sweep(30_000)).toEqual([]);
    const [scan, ...rest] = t.sweep(1099 + 60_000);
    expect(rest).toEqual([]);
    expect(scan).toEqual({
      source: "s",
      transport: "tftp",
      count: 1001, // the miss that emptied the bucket, then every throttled request
      firstAt: 9,
      lastAt: 1099,
    });
    expect(t.sweep(10 * 60_000)).toEqual([]);
  });

  it("reports a never-ending scan in parts", () => {
    const t = new MissThrottle({ perMinute: 1, scanIdleMs: 60_000, maxScanMs: 120_000 });
    t.miss("s", "http", 0);
    const reports = [];
    for (let now = 1000; now <= 300_000; now += 1000) {
      t.admit("s", "http", now);
      t.miss("s", "http", now);
      reports.push(...t.sweep(now));
    }
    expect(reports.length).toBe(2);
    expect(reports.every((r) => r.source === "s" && r.count > 0)).toBe(true);
  });

  it("keeps memory bounded under many sources; open scans of dropped sources are reported", () => {
    const t = new MissThrottle({ perMinute: 1, maxSources: 100 });
    for (let i = 0; i < 5000; i++) {
      t.miss(`10.0.${i >> 8}.${i & 255}`, "tftp", i);
      expect(t.size).toBeLessThanOrEqual(100);
    }
    const reports = t.sweep(5000);
    // Every source emptied its bucket with its one miss: 4,900 dropped scans, reported
    // individually up to a cap and folded into one report beyond it.
    const total = reports.reduce((n, r) => n + r.count, 0);
    expect(total).toBe(4900);
    expect(reports.length).toBeLessThanOrEqual(1001);
    expect(t.close().length).toBe(100);
  });

  it("counts an IPv6 /64 as one source, so rotating addresses within it gains no budget", () => {
    const t = new MissThrottle({ perMinute: 10 });
    for (let i = 0; i < 10; i++) {
      const address = `2001:db8:1:2::${(i + 1).toString(16)}`;
      expect(t.admit(address, "http", 0)).toBe(true);
      t.miss(address, "http", 0);
    }
    expect(t.admit("2001:db8:1:2:ffff::99", "http", 0)).toBe(false);
    expect(t.admit("2001:db8:1:3::1", "http", 0)).toBe(true);
    expect(t.size).toBe(1);
    // IPv4, also IPv4-mapped as a dual-stack listener reports it, stays one address.
    for (let i = 0; i < 10; i++) t.miss("::ffff:10.9.9.9", "http", 0);
    expect(t.admit("10.9.9.9", "http", 0)).toBe(false);
    expect(t.admit("10.9.9.8", "http", 0)).toBe(true);
  });

  it("does nothing when off", () => {
    const t = new MissThrottle({ perMinute: 0 });
    for (let i = 0; i < 1000; i++) t.miss("a", "http", 0);
    expect(t.admit("a", "http", 0)).toBe(true);
    expect(t.size).toBe(0);
  });
});
