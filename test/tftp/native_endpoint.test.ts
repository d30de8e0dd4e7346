/**
 * The native transfer endpoint (src/tftp/native/udp_endpoint.c) against real UDP sockets:
 * routing of incoming datagrams, sendmmsg of ring slots, argument checking, close.
 */
import { createSocket, type Socket } from "node:dgram";
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  type NativeEndpoint,
  nativeEndpoint,
  nativeEndpointStatus,
} from "../../src/tftp/native_endpoint.ts";
import { until } from "./helpers.ts";

const disabled = process.env.PROVISIO_NATIVE === "0";

describe.runIf(process.platform === "linux" && !disabled)("native endpoint on Linux", () => {
  it("is built by npm ci / npm test and loads (else the fast path silently goes away)", () => {
    expect(nativeEndpointStatus()).toMatchObject({ loaded: true });
  });
});

type Event =
  | { kind: "ack"; block: number; answered?: number }
  | { kind: "peer"; data: Buffer }
  | { kind: "foreign"; data: Buffer; address: string; port: number }
  | { kind: "error"; message: string };

describe.skipIf(!nativeEndpoint())("native endpoint behaviour", () => {
  let ep: NativeEndpoint;
  let peer: Socket;
  let stranger: Socket;
  let events: Event[];
  const fromPeer: Buffer[] = [];

  const bound = async (s: Socket) => {
    await new Promise<void>((r) => s.bind(0, "127.0.0.1", r));
    return s.address().port;
  };

  beforeEach(async () => {
    const Endpoint = nativeEndpoint()!;
    events = [];
    fromPeer.length = 0;
    peer = createSocket("udp4");
    stranger = createSocket("udp4");
    peer.on("message", (m) => fromPeer.push(m));
    const peerPort = await bound(peer);
    await bound(stranger);
    ep = new Endpoint(
      4,
      "127.0.0.1",
      (block, answered) =>
        events.push(answered ? { kind: "ack", block, answered } : { kind: "ack", block }),
      (data) => events.push({ kind: "peer", data }),
      (data, address, port) => events.push({ kind: "foreign", data, address, port }),
      (message) => events.push({ kind: "error", message }),
    );
    expect(ep.setPeer("127.0.0.1", peerPort)).toBe(true);
  });

  afterEach(() => {
    ep.close();
    peer.close();
    stranger.close();
  });

  const to = (s: Socket, bytes: number[] | Buffer) =>
    s.send(Buffer.from(bytes), ep.localPort, "127.0.0.1");

  it("routes a 4-byte ACK from the peer as a bare block number, anything else as a packet", async () => {
    to(peer, [0, 4, 0x12, 0x34]);
    to(peer, [0, 4, 0, 1, 9]); // an ACK with a trailing byte is not the fast path
    to(peer, [0, 3, 0, 1, 65, 66]);
    to(stranger, [0, 4, 0, 7]);
    await until(() => events.length === 4);
    expect(events[0]).toEqual({ kind: "ack", block: 0x1234 });
    expect(events[1]).toEqual({ kind: "peer", data: Buffer.from([0, 4, 0, 1, 9]) });
    expect(events[2]).toEqual({ kind: "peer", data: Buffer.from([0, 3, 0, 1, 65, 66]) });
    expect(events[3]).toEqual({
      kind: "foreign",
      data: Buffer.from([0, 4, 0, 7]),
      address: "127.0.0.1",
      port: stranger.address().port,
    });
  });

  it("sends a run of slots with one call, wrapping around the ring, the last one short", async () => {
    const slots = 5;
    const blksize = 8;
    const headers = Buffer.alloc(slots * 4);
    const payloads = Buffer.alloc(slots * blksize);
    for (let s = 0; s < slots; s++) {
      headers.writeUInt16BE(3, s * 4);
      headers.writeUInt16BE(100 + s, s * 4 + 2);
      payloads.fill(0x41 + s, s * blksize, (s + 1) * blksize);
    }
    // Slots 3, 4, 0, 1: the last carries 3 payload bytes.
    expect(ep.sendSlots(headers, payloads, 3, 4, slots, blksize, 3)).toBe(4);
    await until(() => fromPeer.length === 4);
    expect(fromPeer.map((p) => p.readUInt16BE(2))).toEqual([103, 104, 100, 101]);
    expect(fromPeer.map((p) => p.length)).toEqual([12, 12, 12, 7]);
    expect(fromPeer[2]!.subarray(4)).toEqual(Buffer.alloc(8, 0x41));
    expect(fromPeer[3]!.subarray(4)).toEqual(Buffer.alloc(3, 0x42));
  });

  it.each([
    ["a long run (more segments than one UDP GSO send carries)", 150, 8, 5],
    ["big blocks (a run too large for one GSO datagram goes packet by packet)", 3, 30_000, 17],
  ])("%s arrives whole, in order", async (_name, count, blksize, tail) => {
    const slots = count + 2;
    const headers = Buffer.alloc(slots * 4);
    const payloads = Buffer.alloc(slots * blksize);
    for (let s = 0; s < slots; s++) {
      headers.writeUInt16BE(3, s * 4);
      headers.writeUInt16BE(s, s * 4 + 2);
      payloads.fill(s & 0xff, s * blksize, (s + 1) * blksize);
    }
    expect(ep.sendSlots(headers, payloads, 2, count, slots, blksize, tail)).toBe(count);
    await until(() => fromPeer.length === count);
    fromPeer.forEach((p, k) => {
      const slot = (2 + k) % slots;
      expect(p.readUInt16BE(2)).toBe(slot);
      expect(p.length).toBe(4 + (k === count - 1 ? tail : blksize));
      expect(p.subarray(4).every((b) => b === (slot & 0xff))).toBe(true);
    });
  });

  it("an armed chain answers each expected ACK once, from the ring, and reports in batches", async () => {
    const headers = Buffer.from([0, 3, 0, 7, 0, 3, 0, 8, 0, 3, 0, 9]);
    const payloads = Buffer.from("aaaabbbbcccc");
    expect(() => ep.arm(6, 0, 1, 4, 1, 10)).toThrow(RangeError); // no ring yet
    ep.setRing(headers, payloads, 3, 4);
    // ACK 6 → slot 1 (block 8), ACK 7 → slot 2 (block 9, 3 bytes: the end of the file).
    ep.arm(6, 1, 2, 3, 64, 60_000);
    to(peer, [0, 4, 0, 5]); // not expected: delivered as it is
    await until(() => events.length === 1);
    to(peer, [0, 4, 0, 6]);
    to(peer, [0, 4, 0, 6]); // duplicate: not answered again
    await until(() => events.length === 3 && fromPeer.length === 1);
    to(peer, [0, 4, 0, 7]); // ends the chain: reported with the count
    await until(() => events.length === 4 && fromPeer.length === 2);
    expect(events).toEqual([
      { kind: "ack", block: 5 },
      { kind: "ack", block: 6, answered: 1 }, // reported before the duplicate is delivered
      { kind: "ack", block: 6 },
      { kind: "ack", block: 7, answered: 1 },
    ]);
    expect(fromPeer).toEqual([
      Buffer.from([0, 3, 0, 8, 98, 98, 98, 98]),
      Buffer.from([0, 3, 0, 9, 99, 99, 99]),
    ]);
  });

  it("unreported answers can be drained, and a chain can be disarmed; bad chains are refused", async () => {
    const headers = Buffer.alloc(16);
    const payloads = Buffer.alloc(32);
    ep.setRing(headers, payloads, 4, 8);
    ep.arm(10, 0, 3, 8, 64, 60_000);
    to(peer, [0, 4, 0, 10]);
    await until(() => fromPeer.length === 1);
    expect(events).toEqual([]); // not reported yet (batch of 64)
    expect(ep.arm(11, 1, 1, 8, 1, 10)).toBe(false); // refused: an answer is unreported
    const drained = ep.drain(); // (count × 65536 + last ACK) × 65536 + age in ms
    expect(Math.floor(drained / 65536)).toBe(1 * 65536 + 10);
    expect(drained % 65536).toBeLessThan(1000);
    expect(ep.drain()).toBe(0);
    ep.disarm();
    to(peer, [0, 4, 0, 11]);
    await until(() => events.length === 1);
    expect(events).toEqual([{ kind: "ack", block: 11 }]);
    expect(fromPeer).toHaveLength(1);
    expect(() => ep.setRing(headers, payloads, 5, 8)).toThrow(RangeError);
    expect(() => ep.arm(1, 4, 1, 8, 1, 10)).toThrow(RangeError); // slot outside
    expect(() => ep.arm(1, 0, 5, 8, 1, 10)).toThrow(RangeError); // longer than the ring
    expect(() => ep.arm(1, 0, 0, 8, 1, 10)).toThrow(RangeError);
    expect(() => ep.arm(1, 0, 1, 9, 1, 10)).toThrow(RangeError); // beyond blksize
    expect(() => ep.arm(0x10000, 0, 1, 8, 1, 10)).toThrow(RangeError);
    expect(() => ep.arm(1, 0, 1, 8, 0, 10)).toThrow(RangeError);
  });

  it("a ring whose memory was transferred away is never read: the ACK is delivered unanswered", async () => {
    const headers = Buffer.alloc(8);
    const payloads = Buffer.alloc(2048, 0x41);
    ep.setRing(headers, payloads, 2, 1024);
    expect(ep.arm(3, 1, 1, 1024, 1, 10)).toBe(true);
    structuredClone(payloads.buffer, { transfer: [payloads.buffer] }); // detaches it
    to(peer, [0, 4, 0, 3]);
    await until(() => events.length === 1);
    expect(events).toEqual([{ kind: "ack", block: 3 }]);
    await new Promise((r) => setTimeout(r, 20));
    expect(fromPeer).toHaveLength(0);
  });

  it("refuses slots outside the ring and wrong arguments with a clear error", () => {
    const headers = Buffer.alloc(16);
    const payloads = Buffer.alloc(32);
    expect(() => ep.sendSlots(headers, payloads, 4, 1, 4, 8, 8)).toThrow(RangeError);
    expect(() => ep.sendSlots(headers, payloads, 0, 5, 4, 8, 8)).toThrow(RangeError);
    expect(() => ep.sendSlots(headers, payloads, 0, 1, 5, 8, 8)).toThrow(RangeError);
    expect(() => ep.sendSlots(headers, payloads, 0, 1, 4, 9, 8)).toThrow(RangeError);
    expect(() => ep.sendSlots(headers, payloads, 0, 1, 4, 8, 9)).toThrow(RangeError);
    expect(() => ep.sendSlots(headers, payloads, 0, 1, 0, 8, 8)).toThrow(RangeError);
    const loose = ep as unknown as { sendSlots: (...a: unknown[]) => number };
    expect(() => loose.sendSlots("x", payloads, 0, 1, 4, 8, 8)).toThrow(TypeError);
    expect(() => loose.sendSlots(headers, payloads, -1, 1, 4, 8, 8)).toThrow();
    expect(ep.setPeer("not an address", 69)).toBe(false);
    expect(ep.setPeer("127.0.0.1", 0)).toBe(false);
    expect(ep.sendTo(Buffer.from([0, 5]), "nonsense", 69)).toBeLessThan(0);
    const Endpoint = nativeEndpoint()!;
    const noop = () => undefined;
    expect(() => new Endpoint(4, "::1", noop, noop, noop, noop)).toThrow(TypeError);
    expect(() => new Endpoint(5 as 4, "127.0.0.1", noop, noop, noop, noop)).toThrow(TypeError);
  });

  it("after close: sends report EBADF, nothing is delivered, close is idempotent", async () => {
    const port = ep.localPort;
    ep.close();
    ep.close();
    expect(ep.send(Buffer.from([0, 4, 0, 1]))).toBeLessThan(0);
    expect(ep.sendSlots(Buffer.alloc(4), Buffer.alloc(8), 0, 1, 1, 8, 8)).toBeLessThan(0);
    peer.send(Buffer.from([0, 4, 0, 1]), port, "127.0.0.1");
    await new Promise((r) => setTimeout(r, 50));
    expect(events).toEqual([]);
  });

  it("fuzz: any datagram reaches exactly one callback, bytes intact, from either sender", async () => {
    const cases = fc.sample(
      fc.record({ fromPeer: fc.boolean(), data: fc.uint8Array({ minLength: 0, maxLength: 1500 }) }),
      { numRuns: 400, seed: 7 },
    );
    for (const c of cases) to(c.fromPeer ? peer : stranger, Buffer.from(c.data));
    await until(() => events.length === cases.length, 10_000);
    for (const [i, c] of cases.entries()) {
      const e = events[i]!;
      const data = Buffer.from(c.data);
      const isAck = data.length === 4 && data[0] === 0 && data[1] === 4;
      if (!c.fromPeer) expect(e).toMatchObject({ kind: "foreign", data });
      else if (isAck) expect(e).toEqual({ kind: "ack", block: data.readUInt16BE(2) });
      else expect(e).toEqual({ kind: "peer", data });
    }
  });
});

describe.skipIf(!nativeEndpoint())("native endpoint lifetime", () => {
  it("a worker thread terminated with endpoints open, and a process exiting with them open, end cleanly", async () => {
    const addon = nativeEndpointStatus().path!;
    // In a child process: a crash (it was a segfault: a close callback ran after Node had
    // unloaded the library) must not take the test runner down with it.
    const script = `
      const { Worker } = require("node:worker_threads");
      const code = ${JSON.stringify(`
        const { Endpoint } = require(${JSON.stringify(addon)});
        const noop = () => {};
        const open = [];
        for (let i = 0; i < 20; i++) open.push(new Endpoint(4, "127.0.0.1", noop, noop, noop, noop));
        open[0].close();
        require("node:worker_threads").parentPort.postMessage("ready");
      `)};
      const w = new Worker(code, { eval: true });
      w.on("message", async () => {
        await w.terminate();
        const { Endpoint } = require(${JSON.stringify(addon)});
        new Endpoint(4, "127.0.0.1", () => {}, () => {}, () => {}, () => {});
        process.exit(0);
      });
    `;
    const { execFile } = await import("node:child_process");
    const result = await new Promise<{ code: number | null; signal: string | null }>((done) => {
      const child = execFile(
        process.execPath,
        ["-e", script],
        { timeout: 20_000 },
        () => undefined,
      );
      child.on("exit", (code, signal) => done({ code, signal }));
    });
    expect(result).toEqual({ code: 0, signal: null });
  });
});

describe.skipIf(!nativeEndpoint())("native endpoint over IPv6", () => {
  it("binds ::1, routes the peer's ACK and answers a stranger", async () => {
    const peer = createSocket("udp6");
    const ok = await new Promise<boolean>((r) => {
      peer.once("error", () => r(false));
      peer.bind(0, "::1", () => r(true));
    });
    if (!ok) return; // no IPv6 loopback on this host
    const got: string[] = [];
    const ep = new (nativeEndpoint()!)(
      6,
      "::1",
      (block) => got.push(`ack ${block}`),
      () => got.push("peer"),
      (_d, address) => got.push(`foreign ${address}`),
      (m) => got.push(`error ${m}`),
    );
    try {
      expect(ep.setPeer("::1", peer.address().port)).toBe(true);
      peer.send(Buffer.from([0, 4, 0, 9]), ep.localPort, "::1");
      await until(() => got.length === 1);
      expect(got).toEqual(["ack 9"]);
      expect(ep.send(Buffer.from([0, 3, 0, 1]))).toBe(4);
    } finally {
      ep.close();
      peer.close();
    }
  });
});
