/**
 * The resync pipeline: one transport-neutral request in, one response out.
 *
 *   check target ▸ route (per-tenant path patterns) ▸ identify (cert ▸ path MAC ▸ User-Agent)
 *   ▸ authorize (tenant, client-certificate policy, trusted CAs) ▸ render (cached by version)
 *   ▸ conditional (ETag / Last-Modified) ▸ response; status + event queued for a batch write.
 *
 * A warm resync (device and profile cached) reads nothing from the database and writes
 * nothing on the request path: the status and the event go to the batched writer.
 */
import { X509Certificate } from "node:crypto";
import type { Logger } from "pino";
import { isProvisioError } from "../errors.ts";
import type { Catalogue } from "../profile/index.ts";
import type { Device, DeviceInput, MacAddress, Tenant } from "../store/index.ts";
import { normalizeFingerprint } from "./client_certificate.ts";
import { type Identification, identifyDevice } from "./device_identity.ts";
import type { ServerMetrics } from "./metrics.ts";
import type { RouteMatch, RouteTable } from "./path_pattern.ts";
import { BoundedMap, type ConfigCache } from "./profile_cache.ts";
import {
  layerTargetsOf,
  ProfileRenderError,
  type ProfileRenderer,
  type RenderedProfile,
} from "./profile_renderer.ts";
import {
  checkTargetPath,
  type ResyncHeaders,
  type ResyncRequest,
  type ResyncResponse,
  refusal,
} from "./resync_request.ts";
import type { StatusWriter } from "./status_writer.ts";
import { parseUserAgent, type UserAgentIdentity } from "./user_agent.ts";

/** A rendered profile with its ready-made responses. */
export interface CachedProfile {
  readonly rendered: RenderedProfile;
  readonly lastModifiedMs: number;
  readonly ok: ResyncResponse;
  readonly notModified: ResyncResponse;
}

export interface PipelineOptions {
  readonly cache: ConfigCache<CachedProfile>;
  readonly routes: () => RouteTable;
  readonly renderer: ProfileRenderer;
  readonly writer: StatusWriter;
  readonly metrics: ServerMetrics;
  readonly logger: Logger;
  readonly catalogue?: Catalogue;
  /** SHA-256 fingerprints (store format) of the built-in client CAs every tenant trusts. */
  readonly builtInClientCas: readonly string[];
  /** Creates an auto-created device (tenant setting `autoCreate`). */
  readonly createDevice?: (input: DeviceInput) => Promise<Device>;
  /** Auto-created devices allowed per tenant per minute. */
  readonly autoCreatePerMinute?: number;
  readonly maxUrlBytes: number;
  /**
   * A successful resync that repeats the device's previous one (same result, transport and
   * source address) within this window is not written to the event log again (default 60 s;
   * 0 logs every resync). Refusals and failures are always logged.
   */
  readonly repeatEventWindowMs?: number;
  /** Same for the device's last-resync status row (default 10 s). */
  readonly repeatStatusWindowMs?: number;
  /** Security log lines per second before they are summarised (default 20). */
  readonly securityLogPerSecond?: number;
  readonly now?: () => number;
}

/** The last written resync of a device (references to strings the request already holds). */
interface LastWrite {
  readonly result: string;
  readonly transport: string;
  readonly remoteAddress: string;
  readonly userAgent: string | null;
  readonly eventAt: number;
  readonly statusAt: number;
}

interface Outcome {
  readonly response: ResyncResponse;
  readonly mac?: MacAddress | undefined;
  readonly tenantId?: string | undefined;
  readonly security?: string | undefined;
}

export class ResyncPipeline {
  readonly #o: PipelineOptions;
  readonly #now: () => number;
  readonly #tenantCas = new WeakMap<Tenant, ReadonlySet<string>>();
  readonly #autoCreated = new Map<string, { windowStart: number; count: number }>();
  readonly #lastWrite = new BoundedMap<MacAddress, LastWrite>(500_000);
  readonly #eventWindow: number;
  readonly #statusWindow: number;
  #securityWindow = { start: 0, logged: 0, suppressed: 0 };

  constructor(options: PipelineOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
    this.#eventWindow = options.repeatEventWindowMs ?? 60_000;
    this.#statusWindow = options.repeatStatusWindowMs ?? 10_000;
  }

  async handle(request: ResyncRequest): Promise<ResyncResponse> {
    const started = performance.now();
    const ua = parseUserAgent(request.userAgent);
    let outcome: Outcome;
    try {
      outcome = await this.#process(request, ua);
    } catch (error) {
      // Configuration problems (no AES key, a broken value template) are named in the event
      // log; anything else stays "internal error" towards the device.
      const message =
        error instanceof ProfileRenderError ||
        (isProvisioError(error) && error.code.startsWith("SERVER_TEMPLATE_"))
          ? `profile cannot be rendered: ${error instanceof Error ? error.message : ""}`
          : "internal error";
      this.#o.logger.error(
        { err: error, path: request.path.slice(0, 256), transport: request.transport },
        "resync failed",
      );
      if (isProvisioError(error) && error.status === 503) {
        // The database is unreachable and this device is not cached: come back later.
        const busy = refusal(503, "error", "temporarily unavailable");
        outcome = {
          response: { ...busy, headers: { ...busy.headers, "retry-after": "60" } },
        };
      } else {
        outcome = { response: refusal(500, "error", message) };
      }
    }
    const { response } = outcome;
    const seconds = (performance.now() - started) / 1000;
    this.#o.metrics.resync(request.transport, response.result, seconds);
    this.#record(request, ua, outcome, seconds);
    return response;
  }

  #record(
    request: ResyncRequest,
    ua: UserAgentIdentity | undefined,
    outcome: Outcome,
    seconds: number,
  ): void {
    const { response, mac } = outcome;
    const now = this.#now();
    const userAgent = request.userAgent === undefined ? null : request.userAgent.slice(0, 256);
    if (outcome.security !== undefined) this.#securityLog(request, outcome, userAgent, now);

    // Repeats of the same successful resync within the windows are not written again.
    let writeEvent = true;
    let writeStatus = mac !== undefined && outcome.tenantId !== undefined;
    if (mac !== undefined && (response.result === "ok" || response.result === "not-modified")) {
      const last = this.#lastWrite.get(mac);
      const same =
        last !== undefined &&
        last.result === response.result &&
        last.transport === request.transport &&
        last.remoteAddress === request.remoteAddress &&
        last.userAgent === userAgent;
      writeEvent = !(same && now - last.eventAt < this.#eventWindow);
      writeStatus &&= !(same && now - last.statusAt < this.#statusWindow);
      if (writeEvent || writeStatus || !same) {
        this.#lastWrite.set(mac, {
          result: response.result,
          transport: request.transport,
          remoteAddress: request.remoteAddress,
          userAgent,
          eventAt: writeEvent || !same ? now : last.eventAt,
          statusAt: writeStatus || !same ? now : last.statusAt,
        });
      }
    } else if (mac !== undefined) {
      this.#lastWrite.delete(mac);
    }
    if (!writeEvent && !writeStatus) return;
    const at = new Date(now);
    if (writeStatus && mac !== undefined) {
      this.#o.writer.status({
        mac,
        at,
        remoteAddress: request.remoteAddress,
        userAgent,
        firmware: ua?.firmware ?? null,
        result: response.result,
        transport: request.transport,
      });
    }
    if (writeEvent) {
      this.#o.writer.event({
        mac: mac ?? null,
        tenantId: outcome.tenantId ?? null,
        at,
        transport: request.transport,
        result: response.result,
        statusCode: response.status,
        path: request.path.slice(0, 512),
        bytes: response.status === 200 ? (response.body?.byteLength ?? 0) : null,
        durationMs: Math.round(seconds * 1e6) / 1e3,
        remoteAddress: request.remoteAddress,
        userAgent,
        message: response.reason ?? null,
      });
    }
  }

  /** A fail2ban-friendly warning per security event, summarised beyond a rate (no log flood). */
  #securityLog(
    request: ResyncRequest,
    outcome: Outcome,
    userAgent: string | null,
    now: number,
  ): void {
    const reason = outcome.security!;
    this.#o.metrics.securityEvent(reason);
    const w = this.#securityWindow;
    if (now - w.start >= 1000) {
      if (w.suppressed > 0) {
        this.#o.logger.warn(
          { security: "suppressed", count: w.suppressed },
          `security: ${w.suppressed} more security events not logged`,
        );
      }
      this.#securityWindow = { start: now, logged: 0, suppressed: 0 };
    }
    const window = this.#securityWindow;
    if (window.logged >= (this.#o.securityLogPerSecond ?? 20)) {
      window.suppressed++;
      return;
    }
    window.logged++;
    this.#o.logger.warn(
      {
        security: reason,
        remoteAddress: request.remoteAddress,
        transport: request.transport,
        path: request.path.slice(0, 256),
        mac: outcome.mac ?? null,
        certSubject: request.clientCert?.subject ?? null,
        userAgent,
      },
      `security: ${outcome.response.reason ?? reason}`,
    );
  }

  async #process(request: ResyncRequest, ua: UserAgentIdentity | undefined): Promise<Outcome> {
    const { method } = request;
    if (method !== "GET" && method !== "HEAD" && method !== "POST") {
      return { response: refusal(405, "bad-request", `method ${method.slice(0, 16)} not allowed`) };
    }
    const target = checkTargetPath(request.path, this.#o.maxUrlBytes);
    if (!target.ok) {
      return {
        response: refusal(target.status, "bad-request", target.reason),
        security: target.reason.includes("traversal") ? "path-traversal" : undefined,
      };
    }
    const cert = request.clientCert;
    if (cert !== undefined && !cert.verified) {
      return {
        response: refusal(
          403,
          "denied",
          `client certificate not trusted (${cert.verifyError ?? "unverified"})`,
        ),
        security: "certificate-untrusted",
      };
    }
    const matches = this.#o.routes().match(target.path, request.query);
    if (matches.length === 0) {
      return { response: refusal(404, "not-found", "no profile at this path") };
    }

    let identification = await identifyDevice(this.#o.cache, matches, cert, ua);
    if (identification.kind === "unknown") {
      identification = await this.#autoCreate(identification.mac, matches, ua, request);
    }
    if (identification.kind === "refused") {
      return {
        response: refusal(
          identification.status,
          identification.status === 429
            ? "rate-limited"
            : identification.status === 404
              ? "not-found"
              : identification.status === 400
                ? "bad-request"
                : "denied",
          identification.reason,
        ),
        mac: identification.mac,
        security: identification.security,
      };
    }
    if (identification.kind === "unknown") {
      return {
        response: refusal(404, "not-found", "unknown device"),
        mac: identification.mac,
      };
    }
    const { device } = identification;
    const mac = device.mac;

    const tenant = this.#o.cache.tenant(device.tenantId);
    // The path must be one of the device's tenant's patterns expanded with *this* device's
    // macros: another tenant's path, or `/spa2102.cfg` for a SPA504G, is as if it did not exist.
    const model =
      device.modelPn === null || !matches.some((m) => m.facts.series !== undefined)
        ? null
        : await this.#o.cache.model(device.modelPn);
    if (tenant === undefined || !matches.some((m) => routeFits(m, device, model?.psn ?? null))) {
      return { response: refusal(404, "not-found", "no profile at this path"), mac };
    }
    const hasDeviceCert = cert?.verified && !cert.identity.generic;
    if (cert?.verified && !this.#trusts(tenant, cert.issuerFingerprints)) {
      return {
        response: refusal(
          403,
          "denied",
          "client certificate not issued by a CA this tenant trusts",
        ),
        mac,
        tenantId: tenant.id,
        security: "certificate-untrusted",
      };
    }
    if (
      tenant.settings.requireClientCert &&
      !(hasDeviceCert && identification.by === "certificate")
    ) {
      return {
        response: refusal(
          403,
          "denied",
          "this provider requires a device client certificate (HTTPS)",
        ),
        mac,
        tenantId: tenant.id,
        security: "certificate-required",
      };
    }
    if (device.state === "disabled") {
      return { response: refusal(403, "denied", "device disabled"), mac, tenantId: tenant.id };
    }

    const profile = await this.#profile(device, tenant);
    return { response: this.#conditional(request, profile), mac, tenantId: tenant.id };
  }

  #conditional(request: ResyncRequest, profile: CachedProfile): ResyncResponse {
    const inm = request.ifNoneMatch;
    if (inm !== undefined) {
      return etagMatches(inm, profile.rendered.etag) ? profile.notModified : profile.ok;
    }
    const ims = request.ifModifiedSince;
    if (ims !== undefined) {
      const since = Date.parse(ims);
      if (!Number.isNaN(since) && profile.lastModifiedMs <= since) return profile.notModified;
    }
    return profile.ok;
  }

  async #profile(device: Device, tenant: Tenant): Promise<CachedProfile> {
    const cache = this.#o.cache;
    const hit = cache.profile(device.mac);
    this.#o.metrics.cacheLookup(hit !== undefined);
    if (hit !== undefined) return hit;

    // Snapshot the versions first: a change landing while we load makes this entry stale.
    const deps = cache.dependencies(device);
    const [model, group, account, layers] = await Promise.all([
      device.modelPn === null ? null : cache.model(device.modelPn),
      device.groupId === null ? null : cache.group(device.groupId),
      device.accountId === null ? null : cache.account(device.accountId),
      cache.layers(layerTargetsOf(device)),
    ]);
    const previous = cache.previousProfile(device.mac);
    const rendered = this.#o.renderer.render(
      { device, tenant, model, group, account, layers },
      previous?.rendered,
    );
    if (previous !== undefined && previous.rendered === rendered) {
      cache.storeProfile(device.mac, deps, previous);
      return previous;
    }
    let lastModifiedMs = Math.max(
      device.updatedAt.getTime(),
      tenant.updatedAt.getTime(),
      model?.updatedAt.getTime() ?? 0,
      group?.updatedAt.getTime() ?? 0,
      account?.updatedAt.getTime() ?? 0,
      ...layers.map((l) => l.updatedAt.getTime()),
    );
    lastModifiedMs = Math.floor(lastModifiedMs / 1000) * 1000;
    const lastModified = new Date(lastModifiedMs).toUTCString();
    const headers: ResyncHeaders = {
      "content-type": rendered.contentType,
      etag: rendered.etag,
      "last-modified": lastModified,
      "cache-control": "no-cache",
    };
    const entry: CachedProfile = {
      rendered,
      lastModifiedMs,
      ok: { status: 200, headers, body: rendered.body, result: "ok" },
      notModified: {
        status: 304,
        headers: {
          etag: rendered.etag,
          "last-modified": lastModified,
          "cache-control": "no-cache",
        },
        body: undefined,
        result: "not-modified",
      },
    };
    cache.storeProfile(device.mac, deps, entry);
    return entry;
  }

  #trusts(tenant: Tenant, issuers: readonly string[]): boolean {
    let trusted = this.#tenantCas.get(tenant);
    if (trusted === undefined) {
      const set = new Set(this.#o.builtInClientCas);
      for (const pem of tenant.settings.trustedClientCas) {
        try {
          set.add(normalizeFingerprint(new X509Certificate(pem).fingerprint256));
        } catch {
          this.#o.logger.warn(
            { tenant: tenant.id },
            "ignoring a trusted client CA that does not parse",
          );
        }
      }
      trusted = set;
      this.#tenantCas.set(tenant, trusted);
    }
    for (const fp of issuers) if (trusted.has(fp)) return true;
    return false;
  }

  async #autoCreate(
    mac: MacAddress | undefined,
    matches: readonly RouteMatch[],
    ua: UserAgentIdentity | undefined,
    request: ResyncRequest,
  ): Promise<Identification> {
    const create = this.#o.createDevice;
    if (mac === undefined || create === undefined) return { kind: "unknown", mac };
    const tenant = matches
      .flatMap((m) => [...m.route.tenantIds])
      .map((id) => this.#o.cache.tenant(id))
      .find((t) => t?.settings.autoCreate === true);
    if (tenant === undefined) return { kind: "unknown", mac };
    if (tenant.settings.requireClientCert && request.clientCert === undefined) {
      return { kind: "unknown", mac };
    }
    const now = this.#now();
    const limit = this.#o.autoCreatePerMinute ?? 30;
    let bucket = this.#autoCreated.get(tenant.id);
    if (bucket === undefined || now - bucket.windowStart >= 60_000) {
      bucket = { windowStart: now, count: 0 };
      this.#autoCreated.set(tenant.id, bucket);
    }
    if (bucket.count >= limit) {
      return {
        kind: "refused",
        status: 429,
        reason: "too many new devices; try again later",
        security: "auto-create-rate-limited",
        mac,
      };
    }
    bucket.count++;
    let modelPn: string | null = null;
    if (ua !== undefined) {
      const model = await this.#o.cache.model(ua.product);
      if (model !== null) modelPn = model.pn;
    }
    try {
      const device = await create({
        mac,
        tenantId: tenant.id,
        modelPn,
        serial: ua?.serial ?? null,
        state: "factory",
        label: "auto-created",
      });
      this.#o.logger.warn(
        { security: "auto-created", mac, tenant: tenant.id, remoteAddress: request.remoteAddress },
        "security: unknown device auto-created",
      );
      this.#o.metrics.securityEvent("auto-created");
      return { kind: "device", device, by: "path" };
    } catch (error) {
      // Another node (or request) created it first: use that one.
      const device = await this.#o.cache.device(mac);
      if (device !== null) return { kind: "device", device, by: "path" };
      throw error;
    }
  }
}

/** True when the matched route belongs to the device's tenant and its facts fit the device. */
function routeFits(match: RouteMatch, device: Device, psn: string | null): boolean {
  const { facts } = match;
  if (!match.route.tenantIds.has(device.tenantId)) return false;
  if (facts.mac !== undefined && facts.mac !== device.mac) return false;
  if (facts.serial !== undefined && device.serial !== null && facts.serial !== device.serial) {
    return false;
  }
  if (facts.product !== undefined && device.modelPn !== null && facts.product !== device.modelPn) {
    return false;
  }
  if (facts.series !== undefined && psn !== null && facts.series !== psn) return false;
  return true;
}

/** `If-None-Match` against a strong ETag (weak comparison, as RFC 9110 prescribes for GET). */
export function etagMatches(header: string, etag: string): boolean {
  if (header.trim() === "*") return true;
  for (const part of header.split(",")) {
    let tag = part.trim();
    if (tag.startsWith("W/")) tag = tag.slice(2);
    if (tag === etag) return true;
  }
  return false;
}
