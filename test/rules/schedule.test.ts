import { describe, expect, it } from "vitest";
import {
  bootDelayMaxSeconds,
  parseResyncAt,
  parseSchedule,
  provisioErrorOf,
  resyncAtWindowMinutes,
  type Schedule,
  scheduleFromParameter,
} from "./helpers.ts";

/** Delays for attempts 0..n-1 with the random draw at its minimum. */
const delays = (s: Schedule, n: number) =>
  Array.from({ length: n }, (_, i) => s.delayFor(i, () => 0));
const ranges = (s: Schedule, n: number) => Array.from({ length: n }, (_, i) => s.rangeFor(i));

describe("§6.4 schedule syntax", () => {
  it("§6.4: a single value is the same delay every time (7200)", () => {
    expect(delays(parseSchedule("7200"), 3)).toEqual([7200, 7200, 7200]);
  });
  it("§6.4: 1800,3600,7200,14400 ⇒ 30 min, 1 h, 2 h, 4 h, 4 h, 4 h, …", () => {
    expect(delays(parseSchedule("1800,3600,7200,14400"), 7)).toEqual([
      1800, 3600, 7200, 14400, 14400, 14400, 14400,
    ]);
  });
  it("§6.4: Resync_Periodic = 3600+600 ⇒ 60–70 min", () => {
    const s = parseSchedule("3600+600");
    expect(s.rangeFor(0)).toEqual({ min: 3600, max: 4200 });
    expect(s.delayFor(0, () => 0)).toBe(3600);
    expect(s.delayFor(0, () => 0.999999)).toBe(4200);
    expect(s.delayFor(0, () => 0.5)).toBe(3900);
  });
  it("§6.4: Resync_Periodic = 2400+30 ⇒ 2400–2430 s", () => {
    expect(parseSchedule("2400+30").rangeFor(5)).toEqual({ min: 2400, max: 2430 });
  });
  it("§6.4: Resync_Error_Retry_Delay = 1800+300,3600+600,7200+900", () => {
    expect(ranges(parseSchedule("1800+300,3600+600,7200+900"), 4)).toEqual([
      { min: 1800, max: 2100 },
      { min: 3600, max: 4200 },
      { min: 7200, max: 8100 },
      { min: 7200, max: 8100 },
    ]);
  });
  it("§6.4: Upgrade_Error_Retry_Delay = 1800,3600,7200,14400+3600 ⇒ then every 4–5 h", () => {
    expect(ranges(parseSchedule("1800,3600,7200,14400+3600"), 5)).toEqual([
      { min: 1800, max: 1800 },
      { min: 3600, max: 3600 },
      { min: 7200, max: 7200 },
      { min: 14400, max: 18000 },
      { min: 14400, max: 18000 },
    ]);
  });
  it("§6.4 MPP periodic list 600,1200,300 ⇒ 600, 1200, then every 300", () => {
    expect(delays(parseSchedule("600,1200,300"), 5)).toEqual([600, 1200, 300, 300, 300]);
  });
  it("§6.1 newest MPP default retry list parses (12 items, last repeats)", () => {
    const s = parseSchedule("60,120,240,480,960,1920,3840,7680,15360,30720,61440,86400");
    expect(s.kind === "active" && s.items).toHaveLength(12);
    expect(s.delayFor(40)).toBe(86400);
  });
  it("§6.4: whitespace around tokens is tolerated", () => {
    expect(delays(parseSchedule(" 1800 , 3600 + 0 "), 2)).toEqual([1800, 3600]);
  });
  it("§6.4: the whole parameter 0 (or empty) disables", () => {
    for (const t of ["0", "", "  ", "0+0"]) {
      const s = parseSchedule(t);
      expect(s.kind).toBe("disabled");
      expect(s.delayFor(0)).toBeUndefined();
    }
  });
  it("§6.4: any unparsable item ⇒ the whole parameter is treated as 0", () => {
    for (const t of ["abc", "1800,x", "1800,", "-5", "1.5", "3600+", "+600", "1800;3600"]) {
      expect(scheduleFromParameter(t).kind).toBe("disabled");
      expect(provisioErrorOf(() => parseSchedule(t)).code).toBe("RULE_SCHEDULE_SYNTAX");
    }
  });
  it("random draws are uniform integers in [base, base+extra] even for odd sources", () => {
    const s = parseSchedule("10+2");
    expect([0, 0.34, 0.67, 1, -1, Number.NaN].map((r) => s.delayFor(0, () => r))).toEqual([
      10, 11, 12, 12, 10, 10,
    ]);
  });
});

describe("Appendix B.4 schedules and timing", () => {
  it("§B.4: 3600 → [3600] → 3600, 3600, …", () => {
    const s = parseSchedule("3600");
    expect(s.kind === "active" && s.items).toEqual([{ base: 3600, extra: 0 }]);
    expect(delays(s, 3)).toEqual([3600, 3600, 3600]);
  });
  it("§B.4: 1800,3600,7200,14400 → 4 items → 1800, 3600, 7200, 14400, 14400, …", () => {
    const s = parseSchedule("1800,3600,7200,14400");
    expect(s.kind === "active" && s.items).toHaveLength(4);
    expect(delays(s, 6)).toEqual([1800, 3600, 7200, 14400, 14400, 14400]);
  });
  it("§B.4: 3600+600 → [(3600,600)] → each ∈ [3600, 4200]", () => {
    const s = parseSchedule("3600+600");
    expect(s.kind === "active" && s.items).toEqual([{ base: 3600, extra: 600 }]);
    for (let i = 0; i < 200; i++) {
      const d = s.delayFor(i);
      expect(d).toBeGreaterThanOrEqual(3600);
      expect(d).toBeLessThanOrEqual(4200);
    }
  });
  it("§B.4: 1800,3600,7200,14400+3600 → 1800, 3600, 7200, then each ∈ [14400, 18000]", () => {
    const s = parseSchedule("1800,3600,7200,14400+3600");
    expect(s.kind === "active" && s.items).toHaveLength(4);
    expect(delays(s, 3)).toEqual([1800, 3600, 7200]);
    expect(s.rangeFor(3)).toEqual({ min: 14400, max: 18000 });
  });
  it("§B.4: 0 / empty → disabled", () => {
    expect(parseSchedule("0").kind).toBe("disabled");
    expect(parseSchedule("").kind).toBe("disabled");
  });
  it("§B.4: Resync_At_Random_Delay 600 / 630 / 899 / 100 → W = 10 / 11 / 15 / 10 minutes", () => {
    expect([600, 630, 899, 100].map(resyncAtWindowMinutes)).toEqual([10, 11, 15, 10]);
  });
  it("§B.4: Resync_Random_Delay 2 / 0 / 9 → first boot resync ∈ [0,40] / 0 / [0,180] s", () => {
    expect([2, 0, 9].map((d) => bootDelayMaxSeconds(d))).toEqual([40, 0, 180]);
  });
  it("§0.3 C1 switch: Resync_Random_Delay in seconds", () => {
    expect(bootDelayMaxSeconds(9, 1)).toBe(9);
  });
  it("§6.2.3: Resync_At 0000–2400; 1000 is 10:00; anything else disables", () => {
    expect(parseResyncAt("1000")).toEqual({ hour: 10, minute: 0 });
    expect(parseResyncAt("0300")).toEqual({ hour: 3, minute: 0 });
    expect(parseResyncAt("2400")).toEqual({ hour: 24, minute: 0 });
    for (const t of ["", "2401", "2500", "1060", "100", "10:00", "abcd"])
      expect(parseResyncAt(t)).toBeUndefined();
  });
});
