import { describe, expect, it } from "vitest";
import { type StatusBatch, type StatusSink, StatusWriter } from "../../src/server/status_writer.ts";
import type { DeviceStatusUpdate } from "../../src/store/store.ts";
import type { DeviceLifecycleUpdate, MacAddress, ResyncEventInput } from "../../src/store/types.ts";

const mac = (n: number) => `000e08aabb${n.toString(16).padStart(2, "0")}` as MacAddress;
const status = (n: number, result: string): DeviceStatusUpdate => ({
  mac: mac(n),
  at: new Date(0),
  remoteAddress: null,
  userAgent: null,
  firmware: null,
  result,
  transport: "http",
});
const event = (n: number): ResyncEventInput => ({
  mac: mac(n),
  tenantId: null,
  at: new Date(0),
  transport: "http",
  result: "ok",
  statusCode: 200,
  path: "/",
  bytes: 1,
  durationMs: 1,
  remoteAddress: null,
  userAgent: null,
  message: null,
});

/** A writer whose timer never fires (the test flushes), over this sink. */
const flushedByHand = (write: StatusSink["write"]): StatusWriter =>
  new StatusWriter({
    intervalMs: 60_000,
    setTimer: () => ({}),
    clearTimer: () => undefined,
    sink: { write },
  });

describe("StatusWriter", () => {
  it("batches, keeps only the newest status per device, and retries after a failure", async () => {
    const written: StatusBatch[] = [];
    let fail = true;
    const writer = flushedByHand(async (batch) => {
      if (fail) throw new Error("database down");
      written.push(batch);
    });
    writer.status(status(1, "ok"));
    writer.status(status(1, "denied"));
    writer.status(status(2, "ok"));
    writer.event(event(1));
    writer.event(event(2));
    expect(writer.pending).toEqual({ status: 2, event: 2 });
    await writer.flush();
    expect(written).toEqual([]);
    expect(writer.pending).toEqual({ status: 2, event: 2 });
    fail = false;
    await writer.close();
    expect(written).toHaveLength(1);
    expect(written[0]!.statuses.map((s) => s.result)).toEqual(["denied", "ok"]);
    expect(written[0]!.events).toHaveLength(2);
    expect(writer.pending).toEqual({ status: 0, event: 0 });
  });

  it("drops a batch that keeps failing for another reason than an unavailable database", async () => {
    let attempts = 0;
    const writer = flushedByHand(async () => {
      attempts++;
      throw new Error("constraint violated");
    });
    writer.event(event(1));
    for (let i = 0; i < 3; i++) await writer.flush();
    expect(attempts).toBe(3);
    expect(writer.pending.event).toBe(0);
    expect(writer.dropped).toBe(1);
  });

  it("writes lifecycle states with the statuses and events of the same flush, the newest per device", async () => {
    const written: StatusBatch[] = [];
    let fail = true;
    const writer = flushedByHand(async (batch) => {
      if (fail) throw new Error("database down");
      written.push(batch);
    });
    const state = (n: number, since: number, cause: string): DeviceLifecycleUpdate => ({
      mac: mac(n),
      state: "sp-cust",
      since: new Date(since),
      cause,
    });
    // A failed flush hands the states back to their owner (the promise rejects) and keeps the rest.
    const refused = writer.lifecycle([state(1, 5, "refused")]);
    writer.status(status(1, "ok"));
    writer.event(event(1));
    await writer.flush();
    await expect(refused).rejects.toThrow("database down");
    expect(writer.pending).toEqual({ status: 1, event: 1 });
    fail = false;
    const states = writer.lifecycle([
      state(1, 2_000, "newer"),
      state(1, 1_000, "older"),
      state(2, 1, "b"),
    ]);
    await writer.flush();
    await states;
    expect(written).toHaveLength(1);
    expect(written[0]!.statuses).toHaveLength(1);
    expect(written[0]!.events).toHaveLength(1);
    expect(written[0]!.lifecycles.map((l) => l.cause).sort()).toEqual(["b", "newer"]);
    // After close, a state is written at once (its owner closes first and waits for it).
    await writer.close();
    await writer.lifecycle([state(3, 1, "last")]);
    expect(written.at(-1)!.lifecycles.map((l) => l.cause)).toEqual(["last"]);
  });
});
