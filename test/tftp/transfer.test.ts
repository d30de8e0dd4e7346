import { describe, expect, it } from "vitest";
import { encodeOack, Opcode, parsePacket } from "../../src/tftp/packet.ts";
import { ReceiveWindow } from "../../src/tftp/receiver.ts";
import { SendWindow } from "../../src/tftp/sender.ts";
import { BytesReader } from "../../src/tftp/source.ts";
import { ReceiveTransfer, SendTransfer, type TransferEnd } from "../../src/tftp/transfer.ts";
import { FakeClock, randomBytes } from "./helpers.ts";

/** How the sender under test hands DATA to the network: one `send` per packet
 * (node:dgram), runs of ring slots (`sendSlots`, the native endpoint's sendmmsg), or
 * runs plus the lock-step presend (the native endpoint answering an armed ACK itself). */
type Io = "send" | "sendSlots" | "presend";

function harness(
  data: Buffer,
  blksize: number,
  windowsize: number,
  opts: { oack?: boolean; maxRetries?: number; io?: Io; asyncReader?: boolean } = {},
) {
  const clock = new FakeClock();
  const sent: Array<{ op: number; block?: number; len?: number }> = [];
  const ends: TransferEnd[] = [];
  let ring: { headers: Buffer; payloads: Buffer; slots: number; bs: number } | undefined;
  let chain:
    | { wire: number; slot: number; left: number; lastLength: number; every: number; ms: number }
    | undefined;
  let fired = 0;
  let firedAck = 0;
  let notifiedAt = 0;
  let firedAt = 0;
  /** Every DATA payload sent, by wire block number (retransmissions included). */
  const payloads: Array<[number, Buffer]> = [];
  const record = (p: Buffer) => {
    const pk = parsePacket(p);
    if (pk.op === Opcode.DATA) {
      sent.push({ op: pk.op, block: pk.block, len: pk.data.length });
      payloads.push([pk.block, Buffer.from(pk.data)]);
    } else sent.push({ op: pk.op });
  };
  const bytes = new BytesReader(data);
  const t = new SendTransfer({
    // An asynchronous reader gets a read-ahead ring (32 blocks here), like a file.
    reader: opts.asyncReader
      ? {
          size: bytes.size,
          read: (targets) => Promise.resolve(bytes.read(targets)),
          close: () => undefined,
        }
      : bytes,
    readAheadBytes: blksize * 32,
    blksize,
    windowsize,
    oack: opts.oack ? encodeOack([["blksize", String(blksize)]]) : undefined,
    send: (p) => record(Buffer.isBuffer(p) ? p : Buffer.concat(p)),
    presend:
      opts.io === "presend"
        ? {
            setRing: (headers, payloads, slots, bs) => {
              ring = { headers, payloads, slots, bs };
            },
            arm: (wire, slot, count, lastLength, every, ms) => {
              if (fired > 0) return false; // as the endpoint: keep the chain that is ahead
              chain = { wire, slot, left: count, lastLength, every, ms };
              notifiedAt = clock.now();
              return true;
            },
            disarm: () => {
              chain = undefined;
            },
            drain: () => {
              const age = Math.min(65535, clock.now() - firedAt);
              const d = fired > 0 ? (fired * 65536 + firedAck) * 65536 + age : 0;
              fired = 0;
              notifiedAt = clock.now();
              return d;
            },
          }
        : undefined,
    sendSlots:
      opts.io === "sendSlots" || opts.io === "presend"
        ? (headers, payloads, first, count, slots, bs, tail) => {
            // Same packet layout as native/udp_endpoint.c's sendmmsg.
            for (let k = 0; k < count; k++) {
              const slot = (first + k) % slots;
              const len = k === count - 1 ? tail : bs;
              record(
                Buffer.concat([
                  headers.subarray(slot * 4, slot * 4 + 4),
                  payloads.subarray(slot * bs, slot * bs + len),
                ]),
              );
            }
          }
        : undefined,
    clock,
    rtoMs: 100,
    maxRetries: opts.maxRetries ?? 3,
    onEnd: (e) => ends.push(e),
  });
  const take = () => sent.splice(0, sent.length);
  /** Reports unreported chain answers, as native/udp_endpoint.c does. */
  const notify = () => {
    if (fired === 0) return;
    const n = fired;
    fired = 0;
    notifiedAt = clock.now();
    t.onAck(firedAck, n);
  };
  /** An ACK arriving. With presend, the endpoint answers the chain's expected ACK itself
   * (same bytes as native/udp_endpoint.c) and reports in batches. */
  const ack = (block: number) => {
    if (chain && ring && block === chain.wire) {
      const c = chain;
      const len = c.left === 1 ? c.lastLength : ring.bs;
      record(
        Buffer.concat([
          ring.headers.subarray(c.slot * 4, c.slot * 4 + 4),
          ring.payloads.subarray(c.slot * ring.bs, c.slot * ring.bs + len),
        ]),
      );
      fired++;
      firedAck = block;
      firedAt = clock.now();
      c.wire = (block + 1) & 0xffff;
      c.slot = (c.slot + 1) % ring.slots;
      if (--c.left === 0) chain = undefined;
      if (!chain || fired >= c.every || clock.now() - notifiedAt >= c.ms) notify();
      return;
    }
    notify();
    t.onAck(block, 0);
  };
  return { clock, t, take, ends, payloads, ack, armed: () => chain, notify };
}

describe.each<Io>(["send", "sendSlots", "presend"])(
  "SendTransfer through %s (virtual clock)",
  (io) => {
    it("lock-step: one DATA per new ACK; duplicate ACKs send nothing (no Sorcerer's Apprentice)", () => {
      const h = harness(randomBytes(1200, 1), 512, 1, { io });
      h.t.start();
      expect(h.take()).toEqual([{ op: 3, block: 1, len: 512 }]);
      h.ack(1);
      expect(h.take()).toEqual([{ op: 3, block: 2, len: 512 }]);
      for (let i = 0; i < 10; i++) h.ack(1);
      expect(h.take()).toEqual([]);
      expect(h.t.counters.duplicates).toBe(10);
      h.ack(2);
      expect(h.take()).toEqual([{ op: 3, block: 3, len: 176 }]);
      h.ack(3);
      expect(h.ends).toEqual([{ outcome: "complete" }]);
      expect(h.clock.pending).toBe(0);
    });

    it("sends an empty final block when the size is a multiple of blksize", () => {
      const h = harness(randomBytes(1024, 2), 512, 4, { io });
      h.t.start();
      expect(h.take().map((s) => s.len)).toEqual([512, 512, 0]);
      h.ack(3);
      expect(h.ends[0]?.outcome).toBe("complete");
    });

    it("windowed: a window per ACK; an early ACK goes back; ACKs for unsent blocks are ignored", () => {
      const h = harness(randomBytes(512 * 10, 3), 512, 4, { io });
      h.t.start();
      expect(h.take().map((s) => s.block)).toEqual([1, 2, 3, 4]);
      h.ack(40);
      expect(h.take()).toEqual([]);
      h.ack(4);
      expect(h.take().map((s) => s.block)).toEqual([5, 6, 7, 8]);
      h.ack(6); // receiver lost 7
      expect(h.take().map((s) => s.block)).toEqual([7, 8, 9, 10]);
      for (let i = 0; i < 5; i++) h.ack(6);
      expect(h.take()).toEqual([]);
      expect(h.t.counters.retransmits).toBe(2);
      h.ack(10);
      expect(h.take().map((s) => s.block)).toEqual([11]);
      h.ack(11);
      expect(h.ends[0]?.outcome).toBe("complete");
    });

    it("retransmits the window on timeout and gives up after the retry budget", () => {
      const h = harness(randomBytes(5000, 4), 512, 2, { maxRetries: 3, io });
      h.t.start();
      expect(h.take().map((s) => s.block)).toEqual([1, 2]);
      h.clock.advance(99);
      expect(h.take()).toEqual([]);
      h.clock.advance(1);
      expect(h.take().map((s) => s.block)).toEqual([1, 2]);
      h.clock.advance(1000);
      expect(h.take().map((s) => s.block)).toEqual([1, 2, 1, 2]);
      expect(h.ends).toEqual([
        { outcome: "timeout", error: expect.objectContaining({ code: "TFTP_TIMEOUT" }) },
      ]);
      expect(h.clock.pending).toBe(0);
      expect(h.t.counters.timeouts).toBe(4);
    });

    it("progress resets the retry budget", () => {
      const h = harness(randomBytes(512 * 8, 5), 512, 1, { maxRetries: 1, io });
      h.t.start();
      for (let b = 1; b <= 8; b++) {
        h.clock.advance(100); // one timeout per block: within the budget of 1
        h.ack(b);
      }
      h.clock.advance(100);
      h.ack(9);
      expect(h.ends[0]?.outcome).toBe("complete");
    });

    it("OACK is block 0: repeated until ACK 0, then DATA 1", () => {
      const h = harness(randomBytes(100, 6), 512, 1, { oack: true, io });
      h.t.start();
      expect(h.take()).toEqual([{ op: Opcode.OACK }]);
      h.clock.advance(100);
      expect(h.take()).toEqual([{ op: Opcode.OACK }]);
      h.ack(0);
      expect(h.take()).toEqual([{ op: 3, block: 1, len: 100 }]);
      h.ack(0);
      expect(h.take()).toEqual([]);
    });

    it("the bytes arrive intact through many turns of the ring, with a go-back in between", () => {
      const data = randomBytes(512 * 50 + 77, 8);
      const h = harness(data, 512, 4, { io });
      h.t.start();
      let acked = 0;
      let round = 0;
      while (h.ends.length === 0) {
        const s = h.take();
        expect(s.length).toBeGreaterThan(0);
        // Every fifth round acknowledges only the first block of the window (go-back).
        acked = round++ % 5 === 4 ? s[0]!.block! : s[s.length - 1]!.block!;
        h.ack(acked);
      }
      const byBlock = new Map<number, Buffer>();
      for (const [block, payload] of h.payloads) {
        const before = byBlock.get(block);
        if (before) expect(payload.equals(before), `block ${block} resent unchanged`).toBe(true);
        byBlock.set(block, payload);
      }
      expect(h.payloads.length).toBeGreaterThan(51); // the go-backs resent blocks
      const blocks = [...byBlock.keys()].sort((a, b) => a - b);
      expect(blocks).toEqual(Array.from({ length: 51 }, (_, i) => i + 1));
      expect(Buffer.concat(blocks.map((b) => byBlock.get(b)!))).toEqual(data);
    });

    it("lock-step with duplicate and stale ACKs: each block sent once, counters exact, bytes intact", () => {
      const data = randomBytes(512 * 40 + 5, 9);
      const h = harness(data, 512, 1, { io });
      h.t.start();
      let expect1 = 1;
      while (h.ends.length === 0) {
        const s = h.take();
        // Each round sends exactly the next block (the endpoint may have sent it already).
        expect(s.map((p) => p.block)).toEqual([expect1 & 0xffff]);
        if (io === "presend" && expect1 < 41) expect(h.armed()).toMatchObject({ wire: expect1 });
        h.ack(expect1 - 1); // stale: ignored
        h.ack(expect1); // new
        h.ack(expect1); // duplicate: must not send again
        expect1++;
      }
      expect(expect1).toBe(42);
      expect(h.t.counters).toMatchObject({ blocks: 41, packetsSent: 41, retransmits: 0 });
      expect(Buffer.concat(h.payloads.map(([, p]) => p))).toEqual(data);
    });

    it("the retransmission timer counts from the last answer, even one not reported yet", async () => {
      const data = randomBytes(512 * 100 + 1, 10);
      const h = harness(data, 512, 1, { io, asyncReader: true, maxRetries: 2 });
      const settle = () => new Promise((r) => setImmediate(r));
      h.t.start();
      await settle();
      expect(h.take()).toEqual([{ op: 3, block: 1, len: 512 }]);
      for (let b = 1; b <= 10; b++) {
        h.clock.advance(5); // ACKs 5 ms apart: block 11 leaves at t = 50
        h.ack(b); // with presend: answered by the endpoint, not all reported
        await settle();
      }
      expect(h.take().map((p) => p.block)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
      h.clock.advance(99); // t = 149: block 11 is 99 ms old, no timeout yet
      expect(h.t.counters).toMatchObject({
        timeouts: 0,
        retransmits: 0,
        blocks: 11,
        packetsSent: 11,
      });
      expect(h.take()).toEqual([]);
      h.clock.advance(1); // t = 150: 100 ms (the RTO) without ACK 11: resent
      expect(h.take()).toEqual([{ op: 3, block: 11, len: 512 }]);
      expect(h.t.counters).toMatchObject({ timeouts: 1, retransmits: 1 });
      for (let b = 11; h.ends.length === 0 && b <= 200; b++) {
        h.ack(b);
        await settle();
      }
      expect(h.ends).toEqual([{ outcome: "complete" }]);
      const byBlock = new Map(h.payloads.map(([b, p]) => [b, p]));
      const ordered = [...byBlock.keys()].sort((a, b) => a - b).map((b) => byBlock.get(b)!);
      expect(Buffer.concat(ordered)).toEqual(data);
      expect(h.t.counters).toMatchObject({ blocks: 101, packetsSent: 102, duplicates: 0 });
    });

    it("block numbers roll over to 0 past 65535 (70,000 blocks)", () => {
      const blocks = 70_000;
      const h = harness(randomBytes(8 * blocks + 3, 7), 8, 64, { io });
      h.t.start();
      let last = 0;
      let wires = 0;
      while (h.ends.length === 0) {
        const s = h.take();
        expect(s.length).toBeGreaterThan(0);
        wires += s.length;
        last = s[s.length - 1]!.block!;
        h.ack(last);
      }
      expect(h.ends[0]?.outcome).toBe("complete");
      expect(wires).toBe(blocks + 1);
      expect(last).toBe((blocks + 1) & 0xffff);
    });
  },
);

describe("SendWindow / ReceiveWindow (pure)", () => {
  it("maps wire ACK numbers to absolute blocks across rollover", () => {
    const w = new SendWindow(4, false);
    w.base = 65535;
    w.next = 65535;
    w.highestSent = 65534;
    while (w.canSend()) w.take();
    expect(w.highestSent).toBe(65538);
    expect(w.onAck(1)).toBe("progress");
    expect(w.base).toBe(65538);
  });

  it("receiver acknowledges each window, the final block, and a gap only once", () => {
    const r = new ReceiveWindow(512, 4);
    const acks: Array<number | undefined> = [];
    for (const b of [1, 2, 3, 4]) acks.push(r.onData(b, 512).ack);
    expect(acks).toEqual([undefined, undefined, undefined, 4]);
    expect(r.onData(6, 512)).toEqual({ kind: "ignore", ack: 4 });
    expect(r.onData(7, 512)).toEqual({ kind: "ignore", ack: undefined });
    expect(r.onData(5, 512)).toMatchObject({ kind: "accept", ack: undefined });
    expect(r.onData(6, 10)).toMatchObject({ kind: "accept", last: true, ack: 6 });
    // Our final ACK was lost: every repeat of the final block is re-acknowledged.
    expect(r.onData(6, 10)).toEqual({ kind: "ignore", ack: 6 });
    expect(r.onData(6, 10)).toEqual({ kind: "ignore", ack: 6 });
  });

  it("ReceiveTransfer gives up on a vanished sender after the retry budget", () => {
    const clock = new FakeClock();
    const sent: number[] = [];
    const ends: TransferEnd[] = [];
    let released = 0;
    const r = new ReceiveTransfer({
      blksize: 512,
      windowsize: 1,
      initial: Buffer.from([0, 4, 0, 0]),
      send: (p) => sent.push((Buffer.isBuffer(p) ? p : Buffer.concat(p)).readUInt16BE(2)),
      clock,
      rtoMs: 50,
      maxRetries: 4,
      dallyMs: 50,
      sink: () => undefined,
      onEnd: (e) => ends.push(e),
      onRelease: () => released++,
    });
    r.start();
    r.onData(1, Buffer.alloc(512));
    clock.advance(10_000);
    expect(ends.map((e) => e.outcome)).toEqual(["timeout"]);
    expect(released).toBe(1);
    expect(sent).toEqual([0, 1, 1, 1, 1, 1]);
    expect(clock.pending).toBe(0);
  });
});
