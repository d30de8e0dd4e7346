/**
 * TFTP server: a request socket (UDP 6969 by default) and one ephemeral socket per
 * transfer. Content comes from a resolver callback; uploads (WRQ) are refused unless an
 * upload callback is configured. Statistics are emitted per transfer; nothing is logged.
 */
import type { RemoteInfo, Socket, SocketType } from "node:dgram";
import { EventEmitter } from "node:events";
import { isProvisioError } from "../errors.ts";
import { Admission, type AdmissionOptions, type AdmissionTicket } from "./admission.ts";
import { systemClock, type TftpClock } from "./clock.ts";
import {
  TFTP_ERROR_TEXT,
  TftpErrorCode,
  type TftpProvisioCode,
  tftpError,
  wireCodeFor,
} from "./errors.ts";
import { NetasciiDecoder } from "./netascii.ts";
import { negotiateServerOptions, type TransferParams } from "./options.ts";
import {
  encodeAck,
  encodeError,
  encodeOack,
  Opcode,
  parsePacket,
  type RequestPacket,
  type TftpPacket,
  type TransferMode,
} from "./packet.ts";
import {
  attachTransfer,
  bindSocket,
  type ForeignPacket,
  newUdpSocket,
  openTransferSockets,
  readSession,
  type TransferIoChoice,
  type TransferIoKind,
  type TransferSockets,
} from "./session.ts";
import {
  closePrepared,
  type PreparedSource,
  preparedWireSize,
  prepareSource,
  readerFromPrepared,
  type TftpSource,
} from "./source.ts";
import { SourceLimits, type SourceRefusal, type SourceSlot } from "./source_limits.ts";
import {
  ReceiveTransfer,
  type TransferCounters,
  type TransferEnd,
  type TransferOutcome,
} from "./transfer.ts";

export interface TftpRemote {
  readonly address: string;
  readonly port: number;
}

export interface TftpRequest {
  readonly kind: "read" | "write";
  readonly filename: string;
  readonly mode: TransferMode;
  /** Options as requested (names lower-cased), before negotiation. */
  readonly options: Readonly<Record<string, string>>;
  readonly remote: TftpRemote;
}

/** Supplies the content of a read request. Throwing a ProvisioError with a TFTP code
 * (e.g. TFTP_FILE_NOT_FOUND) answers with that TFTP error; any other throw answers
 * "Not defined" without leaking the message. */
export type TftpResolver = (request: TftpRequest) => Promise<TftpSource>;

/** Where an accepted upload goes. */
export type TftpUploadTarget =
  | {
      readonly kind: "accept";
      /** Refuse (Disk full) beyond this many bytes; default 1 MiB. */
      readonly maxBytes?: number;
      /** Receives the complete upload after the final ACK. */
      readonly onComplete: (data: Buffer) => void | Promise<void>;
    }
  | { readonly kind: "error"; readonly code: TftpErrorCode; readonly message?: string };

export type TftpUploadResolver = (request: TftpRequest) => Promise<TftpUploadTarget>;

export interface TftpServerOptions {
  readonly resolver: TftpResolver;
  /** Enables WRQ. Without it every write request gets "Access violation". */
  readonly upload?: TftpUploadResolver;
  /** UDP port; default 6969 (use 69 when configured and privileged). 0 = ephemeral. */
  readonly port?: number;
  /** Bind address; default "0.0.0.0" (or "::" for udp6). */
  readonly address?: string;
  readonly type?: SocketType;
  /** Largest blksize granted (RFC 2348 maximum 65464). */
  readonly maxBlksize?: number;
  /** Smallest blksize granted (8..512); a smaller request is declined and the transfer
   * runs at 512. Default 512: a tiny block multiplies the packets, and the time, a
   * transfer holds its slot. */
  readonly minBlksize?: number;
  /** Largest windowsize granted (RFC 7440). Default 64. */
  readonly maxWindowSize?: number;
  /** Retransmission timeout when the client does not negotiate `timeout`. Default 1000 ms. */
  readonly retransmitMs?: number;
  /** Timer expiries in a row before a transfer is dropped. Default 5. */
  readonly maxRetries?: number;
  /** Concurrent transfers in all. Default 512. */
  readonly maxTransfers?: number;
  /** Concurrent transfers per client IP address. Default 64. */
  readonly maxTransfersPerClient?: number;
  /** Concurrent transfers per client IP address whose first packet is not acknowledged
   * yet. Default 16. */
  readonly maxUnverifiedPerClient?: number;
  /** Slots only addresses that completed a transfer before may take. Default a quarter
   * of `maxTransfers`. */
  readonly reservedForKnownSources?: number;
  /** Addresses remembered as having completed a transfer (least recent forgotten).
   * Default 16384. */
  readonly knownSources?: number;
  /** When every slot a request could take is held, it preempts the slowest transfer of
   * the address holding the most, if that address holds more than this many and two more
   * than the requester (ERROR 0 to the preempted client). Default 4. */
  readonly protectedPerClient?: number;
  /** Largest RFC 2349 `timeout` accepted, in seconds; a larger one is left out of the
   * OACK and the transfer runs with this value. Default 10. */
  readonly maxTimeout?: number;
  /** A transfer is aborted (ERROR 0) after this long, whatever its progress. Default
   * 900000 (15 minutes). */
  readonly maxTransferMs?: number;
  /** A transfer whose first packet (OACK or DATA 1 / ACK 0) is not acknowledged ends
   * after this long, or twice its retransmission timeout if that is longer; that packet
   * is sent once, and again only when the client repeats its request. Default 5000. */
  readonly unverifiedMs?: number;
  /** Default cap on upload size when the upload target sets none. Default 1 MiB. */
  readonly maxUploadBytes?: number;
  readonly clock?: TftpClock;
  /**
   * Transfer socket I/O: "auto" (default) uses the native endpoint (recvmmsg/sendmmsg,
   * build/udp_endpoint.node) when it is built and node:dgram otherwise; "native" fails
   * transfers when it is missing; "dgram" never uses it.
   */
  readonly io?: TransferIoChoice;
  /**
   * Read transfers past `minActive` (default 4 per CPU) wait while the event loop is
   * saturated, at most `maxQueueMs` (default 3000): see admission.ts for why. `false`
   * starts every transfer at once.
   */
  readonly admission?: AdmissionOptions | false;
}

export interface TftpTransferInfo {
  readonly id: number;
  readonly kind: "read" | "write";
  readonly filename: string;
  readonly mode: TransferMode;
  readonly remote: TftpRemote;
  readonly localPort: number;
  readonly params: TransferParams;
  /** Options as sent in the OACK (empty: none). */
  readonly oack: ReadonlyArray<readonly [string, string]>;
  /** Time the request waited for admission (saturated server), ms. */
  readonly queuedMs: number;
  /** The transfer socket's I/O: the native endpoint or node:dgram. */
  readonly io: TransferIoKind;
}

export interface TftpTransferStats extends TftpTransferInfo, TransferCounters {
  readonly outcome: TransferOutcome;
  readonly error?: TransferEnd["error"];
  readonly durationMs: number;
}

export interface TftpRejection {
  readonly remote: TftpRemote;
  readonly reason: string;
  /** TFTP error code sent back, or undefined when the packet was dropped silently. */
  readonly code: number | undefined;
  readonly filename?: string;
}

export interface TftpServerEvents {
  transferStart: [TftpTransferInfo];
  transferEnd: [TftpTransferStats];
  /** A request refused, or a packet answered with an error / ignored. */
  rejected: [TftpRejection];
  /** A resolver or upload callback failed unexpectedly. */
  callbackError: [{ readonly request: TftpRequest; readonly error: unknown }];
  /** A socket-level error (the server keeps running). */
  socketError: [Error];
}

type Family = "udp4" | "udp6";

interface Active {
  readonly key: string;
  /** Payload bytes sent (read) or received (write) so far, once the transfer runs. */
  progress?: () => number;
  startedAt?: number;
  readonly address: string;
  readonly port: number;
  readonly slot: SourceSlot;
  sockets: TransferSockets | undefined;
  /** `notify` false: no ERROR to the peer (an unverified source gets nothing more). */
  abort?: (code: TftpProvisioCode, message: string, notify?: boolean) => void;
  /** Resends the first packet for a repeated request (once the transfer runs). */
  repeatFirst?: () => boolean;
  /** Place in (or in the queue of) the admission of read transfers. */
  ticket?: AdmissionTicket;
  /** The lifetime timer (maxTransferMs). */
  lifetime?: unknown;
}

export class TftpServer extends EventEmitter<TftpServerEvents> {
  private readonly o: Required<
    Omit<
      TftpServerOptions,
      | "upload"
      | "address"
      | "type"
      | "admission"
      | "maxUnverifiedPerClient"
      | "reservedForKnownSources"
      | "knownSources"
      | "protectedPerClient"
    >
  > & {
    upload: TftpUploadResolver | undefined;
  };
  private readonly admission: Admission;
  private readonly limits: SourceLimits;
  private readonly type: Family;
  private readonly bindAddress: string;
  private socket: Socket | undefined;
  private readonly active = new Map<string, Active>();
  private readonly bySlot = new Map<SourceSlot, Active>();
  private nextId = 1;
  private closing = false;

  constructor(options: TftpServerOptions) {
    super();
    this.type = options.type === "udp6" ? "udp6" : "udp4";
    this.bindAddress = options.address ?? (this.type === "udp6" ? "::" : "0.0.0.0");
    this.o = {
      resolver: options.resolver,
      upload: options.upload,
      port: options.port ?? 6969,
      maxBlksize: options.maxBlksize ?? 65464,
      minBlksize: Math.min(512, Math.max(8, options.minBlksize ?? 512)),
      maxWindowSize: options.maxWindowSize ?? 64,
      retransmitMs: options.retransmitMs ?? 1000,
      maxRetries: options.maxRetries ?? 5,
      maxTransfers: options.maxTransfers ?? 512,
      maxTransfersPerClient: options.maxTransfersPerClient ?? 64,
      maxUploadBytes: options.maxUploadBytes ?? 1024 * 1024,
      maxTimeout: options.maxTimeout ?? 10,
      maxTransferMs: options.maxTransferMs ?? 900_000,
      unverifiedMs: options.unverifiedMs ?? 5000,
      clock: options.clock ?? systemClock,
      io: options.io ?? "auto",
    };
    this.limits = new SourceLimits({
      maxTransfers: this.o.maxTransfers,
      maxPerSource: this.o.maxTransfersPerClient,
      maxUnverifiedPerSource: options.maxUnverifiedPerClient ?? 16,
      reservedForKnown: Math.min(
        this.o.maxTransfers,
        options.reservedForKnownSources ?? Math.floor(this.o.maxTransfers / 4),
      ),
      knownSources: options.knownSources ?? 16384,
      protectedPerSource: options.protectedPerClient ?? 4,
    });
    this.admission = new Admission(
      options.admission === false ? { minActive: 0 } : (options.admission ?? {}),
      this.o.clock,
    );
  }

  /** Transfers in progress (including requests whose content is being resolved). */
  get activeTransfers(): number {
    return this.active.size;
  }

  /** Read requests waiting for admission (counted in activeTransfers too). */
  get queuedTransfers(): number {
    return this.admission.waiting;
  }

  /** Binds the request socket; resolves with the bound address and port. */
  async listen(): Promise<TftpRemote> {
    const socket = newUdpSocket(this.type);
    await bindSocket(socket, this.bindAddress, this.o.port);
    socket.on("error", (e) => this.emit("socketError", e));
    socket.on("message", (msg, rinfo) => this.onRequestPacket(msg, rinfo));
    this.socket = socket;
    const a = socket.address();
    return { address: a.address, port: a.port };
  }

  /** Stops listening and aborts every transfer (clients get an ERROR packet). */
  async close(): Promise<void> {
    this.closing = true;
    this.admission.close();
    for (const t of [...this.active.values()]) t.abort?.("TFTP_ABORTED", "Server shutting down");
    for (const t of [...this.active.values()]) this.release(t);
    const s = this.socket;
    this.socket = undefined;
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  private emitForeign(f: ForeignPacket): void {
    this.emit("rejected", { remote: f.remote, reason: f.reason, code: f.code });
  }

  private reject(remote: TftpRemote, code: number | undefined, reason: string, filename?: string) {
    if (code !== undefined && this.socket) {
      const text = reason || TFTP_ERROR_TEXT[code as TftpErrorCode] || "Error";
      this.socket.send(encodeError(code, text), remote.port, remote.address);
    }
    this.emit(
      "rejected",
      filename === undefined ? { remote, reason, code } : { remote, reason, code, filename },
    );
  }

  /** A request without a slot: an ERROR when the server or the address is at its limit,
   * silence (the client retries, as after a loss) for the unverified limits. */
  private refuse(remote: TftpRemote, why: SourceRefusal, filename: string): void {
    if (why === "busy" || why === "per-source") {
      const text =
        why === "busy" ? "Server busy, try again later" : "Too many transfers from this address";
      this.reject(remote, TftpErrorCode.NotDefined, text, filename);
    } else {
      const reason =
        why === "unverified"
          ? "Too many unacknowledged transfers from this address"
          : "Unreserved slots full (address never completed a transfer)";
      this.reject(remote, undefined, reason, filename);
    }
  }

  private onRequestPacket(msg: Buffer, rinfo: RemoteInfo): void {
    const remote = { address: rinfo.address, port: rinfo.port };
    let packet: TftpPacket;
    try {
      packet = parsePacket(msg);
    } catch (error) {
      // Never answer something that claims to be an ERROR: no error ping-pong.
      const looksLikeError = msg.length >= 2 && msg.readUInt16BE(0) === Opcode.ERROR;
      const reason = isProvisioError(error) ? error.message : "malformed packet";
      this.reject(remote, looksLikeError ? undefined : TftpErrorCode.IllegalOperation, reason);
      return;
    }
    if (packet.op === Opcode.ERROR) return;
    if (packet.op !== Opcode.RRQ && packet.op !== Opcode.WRQ) {
      this.reject(remote, TftpErrorCode.UnknownTransferId, "Unknown transfer ID");
      return;
    }
    if (this.closing) return;
    const key = `${remote.address}|${remote.port}`;
    // A repeated request from the same TID while its transfer runs: until the client has
    // acknowledged something, it is the client's retry and resends our first packet.
    const running = this.active.get(key);
    if (running) {
      running.repeatFirst?.();
      return;
    }
    if (packet.mode === "mail") {
      this.reject(
        remote,
        TftpErrorCode.IllegalOperation,
        "Mail mode not supported",
        packet.filename,
      );
      return;
    }
    let slot = this.limits.admit(remote.address);
    if (slot === "busy" || slot === "reserved") {
      const victim = this.limits.victim(remote.address, slot, this.rank);
      const held = victim && this.bySlot.get(victim);
      if (held) {
        this.preempt(held);
        slot = this.limits.admit(remote.address);
      }
    }
    if (typeof slot === "string") {
      this.refuse(remote, slot, packet.filename);
      return;
    }
    const active: Active = {
      key,
      address: remote.address,
      port: remote.port,
      slot,
      sockets: undefined,
    };
    this.active.set(key, active);
    this.bySlot.set(slot, active);
    const run =
      packet.op === Opcode.RRQ
        ? this.serveRead(packet, remote, active)
        : this.serveWrite(packet, remote, active);
    run.catch((error: unknown) => {
      // Defensive: serveRead/serveWrite handle their own failures.
      this.emit(
        "socketError",
        error instanceof Error ? error : tftpError("TFTP_SOCKET_ERROR", String(error)),
      );
      this.release(active);
    });
  }

  /** Lower is preempted first: transfers not acknowledged yet (or not started), then the
   * lowest rate since the start. */
  private readonly rank = (slot: SourceSlot): number => {
    const a = this.bySlot.get(slot);
    if (!slot.verified || !a?.progress || a.startedAt === undefined) return -1;
    return a.progress() / Math.max(1000, this.o.clock.now() - a.startedAt);
  };

  /** The request still holds its slot: not released, preempted or replaced by a new
   * request from the same port meanwhile. */
  private holds(active: Active): boolean {
    return this.active.get(active.key) === active;
  }

  /** Ends a transfer to make room for a request from a source holding fewer slots. */
  private preempt(active: Active): void {
    this.emit("rejected", {
      remote: { address: active.address, port: active.port },
      reason: "Preempted: the address held the most slots",
      code: active.slot.verified ? TftpErrorCode.NotDefined : undefined,
    });
    active.abort?.("TFTP_BUSY", "Server busy, try again later", active.slot.verified);
    this.release(active);
  }

  private requestOf(packet: RequestPacket, remote: TftpRemote): TftpRequest {
    const options: Record<string, string> = Object.create(null);
    for (const [k, v] of packet.options) options[k] = v;
    return {
      kind: packet.op === Opcode.RRQ ? "read" : "write",
      filename: packet.filename,
      mode: packet.mode as TransferMode,
      options: Object.freeze(options),
      remote,
    };
  }

  /** Maps a callback failure to a TFTP error answer. */
  private failRequest(request: TftpRequest, active: Active, error: unknown): void {
    if (isProvisioError(error) && error.code.startsWith("TFTP_")) {
      const wire = wireCodeFor(error.code);
      const text = wire === 0 ? error.message : TFTP_ERROR_TEXT[wire];
      this.reject(request.remote, wire, text, request.filename);
    } else {
      this.emit("callbackError", { request, error });
      this.reject(request.remote, TftpErrorCode.NotDefined, "Internal error", request.filename);
    }
    this.release(active);
  }

  private async openTransferSockets(active: Active): Promise<TransferSockets | undefined> {
    const remote = { address: active.address, port: active.port };
    const sockets = await openTransferSockets(
      this.type,
      this.bindAddress,
      remote,
      (e) => this.emit("socketError", e),
      this.o.io,
    );
    if (this.closing || !this.holds(active)) {
      sockets.close();
      return undefined;
    }
    active.sockets = sockets;
    return sockets;
  }

  private async serveRead(
    packet: RequestPacket,
    remote: TftpRemote,
    active: Active,
  ): Promise<void> {
    const request = this.requestOf(packet, remote);
    // Queued requests hold no socket or file; shutdown answers them with an ERROR.
    active.abort = (code, message, notify = true) => {
      if (notify) this.reject(remote, wireCodeFor(code), message, request.filename);
    };
    const queuedMs = await new Promise<number>((start) => {
      active.ticket = this.admission.admit(start);
    });
    active.abort = undefined;
    if (this.closing || !this.holds(active)) return;
    let prepared: PreparedSource;
    try {
      const source = await this.o.resolver(request);
      if (source.kind === "error") {
        this.reject(
          remote,
          source.code,
          source.message ?? TFTP_ERROR_TEXT[source.code],
          request.filename,
        );
        this.release(active);
        return;
      }
      prepared = await prepareSource(source, request.mode);
    } catch (error) {
      this.failRequest(request, active, error);
      return;
    }
    if (!this.holds(active)) {
      await closePrepared(prepared);
      return;
    }
    const nego = negotiateServerOptions(packet.options, "read", preparedWireSize(prepared), this.o);
    let sockets: TransferSockets | undefined;
    try {
      sockets = await this.openTransferSockets(active);
    } catch (error) {
      await closePrepared(prepared);
      this.failRequest(request, active, error);
      return;
    }
    if (!sockets) {
      await closePrepared(prepared);
      return;
    }
    const info = this.info(
      request,
      sockets.localPort,
      nego.params,
      nego.accepted,
      sockets.io,
      queuedMs,
    );
    const startedAt = this.o.clock.now();
    const rtoMs = nego.params.timeoutMs ?? this.o.retransmitMs;
    const sender = readSession({
      sockets,
      remote,
      reader: readerFromPrepared(prepared),
      blksize: nego.params.blksize,
      windowsize: nego.params.windowsize,
      oack: nego.accepted.length > 0 ? encodeOack(nego.accepted) : undefined,
      clock: this.o.clock,
      rtoMs,
      maxRetries: this.o.maxRetries,
      unverifiedMs: Math.max(this.o.unverifiedMs, 2 * rtoMs),
      onVerified: () => this.limits.verified(active.slot),
      onEnd: (counters, end) => {
        this.emitEnd(info, counters, end, startedAt);
        this.release(active);
      },
      onForeign: (f) => this.emitForeign(f),
    });
    active.abort = (code, message, notify = true) => sender.abort(code, message, notify);
    active.repeatFirst = () => sender.repeatFirst();
    active.progress = () => sender.counters.bytes;
    active.startedAt = startedAt;
    this.startLifetime(active);
    this.emit("transferStart", info);
    sender.start();
  }

  private async serveWrite(
    packet: RequestPacket,
    remote: TftpRemote,
    active: Active,
  ): Promise<void> {
    const request = this.requestOf(packet, remote);
    if (!this.o.upload) {
      this.reject(
        remote,
        TftpErrorCode.AccessViolation,
        "Uploads are not enabled",
        request.filename,
      );
      this.release(active);
      return;
    }
    let target: TftpUploadTarget;
    try {
      target = await this.o.upload(request);
    } catch (error) {
      this.failRequest(request, active, error);
      return;
    }
    if (target.kind === "error") {
      this.reject(
        remote,
        target.code,
        target.message ?? TFTP_ERROR_TEXT[target.code],
        request.filename,
      );
      this.release(active);
      return;
    }
    const maxBytes = target.maxBytes ?? this.o.maxUploadBytes;
    const nego = negotiateServerOptions(packet.options, "write", undefined, this.o);
    if (nego.params.tsize !== undefined && nego.params.tsize > maxBytes) {
      this.reject(remote, TftpErrorCode.DiskFull, "File too large", request.filename);
      this.release(active);
      return;
    }
    let sockets: TransferSockets | undefined;
    try {
      sockets = await this.openTransferSockets(active);
    } catch (error) {
      this.failRequest(request, active, error);
      return;
    }
    if (!sockets) return;
    const s = sockets;
    const info = this.info(request, s.localPort, nego.params, nego.accepted, s.io);
    const startedAt = this.o.clock.now();
    const chunks: Buffer[] = [];
    let size = 0;
    const decoder = request.mode === "netascii" ? new NetasciiDecoder() : undefined;
    const onComplete = target.onComplete;
    const rto = nego.params.timeoutMs ?? this.o.retransmitMs;
    const receiver: ReceiveTransfer = new ReceiveTransfer({
      blksize: nego.params.blksize,
      windowsize: nego.params.windowsize,
      initial: nego.accepted.length > 0 ? encodeOack(nego.accepted) : encodeAck(0),
      send: s.send,
      clock: this.o.clock,
      rtoMs: rto,
      maxRetries: this.o.maxRetries,
      unverifiedMs: Math.max(this.o.unverifiedMs, 2 * rto),
      onVerified: () => this.limits.verified(active.slot),
      dallyMs: rto * 3,
      sink: (chunk, last) => {
        const piece = decoder ? decoder.push(chunk) : Buffer.from(chunk);
        size += piece.length;
        if (size > maxBytes) {
          throw tftpError("TFTP_TOO_LARGE", "File too large");
        }
        chunks.push(piece);
        if (last && decoder) chunks.push(decoder.end());
      },
      onEnd: (end) => {
        this.emitEnd(info, receiver.counters, end, startedAt);
        if (end.outcome === "complete") {
          Promise.resolve()
            .then(() => onComplete(Buffer.concat(chunks)))
            .catch((error: unknown) => this.emit("callbackError", { request, error }));
        }
      },
      onRelease: () => this.release(active),
    });
    active.abort = (code, message, notify = true) => receiver.abort(code, message, notify);
    active.repeatFirst = () => receiver.repeatFirst();
    active.progress = () => receiver.counters.bytes;
    active.startedAt = startedAt;
    this.startLifetime(active);
    attachTransfer(
      s,
      (p) => {
        if (p.op === Opcode.DATA) receiver.onData(p.block, p.data);
        else if (p.op === Opcode.ERROR) receiver.onPeerError(p.code, p.message);
        else receiver.abort("TFTP_ILLEGAL_OPERATION", "Illegal TFTP operation", true);
      },
      (reason) => receiver.abort("TFTP_ILLEGAL_OPERATION", reason, true),
      (f) => this.emitForeign(f),
    );
    this.emit("transferStart", info);
    receiver.start();
  }

  private info(
    request: TftpRequest,
    localPort: number,
    params: TransferParams,
    oack: ReadonlyArray<readonly [string, string]>,
    io: TransferIoKind,
    queuedMs = 0,
  ): TftpTransferInfo {
    return {
      id: this.nextId++,
      kind: request.kind,
      filename: request.filename,
      mode: request.mode,
      remote: request.remote,
      localPort,
      params,
      oack,
      queuedMs,
      io,
    };
  }

  private emitEnd(
    info: TftpTransferInfo,
    counters: TransferCounters,
    end: TransferEnd,
    startedAt: number,
  ): void {
    const stats: TftpTransferStats = {
      ...info,
      ...counters,
      outcome: end.outcome,
      ...(end.error ? { error: end.error } : {}),
      durationMs: this.o.clock.now() - startedAt,
    };
    if (end.outcome === "complete") this.limits.completed(info.remote.address);
    this.emit("transferEnd", stats);
  }

  /** Bounds the transfer's lifetime, whatever its progress (a client acknowledging just
   * inside every timeout would otherwise hold a slot for hours). */
  private startLifetime(active: Active): void {
    active.lifetime = this.o.clock.setTimeout(
      () => active.abort?.("TFTP_TIMEOUT", "Transfer time limit reached"),
      this.o.maxTransferMs,
    );
  }

  private release(active: Active): void {
    if (this.active.get(active.key) !== active) return;
    this.active.delete(active.key);
    this.bySlot.delete(active.slot);
    active.ticket?.release();
    if (active.lifetime !== undefined) this.o.clock.clearTimeout(active.lifetime);
    this.limits.release(active.slot);
    const s = active.sockets;
    active.sockets = undefined;
    s?.close();
  }
}

/** Creates a server and binds it. */
export async function startTftpServer(options: TftpServerOptions): Promise<TftpServer> {
  const server = new TftpServer(options);
  await server.listen();
  return server;
}
