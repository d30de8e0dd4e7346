/** The fleet clock's timer order, concurrency bound and (max speed) skew bound. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FleetClock, TimerQueue } from "../../src/fleet/index.ts";

describe("TimerQueue", () => {
  it("pops in (time, arming order) and skips cancelled timers, whatever the order of arming", () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ at: fc.integer({ min: 0, max: 50 }), cancel: fc.boolean() }), {
          maxLength: 200,
        }),
        (specs) => {
          const q = new TimerQueue();
          const ids = specs.map((s) => q.add(s.at, () => undefined));
          specs.forEach((s, i) => {
            if (s.cancel) q.cancel(ids[i]!);
          });
          const expected = specs
            .map((s, i) => ({ ...s, id: ids[i]! }))
            .filter((s) => !s.cancel)
            .sort((a, b) => a.at - b.at || a.id - b.id)
            .map((s) => s.id);
          expect(q.size).toBe(expected.length);
          const popped: number[] = [];
          for (let t = q.pop(); t !== undefined; t = q.pop()) popped.push(t.id);
          expect(popped).toEqual(expected);
        },
      ),
      { numRuns: 100 },
    );
  });

  it("clearing a timer that already fired changes nothing", () => {
    const q = new TimerQueue();
    const a = q.add(1, () => undefined);
    q.add(2, () => undefined);
    expect(q.pop()?.id).toBe(a);
    q.cancel(a);
    expect(q.size).toBe(1);
    expect(q.pop()?.at).toBe(2);
  });
});

/** Work that ends when the test says so. */
function pending(): { promise: Promise<void>; end: () => void } {
  let end: () => void = () => undefined;
  const promise = new Promise<void>((r) => {
    end = r;
  });
  return { promise, end };
}

describe("FleetClock at max speed", () => {
  it("keeps at most `concurrency` pieces of work in flight", async () => {
    const clock = new FleetClock({ speed: "max", concurrency: 3, maxSkewMs: 1e9 });
    let running = 0;
    let peak = 0;
    for (let i = 0; i < 20; i++) {
      clock.setTimeout(() => {
        running++;
        peak = Math.max(peak, running);
        clock.track(
          new Promise<void>((r) => setTimeout(r, 2)).then(() => {
            running--;
          }),
        );
      }, i * 1000);
    }
    await clock.runUntil(clock.now() + 60_000);
    expect(peak).toBe(3);
    expect(clock.peakInFlight).toBe(3);
    expect(running).toBe(0);
  });

  it("does not run ahead of the oldest work in flight by more than the skew bound", async () => {
    const start = Date.UTC(2026, 0, 1);
    const clock = new FleetClock({
      speed: "max",
      startMs: start,
      concurrency: 100,
      maxSkewMs: 5000,
    });
    const slow = pending();
    const fired: number[] = [];
    clock.setTimeout(() => clock.track(slow.promise), 0);
    for (const at of [3000, 5000, 7000]) clock.setTimeout(() => fired.push(at), at);
    const run = clock.runUntil(start + 10_000);
    await new Promise((r) => setTimeout(r, 20));
    // 3 s and 5 s are within 5 s of the work started at 0; 7 s waits for it.
    expect(fired).toEqual([3000, 5000]);
    slow.end();
    await run;
    expect(fired).toEqual([3000, 5000, 7000]);
    expect(clock.now()).toBe(start + 10_000);
  });

  it("a timer armed during a run fires at its time, and nothing fires past the end", async () => {
    const start = 0;
    const clock = new FleetClock({ speed: "max", startMs: start });
    const seen: number[] = [];
    clock.setTimeout(() => {
      seen.push(clock.now());
      clock.setTimeout(() => seen.push(clock.now()), 500);
      clock.setTimeout(() => seen.push(clock.now()), 5000);
    }, 1000);
    await clock.runUntil(2000);
    expect(seen).toEqual([1000, 1500]);
    expect(clock.pendingTimers).toBe(1);
  });

  it("refuses a non-positive speed and a zero concurrency", () => {
    expect(() => new FleetClock({ speed: 0 })).toThrow(/speed/);
    expect(() => new FleetClock({ speed: "max", concurrency: 0 })).toThrow(/concurrency/);
  });
});

describe("FleetClock at a set speed", () => {
  it("fires timers in order while pacing against the wall clock", async () => {
    const clock = new FleetClock({ speed: 1_000_000, startMs: 0 });
    const seen: number[] = [];
    for (const at of [30_000, 10_000, 20_000]) clock.setTimeout(() => seen.push(at), at);
    await clock.runUntil(40_000);
    expect(seen).toEqual([10_000, 20_000, 30_000]);
  });
});
