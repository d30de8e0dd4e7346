/**
 * Firmware downloads: `/firmware/<file name>` over HTTP, HTTPS (with `Range`) and TFTP, for
 * images in the registry only. The upgrade rule the server writes adds `?mac=$MA`, so a
 * download names its unit (a claim, checked by the rollout watch against the address the
 * unit resyncs from). A registered image this node cannot serve is a 503 with the reason, an
 * error line and an event — a unit mid-rollout then counts a failed attempt and retries,
 * where a 404 would read as "this image does not exist".
 */
import type { Logger } from "pino";
import { type MacAddress, tryParseMac } from "../store/index.ts";
import type { FirmwareFiles } from "./firmware_files.ts";
import { parseRange } from "./firmware_range.ts";
import type { FlowHook, FlowRequest } from "./flow_hook.ts";
import { type Outcome, refuse } from "./resync_outcome.ts";
import { refusal } from "./resync_request.ts";
import type { StatusWriter } from "./status_writer.ts";

export const FIRMWARE_PREFIX = "/firmware/";
const MISSING_LOG_EVERY_MS = 60_000;

/** What the rollout watch learns from a download. */
export interface FirmwareDownload {
  readonly mac: MacAddress;
  readonly fileName: string;
  readonly remoteAddress: string;
  readonly at: number;
}

export interface FirmwareFlowOptions {
  readonly files: FirmwareFiles;
  readonly logger: Logger;
  readonly events?: Pick<StatusWriter, "event"> | undefined;
  readonly downloaded?: ((download: FirmwareDownload) => void) | undefined;
}

function macOf(query: string): MacAddress | undefined {
  for (const part of query.split("&")) {
    if (part.startsWith("mac=")) return tryParseMac(part.slice(4)) ?? undefined;
  }
  return undefined;
}

export class FirmwareFlow implements FlowHook {
  readonly #o: FirmwareFlowOptions;
  readonly #loggedMissing = new Map<string, number>();

  constructor(options: FirmwareFlowOptions) {
    this.#o = options;
  }

  async route(flow: FlowRequest): Promise<Outcome | undefined> {
    if (!flow.path.startsWith(FIRMWARE_PREFIX)) return undefined;
    const { request } = flow;
    if (request.method !== "GET" && request.method !== "HEAD") {
      return refuse(405, `method ${request.method.slice(0, 16)} not allowed`);
    }
    const name = flow.path.slice(FIRMWARE_PREFIX.length);
    const image = this.#o.files.image(name);
    // A name outside the registry: a guess, counted against the source like a profile miss.
    if (image === undefined) return refuse(404, "no firmware image of this name", { miss: true });
    const mac = macOf(request.query);
    const got = await this.#o.files.bytes(image);
    if (got.kind === "missing") return this.#missing(flow, image.tenantId, name, got.reason, mac);
    if (mac !== undefined) {
      this.#o.downloaded?.({
        mac,
        fileName: name,
        remoteAddress: request.remoteAddress,
        at: flow.now,
      });
    }
    const size = got.bytes.length;
    const etag = `"${image.sha256.slice(0, 32)}"`;
    const base = {
      "content-type": "application/octet-stream",
      "accept-ranges": "bytes",
      etag,
      "cache-control": "no-cache",
    } as const;
    const range =
      request.transport === "tftp" ? { kind: "full" as const } : parseRange(request.range, size);
    if (range.kind === "unsatisfiable") {
      const r = refusal(416, "bad-request", "requested range not satisfiable");
      return {
        response: { ...r, headers: { ...r.headers, "content-range": `bytes */${size}` } },
        tenantId: image.tenantId,
      };
    }
    if (range.kind === "partial") {
      return {
        response: {
          status: 206,
          headers: { ...base, "content-range": `bytes ${range.start}-${range.end}/${size}` },
          body: got.bytes.subarray(range.start, range.end + 1),
          result: "ok",
        },
        tenantId: image.tenantId,
      };
    }
    return {
      response: { status: 200, headers: base, body: got.bytes, result: "ok" },
      tenantId: image.tenantId,
    };
  }

  #missing(
    flow: FlowRequest,
    tenantId: string,
    name: string,
    reason: string,
    mac: MacAddress | undefined,
  ): Outcome {
    const text = `firmware image ${name} is registered but ${reason}; try again later`;
    const last = this.#loggedMissing.get(name);
    if (last === undefined || flow.now - last >= MISSING_LOG_EVERY_MS) {
      this.#loggedMissing.set(name, flow.now);
      if (this.#loggedMissing.size > 1_000) this.#loggedMissing.clear();
      this.#o.logger.error(
        { file: name, reason, remoteAddress: flow.request.remoteAddress },
        "firmware image missing on this node (copy it into the shared files directory)",
      );
    }
    this.#o.events?.event({
      mac: mac ?? null,
      tenantId,
      at: new Date(flow.now),
      transport: flow.request.transport,
      result: "error",
      statusCode: 503,
      path: flow.path,
      bytes: null,
      durationMs: null,
      remoteAddress: flow.request.remoteAddress,
      userAgent: flow.request.userAgent?.slice(0, 256) ?? null,
      message: text,
    });
    const r = refusal(503, "error", text);
    return {
      response: { ...r, headers: { ...r.headers, "retry-after": "60" } },
      tenantId,
      logReason: text,
    };
  }
}
