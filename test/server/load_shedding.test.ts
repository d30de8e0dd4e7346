/**
 * Issue 12, reboot storm: an overloaded device-plane process refuses new requests early —
 * 503 + Retry-After over HTTP, a TFTP error packet — and serves them once it has room again.
 * Through a real node and real sockets with an in-flight limit of one, held by the process's
 * own work on a request: a burst gets 503s (with the configured Retry-After, before any
 * lookup), each refused unit then gets its profile; the refusals are counted in the metrics
 * and summarised in the log, never logged one by one. A client that trickles its body or
 * reads slowly holds no slot (one slow connection must not make the process refuse everyone).
 * The other signals (event-loop delay, queue age) on the shedder itself.
 */
import { createServer, request } from "node:http";
import { type AddressInfo, connect } from "node:net";
import { join } from "node:path";
import { Writable } from "node:stream";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createDeviceRequestListener,
  DEFAULT_LOAD_SHEDDING,
  LoadShedder,
  type ResyncHandler,
  type ServeLimits,
  tftpResolver,
} from "../../src/server/index.ts";
import type { ProvisioNode } from "../../src/server/node.ts";
import { type MacAddress, parseMac } from "../../src/store/index.ts";
import { TftpErrorCode } from "../../src/tftp/index.ts";
import { startTestNode, tempDir } from "./helpers.ts";

const MACS: MacAddress[] = Array.from({ length: 40 }, (_, i) =>
  parseMac(`000e08dd${(i + 1).toString(16).padStart(4, "0")}`),
);
const lines: Record<string, unknown>[] = [];
let node: ProvisioNode;
let port: number;

interface Answer {
  mac: MacAddress;
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One GET on its own connection (as a unit opens one per resync). */
function get(mac: MacAddress): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: "127.0.0.1", port, path: `/profile/${mac}.xml`, agent: false },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (d: string) => {
          body += d;
        });
        res.on("end", () =>
          resolve({ mac, status: res.statusCode ?? 0, headers: res.headers, body }),
        );
      },
    );
    req.on("error", reject);
    req.end();
  });
}

beforeAll(async () => {
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split("\n")) if (l !== "") lines.push(JSON.parse(l));
      done();
    },
  });
  node = await startTestNode(
    join(tempDir("shedding"), "data"),
    {},
    { logger: pino({ level: "info" }, sink) },
    { PROVISIO_SHEDDING_MAX_IN_FLIGHT: "1", PROVISIO_SHEDDING_RETRY_AFTER_SECONDS: "7" },
  );
  port = node.addresses.http!.port;
  await node.store.layers.set({ scope: "tenant", tenantId: "default" }, [
    { name: "Resync_Periodic", value: "3600", access: "na" },
  ]);
  for (const mac of MACS) await node.store.devices.create({ mac });
  await node.cache.settled();
}, 120_000);

let closed = false;
afterAll(async () => {
  if (!closed) await node?.close();
});

describe("load shedding over HTTP", () => {
  it("answers a burst 503 + Retry-After while its one slot is held, then serves every refused unit", async () => {
    // A process just started may still lag (start-up work) and refuse: first one unit at a
    // time until each has its profile, which also warms the profile cache.
    const warm = async (mac: MacAddress): Promise<Answer> => {
      for (let i = 0; ; i++) {
        const a = await get(mac);
        if (a.status !== 503 || i >= 50) return a;
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    for (const mac of MACS) expect((await warm(mac)).status).toBe(200);
    const before = await node.metrics.registry.metrics();
    const okBefore = Number(
      /^provisio_resyncs_total\{transport="http",result="ok"\} (\d+)$/m.exec(before)?.[1],
    );
    const shedBefore = [...before.matchAll(/^provisio_load_shed_total\{[^}]*\} (\d+)$/gm)].reduce(
      (n, m) => n + Number(m[1]),
      0,
    );
    // The process is busy with one request (a render, a store call): its one slot is taken…
    const held = node.shedding.begin();
    // …so a burst is refused.
    const refused: Answer[] = [];
    const answers = await Promise.all(MACS.slice(1).map(get));
    for (const a of answers) {
      expect(a.status).toBe(503);
      refused.push(a);
    }
    held.done();
    for (const a of refused) {
      expect(a.headers["retry-after"]).toBe("7");
      expect(a.headers.connection).toBe("close");
      expect(a.body).toBe("server busy, retry later\n");
    }
    // One at a time, each refused unit gets its profile.
    for (const a of refused) {
      const again = await warm(a.mac);
      expect(again.status).toBe(200);
      expect(again.body).toContain('<Resync_Periodic ua="na">3600</Resync_Periodic>');
    }

    const metrics = await node.metrics.registry.metrics();
    const shed = [...metrics.matchAll(/^provisio_load_shed_total\{[^}]*\} (\d+)$/gm)].reduce(
      (n, m) => n + Number(m[1]),
      0,
    );
    expect(shed - shedBefore).toBeGreaterThanOrEqual(refused.length);
    // A refused request was never looked up: the server counted only the admitted ones.
    const ok = /^provisio_resyncs_total\{transport="http",result="ok"\} (\d+)$/m.exec(metrics);
    expect(Number(ok?.[1]) - okBefore).toBe(refused.length);
    // No access line for a refusal, and no line per refusal in the log: the episodes' start
    // and end lines, whose counts add up to every refusal.
    expect(lines.filter((l) => l.access !== undefined && l.status === 503)).toEqual([]);
    await node.close();
    closed = true;
    const shedLines = lines.filter((l) => l.security === "load-shed");
    const starts = shedLines.filter((l) => l.reason !== undefined);
    const ends = shedLines.filter((l) => typeof l.seconds === "number");
    expect(starts.length).toBeGreaterThan(0);
    expect(ends.length).toBe(starts.length);
    expect(ends.reduce((n, l) => n + (l.refused as number), 0)).toBe(shed);
    // …and nothing else: every load-shed line is an episode's start or end (or a summary).
    expect(shedLines.length).toBe(
      starts.length +
        ends.length +
        shedLines.filter((l) => l.refused !== undefined && l.seconds === undefined).length,
    );
    expect(starts.every((l) => l.level === 40)).toBe(true);
    expect(starts.some((l) => l.reason === "in-flight")).toBe(true);
  }, 120_000);
});

describe("slow clients hold no slot", () => {
  it("a unit trickling its body and one reading slowly do not make the process refuse others", async () => {
    const slow = await startTestNode(
      join(tempDir("shedding-slow"), "data"),
      {},
      { logger: pino({ level: "silent" }) },
      {
        PROVISIO_SHEDDING_MAX_IN_FLIGHT: "1",
        PROVISIO_SHEDDING_MAX_QUEUE_AGE_MS: "100",
        // The signal under test only: a loaded test machine's lag must not refuse here.
        PROVISIO_SHEDDING_MAX_EVENT_LOOP_DELAY_MS: "600000",
      },
    );
    try {
      const slowPort = slow.addresses.http!.port;
      const mac = parseMac("000e08dd0f01");
      await slow.store.devices.create({ mac });
      await slow.cache.settled();
      // A body that never completes…
      const trickle = connect({ host: "127.0.0.1", port: slowPort });
      trickle.on("error", () => {});
      trickle.write(
        `POST /profile/${mac}.xml HTTP/1.1\r\nhost: x\r\ncontent-length: 1000\r\n\r\nab`,
      );
      // …and a reader that never reads (its answer sits in the socket buffers).
      const stalled = connect({ host: "127.0.0.1", port: slowPort });
      stalled.on("error", () => {});
      stalled.pause();
      stalled.write(`GET /profile/${mac}.xml HTTP/1.1\r\nhost: x\r\n\r\n`.repeat(50));
      // Well past the 100 ms queue-age limit, every unit still gets its profile.
      await new Promise((r) => setTimeout(r, 500));
      for (let i = 0; i < 5; i++) {
        const status = await new Promise<number>((resolve, reject) => {
          const req = request(
            { host: "127.0.0.1", port: slowPort, path: `/profile/${mac}.xml`, agent: false },
            (res) => {
              res.resume();
              res.on("end", () => resolve(res.statusCode ?? 0));
            },
          );
          req.on("error", reject);
          req.end();
        });
        expect(status).toBe(200);
        await new Promise((r) => setTimeout(r, 150));
      }
      expect(slow.shedding.inFlight).toBe(0);
      trickle.destroy();
      stalled.destroy();
    } finally {
      await slow.close();
    }
  }, 120_000);
});

describe("LoadShedder", () => {
  const silent = pino({ level: "silent" });

  it("refuses while the event loop lags beyond its limit turn after turn (not after one long turn), and admits again once it does not", async () => {
    const shedder = new LoadShedder({
      settings: { ...DEFAULT_LOAD_SHEDDING, maxEventLoopDelayMs: 200 },
      logger: silent,
      sampleMs: 10,
    });
    try {
      const block = (ms: number): void => {
        const until = performance.now() + ms;
        while (performance.now() < until) {
          // the loop is busy, as in a saturated process
        }
      };
      // One long turn (start-up work, a GC pause) is not overload.
      block(300);
      await new Promise((r) => setTimeout(r, 30));
      expect(shedder.overload()).toBeUndefined();
      // Every turn late, several in a row, is: the sampler runs once per loop turn here.
      for (let i = 0; i < 5; i++) {
        block(300);
        await new Promise((r) => setImmediate(r));
      }
      expect(shedder.overload()).toBe("event-loop-delay");
      expect(shedder.admit("tftp")).toBe("event-loop-delay");
      // A free loop admits again after a few on-time samples.
      for (let i = 0; i < 100 && shedder.overload() !== undefined; i++) {
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(shedder.overload()).toBeUndefined();
    } finally {
      shedder.close();
    }
  });

  it("refuses while the oldest request in flight is older than the queue-age limit", () => {
    let now = 0;
    const shedder = new LoadShedder({
      settings: { ...DEFAULT_LOAD_SHEDDING, maxQueueAgeMs: 5_000 },
      logger: silent,
      now: () => now,
    });
    try {
      const first = shedder.admit("http");
      now = 1_000;
      const second = shedder.admit("http");
      if (typeof first === "string" || typeof second === "string") throw new Error("refused");
      now = 5_001;
      expect(shedder.overload()).toBe("queue-age");
      first.done();
      // The oldest is now the second, 4,001 ms old.
      expect(shedder.overload()).toBeUndefined();
      second.done();
      expect(shedder.inFlight).toBe(0);
    } finally {
      shedder.close();
    }
  });

  it("never refuses when disabled", () => {
    const shedder = new LoadShedder({
      settings: { ...DEFAULT_LOAD_SHEDDING, enabled: false, maxInFlight: 1 },
      logger: silent,
    });
    for (let i = 0; i < 10; i++) expect(typeof shedder.admit("http")).toBe("object");
    expect(shedder.overload()).toBeUndefined();
    shedder.close();
  });

  it("answers a TFTP read request with an error packet while overloaded, without a lookup", async () => {
    const shedder = new LoadShedder({
      settings: { ...DEFAULT_LOAD_SHEDDING, maxInFlight: 1 },
      logger: silent,
    });
    const looked: string[] = [];
    const handler: ResyncHandler = {
      handle: async (r) => {
        looked.push(r.path);
        return { status: 200, result: "ok", headers: {}, body: Buffer.from("x") };
      },
    };
    const resolve = tftpResolver(handler, undefined, undefined, shedder);
    const rrq = {
      filename: "spa962.cfg",
      mode: "octet",
      remote: { address: "192.0.2.1", port: 1024, family: "IPv4" },
      options: {},
    } as unknown as Parameters<typeof resolve>[0];
    const held = shedder.admit("tftp");
    const busy = await resolve(rrq);
    expect(busy).toMatchObject({ kind: "error", code: TftpErrorCode.NotDefined });
    expect(looked).toEqual([]);
    if (typeof held !== "string") held.done();
    expect(await resolve(rrq)).not.toMatchObject({ kind: "error" });
    expect(looked).toEqual(["/spa962.cfg"]);
    expect(shedder.inFlight).toBe(0);
    shedder.close();
  });
});

describe("in-flight slots are released when the handler throws instead of rejecting", () => {
  const silent = pino({ level: "silent" });
  const throwing: ResyncHandler = {
    handle: () => {
      throw new Error("boom");
    },
  };

  it("over TFTP", async () => {
    const shedder = new LoadShedder({ settings: DEFAULT_LOAD_SHEDDING, logger: silent });
    try {
      const resolve = tftpResolver(throwing, undefined, undefined, shedder);
      const rrq = {
        filename: "spa962.cfg",
        mode: "octet",
        remote: { address: "192.0.2.1", port: 1024, family: "IPv4" },
        options: {},
      } as unknown as Parameters<typeof resolve>[0];
      await expect(resolve(rrq)).rejects.toThrow("boom");
      expect(shedder.inFlight).toBe(0);
    } finally {
      shedder.close();
    }
  });

  it("over HTTP: a 500, the slot released, the listener still standing", async () => {
    const shedder = new LoadShedder({ settings: DEFAULT_LOAD_SHEDDING, logger: silent });
    const server = createServer(
      createDeviceRequestListener("http", {
        handler: throwing,
        limits: {
          maxUrlBytes: 2048,
          maxBodyBytes: 65536,
          maxHeaderBytes: 16384,
          requestTimeoutMs: 5_000,
          keepAliveTimeoutMs: 5_000,
          headersTimeoutMs: 5_000,
          idleTimeoutMs: 5_000,
          handshakeTimeoutMs: 5_000,
        } as ServeLimits,
        logger: silent,
        shedding: shedder,
      }),
    );
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    try {
      const { port: p } = server.address() as AddressInfo;
      for (let i = 0; i < 2; i++) {
        const status = await new Promise<number>((resolve, reject) => {
          const req = request(
            { host: "127.0.0.1", port: p, path: "/x.cfg", agent: false },
            (res) => {
              res.resume();
              res.on("end", () => resolve(res.statusCode ?? 0));
            },
          );
          req.on("error", reject);
          req.end();
        });
        expect(status).toBe(500);
      }
      expect(shedder.inFlight).toBe(0);
    } finally {
      server.close();
      shedder.close();
    }
  });
});
