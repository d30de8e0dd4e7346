/**
 * One read transfer on its own UDP socket: the socket plumbing shared by the server's
 * main thread and its worker threads (see worker.ts). Wrong source port → ERROR 5 and
 * ignored; garbage from the peer → ERROR 4 and the transfer ends.
 */
import { createSocket, type Socket, type SocketOptions } from "node:dgram";
import { isProvisioError } from "../errors.ts";
import type { TftpClock } from "./clock.ts";
import { TftpErrorCode } from "./errors.ts";
import { encodeError, Opcode, parsePacket, type TftpPacket } from "./packet.ts";
import type { ByteReader } from "./source.ts";
import { SendTransfer, type TransferCounters, type TransferEnd } from "./transfer.ts";

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

/**
 * The socket of one transfer, bound to an ephemeral port (the transfer ID). It stays
 * unconnected so that packets from anyone but the client reach us and can be answered
 * with ERROR 5 (a connected socket would have the kernel drop them). Measured: a second,
 * connected socket sharing the port (SO_REUSEADDR) saved only ~5% CPU per datagram, not
 * worth letting another local process bind the same port.
 */
export interface TransferSockets {
  readonly tid: Socket;
  readonly localPort: number;
  send(packet: Buffer): void;
  close(): void;
}

export async function openTransferSockets(
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
    tid,
    localPort: tid.address().port,
    send: (packet) => {
      if (!closed) tid.send(packet, remote.port, remote.address);
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

/** Demultiplexes a transfer's sockets. */
export function attachTransfer(
  sockets: TransferSockets,
  remote: PeerAddress,
  onPacket: (p: TftpPacket) => void,
  onGarbage: (reason: string) => void,
  onForeign: (f: ForeignPacket) => void,
  fast?: { readonly op: number; readonly handle: (msg: Buffer) => void },
): void {
  const { tid } = sockets;
  const fastOp = fast?.op ?? -1;
  const fastHandle = fast?.handle;
  const onForeignPacket = (msg: Buffer, rinfo: { address: string; port: number }) => {
    const from = { address: rinfo.address, port: rinfo.port };
    const isError = msg.length >= 2 && msg.readUInt16BE(0) === Opcode.ERROR;
    if (!isError) {
      tid.send(
        encodeError(TftpErrorCode.UnknownTransferId, "Unknown transfer ID"),
        rinfo.port,
        rinfo.address,
      );
    }
    onForeign({ remote: from, reason: "Unknown transfer ID", code: isError ? undefined : 5 });
  };
  tid.on("message", (msg: Buffer, rinfo: { address: string; port: number }) => {
    if (rinfo.port !== remote.port || rinfo.address !== remote.address) {
      onForeignPacket(msg, rinfo);
      return;
    }
    // Hot path: an ACK (read transfers) or DATA (write transfers) needs no parse object.
    if (msg.length >= 4 && msg[0] === 0 && msg[1] === fastOp) {
      fastHandle!(msg);
      return;
    }
    let packet: TftpPacket;
    try {
      packet = parsePacket(msg);
    } catch (error) {
      onGarbage(isProvisioError(error) ? error.message : "malformed packet");
      return;
    }
    onPacket(packet);
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
  readonly onEnd: (counters: TransferCounters, end: TransferEnd) => void;
  readonly onForeign: (f: ForeignPacket) => void;
}

/** Wires a SendTransfer to a bound socket; call `start()` on the result. */
export function readSession(o: ReadSessionOptions): SendTransfer {
  const { sockets, remote } = o;
  const sender: SendTransfer = new SendTransfer({
    reader: o.reader,
    blksize: o.blksize,
    windowsize: o.windowsize,
    oack: o.oack,
    send: sockets.send,
    clock: o.clock,
    rtoMs: o.rtoMs,
    maxRetries: o.maxRetries,
    ...(o.readAheadBytes === undefined ? {} : { readAheadBytes: o.readAheadBytes }),
    onEnd: (end) => o.onEnd(sender.counters, end),
  });
  attachTransfer(
    sockets,
    remote,
    (p) => {
      if (p.op === Opcode.ACK) sender.onAck(p.block);
      else if (p.op === Opcode.ERROR) sender.onPeerError(p.code, p.message);
      else sender.abort("TFTP_ILLEGAL_OPERATION", "Illegal TFTP operation", true);
    },
    (reason) => sender.abort("TFTP_ILLEGAL_OPERATION", reason, true),
    o.onForeign,
    { op: Opcode.ACK, handle: (msg) => sender.onAck((msg[2]! << 8) | msg[3]!) },
  );
  return sender;
}
