/**
 * I/O shells around the pure windows: `SendTransfer` streams a ByteReader through a
 * ring of preformatted DATA packets; `ReceiveTransfer` acknowledges incoming DATA.
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
  readonly send: (packet: Buffer) => void;
  readonly clock: TftpClock;
  /** Retransmission timeout in ms. */
  readonly rtoMs: number;
  /** Timer expiries tolerated in a row before giving up. */
  readonly maxRetries: number;
  readonly onEnd: (end: TransferEnd) => void;
}

function newCounters(): TransferCounters {
  return { bytes: 0, blocks: 0, packetsSent: 0, retransmits: 0, timeouts: 0, duplicates: 0 };
}

/** Default read-ahead for asynchronous (file) readers, in bytes. A positioned read costs
 * a thread-pool round trip (~100 µs) whatever its size, so reads are few and large. */
export const DEFAULT_READ_AHEAD = 256 * 1024;

/** A ring of `slots` DATA packets of `stride` bytes, with its per-slot views. */
interface Ring {
  readonly buffer: Buffer;
  readonly packets: Buffer[];
  readonly payloads: Buffer[];
}

/** Rings kept for reuse (by shape), at most this many bytes in all: a transfer's ring is
 * ~256 KiB of fresh, page-faulting memory plus two views per slot, built per request. */
const RING_POOL_BYTES = 32 * 1024 * 1024;
const ringPool = new Map<number, Ring[]>();
let ringPoolBytes = 0;

function ringKey(stride: number, slots: number): number {
  return stride * 0x10000 + slots;
}

function acquireRing(stride: number, slots: number): Ring {
  const free = ringPool.get(ringKey(stride, slots));
  const pooled = free?.pop();
  if (pooled) {
    ringPoolBytes -= pooled.buffer.length;
    return pooled;
  }
  const buffer = Buffer.allocUnsafeSlow(slots * stride);
  const packets: Buffer[] = [];
  const payloads: Buffer[] = [];
  for (let i = 0; i < slots; i++) {
    const at = i * stride;
    packets.push(buffer.subarray(at, at + stride));
    payloads.push(buffer.subarray(at + 4, at + stride));
  }
  return { buffer, packets, payloads };
}

/** Returns a ring once the transfer has ended. Deferred to the next turn of the loop so
 * that the owner has closed the transfer's socket first (closing cancels any send still
 * queued in libuv, which would otherwise read a slot the next transfer refills). */
function releaseRing(stride: number, slots: number, ring: Ring): void {
  setImmediate(() => {
    if (ringPoolBytes + ring.buffer.length > RING_POOL_BYTES) return;
    const key = ringKey(stride, slots);
    let free = ringPool.get(key);
    if (!free) {
      free = [];
      ringPool.set(key, free);
    }
    free.push(ring);
    ringPoolBytes += ring.buffer.length;
  });
}

export interface SendTransferOptions extends TransferIo {
  readonly reader: ByteReader;
  readonly blksize: number;
  readonly windowsize: number;
  /** Sent as "block 0" and retransmitted until ACK 0 arrives. */
  readonly oack?: Buffer | undefined;
  /** Bytes to read ahead of the window for asynchronous readers (default 256 KiB). */
  readonly readAheadBytes?: number;
}

/**
 * Windowed sender. Blocks live in a ring of `slots` preformatted DATA packets. Slot reuse
 * is safe without copying because a slot is refilled only after the peer has
 * acknowledged a block sent at least one window later than every send of the old block
 * (sends on one socket leave in order), and a block is read from the source only once.
 */
export class SendTransfer {
  readonly counters = newCounters();
  private readonly window: SendWindow;
  private readonly slots: number;
  private readonly stride: number;
  private readonly ringSet: Ring;
  private readonly ring: Buffer;
  private readonly packets: Buffer[];
  private readonly payloads: Buffer[];
  private readonly chunkMin: number;
  private lastPacket: Buffer | undefined;
  private filled = 0;
  private reading = false;
  private retries = 0;
  private ended = false;
  private readonly deadline: Deadline;

  constructor(private readonly o: SendTransferOptions) {
    this.window = new SendWindow(o.windowsize, o.oack !== undefined);
    const w = o.windowsize;
    // In-memory readers copy synchronously: a window's worth of slots ahead is enough.
    const readAhead = o.reader.synchronous ? 0 : (o.readAheadBytes ?? DEFAULT_READ_AHEAD);
    const ahead = Math.max(w, Math.ceil(readAhead / o.blksize));
    let slots = w + ahead;
    if (o.reader.size !== undefined) {
      slots = Math.min(slots, Math.floor(o.reader.size / o.blksize) + 1);
    }
    this.slots = slots;
    this.stride = o.blksize + 4;
    this.ringSet = acquireRing(this.stride, slots);
    this.ring = this.ringSet.buffer;
    this.packets = this.ringSet.packets;
    this.payloads = this.ringSet.payloads;
    this.chunkMin = Math.max(1, Math.floor((slots - w) / 2));
    this.deadline = new Deadline(o.clock, this.onTimer);
  }

  get lastBlock(): number | undefined {
    return this.window.lastBlock;
  }

  start(): void {
    this.pump();
  }

  onAck(wireBlock: number): void {
    if (this.ended) return;
    const r = this.window.onAck(wireBlock);
    if (r === "duplicate") {
      this.counters.duplicates++;
      return;
    }
    if (r === "ignored") return;
    this.retries = 0;
    if (r === "done") {
      this.finish({ outcome: "complete" });
      return;
    }
    // One deadline update per ACK: pump re-arms when it sends.
    if (!this.pump()) this.deadline.arm(this.o.rtoMs);
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
    this.deadline.cancel();
    // A read still in flight writes into the ring: hand it back only after it settles.
    if (!this.reading) releaseRing(this.stride, this.slots, this.ringSet);
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
    const targets: Buffer[] = [];
    for (let b = from; b <= to; b++) targets.push(this.payloads[(b - 1) % this.slots]!);
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
        if (this.ended) return;
        this.filledWith(from, to, n);
        this.pump();
      },
      (error: unknown) => {
        this.reading = false;
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
    const bs = this.o.blksize;
    const count = to - from + 1;
    const full = Math.floor(n / bs);
    const end = n < count * bs ? from + full : to;
    for (let b = from; b <= end; b++)
      writeDataHeader(this.ring, ((b - 1) % this.slots) * this.stride, b);
    if (n < count * bs) {
      const slot = (end - 1) % this.slots;
      const len = n - full * bs;
      this.lastPacket = this.ring.subarray(slot * this.stride, slot * this.stride + 4 + len);
      this.window.lastBlock = end;
    }
    this.filled = end;
  }

  /** Sends what the window allows; true when something was sent (the timer is then
   * re-armed). Per packet: no allocation, no closure. */
  private pump(): boolean {
    if (this.ended) return false;
    const w = this.window;
    const c = this.counters;
    const send = this.o.send;
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
        if (this.fill()) continue;
        break;
      }
      const block = w.take();
      const packet =
        block === w.lastBlock ? this.lastPacket! : this.packets[(block - 1) % this.slots]!;
      send(packet);
      c.packetsSent++;
      if (retransmit) c.retransmits++;
      else {
        c.blocks++;
        c.bytes += packet.length - 4;
      }
      sent = true;
    }
    if (sent) this.deadline.arm(this.o.rtoMs);
    // Read ahead while the network waits.
    if (!this.reading && w.lastBlock === undefined) {
      const room = this.fillLimit() - this.filled;
      if (room >= this.chunkMin) {
        if (this.fill() && w.canSend()) return this.pump() || sent;
      }
    }
    return sent;
  }

  private readonly onTimer = (): void => {
    if (this.ended) return;
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

  constructor(private readonly o: ReceiveTransferOptions) {
    this.window = new ReceiveWindow(o.blksize, o.windowsize);
    this.deadline = new Deadline(o.clock, this.onTimer);
    this.dally = new Deadline(o.clock, () => this.release());
  }

  start(): void {
    if (this.o.initial !== undefined) this.sendRaw(this.o.initial);
    this.deadline.arm(this.o.rtoMs);
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
