import { Writable } from "node:stream";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { ServerMetrics } from "../../src/server/metrics.ts";
import { SecurityLog, type SummaryTimer } from "../../src/server/security_log.ts";

/** A timer the test fires by hand: nothing here waits for real time. */
function manualTimer(): SummaryTimer & { fire(): void; pending(): number } {
  let callbacks: (() => void)[] = [];
  return {
    set(callback) {
      callbacks.push(callback);
      return callback;
    },
    clear(handle) {
      callbacks = callbacks.filter((c) => c !== handle);
    },
    fire() {
      const due = callbacks;
      callbacks = [];
      for (const c of due) c();
    },
    pending: () => callbacks.length,
  };
}

function setup(options: { perSecond?: number; perSourcePerSecond?: number; maxSources?: number }) {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      lines.push(JSON.parse(String(chunk)) as Record<string, unknown>);
      done();
    },
  });
  const timer = manualTimer();
  const metrics = new ServerMetrics({ defaultMetrics: false });
  const log = new SecurityLog({ logger: pino(sink), metrics, timer, ...options });
  const settle = () => new Promise((r) => setImmediate(r));
  const logged = () => lines.filter((l) => l.security !== "suppressed");
  const summaries = () => lines.filter((l) => l.security === "suppressed");
  return { log, timer, metrics, settle, logged, summaries };
}

const event = (remoteAddress: string, transport = "tftp") => ({
  reason: "denied",
  message: "m",
  remoteAddress,
  transport,
});

describe("SecurityLog budgets", () => {
  it("a flooding source uses up its own budget, not the others': their events are logged", async () => {
    const { log, settle, logged, metrics } = setup({});
    // A spoofed TFTP flood from one address, then three other sources in the same second.
    for (let i = 0; i < 1000; i++) log.report(event("198.51.100.66"), 5_000);
    for (const address of ["192.0.2.1", "192.0.2.2", "::ffff:192.0.2.3"]) {
      log.report(event(address, "http"), 5_100);
    }
    await settle();
    const byAddress = new Map<unknown, number>();
    for (const l of logged())
      byAddress.set(l.remoteAddress, (byAddress.get(l.remoteAddress) ?? 0) + 1);
    expect(byAddress.get("198.51.100.66")).toBe(5);
    expect(byAddress.get("192.0.2.1")).toBe(1);
    expect(byAddress.get("192.0.2.2")).toBe(1);
    expect(byAddress.get("::ffff:192.0.2.3")).toBe(1);
    // The metric counts every event, logged or not.
    expect(await metrics.registry.metrics()).toMatch(
      /provisio_security_events_total\{reason="denied"\} 1003/,
    );
  });

  it("keys sources like connections: one IPv6 /64 is one source, whatever its addresses", async () => {
    const { log, timer, settle, logged, summaries } = setup({});
    for (let i = 1; i <= 200; i++) log.report(event(`2001:db8:1:2::${i.toString(16)}`), 0);
    timer.fire();
    await settle();
    expect(logged()).toHaveLength(5);
    expect(summaries()).toHaveLength(1);
    expect(summaries()[0]).toMatchObject({
      count: 195,
      sourceCount: 1,
      sources: { "2001:db8:1:2::/64": 195 },
    });
  });

  it("writes the summary when the window ends, without waiting for another event", async () => {
    const { log, timer, settle, summaries } = setup({ perSecond: 3, perSourcePerSecond: 3 });
    for (let i = 0; i < 10; i++) log.report(event("203.0.113.9"), 1_000);
    await settle();
    expect(summaries()).toHaveLength(0);
    expect(timer.pending()).toBe(1);
    timer.fire();
    await settle();
    expect(summaries()).toHaveLength(1);
    expect(summaries()[0]).toMatchObject({ count: 7, sources: { "203.0.113.9": 7 } });
    expect(String(summaries()[0]!.msg)).toContain("7 more security events not logged");
    // A later event starts a new window with fresh budgets, and no second summary.
    log.report(event("203.0.113.9"), 1_200);
    timer.fire();
    await settle();
    expect(summaries()).toHaveLength(1);
  });

  it("caps all sources together; sources beyond the tracked number share one budget", async () => {
    const capped = setup({ perSecond: 20 });
    for (let i = 0; i < 30; i++) capped.log.report(event(`10.0.0.${i}`), 0);
    capped.timer.fire();
    await capped.settle();
    expect(capped.logged()).toHaveLength(20);
    expect(capped.summaries()[0]).toMatchObject({ count: 10, sourceCount: 10 });

    const few = setup({ perSecond: 100, perSourcePerSecond: 2, maxSources: 3 });
    for (let i = 0; i < 50; i++) few.log.report(event(`10.1.0.${i}`), 0);
    await few.settle();
    // Three tracked sources, one event each; the 47 others share one budget of 2.
    expect(few.logged()).toHaveLength(5);
  });

  it("a flush on shutdown writes what is pending and cancels the timer", async () => {
    const { log, timer, settle, summaries } = setup({ perSecond: 1, perSourcePerSecond: 1 });
    log.report(event("10.2.0.1"), 0);
    log.report(event("10.2.0.1"), 0);
    log.flush();
    await settle();
    expect(summaries()).toHaveLength(1);
    expect(timer.pending()).toBe(0);
  });
});
