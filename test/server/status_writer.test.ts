import { describe, expect, it } from "vitest";
import { StatusWriter } from "../../src/server/status_writer.ts";
import type { DeviceStatusUpdate } from "../../src/store/store.ts";
import type { MacAddress, ResyncEventInput } from "../../src/store/types.ts";

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

describe("StatusWriter", () => {
  it("batches, keeps only the newest status per device, and retries after a failure", async () => {
    const written: { statuses: DeviceStatusUpdate[]; events: ResyncEventInput[] }[] = [];
    let fail = true;
    const writer = new StatusWriter({
      intervalMs: 60_000,
      setTimer: () => ({}),
      clearTimer: () => undefined,
      sink: {
        recordStatusBatch: async (s) => {
          if (fail) throw new Error("database down");
          written.push({ statuses: [...s], events: [] });
        },
        appendEventBatch: async (e) => {
          written.at(-1)!.events.push(...e);
        },
      },
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
    const writer = new StatusWriter({
      intervalMs: 60_000,
      setTimer: () => ({}),
      clearTimer: () => undefined,
      sink: {
        recordStatusBatch: async () => undefined,
        appendEventBatch: async () => {
          attempts++;
          throw new Error("constraint violated");
        },
      },
    });
    writer.event(event(1));
    for (let i = 0; i < 3; i++) await writer.flush();
    expect(attempts).toBe(3);
    expect(writer.pending.event).toBe(0);
    expect(writer.dropped).toBe(1);
  });
});
