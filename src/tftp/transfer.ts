/**
 * I/O shells around the pure windows: `SendTransfer` streams a ByteReader through a
 * ring of DATA headers and payloads; `ReceiveTransfer` acknowledges incoming DATA.
 * Both are used by the server (RRQ / WRQ) and the client (WRQ / RRQ). They know nothing
 * about sockets: the owner passes a `send` function and feeds them parsed packets.
 */
import { Deadline, type TftpClock } from "./clock.ts";
import { type TftpErrorCode, type TftpProvisioCode, wireCodeFor } from "./errors.ts";
import { encodeAck, encodeError, writeDataHeader } from "./packet.ts";
import { ReceiveWindow } from "./receiver.ts";
import { SendWindow } from "./sender.ts";
import type { ByteReader } from "./source.ts";

export type TransferOutcome = "complete" | "timeout" | "peer-error" | "error" | "aborted";

export interface TransferCounters {
  /** Payload bytes sent (sender) or accepted (receiver), each block counted once. */
  bytes: number;
  /** Data blocks sent or accepted, each counted once. */
  blocks: number;
  /** Datagrams sent (DATA/ACK/OACK/ERROR, retransmissions included). */
  packetsSent: number;
  /** Packets sent again: DATA resent by timeout or go-back, OACK/ACK resent by timeout. */
  retransmits: number;
  /** Retransmission timer expiries. */
  timeouts: number;
  /** Duplicate ACKs received (and ignored) by a sender; duplicate DATA by a receiver. */
  duplicates: number;
}

export interface TransferEnd {
  readonly outcome: TransferOutcome;
  readonly error?: { readonly code: TftpProvisioCode | string; readonly message: string };
}

export interface TransferIo {
  /** One datagram: a buffer, or buffers sent as one (gather). */
  readonly send: (packet: Buffer | readonly Buffer[]) => void;
  readonly clock: TftpClock;
  /** Retransmission timeout in ms. */
  readonly rtoMs: number;
  /** Timer expiries tolerated in a row before giving up. */
  readonly maxRetries: number;
  readonly onEnd: (end: TransferEnd) => void;
  /**
   * Set by a server: until the peer has acknowledged something (an ACK of ours, or DATA
   * for an upload) it has not shown it is there — the request may carry a forged source.
   * Meanwhile the first packet is sent once and never retransmitted by the timer (the
   * peer's repeated request resends it: see `repeatFirst`), and the transfer ends after
   * this many ms. Undefined: the first packet is retransmitted like any other.
   */
  readonly unverifiedMs?: number | undefined;
  /** The peer acknowledged for the first time. */
  readonly onVerified?: (() => void) | undefined;
}

/** Repeats of the first packet answered for a repeated request: at most one per half RTO
 * (a burst of duplicate requests gets one answer) and `maxRetries` in all. */
class FirstPacketRepeats {
  private lastAt = 0;
  private count = 0;

  constructor(private readonly o: TransferIo) {}

  sentAt(now: number): void {
    this.lastAt = now;
  }

  /** True when a repeated request may be answered now (and counts it). */
  take(): boolean {
    const now = this.o.clock.now();
    if (now - this.lastAt < this.o.rtoMs / 2 || this.count >= this.o.maxRetries) return false;
    this.count++;
    this.lastAt = now;
    return true;
  }
}

function newCounters(): TransferCounters {
  return { bytes: 0, blocks: 0, packetsSent: 0, retransmits: 0, timeouts: 0, duplicates: 0 };
}

/** Default read-ahead for asynchronous (file) readers, in bytes. A positioned read costs
 * a thread-pool round trip (~100 µs) whatever its size, so reads are few and large. */
export const DEFAULT_READ_AHEAD = 256 * 1024;

/**
 * A transfer's ring: `slots` DATA headers (4 bytes each) and `slots` payloads of blksize
 * bytes, the payloads contiguous so one positioned read fills many blocks with one or two
 * buffers (a read into one buffer per block cost ~0.45 µs per buffer in Node's readv
 * binding: 8.7 % of the main thread's busy time in a CPU profile of 3 × 200 concurrent
 * 1 MiB transfers). Packets go out as
 * header + payload (sendmmsg with two iovecs, or a node:dgram buffer list).
 */
interface Ring {
  readonly headers: Buffer;
  readonly payloads: Buffer;
  /** [header, payload] views per slot, built on first use by a sender without
   * `sendSlots` (node:dgram). */
  views: Array<readonly [Buffer, Buffer]> | undefined;
}

/** Rings kept for reuse (by shape), at most this many bytes in all: a transfer's ring is
 * ~256 KiB of fresh, page-faulting memory, built per request. */
const RING_POOL_BYTES = 32 * 1024 * 1024;
const ringPool = new Map<number, Ring[]>();
let ringPoolBytes = 0;

function ringKey(blksize: number, slots: number): number {
  return blksize * 0x10000 + slots;
}

function acquireRing(blksize: number, slots: number): Ring {
  const free = ringPool.get(ringKey(blksize, slots));
  const pooled = free?.pop();
  if (pooled) {
    ringPoolBytes -= pooled.payloads.length;
    return pooled;
  }
  return {
    headers: Buffer.allocUnsafeSlow(slots * 4),
    payloads: Buffer.allocUnsafeSlow(slots * blksize),
    views: undefined,
  };
}

function ringViews(ring: Ring, blksize: number, slots: number): Array<readonly [Buffer, Buffer]> {
  if (ring.views) return ring.views;
  const views: Array<readonly [Buffer, Buffer]> = [];
  for (let i = 0; i < slots; i++) {
    views.push([
      ring.headers.subarray(i * 4, i * 4 + 4),
      ring.payloads.subarray(i * blksize, (i + 1) * blksize),
    ]);
  }
  ring.views = views;
  return views;
}

/** Returns a ring once the transfer has ended. Deferred to the next turn of the loop so
 * that the owner has closed the transfer's socket first (closing cancels any send still
 * queued in libuv, which would otherwise read a slot the next transfer refills). */
function releaseRing(blksize: number, slots: number, ring: Ring): void {
  setImmediate(() => {
    if (ringPoolBytes + ring.payloads.length > RING_POOL_BYTES) return;
    const key = ringKey(blksize, slots);
    let free = ringPool.get(key);
    if (!free) {
      free = [];
      ringPool.set(key, free);
    }
    free.push(ring);
    ringPoolBytes += ring.payloads.length;
  });
}

/** Sends DATA packets for ring slots (first + k) % slots, k < count, to the transfer's
 * peer in one call: header slot × 4 (4 bytes) + payload slot × blksize (blksize bytes,
 * `tail` for the last packet of the run). */
export type SlotSender = (
  headers: Buffer,
  payloads: Buffer,
  first: number,
  count: number,
  slots: number,
  blksize: number,
  tail: number,
) => void;

/**
 * Lock-step answers ahead of JavaScript (the native endpoint). After each pump the sender
 * arms a chain "when block B is acknowledged send B + 1, when B + 1 is acknowledged send
 * B + 2, …" over the blocks it has already read; the endpoint answers each expected ACK
 * at once and reports in batches (`onAck(lastAck, n)`), and the sender replays those ACKs
 * through its window as if it had sent the blocks itself. Only exactly the next expected
 * ACK is answered, once: a duplicate ACK still sends nothing (Sorcerer's Apprentice).
 */
export interface Presender {
  /** The sender's ring, for `arm`. */
  setRing(headers: Buffer, payloads: Buffer, slots: number, blksize: number): void;
  /** A chain of lock-step answers: on ACK `wireAck` send `slot`, on the next ACK the
   * next slot, `count` times (the last `lastLength` payload bytes); the transfer hears of
   * them every `notifyEvery` answers or `notifyMs`, at the end of the chain and before
   * any other datagram. Replaces any chain armed before; false (chain kept) while
   * answers are unreported. */
  arm(
    wireAck: number,
    slot: number,
    count: number,
    lastLength: number,
    notifyEvery: number,
    notifyMs: number,
  ): boolean;
  disarm(): void;
  /** Answers not yet reported: (count × 65536 + last ACK answered) × 65536 + ms since
   * that answer (0: none). */
  drain(): number;
}

/** Answers the endpoint may send before telling the sender (bounded so read-ahead and
 * statistics keep up). */
const CHAIN_REPORT_EVERY = 64;

export interface SendTransferOptions extends TransferIo {
  readonly reader: ByteReader;
  readonly blksize: number;
  readonly windowsize: number;
  /** Sent as "block 0" and retransmitted until ACK 0 arrives. */
  readonly oack?: Buffer | undefined;
  /** Bytes to read ahead of the window for asynchronous readers (default 256 KiB). */
  readonly readAheadBytes?: number;
  /** Sends a run of ring slots in one call (the native endpoint's sendmmsg); without
   * it every DATA packet goes through `send`. */
  readonly sendSlots?: SlotSender | undefined;
  /** Used in lock-step (windowsize 1) when given. */
  readonly presend?: Presender | undefined;
}

/**
 * Windowed sender. Blocks live in a ring of `slots` headers + payloads. Slot reuse is
 * safe without copying because a slot is refilled only after the peer has acknowledged a
 * block sent at least one window later than every send of the old block (sends on one
 * socket leave in order), and a block is read from the source only once.
 */
export class SendTransfer {
  readonly counters = newCounters();
  private readonly window: SendWindow;
  private readonly slots: number;
  private readonly blksize: number;
  private readonly ring: Ring;
  private readonly chunkMin: number;
  /** Payload length of the final block, once known. */
  private lastLength = 0;
  /** [header, payload] of the final block for node:dgram sends. */
  private lastView: readonly [Buffer, Buffer] | undefined;
  private filled = 0;
  /** The run of consecutive slots `pump` is collecting for one `sendSlots` call. */
  private runFirst = 0;
  private runCount = 0;
  private runTail = 0;
  /** Lock-step presend: the armed chain (blocks chainNext..chainEnd) and the block the
   * endpoint has already sent for the ACK being replayed. */
  private readonly presend: Presender | undefined;
  private chainNext = 0;
  private chainEnd = 0;
  private presentedBlock = 0;
  private replaying = false;
  private reading = false;
  private retries = 0;
  private ended = false;
  private readonly deadline: Deadline;
  /** The peer has acknowledged something (see TransferIo.unverifiedMs). */
  private verified = false;
  private startedAt = 0;
  private readonly repeats: FirstPacketRepeats;

  constructor(private readonly o: SendTransferOptions) {
    this.repeats = new FirstPacketRepeats(o);
    this.window = new SendWindow(o.windowsize, o.oack !== undefined);
    const w = o.windowsize;
    // In-memory readers copy synchronously: a window's worth of slots ahead is enough.
    const readAhead = o.reader.synchronous ? 0 : (o.readAheadBytes ?? DEFAULT_READ_AHEAD);
    // Presend arms block base + 1 while base is in flight: one slot more than lock-step.
    const presend = w === 1 ? o.presend : undefined;
    const ahead = Math.max(w, Math.ceil(readAhead / o.blksize)) + (presend ? 1 : 0);
    let slots = w + ahead;
    if (o.reader.size !== undefined) {
      slots = Math.min(slots, Math.floor(o.reader.size / o.blksize) + 1);
    }
    this.slots = slots;
    this.blksize = o.blksize;
    this.ring = acquireRing(o.blksize, slots);
    this.chunkMin = Math.max(1, Math.floor((slots - w) / 2));
    this.deadline = new Deadline(o.clock, this.onTimer);
    this.presend = presend;
    this.presend?.setRing(this.ring.headers, this.ring.payloads, slots, o.blksize);
  }

  get lastBlock(): number | undefined {
    return this.window.lastBlock;
  }

  start(): void {
    this.startedAt = this.o.clock.now();
    this.repeats.sentAt(this.startedAt);
    this.pump();
  }

  /** The peer repeated its request (RFC 1350: a client that heard nothing sends it
   * again): while nothing is acknowledged, that resends the first packet. True when
   * it did. */
  repeatFirst(): boolean {
    if (this.ended || this.verified || this.o.unverifiedMs === undefined) return false;
    if (!this.repeats.take()) return false;
    this.window.onTimeout();
    this.pump();
    return true;
  }

  /** `presented` > 0: the endpoint answered that many ACKs, the last being `wireBlock`,
   * each with the next block of the armed chain. */
  onAck(wireBlock: number, presented = 0): void {
    if (this.ended) return;
    if (presented > 0) {
      this.replay(presented, wireBlock);
      return;
    }
    this.ack(wireBlock);
  }

  private ack(wireBlock: number): void {
    const r = this.window.onAck(wireBlock);
    if (r === "duplicate") {
      this.counters.duplicates++;
      return;
    }
    if (r === "ignored") return;
    this.retries = 0;
    if (!this.verified) {
      this.verified = true;
      this.o.onVerified?.();
      if (this.ended) return;
    }
    if (r === "done") {
      this.finish({ outcome: "complete" });
      return;
    }
    // One deadline update per ACK: pump re-arms when it sends.
    if (!this.pump()) this.deadline.arm(this.o.rtoMs);
  }

  /** Accounts for chain answers: each ACK in order, its block already on the wire. */
  private replay(n: number, lastWire: number): void {
    const firstWire = (lastWire - n + 1) & 0xffff;
    this.replaying = true;
    for (let k = 0; k < n && !this.ended; k++) {
      this.presentedBlock = this.chainNext++;
      this.ack((firstWire + k) & 0xffff);
    }
    this.replaying = false;
    this.presentedBlock = 0;
    if (!this.ended) this.armNext();
  }

  /** Before deciding anything on its own (timer, read done): hear what the endpoint
   * answered meanwhile; the retransmission deadline then counts from its last answer.
   * Returns that answer's age in ms, or -1 when there was none. */
  private sync(): number {
    const d = this.presend?.drain() ?? 0;
    if (d === 0) return -1;
    const age = d % 65536;
    const rest = Math.floor(d / 65536);
    this.replay(Math.floor(rest / 65536), rest % 65536);
    if (!this.ended) this.deadline.arm(Math.max(1, this.o.rtoMs - age));
    return age;
  }

  /** The peer sent an ERROR packet. */
  onPeerError(code: number, message: string): void {
    this.finish({ outcome: "peer-error", error: { code: `wire:${code}`, message } });
  }

  /** Ends the transfer from outside (server shutdown, protocol violation). */
  abort(code: TftpProvisioCode, message: string, notifyPeer: boolean): void {
    if (this.ended) return;
    if (notifyPeer) this.sendError(wireCodeFor(code), message);
    this.finish({ outcome: "aborted", error: { code, message } });
  }

  private sendError(code: TftpErrorCode, message: string): void {
    this.o.send(encodeError(code, message));
    this.counters.packetsSent++;
  }

  private finish(end: TransferEnd): void {
    if (this.ended) return;
    this.ended = true;
    this.presend?.disarm();
    this.deadline.cancel();
    // A read still in flight writes into the ring: hand it back only after it settles.
    if (!this.reading) releaseRing(this.blksize, this.slots, this.ring);
    try {
      const closing = this.o.reader.close();
      if (closing instanceof Promise) closing.catch(() => undefined);
    } catch {
      // closing a reader cannot fail the transfer
    }
    this.o.onEnd(end);
  }

  private fillLimit(): number {
    const w = this.window;
    const reusable = w.base - 1 + this.slots - this.o.windowsize;
    return Math.max(reusable, this.slots);
  }

  /** Starts reading more blocks; true when the read completed synchronously. */
  private fill(): boolean {
    if (this.reading || this.window.lastBlock !== undefined) return false;
    const from = this.filled + 1;
    const to = this.fillLimit();
    if (to < from) return false;
    // Blocks from..to are consecutive payload slots, wrapping at most once.
    const bs = this.blksize;
    const first = (from - 1) % this.slots;
    const end = first + (to - from + 1);
    const payloads = this.ring.payloads;
    const targets =
      end <= this.slots
        ? [payloads.subarray(first * bs, end * bs)]
        : [payloads.subarray(first * bs), payloads.subarray(0, (end - this.slots) * bs)];
    let result: number | Promise<number>;
    try {
      result = this.o.reader.read(targets);
    } catch (error) {
      this.readFailed(error);
      return false;
    }
    if (typeof result === "number") {
      this.filledWith(from, to, result);
      return true;
    }
    this.reading = true;
    result.then(
      (n) => {
        this.reading = false;
        if (this.ended) {
          releaseRing(this.blksize, this.slots, this.ring);
          return;
        }
        this.filledWith(from, to, n);
        this.sync();
        if (!this.ended) this.pump();
      },
      (error: unknown) => {
        this.reading = false;
        if (this.ended) releaseRing(this.blksize, this.slots, this.ring);
        this.readFailed(error);
      },
    );
    return false;
  }

  private readFailed(error: unknown): void {
    if (this.ended) return;
    const message = error instanceof Error ? error.message : String(error);
    this.sendError(0, "Read error");
    this.finish({ outcome: "error", error: { code: "TFTP_NOT_DEFINED", message } });
  }

  private filledWith(from: number, to: number, n: number): void {
    const bs = this.blksize;
    const count = to - from + 1;
    const full = Math.floor(n / bs);
    const end = n < count * bs ? from + full : to;
    const headers = this.ring.headers;
    for (let b = from; b <= end; b++) writeDataHeader(headers, ((b - 1) % this.slots) * 4, b);
    if (n < count * bs) {
      this.lastLength = n - full * bs;
      this.window.lastBlock = end;
    }
    this.filled = end;
  }

  /** [header, payload] of a block for node:dgram (no `sendSlots`). */
  private packetOf(block: number, slot: number): readonly [Buffer, Buffer] {
    if (block !== this.window.lastBlock)
      return ringViews(this.ring, this.blksize, this.slots)[slot]!;
    if (!this.lastView) {
      const at = slot * this.blksize;
      this.lastView = [
        this.ring.headers.subarray(slot * 4, slot * 4 + 4),
        this.ring.payloads.subarray(at, at + this.lastLength),
      ];
    }
    return this.lastView;
  }

  /** Sends what the window allows; true when something was sent (the timer is then
   * re-armed). Per packet: no allocation, no closure. Consecutive DATA packets go out as
   * one run when the endpoint can batch them. */
  private pump(): boolean {
    if (this.ended) return false;
    const w = this.window;
    const c = this.counters;
    const send = this.o.send;
    const batch = this.o.sendSlots;
    let sent = false;
    while (w.canSend()) {
      const next = w.next;
      const retransmit = next <= w.highestSent;
      if (next === 0) {
        w.take();
        send(this.o.oack!);
        c.packetsSent++;
        if (retransmit) c.retransmits++;
        sent = true;
        continue;
      }
      if (next > this.filled) {
        this.flushRun();
        if (this.fill()) continue;
        break;
      }
      const block = w.take();
      const slot = (block - 1) % this.slots;
      const length = block === w.lastBlock ? this.lastLength : this.blksize;
      if (block === this.presentedBlock) {
        // Already on the wire (the endpoint answered the ACK before we saw it).
        this.presentedBlock = 0;
      } else if (batch) {
        if (this.runCount === 0) this.runFirst = slot;
        this.runCount++;
        this.runTail = length;
      } else {
        send(this.packetOf(block, slot));
      }
      c.packetsSent++;
      if (retransmit) c.retransmits++;
      else {
        c.blocks++;
        c.bytes += length;
      }
      sent = true;
    }
    this.flushRun();
    if (sent) this.deadline.arm(this.o.rtoMs);
    // Read ahead while the network waits.
    if (!this.reading && w.lastBlock === undefined) {
      const room = this.fillLimit() - this.filled;
      if (room >= this.chunkMin) {
        if (this.fill() && w.canSend()) return this.pump() || sent;
      }
    }
    if (this.presend && !this.replaying) this.armNext();
    return sent;
  }

  /** Lock-step: arm the chain "ACK of base → base + 1 → … → the last block read", which
   * is what pump would send, one block per ACK. */
  private armNext(): void {
    const w = this.window;
    const next = w.base + 1;
    const end = w.lastBlock === undefined ? this.filled : Math.min(this.filled, w.lastBlock);
    // Until the peer has acknowledged, its first ACK comes to us: it decides the timer.
    const unverified = !this.verified && this.o.unverifiedMs !== undefined;
    if (unverified || w.next !== next || next > end) {
      if (this.chainEnd !== 0) this.presend!.disarm();
      this.chainEnd = 0;
      return;
    }
    if (this.chainNext === next && this.chainEnd === end) return;
    const count = end - w.base;
    const armed = this.presend!.arm(
      w.base & 0xffff,
      (next - 1) % this.slots,
      count,
      end === w.lastBlock ? this.lastLength : this.blksize,
      Math.max(1, Math.min(CHAIN_REPORT_EVERY, Math.floor(count / 2))),
      Math.max(1, Math.floor(this.o.rtoMs / 4)),
    );
    // Refused while the endpoint holds unreported answers (its chain is ahead of this
    // view and stays armed): arm again once they are heard.
    this.chainNext = armed ? next : 0;
    this.chainEnd = armed ? end : 0;
  }

  /** Sends the run of slots `pump` collected (batched endpoints only). */
  private flushRun(): void {
    if (this.runCount === 0) return;
    const r = this.ring;
    this.o.sendSlots!(
      r.headers,
      r.payloads,
      this.runFirst,
      this.runCount,
      this.slots,
      this.blksize,
      this.runTail,
    );
    this.runCount = 0;
  }

  private readonly onTimer = (): void => {
    if (this.ended) return;
    // Answers the endpoint made meanwhile count as progress from when they were made.
    const age = this.sync();
    if (this.ended || (age >= 0 && age < this.o.rtoMs)) return;
    if (!this.verified && this.o.unverifiedMs !== undefined) {
      const left = this.startedAt + this.o.unverifiedMs - this.o.clock.now();
      if (left > 0) {
        this.deadline.arm(left);
        return;
      }
      this.counters.timeouts++;
      this.finish({
        outcome: "timeout",
        error: { code: "TFTP_TIMEOUT", message: "peer never acknowledged" },
      });
      return;
    }
    this.counters.timeouts++;
    if (++this.retries > this.o.maxRetries) {
      this.finish({
        outcome: "timeout",
        error: { code: "TFTP_TIMEOUT", message: "peer stopped acknowledging" },
      });
      return;
    }
    this.window.onTimeout();
    if (!this.pump()) this.deadline.arm(this.o.rtoMs);
  };
}

export interface ReceiveTransferOptions extends TransferIo {
  readonly blksize: number;
  readonly windowsize: number;
  /** Consumes each in-order payload (a view: copy it to keep it beyond the call). Throw a
   * ProvisioError (e.g. TFTP_TOO_LARGE) to abort with the matching ERROR packet. */
  readonly sink: (chunk: Buffer, last: boolean) => void;
  /** Packet to repeat on timeout before any DATA arrived (OACK or ACK 0). */
  readonly initial?: Buffer | undefined;
  /** How long to keep re-acknowledging a repeated final block after completion (re-armed
   * by every repeat). */
  readonly dallyMs: number;
  /** Called when the endpoint can be released (after dallying, or on failure). */
  readonly onRelease: () => void;
}

export class ReceiveTransfer {
  readonly counters = newCounters();
  private readonly window: ReceiveWindow;
  private readonly deadline: Deadline;
  private readonly dally: Deadline;
  private retries = 0;
  private started = false;
  private ended = false;
  private released = false;
  /** Accepted DATA from the peer (see TransferIo.unverifiedMs). */
  private verified = false;
  private startedAt = 0;
  private readonly repeats: FirstPacketRepeats;

  constructor(private readonly o: ReceiveTransferOptions) {
    this.repeats = new FirstPacketRepeats(o);
    this.window = new ReceiveWindow(o.blksize, o.windowsize);
    this.deadline = new Deadline(o.clock, this.onTimer);
    this.dally = new Deadline(o.clock, () => this.release());
  }

  start(): void {
    this.startedAt = this.o.clock.now();
    this.repeats.sentAt(this.startedAt);
    if (this.o.initial !== undefined) this.sendRaw(this.o.initial);
    this.deadline.arm(this.o.rtoMs);
  }

  /** The peer repeated its request: while no DATA arrived, resend the OACK / ACK 0.
   * True when it did. */
  repeatFirst(): boolean {
    if (this.ended || this.verified || this.o.unverifiedMs === undefined) return false;
    if (this.o.initial === undefined || !this.repeats.take()) return false;
    this.counters.retransmits++;
    this.sendRaw(this.o.initial);
    return true;
  }

  onData(wireBlock: number, data: Buffer): void {
    if (this.released) return;
    this.started = true;
    const r = this.window.onData(wireBlock, data.length);
    if (r.kind === "ignore") {
      this.counters.duplicates++;
      if (r.ack !== undefined) this.sendAck(r.ack);
      // Dallying: the sender missed our final ACK; stay a while longer.
      if (this.ended) this.dally.arm(this.o.dallyMs);
      return;
    }
    this.retries = 0;
    if (!this.verified) {
      this.verified = true;
      this.o.onVerified?.();
      if (this.released) return;
    }
    this.counters.blocks++;
    this.counters.bytes += data.length;
    try {
      this.o.sink(data, r.last);
    } catch (error) {
      const code = (error as { code?: string }).code ?? "TFTP_NOT_DEFINED";
      const message = error instanceof Error ? error.message : String(error);
      this.fail(code, message, true);
      return;
    }
    // The sink may have aborted the transfer (e.g. an AbortSignal fired from it).
    if (this.ended) return;
    if (r.ack !== undefined) this.sendAck(r.ack);
    if (r.last) {
      this.ended = true;
      this.o.onEnd({ outcome: "complete" });
      this.deadline.cancel();
      if (this.o.dallyMs > 0) {
        this.dally.arm(this.o.dallyMs);
      } else {
        this.release();
      }
      return;
    }
    this.deadline.arm(this.o.rtoMs);
  }

  onPeerError(code: number, message: string): void {
    if (this.ended) {
      this.release();
      return;
    }
    this.ended = true;
    this.deadline.cancel();
    this.o.onEnd({ outcome: "peer-error", error: { code: `wire:${code}`, message } });
    this.release();
  }

  abort(code: TftpProvisioCode | string, message: string, notifyPeer: boolean): void {
    if (this.ended) {
      this.release();
      return;
    }
    this.fail(code, message, notifyPeer, "aborted");
  }

  private fail(
    code: string,
    message: string,
    notifyPeer: boolean,
    outcome: TransferOutcome = "error",
  ): void {
    if (this.ended) return;
    this.ended = true;
    this.deadline.cancel();
    if (notifyPeer) this.sendRaw(encodeError(wireCodeFor(code), message));
    this.o.onEnd({ outcome, error: { code, message } });
    this.release();
  }

  private release(): void {
    if (this.released) return;
    this.released = true;
    this.deadline.cancel();
    this.dally.cancel();
    this.o.onRelease();
  }

  private sendAck(block: number): void {
    this.sendRaw(encodeAck(block));
  }

  private sendRaw(packet: Buffer): void {
    this.o.send(packet);
    this.counters.packetsSent++;
  }

  private readonly onTimer = (): void => {
    if (this.ended) return;
    if (!this.verified && this.o.unverifiedMs !== undefined) {
      const left = this.startedAt + this.o.unverifiedMs - this.o.clock.now();
      if (left > 0) {
        this.deadline.arm(left);
        return;
      }
      this.counters.timeouts++;
      this.fail("TFTP_TIMEOUT", "peer never sent data", false, "timeout");
      return;
    }
    this.counters.timeouts++;
    if (++this.retries > this.o.maxRetries) {
      this.fail("TFTP_TIMEOUT", "peer stopped sending", false, "timeout");
      return;
    }
    this.counters.retransmits++;
    if (!this.started && this.o.initial !== undefined) this.sendRaw(this.o.initial);
    else this.sendAck(this.window.onTimeout());
    this.deadline.arm(this.o.rtoMs);
  };
}
