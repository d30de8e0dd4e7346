/**
 * One transfer on its own UDP socket: the server's socket plumbing. Wrong source port →
 * ERROR 5 and ignored; garbage from the peer → ERROR 4 and the transfer ends.
 */
import { createSocket, type Socket, type SocketOptions } from "node:dgram";
import { isProvisioError } from "../errors.ts";
import type { TftpClock } from "./clock.ts";
import { TftpErrorCode, tftpError } from "./errors.ts";
import {
  type NativeEndpointConstructor,
  nativeEndpoint,
  nativeEndpointStatus,
} from "./native_endpoint.ts";
import { encodeAck, encodeError, Opcode, parsePacket, type TftpPacket } from "./packet.ts";
import type { ByteReader } from "./source.ts";
import {
  type Presender,
  SendTransfer,
  type SlotSender,
  type TransferCounters,
  type TransferEnd,
} from "./transfer.ts";

export interface PeerAddress {
  readonly address: string;
  readonly port: number;
}

export interface ForeignPacket {
  readonly remote: PeerAddress;
  readonly reason: string;
  readonly code: number | undefined;
}

/** Answers dgram's address lookup synchronously: we only ever send to IP literals. */
function literalLookup(family: 4 | 6): NonNullable<SocketOptions["lookup"]> {
  return ((address: string, _options: unknown, callback: (...args: unknown[]) => void) => {
    callback(null, address, family);
  }) as unknown as NonNullable<SocketOptions["lookup"]>;
}

export function newUdpSocket(type: "udp4" | "udp6"): Socket {
  return createSocket({
    type,
    lookup: literalLookup(type === "udp6" ? 6 : 4),
    recvBufferSize: 1 << 20,
    sendBufferSize: 1 << 20,
  });
}

export function bindSocket(socket: Socket, address: string, port: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    socket.once("error", reject);
    socket.bind({ port, address, exclusive: true }, () => {
      socket.off("error", reject);
      resolve();
    });
  });
}

/** Where a transfer's incoming datagrams go. */
export interface TransferHandlers {
  /** A 4-byte ACK from the peer, decoded (read transfers); `presented` > 0: that many
   * ACKs up to `block`, each already answered by the endpoint (see Presender). Absent:
   * ACKs reach onPeer. */
  readonly onAck?: (block: number, presented: number) => void;
  /** Any other datagram from the peer. */
  readonly onPeer: (packet: Buffer) => void;
  /** A datagram from anyone else (answered with ERROR 5 by attachTransfer). */
  readonly onForeign: (packet: Buffer, from: PeerAddress) => void;
}

/**
 * The socket of one transfer, bound to an ephemeral port (the transfer ID). It stays
 * unconnected so that packets from anyone but the client reach us and can be answered
 * with ERROR 5 (a connected socket would have the kernel drop them).
 *
 * Two implementations with the same behaviour: the native endpoint (native_endpoint.ts:
 * recvmmsg, ACKs as bare numbers, sendmmsg of ring slots) when it is built, else
 * node:dgram.
 */
export interface TransferSockets {
  readonly localPort: number;
  readonly io: TransferIoKind;
  /** Sends one datagram (a buffer, or buffers gathered) to the transfer's peer; a
   * failed send is a lost datagram. */
  send(packet: Buffer | readonly Buffer[]): void;
  /** Batched DATA sends; undefined where each packet goes through `send`. */
  readonly sendSlots: SlotSender | undefined;
  /** Lock-step answer ahead of JavaScript (native endpoint only). */
  readonly presend: Presender | undefined;
  /** Sends to someone other than the peer (ERROR 5). */
  sendTo(packet: Buffer, to: PeerAddress): void;
  /** Starts delivering incoming datagrams; call once, before the first send. */
  receive(handlers: TransferHandlers): void;
  close(): void;
}

/** "native": build/udp_endpoint.node; "dgram": node:dgram. */
export type TransferIoKind = "native" | "dgram";
/** What the server asks for: "auto" takes native when it loaded. */
export type TransferIoChoice = TransferIoKind | "auto";

export async function openTransferSockets(
  type: "udp4" | "udp6",
  bindAddress: string,
  remote: PeerAddress,
  onError: (e: Error) => void,
  io: TransferIoChoice = "auto",
): Promise<TransferSockets> {
  if (io !== "dgram") {
    const Endpoint = nativeEndpoint();
    if (Endpoint) return openNative(Endpoint, type, bindAddress, remote, onError);
    if (io === "native")
      throw tftpError(
        "TFTP_NATIVE_UNAVAILABLE",
        `native TFTP endpoint unavailable: ${nativeEndpointStatus().reason}`,
      );
  }
  return openDgram(type, bindAddress, remote, onError);
}

function openNative(
  Endpoint: NativeEndpointConstructor,
  type: "udp4" | "udp6",
  bindAddress: string,
  remote: PeerAddress,
  onError: (e: Error) => void,
): Promise<TransferSockets> {
  let h: TransferHandlers | undefined;
  const ep = new Endpoint(
    type === "udp6" ? 6 : 4,
    bindAddress,
    (block, presented) => {
      if (h?.onAck) h.onAck(block, presented);
      else h?.onPeer(encodeAck(block));
    },
    (packet) => h?.onPeer(packet),
    (packet, address, port) => h?.onForeign(packet, { address, port }),
    (message) => onError(tftpError("TFTP_SOCKET_ERROR", message)),
  );
  if (!ep.setPeer(remote.address, remote.port)) {
    // An address the native side cannot parse (exotic scope id): node:dgram copes.
    ep.close();
    return openDgram(type, bindAddress, remote, onError);
  }
  let closed = false;
  return Promise.resolve({
    localPort: ep.localPort,
    io: "native",
    send: (packet) => {
      if (!closed) ep.send(Buffer.isBuffer(packet) ? packet : Buffer.concat(packet));
    },
    sendSlots: (headers, payloads, first, count, slots, blksize, tail) => {
      if (!closed) ep.sendSlots(headers, payloads, first, count, slots, blksize, tail);
    },
    presend: {
      setRing: (headers, payloads, slots, blksize) => {
        if (!closed) ep.setRing(headers, payloads, slots, blksize);
      },
      arm: (wireAck, slot, count, lastLength, notifyEvery, notifyMs) =>
        !closed && ep.arm(wireAck, slot, count, lastLength, notifyEvery, notifyMs),
      drain: () => (closed ? 0 : ep.drain()),
      disarm: () => {
        if (!closed) ep.disarm();
      },
    },
    sendTo: (packet, to) => {
      if (!closed) ep.sendTo(packet, to.address, to.port);
    },
    receive: (handlers) => {
      h = handlers;
    },
    close: () => {
      if (closed) return;
      closed = true;
      h = undefined;
      ep.close();
    },
  });
}

async function openDgram(
  type: "udp4" | "udp6",
  bindAddress: string,
  remote: PeerAddress,
  onError: (e: Error) => void,
): Promise<TransferSockets> {
  const tid = newUdpSocket(type);
  tid.on("error", onError);
  await bindSocket(tid, bindAddress, 0);
  let closed = false;
  return {
    localPort: tid.address().port,
    io: "dgram",
    send: (packet) => {
      if (!closed) tid.send(packet, remote.port, remote.address);
    },
    sendSlots: undefined,
    presend: undefined,
    sendTo: (packet, to) => {
      if (!closed) tid.send(packet, to.port, to.address);
    },
    receive: (h) => {
      const onAck = h.onAck;
      tid.on("message", (msg: Buffer, rinfo: { address: string; port: number }) => {
        if (rinfo.port !== remote.port || rinfo.address !== remote.address) {
          h.onForeign(msg, { address: rinfo.address, port: rinfo.port });
        } else if (onAck && msg.length === 4 && msg[0] === 0 && msg[1] === Opcode.ACK) {
          // Hot path: an ACK needs no parse object.
          onAck((msg[2]! << 8) | msg[3]!, 0);
        } else {
          h.onPeer(msg);
        }
      });
    },
    close: () => {
      if (closed) return;
      closed = true;
      try {
        tid.close();
      } catch {
        // already closed
      }
    },
  };
}

/** Demultiplexes a transfer's datagrams: the peer's packets are parsed (garbage ends the
 * transfer), strangers get ERROR 5 and are reported. */
export function attachTransfer(
  sockets: TransferSockets,
  onPacket: (p: TftpPacket) => void,
  onGarbage: (reason: string) => void,
  onForeign: (f: ForeignPacket) => void,
  onAck?: (block: number, presented: number) => void,
): void {
  sockets.receive({
    ...(onAck ? { onAck } : {}),
    onPeer: (msg) => {
      let packet: TftpPacket;
      try {
        packet = parsePacket(msg);
      } catch (error) {
        onGarbage(isProvisioError(error) ? error.message : "malformed packet");
        return;
      }
      onPacket(packet);
    },
    onForeign: (msg, from) => {
      const isError = msg.length >= 2 && msg.readUInt16BE(0) === Opcode.ERROR;
      if (!isError) {
        sockets.sendTo(encodeError(TftpErrorCode.UnknownTransferId, "Unknown transfer ID"), from);
      }
      onForeign({ remote: from, reason: "Unknown transfer ID", code: isError ? undefined : 5 });
    },
  });
}

export interface ReadSessionOptions {
  readonly sockets: TransferSockets;
  readonly remote: PeerAddress;
  readonly reader: ByteReader;
  readonly blksize: number;
  readonly windowsize: number;
  readonly oack: Buffer | undefined;
  readonly clock: TftpClock;
  readonly rtoMs: number;
  readonly maxRetries: number;
  readonly readAheadBytes?: number;
  /** See TransferIo.unverifiedMs. */
  readonly unverifiedMs?: number | undefined;
  readonly onVerified?: (() => void) | undefined;
  readonly onEnd: (counters: TransferCounters, end: TransferEnd) => void;
  readonly onForeign: (f: ForeignPacket) => void;
}

/** Wires a SendTransfer to a bound socket; call `start()` on the result. */
export function readSession(o: ReadSessionOptions): SendTransfer {
  const { sockets } = o;
  const sender: SendTransfer = new SendTransfer({
    reader: o.reader,
    blksize: o.blksize,
    windowsize: o.windowsize,
    oack: o.oack,
    send: sockets.send,
    sendSlots: sockets.sendSlots,
    presend: sockets.presend,
    clock: o.clock,
    rtoMs: o.rtoMs,
    maxRetries: o.maxRetries,
    ...(o.readAheadBytes === undefined ? {} : { readAheadBytes: o.readAheadBytes }),
    unverifiedMs: o.unverifiedMs,
    onVerified: o.onVerified,
    onEnd: (end) => o.onEnd(sender.counters, end),
  });
  attachTransfer(
    sockets,
    (p) => {
      if (p.op === Opcode.ACK) sender.onAck(p.block);
      else if (p.op === Opcode.ERROR) sender.onPeerError(p.code, p.message);
      else sender.abort("TFTP_ILLEGAL_OPERATION", "Illegal TFTP operation", true);
    },
    (reason) => sender.abort("TFTP_ILLEGAL_OPERATION", reason, true),
    o.onForeign,
    (block, presented) => sender.onAck(block, presented),
  );
  return sender;
}
