/**
 * Worker thread for the TFTP server's `workers` option: runs read transfers (socket,
 * window, file reads) off the main thread so sends use more than one core. The main
 * thread keeps the request socket, the resolver, limits and events.
 *
 * Protocol (structured clone; FileHandles are transferred):
 *   in : { t: "start", id, spec, source } | { t: "abort", id, code, message } | { t: "shutdown" }
 *   out: { t: "started", id, localPort } | { t: "failed", id, message }
 *        | { t: "end", id, counters, end } | { t: "foreign", id, foreign } | { t: "bye" }
 *        | { t: "ready" } (once, at load)
 */
import { parentPort } from "node:worker_threads";
import { systemClock } from "./clock.ts";
import type { TftpProvisioCode } from "./errors.ts";
import {
  openTransferSockets,
  type PeerAddress,
  readSession,
  type TransferIoChoice,
  type TransferSockets,
} from "./session.ts";
import { closePrepared, type PreparedSource, readerFromPrepared } from "./source.ts";
import type { SendTransfer } from "./transfer.ts";

export interface WorkerTransferSpec {
  readonly remote: PeerAddress;
  readonly type: "udp4" | "udp6";
  readonly bindAddress: string;
  readonly blksize: number;
  readonly windowsize: number;
  readonly oack: Uint8Array | undefined;
  readonly rtoMs: number;
  readonly maxRetries: number;
  readonly io: TransferIoChoice;
}

export type ToWorker =
  | { t: "start"; id: number; spec: WorkerTransferSpec; source: PreparedSource }
  | { t: "abort"; id: number; code: TftpProvisioCode; message: string }
  | { t: "shutdown" };

const port = parentPort;
const running = new Map<number, { sender: SendTransfer }>();

async function start(id: number, spec: WorkerTransferSpec, source: PreparedSource): Promise<void> {
  let sockets: TransferSockets;
  try {
    sockets = await openTransferSockets(
      spec.type,
      spec.bindAddress,
      spec.remote,
      () => undefined,
      spec.io,
    );
  } catch (error) {
    await closePrepared(source);
    port?.postMessage({ t: "failed", id, message: (error as Error).message });
    return;
  }
  const sender = readSession({
    sockets,
    remote: spec.remote,
    reader: readerFromPrepared(source),
    blksize: spec.blksize,
    windowsize: spec.windowsize,
    oack: spec.oack === undefined ? undefined : Buffer.from(spec.oack),
    clock: systemClock,
    rtoMs: spec.rtoMs,
    maxRetries: spec.maxRetries,
    onEnd: (counters, end) => {
      running.delete(id);
      sockets.close();
      port?.postMessage({ t: "end", id, counters: { ...counters }, end });
    },
    onForeign: (foreign) => port?.postMessage({ t: "foreign", id, foreign }),
  });
  running.set(id, { sender });
  port?.postMessage({ t: "started", id, localPort: sockets.localPort, io: sockets.io });
  sender.start();
}

port?.on("message", (m: ToWorker) => {
  if (m.t === "start") {
    void start(m.id, m.spec, m.source);
  } else if (m.t === "abort") {
    running.get(m.id)?.sender.abort(m.code, m.message, true);
  } else if (m.t === "shutdown") {
    for (const r of [...running.values()])
      r.sender.abort("TFTP_ABORTED", "Server shutting down", true);
    port?.postMessage({ t: "bye" });
  }
});

port?.postMessage({ t: "ready" });
