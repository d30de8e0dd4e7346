/**
 * TFTP server: a request socket (UDP 6969 by default) and one ephemeral socket per
 * transfer. Content comes from a resolver callback; uploads (WRQ) are refused unless an
 * upload callback is configured. Statistics are emitted per transfer; nothing is logged.
 */
import type { RemoteInfo, Socket, SocketType } from "node:dgram";
import { EventEmitter } from "node:events";
import { Worker } from "node:worker_threads";
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
import {
  ReceiveTransfer,
  type TransferCounters,
  type TransferEnd,
  type TransferOutcome,
} from "./transfer.ts";
import type { ToWorker, WorkerTransferSpec } from "./worker.ts";

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
  /** Default cap on upload size when the upload target sets none. Default 1 MiB. */
  readonly maxUploadBytes?: number;
  readonly clock?: TftpClock;
  /**
   * Worker threads that run read transfers (sockets, windows, file reads) so sending
   * uses several cores; 0 (default) runs everything on the calling thread. Workers use
   * the system clock, not `clock`. Write transfers always stay on the calling thread.
   */
  readonly workers?: number;
  /**
   * Transfer socket I/O: "auto" (default) uses the native endpoint (recvmmsg/sendmmsg,
   * build/udp_endpoint.node) when it is built and node:dgram otherwise; "native" fails
   * transfers when it is missing; "dgram" never uses it. Worker threads follow it.
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

interface PoolWorker {
  readonly worker: Worker;
  load: number;
  alive: boolean;
  /** Settles when the worker has loaded (or died). */
  readonly ready: Promise<void>;
}

interface Offloaded {
  readonly active: Active;
  readonly worker: PoolWorker;
  readonly request: TftpRequest;
  readonly params: TransferParams;
  readonly oack: ReadonlyArray<readonly [string, string]>;
  readonly startedAt: number;
  readonly queuedMs: number;
  info: TftpTransferInfo | undefined;
}

interface Active {
  readonly key: string;
  readonly address: string;
  readonly port: number;
  sockets: TransferSockets | undefined;
  abort?: (code: TftpProvisioCode, message: string) => void;
  /** Place in (or in the queue of) the admission of read transfers. */
  ticket?: AdmissionTicket;
}

export class TftpServer extends EventEmitter<TftpServerEvents> {
  private readonly o: Required<
    Omit<TftpServerOptions, "upload" | "address" | "type" | "admission">
  > & {
    upload: TftpUploadResolver | undefined;
  };
  private readonly admission: Admission;
  private readonly pool: PoolWorker[] = [];
  private readonly offloaded = new Map<number, Offloaded>();
  private readonly type: Family;
  private readonly bindAddress: string;
  private socket: Socket | undefined;
  private readonly active = new Map<string, Active>();
  private readonly perClient = new Map<string, number>();
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
      maxWindowSize: options.maxWindowSize ?? 64,
      retransmitMs: options.retransmitMs ?? 1000,
      maxRetries: options.maxRetries ?? 5,
      maxTransfers: options.maxTransfers ?? 512,
      maxTransfersPerClient: options.maxTransfersPerClient ?? 64,
      maxUploadBytes: options.maxUploadBytes ?? 1024 * 1024,
      clock: options.clock ?? systemClock,
      workers: options.workers ?? 0,
      io: options.io ?? "auto",
    };
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
    for (let i = 0; i < this.o.workers; i++) this.pool.push(this.spawnWorker());
    await Promise.all(this.pool.map((w) => w.ready));
    const a = socket.address();
    return { address: a.address, port: a.port };
  }

  /** Stops listening and aborts every transfer (clients get an ERROR packet). */
  async close(): Promise<void> {
    this.closing = true;
    this.admission.close();
    const offloaded = new Set([...this.offloaded.values()].map((o) => o.active));
    for (const t of [...this.active.values()]) {
      if (!offloaded.has(t)) t.abort?.("TFTP_ABORTED", "Server shutting down");
    }
    await Promise.all(this.pool.map((w) => this.stopWorker(w)));
    this.pool.length = 0;
    for (const t of [...this.active.values()]) this.release(t);
    const s = this.socket;
    this.socket = undefined;
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  private spawnWorker(): PoolWorker {
    const here = import.meta.url;
    const ts = here.endsWith(".ts");
    const worker = new Worker(new URL(ts ? "./worker.ts" : "./worker.js", here), {
      execArgv: ts ? ["--import", "tsx"] : [],
    });
    let ready!: () => void;
    const pw: PoolWorker = {
      worker,
      load: 0,
      alive: true,
      ready: new Promise<void>((resolve) => {
        ready = resolve;
      }),
    };
    worker.on("message", (m: FromWorker) => {
      if (m.t === "ready") ready();
      else this.onWorkerMessage(pw, m);
    });
    worker.on("error", (e) => this.emit("socketError", e));
    worker.on("exit", () => {
      pw.alive = false;
      ready();
      for (const [id, o] of [...this.offloaded]) {
        if (o.worker !== pw) continue;
        this.offloaded.delete(id);
        if (o.info) {
          const end: TransferEnd = {
            outcome: "error",
            error: { code: "TFTP_NOT_DEFINED", message: "worker exited" },
          };
          this.emitEnd(o.info, zeroCounters(), end, o.startedAt);
        }
        this.release(o.active);
      }
    });
    return pw;
  }

  private stopWorker(pw: PoolWorker): Promise<void> {
    if (!pw.alive) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        pw.worker.off("message", onBye);
        void pw.worker.terminate().then(() => resolve());
      };
      const onBye = (m: FromWorker) => {
        if (m.t === "bye") done();
      };
      const timer = setTimeout(done, 1000);
      pw.worker.on("message", onBye);
      pw.worker.postMessage({ t: "shutdown" } satisfies ToWorker);
    });
  }

  private onWorkerMessage(pw: PoolWorker, m: FromWorker): void {
    if (m.t === "bye" || m.t === "ready") return;
    const o = this.offloaded.get(m.id);
    if (!o) return;
    switch (m.t) {
      case "started":
        o.info = {
          id: m.id,
          kind: "read",
          filename: o.request.filename,
          mode: o.request.mode,
          remote: o.request.remote,
          localPort: m.localPort,
          params: o.params,
          oack: o.oack,
          queuedMs: o.queuedMs,
          io: m.io,
        };
        this.emit("transferStart", o.info);
        break;
      case "failed":
        this.offloaded.delete(m.id);
        pw.load--;
        this.failRequest(o.request, o.active, new Error(m.message));
        break;
      case "end":
        this.offloaded.delete(m.id);
        pw.load--;
        if (o.info) this.emitEnd(o.info, m.counters, m.end, o.startedAt);
        this.release(o.active);
        break;
      case "foreign":
        this.emitForeign(m.foreign);
        break;
    }
  }

  private emitForeign(f: ForeignPacket): void {
    this.emit("rejected", { remote: f.remote, reason: f.reason, code: f.code });
  }

  /** Hands a prepared read transfer to the least-loaded live worker. */
  private offload(
    active: Active,
    request: TftpRequest,
    prepared: PreparedSource,
    params: TransferParams,
    oack: ReadonlyArray<readonly [string, string]>,
    queuedMs: number,
  ): boolean {
    let pick: PoolWorker | undefined;
    for (const w of this.pool) if (w.alive && (!pick || w.load < pick.load)) pick = w;
    if (!pick) return false;
    const id = this.nextId++;
    const spec: WorkerTransferSpec = {
      remote: request.remote,
      type: this.type,
      bindAddress: this.bindAddress,
      blksize: params.blksize,
      windowsize: params.windowsize,
      oack: oack.length > 0 ? encodeOack(oack) : undefined,
      rtoMs: params.timeoutMs ?? this.o.retransmitMs,
      maxRetries: this.o.maxRetries,
      io: this.o.io,
    };
    const w = pick;
    w.load++;
    this.offloaded.set(id, {
      active,
      worker: w,
      request,
      params,
      oack,
      startedAt: this.o.clock.now(),
      queuedMs,
      info: undefined,
    });
    active.abort = (code, message) =>
      w.worker.postMessage({ t: "abort", id, code, message } satisfies ToWorker);
    // Bytes go as an exact-size copy moved to the worker (a view's whole backing store
    // would otherwise be cloned); a file goes as its FileHandle.
    const source: PreparedSource =
      prepared.kind === "bytes" ? { kind: "bytes", data: new Uint8Array(prepared.data) } : prepared;
    const message: ToWorker = { t: "start", id, spec, source };
    w.worker.postMessage(
      message,
      source.kind === "file" ? [source.handle] : [source.data.buffer as ArrayBuffer],
    );
    return true;
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
    // A repeated request from the same TID while its transfer runs: the transfer's own
    // retransmission answers it.
    if (this.active.has(key)) return;
    if (packet.mode === "mail") {
      this.reject(
        remote,
        TftpErrorCode.IllegalOperation,
        "Mail mode not supported",
        packet.filename,
      );
      return;
    }
    if (this.active.size >= this.o.maxTransfers) {
      this.reject(
        remote,
        TftpErrorCode.NotDefined,
        "Server busy, try again later",
        packet.filename,
      );
      return;
    }
    const count = this.perClient.get(remote.address) ?? 0;
    if (count >= this.o.maxTransfersPerClient) {
      this.reject(
        remote,
        TftpErrorCode.NotDefined,
        "Too many transfers from this address",
        packet.filename,
      );
      return;
    }
    const active: Active = { key, address: remote.address, port: remote.port, sockets: undefined };
    this.active.set(key, active);
    this.perClient.set(remote.address, count + 1);
    const run =
      packet.op === Opcode.RRQ
        ? this.serveRead(packet, remote, active)
        : this.serveWrite(packet, remote, active);
    run.catch((error: unknown) => {
      // Defensive: serveRead/serveWrite handle their own failures.
      this.emit("socketError", error instanceof Error ? error : new Error(String(error)));
      this.release(active);
    });
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
    if (this.closing || !this.active.has(active.key)) {
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
    active.abort = (code, message) =>
      this.reject(remote, wireCodeFor(code), message, request.filename);
    const queuedMs = await new Promise<number>((start) => {
      active.ticket = this.admission.admit(start);
    });
    active.abort = undefined;
    if (this.closing || !this.active.has(active.key)) return;
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
    if (!this.active.has(active.key)) {
      await closePrepared(prepared);
      return;
    }
    const nego = negotiateServerOptions(packet.options, "read", preparedWireSize(prepared), this.o);
    if (this.offload(active, request, prepared, nego.params, nego.accepted, queuedMs)) return;
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
    const sender = readSession({
      sockets,
      remote,
      reader: readerFromPrepared(prepared),
      blksize: nego.params.blksize,
      windowsize: nego.params.windowsize,
      oack: nego.accepted.length > 0 ? encodeOack(nego.accepted) : undefined,
      clock: this.o.clock,
      rtoMs: nego.params.timeoutMs ?? this.o.retransmitMs,
      maxRetries: this.o.maxRetries,
      onEnd: (counters, end) => {
        this.emitEnd(info, counters, end, startedAt);
        this.release(active);
      },
      onForeign: (f) => this.emitForeign(f),
    });
    active.abort = (code, message) => sender.abort(code, message, true);
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
    active.abort = (code, message) => receiver.abort(code, message, true);
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
    this.emit("transferEnd", stats);
  }

  private release(active: Active): void {
    if (this.active.get(active.key) !== active) return;
    this.active.delete(active.key);
    active.ticket?.release();
    const n = (this.perClient.get(active.address) ?? 1) - 1;
    if (n <= 0) this.perClient.delete(active.address);
    else this.perClient.set(active.address, n);
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

type FromWorker =
  | { t: "started"; id: number; localPort: number; io: TransferIoKind }
  | { t: "failed"; id: number; message: string }
  | { t: "end"; id: number; counters: TransferCounters; end: TransferEnd }
  | { t: "foreign"; id: number; foreign: ForeignPacket }
  | { t: "bye" }
  | { t: "ready" };

function zeroCounters(): TransferCounters {
  return { bytes: 0, blocks: 0, packetsSent: 0, retransmits: 0, timeouts: 0, duplicates: 0 };
}
