/**
 * Firmware downloads: `/firmware/<file name>` over HTTP, HTTPS (with `Range`) and TFTP, for
 * images in the registry only, and only to a unit of the image's tenant. The unit is
 * identified as for its profile — its client certificate, else the MAC the URL names (the
 * upgrade rule the server writes adds `?mac=$MA`), else its User-Agent — and the name is
 * looked up among its own tenant's images; a tenant that requires client certificates serves
 * firmware, like profiles, only to a unit identified by its own certificate — or over HTTP
 * and TFTP to the address of the unit's recent certificate-proven resync (`#provenElsewhere`:
 * units that cannot upgrade over HTTPS). Whatever the
 * reason — no unit named, an unknown unit, another tenant's image, a certificate the tenant
 * does not accept, no image of that name — the answer is the same, so it tells nothing of
 * what other tenants hold. A registered image this node cannot serve is a 503 with the
 * reason, an error line and an event — a unit mid-rollout then counts a failed attempt and
 * retries, where a 404 would read as "this image does not exist".
 */
import type { Logger } from "pino";
import { isFirmwareFileName, type MacAddress, tryParseMac } from "../store/index.ts";
import { ClientCertPolicy } from "./client_cert_policy.ts";
import { type IdentifiedBy, identifyDevice } from "./device_identity.ts";
import type { FirmwareFiles } from "./firmware_files.ts";
import { parseRange } from "./firmware_range.ts";
import type { FlowHook, FlowRequest } from "./flow_hook.ts";
import type { ConfigCache } from "./profile_cache.ts";
import { type Outcome, refuse } from "./resync_outcome.ts";
import { refusal } from "./resync_request.ts";
import type { StatusWriter } from "./status_writer.ts";

export const FIRMWARE_PREFIX = "/firmware/";
const MISSING_LOG_EVERY_MS = 60_000;
const NO_IMAGE_REASON = "no firmware image of this name";

/**
 * The one answer to "no image for you": the same status and bytes for every reason (the real
 * one kept for the logs). Over TFTP it is an access violation rather than "file not found":
 * the TFTP listener answers a not-found name from the files root, which holds the images'
 * files — a refusal here must not fall through to them.
 */
function noImage(flow: FlowRequest, logReason: string, extra: Omit<Outcome, "response"> = {}) {
  const status = flow.request.transport === "tftp" ? 403 : 404;
  return { ...refuse(status, NO_IMAGE_REASON, { ...extra, miss: true }), logReason };
}

/** What the rollout watch learns from a download. */
export interface FirmwareDownload {
  readonly mac: MacAddress;
  readonly fileName: string;
  readonly remoteAddress: string;
  readonly at: number;
}

export interface FirmwareFlowOptions {
  readonly files: FirmwareFiles;
  /** Devices and tenants, as the profile requests see them. */
  readonly cache: ConfigCache<unknown>;
  /** PEM client CAs every tenant trusts (the node's device CA). */
  readonly builtInClientCas: readonly string[];
  readonly logger: Logger;
  readonly events?: Pick<StatusWriter, "event"> | undefined;
  readonly downloaded?: ((download: FirmwareDownload) => void) | undefined;
  /**
   * Whether the unit's last resync was proven by its own certificate, from `source`, within
   * `withinMs` (the report flow's memory of where profiles were served). Without it, a tenant
   * that requires client certificates serves firmware over HTTPS only.
   */
  readonly provenResync?:
    | ((mac: MacAddress, source: string, now: number, withinMs: number) => Promise<boolean>)
    | undefined;
}

/**
 * How long after a certificate-proven resync its address may download over HTTP or TFTP: a
 * unit fetches its image right after the resync that gave it the rule.
 */
export const PROVEN_RESYNC_WINDOW_MS = 10 * 60_000;

function macOf(query: string): MacAddress | undefined {
  for (const part of query.split("&")) {
    if (part.startsWith("mac=")) return tryParseMac(part.slice(4)) ?? undefined;
  }
  return undefined;
}

export class FirmwareFlow implements FlowHook {
  readonly #o: FirmwareFlowOptions;
  readonly #certs: ClientCertPolicy;
  readonly #loggedMissing = new Map<string, number>();

  constructor(options: FirmwareFlowOptions) {
    this.#o = options;
    this.#certs = new ClientCertPolicy({
      builtInCas: options.builtInClientCas,
      tenants: () => options.cache.tenants,
      logger: options.logger,
    });
  }

  route(flow: FlowRequest): Promise<Outcome> | undefined {
    // Another flow's path: answered at once, without a promise (every request asks every hook).
    return flow.path.startsWith(FIRMWARE_PREFIX) ? this.#route(flow) : undefined;
  }

  async #route(flow: FlowRequest): Promise<Outcome> {
    const { request } = flow;
    if (request.method !== "GET" && request.method !== "HEAD") {
      return refuse(405, `method ${request.method.slice(0, 16)} not allowed`);
    }
    const name = flow.path.slice(FIRMWARE_PREFIX.length);
    // Every refusal below is a guess or a request for what is not the requester's: counted
    // against the source like a profile miss, answered alike.
    if (!isFirmwareFileName(name)) return noImage(flow, "not an image file name");
    const named = macOf(request.query);
    const matches = named === undefined ? [] : [{ facts: { mac: named } }];
    const identified = await identifyDevice(this.#o.cache, matches, flow.cert, flow.ua);
    if (identified.kind === "refused") {
      return noImage(flow, `firmware refused: ${identified.reason}`, {
        mac: identified.mac,
        security: identified.security,
      });
    }
    if (identified.kind === "unknown") {
      return noImage(
        flow,
        identified.mac === undefined ? "firmware asked by no unit" : "firmware for an unknown unit",
        { mac: identified.mac },
      );
    }
    const { device } = identified;
    const tenant = this.#o.cache.tenant(device.tenantId);
    if (tenant === undefined) return noImage(flow, "firmware for a unit of no tenant");
    const refused = this.#certs.authorize(tenant, flow.cert, identified.by, { mac: device.mac });
    if (refused !== undefined && !(await this.#provenElsewhere(flow, identified.by, device.mac))) {
      return noImage(flow, `firmware refused: ${refused.response.reason ?? ""}`, {
        mac: device.mac,
        security: refused.security,
      });
    }
    if (device.state === "disabled") {
      return noImage(flow, "firmware for a disabled unit", { mac: device.mac });
    }
    const image = this.#o.files.image(tenant.id, name);
    if (image === undefined) {
      return noImage(flow, "no image of this name in the unit's tenant", { mac: device.mac });
    }
    const mac = device.mac;
    const got = await this.#o.files.bytes(image);
    if (got.kind === "missing") return this.#missing(flow, image.tenantId, name, got.reason, mac);
    this.#o.downloaded?.({
      mac,
      fileName: name,
      remoteAddress: request.remoteAddress,
      at: flow.now,
    });
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

  /**
   * SPA ATAs and SPA9000 cannot download over HTTPS, so in a tenant that requires client
   * certificates they could never upgrade: a download over HTTP or TFTP without a
   * certificate, naming the unit by `?mac=`, is answered when the unit's last resync was
   * proven by its own certificate from this same address, recently. That exposes the image
   * to whoever shares the unit's address (its NAT) within the window, nothing more.
   */
  async #provenElsewhere(flow: FlowRequest, by: IdentifiedBy, mac: MacAddress): Promise<boolean> {
    const { transport, remoteAddress } = flow.request;
    if (this.#o.provenResync === undefined || flow.cert !== undefined || by !== "path") {
      return false;
    }
    if (transport !== "http" && transport !== "tftp") return false;
    return this.#o.provenResync(mac, remoteAddress, flow.now, PROVEN_RESYNC_WINDOW_MS);
  }

  #missing(
    flow: FlowRequest,
    tenantId: string,
    name: string,
    reason: string,
    mac: MacAddress | undefined,
  ): Outcome {
    const text = `firmware image ${name} is registered but ${reason}; try again later`;
    const key = `${tenantId}/${name}`;
    const last = this.#loggedMissing.get(key);
    if (last === undefined || flow.now - last >= MISSING_LOG_EVERY_MS) {
      this.#loggedMissing.set(key, flow.now);
      if (this.#loggedMissing.size > 1_000) this.#loggedMissing.clear();
      this.#o.logger.error(
        { file: name, tenant: tenantId, reason, remoteAddress: flow.request.remoteAddress },
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
