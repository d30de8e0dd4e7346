import { createSocket } from "node:dgram";
import { describe, expect, it } from "vitest";
import { Admission } from "../../src/tftp/admission.ts";
import {
  bytesSource,
  encodeRequest,
  type TftpTransferInfo,
  tftpGet,
} from "../../src/tftp/index.ts";
import { FakeClock, randomBytes, sha256, until, withTftpServer } from "./helpers.ts";

function harness(o: { minActive: number; maxQueueMs?: number }) {
  const clock = new FakeClock();
  let load = 1; // saturated unless a test says otherwise
  const a = new Admission({ ...o, checkMs: 50, utilization: () => load }, clock);
  const started: Array<[string, number]> = [];
  const admit = (name: string) => a.admit((q) => started.push([name, q]));
  return {
    a,
    clock,
    started,
    admit,
    setLoad: (u: number) => {
      load = u;
    },
  };
}

describe("Admission (virtual clock, injected utilisation)", () => {
  it("starts minActive at once, queues the rest FIFO, and an ending transfer admits the next", () => {
    const h = harness({ minActive: 2 });
    const t1 = h.admit("a");
    h.admit("b");
    h.admit("c");
    h.admit("d");
    expect(h.started.map(([n]) => n)).toEqual(["a", "b"]);
    expect(h.a.waiting).toBe(2);
    h.clock.advance(200); // saturated: checks admit nobody
    expect(h.started.map(([n]) => n)).toEqual(["a", "b"]);
    t1.release();
    expect(h.started.map(([n]) => n)).toEqual(["a", "b", "c"]);
    expect(h.started[2]![1]).toBe(200); // waited 200 ms
    expect(h.a.running).toBe(2);
  });

  it("admits past minActive while the loop has room, growing by half per check", () => {
    const h = harness({ minActive: 2 });
    for (const n of "abcdefghij") h.admit(n);
    expect(h.started).toHaveLength(2);
    h.setLoad(0.5);
    h.clock.advance(50);
    expect(h.started).toHaveLength(3); // ceil(2 / 2)
    h.clock.advance(50);
    expect(h.started).toHaveLength(5); // + ceil(3 / 2)
    h.setLoad(1);
    h.clock.advance(500);
    expect(h.started).toHaveLength(5);
  });

  it("nobody waits longer than maxQueueMs, saturated or not", () => {
    const h = harness({ minActive: 1, maxQueueMs: 300 });
    h.admit("a");
    h.admit("b");
    h.clock.advance(100);
    h.admit("c");
    h.clock.advance(199);
    expect(h.started.map(([n]) => n)).toEqual(["a"]);
    h.clock.advance(1);
    expect(h.started.map(([n]) => n)).toEqual(["a", "b"]);
    h.clock.advance(100);
    expect(h.started.map(([n]) => n)).toEqual(["a", "b", "c"]);
    expect(h.started.map(([, q]) => q)).toEqual([0, 300, 300]);
    expect(h.clock.pending).toBe(0); // no timer once the queue is empty
  });

  it("a request released while queued leaves the queue and its continuation still runs", () => {
    const h = harness({ minActive: 1 });
    const a = h.admit("a");
    const b = h.admit("b");
    h.admit("c");
    b.release();
    expect(h.started.map(([n]) => n)).toEqual(["a", "b"]); // b's continuation ran…
    expect(h.a.running).toBe(1); // …without taking a place
    a.release();
    expect(h.started.map(([n]) => n)).toEqual(["a", "b", "c"]);
    a.release(); // twice is harmless
    expect(h.a.running).toBe(1);
  });

  it("minActive 0 disables it; close runs every waiter", () => {
    const off = harness({ minActive: 0 });
    for (const n of "abc") off.admit(n);
    expect(off.started).toHaveLength(3);
    const h = harness({ minActive: 1 });
    const tickets = [..."abc"].map((n) => h.admit(n));
    h.a.close();
    expect(h.started).toHaveLength(3);
    expect(h.clock.pending).toBe(0);
    for (const t of tickets) t.release(); // as the server does after close
    expect(h.a.running).toBe(0);
  });
});

describe("admission in the server (saturated loop simulated)", () => {
  const FILE = randomBytes(200_000, 5);

  it("runs at most minActive transfers at once; every queued transfer completes, in order", async () => {
    const infos: TftpTransferInfo[] = [];
    let running = 0;
    let peak = 0;
    await withTftpServer(
      {
        resolver: async () => bytesSource(FILE),
        admission: { minActive: 2, utilization: () => 1 },
      },
      async (server, port) => {
        server.on("transferStart", (i) => {
          infos.push(i);
          peak = Math.max(peak, ++running);
        });
        server.on("transferEnd", () => running--);
        const results = await Promise.all(
          Array.from({ length: 6 }, (_, i) =>
            tftpGet(`f${i}`, { host: "127.0.0.1", port, blksize: 512 }),
          ),
        );
        for (const r of results) expect(sha256(r.data)).toBe(sha256(FILE));
      },
    );
    expect(peak).toBe(2);
    expect(infos).toHaveLength(6);
    expect(infos.filter((i) => i.queuedMs > 0).length).toBeGreaterThanOrEqual(3);
  });

  it("shutdown answers a queued request with an ERROR instead of silence", async () => {
    await withTftpServer(
      {
        resolver: async () => bytesSource(FILE),
        admission: { minActive: 1, utilization: () => 1, maxQueueMs: 60_000 },
      },
      async (server, port) => {
        // The first transfer stalls (a client that never acknowledges) and holds the place.
        const stall = createSocket("udp4");
        await new Promise<void>((r) => stall.bind(0, "127.0.0.1", r));
        stall.send(encodeRequest(1, "stall", "octet", []), port, "127.0.0.1");
        await until(() => server.activeTransfers === 1);
        const queued = tftpGet("queued", {
          host: "127.0.0.1",
          port,
          retransmitMs: 200,
          maxRetries: 50,
        });
        await until(() => server.activeTransfers === 2);
        await server.close();
        await expect(queued).rejects.toMatchObject({
          message: expect.stringMatching(/shutting down/i),
        });
        stall.close();
      },
    );
  });
});
