/**
 * TFTP client (the device emulator's side): RRQ and WRQ with blksize, windowsize,
 * timeout and tsize; one ephemeral local port per transfer; packets from a port other
 * than the server's chosen TID are answered with ERROR 5 and ignored.
 */
import { createSocket, type RemoteInfo, type Socket, type SocketType } from "node:dgram";
import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import type { ProvisioError } from "../errors.ts";
import { Deadline, systemClock, type TftpClock } from "./clock.ts";
import { errorFromWire, type TftpError, TftpErrorCode, tftpError } from "./errors.ts";
import { NetasciiDecoder, netasciiEncode } from "./netascii.ts";
import {
  acceptOack,
  DEFAULT_PARAMS,
  type RequestedOptions,
  requestOptionList,
  type TransferParams,
} from "./options.ts";
import {
  encodeAck,
  encodeError,
  encodeRequest,
  Opcode,
  parsePacket,
  type TftpPacket,
  type TransferMode,
} from "./packet.ts";
import { BytesReader } from "./source.ts";
import {
  ReceiveTransfer,
  SendTransfer,
  type TransferCounters,
  type TransferEnd,
} from "./transfer.ts";

export interface TftpClientOptions extends RequestedOptions {
  readonly host: string;
  /** Server port; default 69. */
  readonly port?: number;
  readonly type?: SocketType;
  /** Local address / port to bind (default: any address, ephemeral port). */
  readonly localAddress?: string;
  readonly localPort?: number;
  readonly mode?: TransferMode;
  /** Retransmission timeout; default the negotiated `timeout` (s), else 1000 ms. */
  readonly retransmitMs?: number;
  /** Timer expiries in a row before giving up; default 5. */
  readonly maxRetries?: number;
  readonly clock?: TftpClock;
  readonly signal?: AbortSignal;
}

export interface TftpGetOptions extends TftpClientOptions {
  /** Refuse (ERROR 3) downloads larger than this; default unlimited. */
  readonly maxBytes?: number;
  /** Stream payload here instead of collecting it (then `data` is empty). */
  readonly onData?: (chunk: Buffer) => void;
}

export interface TftpClientStats extends TransferCounters {
  readonly params: TransferParams;
  /** The server's transfer port (its TID). */
  readonly serverPort: number;
  readonly durationMs: number;
  /** Whether the server answered with an OACK. */
  readonly negotiated: boolean;
}

export interface TftpGetResult {
  readonly data: Buffer;
  readonly stats: TftpClientStats;
}

export interface TftpPutResult {
  readonly stats: TftpClientStats;
}

async function resolveHost(host: string, type: SocketType): Promise<string> {
  if (isIP(host)) return host;
  const r = await lookup(host, { family: type === "udp6" ? 6 : 4 });
  return r.address;
}

async function bindSocket(o: TftpClientOptions, type: SocketType): Promise<Socket> {
  const socket = createSocket({ type, recvBufferSize: 1 << 20 });
  await new Promise<void>((resolve, reject) => {
    socket.once("error", reject);
    const opts: { port: number; address?: string; exclusive: boolean } = {
      port: o.localPort ?? 0,
      exclusive: true,
    };
    if (o.localAddress !== undefined) opts.address = o.localAddress;
    socket.bind(opts, () => {
      socket.off("error", reject);
      resolve();
    });
  });
  socket.on("error", () => undefined);
  return socket;
}

function endError(end: TransferEnd, peer: TftpError | undefined): ProvisioError {
  if (end.outcome === "peer-error" && peer) return peer;
  if (end.outcome === "timeout") return tftpError("TFTP_TIMEOUT", "TFTP server stopped responding");
  const code = end.error?.code;
  return tftpError(
    typeof code === "string" && code.startsWith("TFTP_")
      ? (code as "TFTP_ABORTED")
      : "TFTP_ABORTED",
    end.error?.message ?? "transfer failed",
  );
}

interface Session {
  readonly socket: Socket;
  readonly server: string;
  readonly port: number;
  readonly clock: TftpClock;
  tid: number | undefined;
  closed: boolean;
}

/** Sends on the session socket unless it has been closed (late timers, aborts). */
function sendTo(s: Session, packet: Buffer | readonly Buffer[], port: number): void {
  if (!s.closed) s.socket.send(packet, port, s.server);
}

/** Answers the server's transfer ID with an ERROR packet. */
function sendError(s: Session, code: TftpErrorCode, message: string): void {
  sendTo(s, encodeError(code, message), s.tid!);
}

function closeSession(s: Session): void {
  if (s.closed) return;
  s.closed = true;
  try {
    s.socket.close();
  } catch {
    // already closed
  }
}

/** A finished transfer's statistics, for reads and writes alike. */
function sessionStats(
  s: Session,
  counters: TransferCounters,
  params: TransferParams,
  startedAt: number,
  negotiated: boolean,
): TftpClientStats {
  return {
    ...counters,
    params,
    serverPort: s.tid ?? 0,
    durationMs: s.clock.now() - startedAt,
    negotiated,
  };
}

/**
 * Runs the request phase: sends the request until the first answer; afterwards hands
 * each packet from the server's TID to `onPacket`. Wrong-TID packets get ERROR 5.
 */
function runSession(
  s: Session,
  request: Buffer,
  o: TftpClientOptions,
  rto: number,
  onFirst: (p: TftpPacket, rinfo: RemoteInfo) => void,
  onPacket: (p: TftpPacket) => void,
  onGarbage: (reason: string) => void,
  onRequestTimeout: () => void,
): Deadline {
  let tries = 0;
  const maxRetries = o.maxRetries ?? 5;
  const deadline = new Deadline(s.clock, () => {
    if (s.tid !== undefined) return;
    if (++tries > maxRetries) {
      onRequestTimeout();
      return;
    }
    sendTo(s, request, s.port);
    deadline.arm(rto);
  });
  s.socket.on("message", (msg, rinfo) => {
    if (rinfo.address !== s.server) return;
    if (s.tid !== undefined && rinfo.port !== s.tid) {
      if (!(msg.length >= 2 && msg.readUInt16BE(0) === Opcode.ERROR)) {
        s.socket.send(
          encodeError(TftpErrorCode.UnknownTransferId, "Unknown transfer ID"),
          rinfo.port,
          rinfo.address,
        );
      }
      return;
    }
    let p: TftpPacket;
    try {
      p = parsePacket(msg);
    } catch (error) {
      if (s.tid !== undefined) onGarbage((error as Error).message);
      return;
    }
    if (s.tid === undefined) {
      s.tid = rinfo.port;
      deadline.cancel();
      onFirst(p, rinfo);
    } else {
      onPacket(p);
    }
  });
  s.socket.send(request, s.port, s.server);
  deadline.arm(rto);
  return deadline;
}

/** What starting a transfer needs, for reads and writes alike: a bound session. */
async function openSession(
  o: TftpClientOptions,
  type: SocketType,
  server: string,
): Promise<{ s: Session; baseRto: number; startedAt: number }> {
  const clock = o.clock ?? systemClock;
  const baseRto = o.retransmitMs ?? (o.timeout !== undefined ? o.timeout * 1000 : 1000);
  o.signal?.throwIfAborted();
  const socket = await bindSocket(o, type);
  const s: Session = { socket, server, port: o.port ?? 69, clock, tid: undefined, closed: false };
  return { s, baseRto, startedAt: clock.now() };
}

/** Downloads `filename` (RRQ). */
export async function tftpGet(filename: string, o: TftpGetOptions): Promise<TftpGetResult> {
  const type = o.type ?? "udp4";
  const server = await resolveHost(o.host, type);
  const mode = o.mode ?? "octet";
  const optList = requestOptionList(o, "read");
  const request = encodeRequest(Opcode.RRQ, filename, mode, optList);
  const { s, baseRto, startedAt } = await openSession(o, type, server);
  const clock = s.clock;

  return new Promise<TftpGetResult>((resolve, reject) => {
    let receiver: ReceiveTransfer | undefined;
    let params: TransferParams = DEFAULT_PARAMS;
    let negotiated = false;
    let peerError: TftpError | undefined;
    let settled = false;
    const chunks: Buffer[] = [];
    let size = 0;
    const decoder = mode === "netascii" ? new NetasciiDecoder() : undefined;
    const closeSocket = () => closeSession(s);
    const settle = (error: ProvisioError | undefined) => {
      if (settled) return;
      settled = true;
      o.signal?.removeEventListener("abort", onAbort);
      if (error) {
        reject(error);
        return;
      }
      resolve({
        data: o.onData ? Buffer.alloc(0) : Buffer.concat(chunks, size),
        stats: sessionStats(s, receiver!.counters, params, startedAt, negotiated),
      });
    };
    const deliver = (piece: Buffer) => {
      if (piece.length === 0) return;
      size += piece.length;
      if (o.maxBytes !== undefined && size > o.maxBytes) {
        throw tftpError("TFTP_TOO_LARGE", "File too large");
      }
      if (o.onData) o.onData(piece);
      else chunks.push(piece);
    };
    const startReceiver = (initial: Buffer | undefined) => {
      const rto = o.retransmitMs ?? params.timeoutMs ?? baseRto;
      const r: ReceiveTransfer = new ReceiveTransfer({
        blksize: params.blksize,
        windowsize: params.windowsize,
        initial,
        send: (p) => sendTo(s, p, s.tid!),
        clock,
        rtoMs: rto,
        maxRetries: o.maxRetries ?? 5,
        dallyMs: rto * 3,
        sink: (chunk, last) => {
          deliver(decoder ? decoder.push(chunk) : chunk);
          if (last && decoder) deliver(decoder.end());
        },
        onEnd: (end) => settle(end.outcome === "complete" ? undefined : endError(end, peerError)),
        onRelease: closeSocket,
      });
      receiver = r;
      r.start();
      return r;
    };
    const onPacket = (p: TftpPacket) => {
      if (!receiver) return;
      if (p.op === Opcode.DATA) receiver.onData(p.block, p.data);
      else if (p.op === Opcode.ERROR) {
        peerError = errorFromWire(p.code, p.message);
        receiver.onPeerError(p.code, p.message);
      } else if (p.op === Opcode.OACK && negotiated) {
        // Our ACK 0 was lost; the server repeats its OACK.
        if (receiver.counters.blocks === 0) sendTo(s, encodeAck(0), s.tid!);
      }
    };
    const onFirst = (p: TftpPacket) => {
      if (p.op === Opcode.ERROR) {
        closeSocket();
        settle(errorFromWire(p.code, p.message));
        return;
      }
      if (p.op === Opcode.OACK) {
        try {
          params = acceptOack(p.options, o);
        } catch (error) {
          sendError(s, TftpErrorCode.OptionRefused, "Option negotiation refused");
          closeSocket();
          settle(error as ProvisioError);
          return;
        }
        negotiated = true;
        startReceiver(encodeAck(0));
        return;
      }
      if (p.op === Opcode.DATA) {
        // The server ignored our options (plain RFC 1350).
        startReceiver(undefined).onData(p.block, p.data);
        return;
      }
      sendError(s, TftpErrorCode.IllegalOperation, "Illegal TFTP operation");
      closeSocket();
      settle(tftpError("TFTP_ILLEGAL_OPERATION", "unexpected answer to RRQ"));
    };
    const requestDeadline = runSession(
      s,
      request,
      o,
      baseRto,
      onFirst,
      onPacket,
      (reason) => receiver?.abort("TFTP_ILLEGAL_OPERATION", reason, true),
      () => {
        closeSocket();
        settle(tftpError("TFTP_TIMEOUT", `no answer from ${server}:${s.port}`));
      },
    );
    const onAbort = () => {
      requestDeadline.cancel();
      if (receiver) receiver.abort("TFTP_ABORTED", "Transfer aborted", true);
      else closeSocket();
      settle(tftpError("TFTP_ABORTED", "transfer aborted"));
    };
    o.signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** Uploads `data` as `filename` (WRQ). */
export async function tftpPut(
  filename: string,
  data: Uint8Array,
  o: TftpClientOptions,
): Promise<TftpPutResult> {
  const type = o.type ?? "udp4";
  const server = await resolveHost(o.host, type);
  const mode = o.mode ?? "octet";
  const wire = mode === "netascii" ? netasciiEncode(data) : data;
  const requested: RequestedOptions = {
    ...o,
    tsize: o.tsize === undefined || o.tsize === false ? undefined : wire.length,
  };
  const optList = requestOptionList(requested, "write");
  const request = encodeRequest(Opcode.WRQ, filename, mode, optList);
  const { s, baseRto, startedAt } = await openSession(o, type, server);
  const clock = s.clock;

  return new Promise<TftpPutResult>((resolve, reject) => {
    let sender: SendTransfer | undefined;
    let params: TransferParams = DEFAULT_PARAMS;
    let negotiated = false;
    let peerError: TftpError | undefined;
    let settled = false;
    const closeSocket = () => closeSession(s);
    const settle = (error: ProvisioError | undefined) => {
      if (settled) return;
      settled = true;
      o.signal?.removeEventListener("abort", onAbort);
      closeSocket();
      if (error) {
        reject(error);
        return;
      }
      resolve({ stats: sessionStats(s, sender!.counters, params, startedAt, negotiated) });
    };
    const startSender = () => {
      sender = new SendTransfer({
        reader: new BytesReader(wire),
        blksize: params.blksize,
        windowsize: params.windowsize,
        send: (p) => sendTo(s, p, s.tid!),
        clock,
        rtoMs: o.retransmitMs ?? params.timeoutMs ?? baseRto,
        maxRetries: o.maxRetries ?? 5,
        onEnd: (end) => settle(end.outcome === "complete" ? undefined : endError(end, peerError)),
      });
      sender.start();
    };
    const onFirst = (p: TftpPacket) => {
      if (p.op === Opcode.ERROR) {
        settle(errorFromWire(p.code, p.message));
        return;
      }
      if (p.op === Opcode.OACK) {
        try {
          params = acceptOack(p.options, requested);
        } catch (error) {
          sendError(s, TftpErrorCode.OptionRefused, "Option negotiation refused");
          settle(error as ProvisioError);
          return;
        }
        negotiated = true;
        startSender();
        return;
      }
      if (p.op === Opcode.ACK && p.block === 0) {
        startSender();
        return;
      }
      sendError(s, TftpErrorCode.IllegalOperation, "Illegal TFTP operation");
      settle(tftpError("TFTP_ILLEGAL_OPERATION", "unexpected answer to WRQ"));
    };
    const onPacket = (p: TftpPacket) => {
      if (!sender) return;
      if (p.op === Opcode.ACK) sender.onAck(p.block);
      else if (p.op === Opcode.ERROR) {
        peerError = errorFromWire(p.code, p.message);
        sender.onPeerError(p.code, p.message);
      }
    };
    const requestDeadline = runSession(
      s,
      request,
      o,
      baseRto,
      onFirst,
      onPacket,
      (reason) => sender?.abort("TFTP_ILLEGAL_OPERATION", reason, true),
      () => settle(tftpError("TFTP_TIMEOUT", `no answer from ${server}:${s.port}`)),
    );
    const onAbort = () => {
      requestDeadline.cancel();
      if (sender) sender.abort("TFTP_ABORTED", "Transfer aborted", true);
      settle(tftpError("TFTP_ABORTED", "transfer aborted"));
    };
    o.signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** A client bound to one server, with default options for each transfer. */
export class TftpClient {
  constructor(private readonly defaults: TftpClientOptions) {}

  get(filename: string, options: Partial<TftpGetOptions> = {}): Promise<TftpGetResult> {
    return tftpGet(filename, { ...this.defaults, ...options });
  }

  put(
    filename: string,
    data: Uint8Array,
    options: Partial<TftpClientOptions> = {},
  ): Promise<TftpPutResult> {
    return tftpPut(filename, data, { ...this.defaults, ...options });
  }
}
