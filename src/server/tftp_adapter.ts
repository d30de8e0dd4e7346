/**
 * The TFTP transport adapter: a read request (RRQ) for a profile path is the same
 * {@link ResyncRequest} as an HTTP GET of that path. File names without a leading `/`
 * (`spa2102.cfg`, relative to the TFTP root, spec §8.1.1) get one. Answers map to TFTP:
 * 200 → the bytes, 404 → error 1 (file not found — the device's class-B failure, §8.2.4),
 * 400/403 → error 2 (access violation), anything else → error 0 with the reason. Uploads (WRQ)
 * are taken for report paths only (`/report/…`, a Report_Rule with a `tftp://` URL): bounded,
 * and once the transfer completed — the source then proved it receives at its address — the
 * report goes through the pipeline as an HTTP PUT would (identification, source, budgets).
 * Any other write request, and a report over the size limit, is refused with a TFTP error and
 * recorded as a refusal with a security event. Transfers stay on the node that started them.
 * An overloaded node (`load_shedding.ts`) answers a read request with error 0 "server busy"
 * at once, as HTTP answers 503: the unit counts a failed resync and retries on its
 * `Resync_Error_Retry_Delay`, where silence would make it retransmit the request first.
 *
 * An RRQ's source address proves nothing (UDP): a request from an address that has not
 * completed a transfer with this server is passed on as `sourceProven: false`, so it cannot
 * auto-create a device (the device is created once its source has fetched something — the
 * generic file, firmware — to the end, which only a host receiving at that address can).
 */

import type { AddressInfo } from "node:net";
import type { Logger } from "pino";
import type {
  TftpRequest,
  TftpResolver,
  TftpTransferStats,
  TftpUploadResolver,
} from "../tftp/index.ts";
import {
  bytesSource,
  errorSource,
  staticRootResolver,
  TftpErrorCode,
  TftpServer,
} from "../tftp/index.ts";
import type { TftpLimits } from "./config.ts";
import type { ResyncHandler } from "./http_adapter.ts";
import type { LoadShedder } from "./load_shedding.ts";
import type { ServerMetrics } from "./metrics.ts";
import { REPORT_PATH_PREFIX } from "./report_flow.ts";
import type { ResyncRequest, ResyncResponse, TransportRefusal } from "./resync_request.ts";

/**
 * Source addresses that completed a read transfer (bounded; the least recently completed is
 * forgotten first).
 */
export class ProvenSources {
  readonly #max: number;
  readonly #addresses = new Map<string, true>();

  constructor(max = 16_384) {
    this.#max = max;
  }

  has(address: string): boolean {
    return this.#addresses.has(address);
  }

  completed(address: string): void {
    this.#addresses.delete(address);
    this.#addresses.set(address, true);
    if (this.#addresses.size > this.#max) {
      const oldest = this.#addresses.keys().next();
      if (oldest.done !== true) this.#addresses.delete(oldest.value);
    }
  }
}

/**
 * Profiles first, through the resync pipeline; a name the pipeline does not know (404) is
 * then looked up in the files root (firmware, static files), when one is given. Without
 * `proven`, every source counts as proven (tests, embedding).
 */
export function tftpResolver(
  handler: ResyncHandler,
  files?: TftpResolver,
  proven?: ProvenSources,
  shedding?: LoadShedder,
): TftpResolver {
  return async (request: TftpRequest) => {
    const admitted = shedding?.admit("tftp");
    if (typeof admitted === "string") {
      return errorSource(TftpErrorCode.NotDefined, "server busy, retry later");
    }
    let response: ResyncResponse;
    try {
      response = await handler.handle({
        transport: "tftp",
        method: "GET",
        ...targetOf(request.filename),
        remoteAddress: request.remote.address,
        sourceProven: proven === undefined || proven.has(request.remote.address),
      });
    } finally {
      // Also when the handler throws instead of rejecting: the slot is released either way.
      admitted?.done();
    }
    if (response.status === 200 && response.body !== undefined) return bytesSource(response.body);
    if (response.status === 404) {
      if (files !== undefined) {
        const file = await files(request);
        if (file.kind !== "error" || file.code !== TftpErrorCode.FileNotFound) return file;
      }
      return errorSource(TftpErrorCode.FileNotFound, response.reason);
    }
    // 400 (a name the pipeline refuses: traversal, bad encoding) and 403 are both "you may
    // not have that", which TFTP calls an access violation.
    if (response.status === 400 || response.status === 403) {
      return errorSource(TftpErrorCode.AccessViolation, response.reason);
    }
    return errorSource(TftpErrorCode.NotDefined, response.reason ?? "request refused");
  };
}

/** Path and query of a TFTP file name (`spa2102.cfg` is `/spa2102.cfg`). */
function targetOf(filename: string): { path: string; query: string } {
  const name = filename.startsWith("/") ? filename : `/${filename}`;
  const q = name.indexOf("?");
  return { path: q < 0 ? name : name.slice(0, q), query: q < 0 ? "" : name.slice(q + 1) };
}

/** Records a write request the adapter refused (event row, security log); never throws. */
function recordRefusal(
  handler: ResyncHandler,
  filename: string,
  remoteAddress: string,
  refused: TransportRefusal,
): void {
  const request: ResyncRequest = {
    transport: "tftp",
    method: "PUT",
    ...targetOf(filename.slice(0, 512)),
    remoteAddress,
    refused,
  };
  void Promise.resolve()
    .then(() => handler.handle(request))
    .catch(() => undefined);
}

/**
 * Write requests (WRQ): report uploads only, at most `maxBytes` each. The report is handed to
 * the pipeline once its transfer completed (one upload per transfer); refused names, and a
 * `tsize` over the limit, get a TFTP error at once.
 */
export function tftpUploadResolver(handler: ResyncHandler, maxBytes: number): TftpUploadResolver {
  return async (request: TftpRequest) => {
    const target = targetOf(request.filename);
    const remoteAddress = request.remote.address;
    if (!target.path.startsWith(REPORT_PATH_PREFIX)) {
      recordRefusal(handler, request.filename, remoteAddress, {
        status: 405,
        reason: "TFTP uploads are taken for reports only",
        security: "upload-refused",
      });
      return {
        kind: "error",
        code: TftpErrorCode.AccessViolation,
        message: "uploads are taken for reports only",
      };
    }
    const tsize = Number(request.options.tsize ?? 0);
    if (tsize > maxBytes) {
      recordRefusal(handler, request.filename, remoteAddress, REPORT_TOO_LARGE);
      return { kind: "error", code: TftpErrorCode.DiskFull, message: "report too large" };
    }
    return {
      kind: "accept",
      maxBytes,
      onComplete: async (data) => {
        // The answer cannot reach the unit any more (its transfer is over, and a unit sends a
        // report once, without retries): the pipeline records what it decided.
        await handler.handle({
          transport: "tftp",
          method: "PUT",
          ...target,
          remoteAddress,
          sourceProven: true,
          body: data,
        });
      },
    };
  };
}

const REPORT_TOO_LARGE: TransportRefusal = {
  status: 413,
  reason: "report too large",
  security: "body-too-large",
};

export async function startTftpListener(options: {
  readonly handler: ResyncHandler;
  /** Root of firmware and static files; absent = profiles only. */
  readonly filesDir?: string;
  readonly port: number;
  readonly host: string;
  /** Slot, per-source, timeout and lifetime limits (the server's defaults when absent). */
  readonly limits?: TftpLimits;
  readonly logger: Logger;
  readonly metrics?: ServerMetrics;
  /** Overload admission (an error packet instead of a transfer while overloaded). */
  readonly shedding?: LoadShedder;
  /** Largest report a unit may upload (WRQ); default 256 KiB. */
  readonly maxUploadBytes?: number;
}): Promise<{ server: TftpServer; address: AddressInfo }> {
  const proven = new ProvenSources();
  const maxUploadBytes = options.maxUploadBytes ?? 256 * 1024;
  const server = new TftpServer({
    resolver: tftpResolver(
      options.handler,
      options.filesDir === undefined ? undefined : staticRootResolver(options.filesDir),
      proven,
      options.shedding,
    ),
    upload: tftpUploadResolver(options.handler, maxUploadBytes),
    maxUploadBytes,
    port: options.port,
    address: options.host,
    ...options.limits,
  });
  server.on("callbackError", ({ error }) =>
    options.logger.error({ err: error }, "TFTP resolver failed"),
  );
  server.on("socketError", (error) => options.logger.warn({ err: error }, "TFTP socket error"));
  server.on("transferEnd", (t) => {
    if (t.kind === "read" && t.outcome === "complete") proven.completed(t.remote.address);
    if (tooLarge(t)) recordRefusal(options.handler, t.filename, t.remote.address, REPORT_TOO_LARGE);
  });
  const metrics = options.metrics;
  if (metrics) {
    server.on("transferStart", (t) => {
      if (t.kind === "read") metrics.tftpStarted(t.queuedMs);
    });
    server.on("transferEnd", (t) => metrics.tftpEnded(t));
    metrics.observe({
      tftpTransfers: () => ({
        active: server.activeTransfers - server.queuedTransfers,
        queued: server.queuedTransfers,
      }),
    });
  }
  const bound = await server.listen();
  const family = bound.address.includes(":") ? "IPv6" : "IPv4";
  return { server, address: { address: bound.address, port: bound.port, family } };
}

/** An upload that went past its limit mid-transfer (the server answered Disk full). */
function tooLarge(t: TftpTransferStats): boolean {
  return t.kind === "write" && t.outcome !== "complete" && t.error?.code === "TFTP_TOO_LARGE";
}
