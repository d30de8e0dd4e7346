/**
 * The resync pipeline: one transport-neutral request in, one response out.
 *
 *   miss throttle ▸ check target ▸ screen client certificate ▸ route (per-tenant path
 *   patterns) ▸ certificate required by every matched tenant ▸ identify (cert ▸ path MAC ▸ User-Agent) ▸ auto-create ▸ tenant owns the path
 *   ▸ client-certificate policy ▸ render (cached by version, `profile_response.ts`) ▸
 *   conditional (ETag / Last-Modified) ▸ response; status + event recorded for a batch write.
 *
 * Each step that can end a request is a policy in its own file (`miss_throttle.ts`,
 * `client_cert_policy.ts`, `auto_create.ts`, `resync_recorder.ts`, `security_log.ts`); a new
 * flow (activation, redirect, firmware) is a new file implementing `FlowHook` (`flow_hook.ts`)
 * passed in `hooks`, not a branch inside another one. A warm resync (device and profile cached) reads nothing from the
 * database and writes nothing on the request path.
 */
import type { Logger } from "pino";
import { isProvisioError } from "../errors.ts";
import type { Catalogue } from "../profile/index.ts";
import type { Device, DeviceInput, DeviceModel, Tenant } from "../store/index.ts";
import type { AccessLog } from "./access_log.ts";
import { AutoCreate } from "./auto_create.ts";
import { ClientCertPolicy } from "./client_cert_policy.ts";
import type { ClientCertificate } from "./client_certificate.ts";
import { contentEncodingFinish } from "./content_encoding.ts";
import { type Identification, type IdentifiedBy, identifyDevice } from "./device_identity.ts";
import { RENDER_ERROR_CODES } from "./errors.ts";
import {
  type FlowHook,
  type FlowRequest,
  isHandBack,
  type ProfileAmendment,
  type ProfileFinish,
  type ProfileHandBack,
} from "./flow_hook.ts";
import type { ServerMetrics } from "./metrics.ts";
import { MissThrottle, type ScanReport } from "./miss_throttle.ts";
import type { RouteMatch, RouteTable } from "./path_pattern.ts";
import type { ConfigCache } from "./profile_cache.ts";
import type { ProfileRenderer } from "./profile_renderer.ts";
import { type CachedProfile, ProfileResponses } from "./profile_response.ts";
import {
  NOT_FOUND_REASON,
  type Outcome,
  refuse,
  refuseAsUnknown,
  usesMissBudget,
} from "./resync_outcome.ts";
import { type LastWrite, type LastWriteSlot, ResyncRecorder } from "./resync_recorder.ts";
import {
  checkTargetPath,
  type ResyncRequest,
  type ResyncResponse,
  refusal,
} from "./resync_request.ts";
import { SecurityLog } from "./security_log.ts";
import type { StatusWriter } from "./status_writer.ts";
import { MAX_USER_AGENT_LENGTH, parseUserAgent, type UserAgentIdentity } from "./user_agent.ts";

export { type CachedProfile, etagMatches } from "./profile_response.ts";

export interface PipelineOptions {
  readonly cache: ConfigCache<CachedProfile>;
  readonly routes: () => RouteTable;
  readonly renderer: ProfileRenderer;
  readonly writer: StatusWriter;
  readonly metrics: ServerMetrics;
  readonly logger: Logger;
  readonly catalogue?: Catalogue;
  /** PEM client CAs every tenant trusts (the node's device CA). */
  readonly builtInClientCas: readonly string[];
  /** Creates an auto-created device (tenant setting `autoCreate`). */
  readonly createDevice?: (input: DeviceInput) => Promise<Device>;
  /** Auto-created devices allowed per source address per minute (default 30). */
  readonly autoCreatePerMinute?: number;
  /** Auto-created devices allowed per minute over the whole node (default 300). */
  readonly autoCreateGlobalPerMinute?: number;
  readonly maxUrlBytes: number;
  /**
   * A successful resync that repeats the device's previous one (same result, transport and
   * source address) within this window is not written to the event log again (default 60 s;
   * 0 logs every resync). Refusals and failures are always logged (unowned ones aggregated).
   */
  readonly repeatEventWindowMs?: number;
  /** Same for the device's last-resync status row (default 10 s). */
  readonly repeatStatusWindowMs?: number;
  /** Unowned refusals are aggregated per source and status over this window (default 60 s). */
  readonly refusalWindowMs?: number;
  /** The access log (one line per request); none without. */
  readonly accessLog?: AccessLog;
  /** Misses (404s) one source may make per minute before it is throttled (default 120; 0 = off). */
  readonly missesPerMinute?: number;
  /** A scan ends after this long without a miss from its source (default 60 s). */
  readonly scanIdleMs?: number;
  /** Security log lines per second before they are summarised (default 20). */
  readonly securityLogPerSecond?: number;
  /** How often scans and aggregated refusals are written (default 5 s; 0 = only `tick()`). */
  readonly tickMs?: number;
  readonly now?: () => number;
  /** Device flows besides the tenants' profile paths (redirect, activation): `flow_hook.ts`. */
  readonly hooks?: readonly FlowHook[];
}

const THROTTLED: ResyncResponse = (() => {
  const base = refusal(
    429,
    "rate-limited",
    "too many requests for unknown profiles; try again later",
  );
  return { ...base, headers: { ...base.headers, "retry-after": "60" } };
})();

/**
 * A miss: the path matched a tenant's pattern (it names a device) and no profile was found.
 * A path no tenant serves is not one — it reveals nothing about devices, and TFTP falls back
 * to the files root (firmware) for it.
 */
const MISS = { miss: true } as const;

/** Paths whose route matches are kept (~300 bytes each, ~600 with a unit's User-Agent). */
const MATCHED_PATHS = 50_000;
/**
 * The longest path whose matches are kept: a unit's profile path is short, and a request line
 * may be as long as the header limit — kept, such paths would let anyone fill the memory.
 */
const MATCHED_PATH_CHARS = 256;

/**
 * What a request path (as received, without a query) comes to on the tenants' profile paths,
 * kept for the next request with the same path: what follows from the path alone (and the
 * route table it was matched against), and the User-Agent last sent with it.
 */
interface MatchedPath extends LastWriteSlot {
  /** The path decoded and checked (`checkTargetPath`). */
  readonly path: string;
  /** The route table's matches for it: at least one. */
  readonly matches: readonly RouteMatch[];
  /** Whether every matched tenant requires a client certificate, for this tenants map. */
  certRequired:
    | { readonly tenants: ReadonlyMap<string, Tenant>; readonly every: boolean }
    | undefined;
  /**
   * The User-Agent last sent with this path and what it says: a unit sends the same one at
   * every resync, and most name the unit (its MAC or serial), so a node with more units than
   * `#userAgents` holds would otherwise parse it again at every request.
   */
  userAgent: string | undefined;
  uaIdentity: UserAgentIdentity | undefined;
  /** The recorder's last write for the device this path named last (`LastWriteSlot`). */
  lastWrite: LastWrite | undefined;
}

export class ResyncPipeline {
  readonly #o: PipelineOptions;
  readonly #now: () => number;
  readonly #certs: ClientCertPolicy;
  readonly #autoCreate: AutoCreate | undefined;
  readonly #misses: MissThrottle;
  readonly #recorder: ResyncRecorder;
  readonly #security: SecurityLog;
  readonly #profiles: ProfileResponses;
  readonly #timer: ReturnType<typeof setInterval> | undefined;
  /** The hooks that implement each step, in the order given (none asked for a step it lacks). */
  readonly #hooks: {
    readonly loggedPath: readonly FlowHook[];
    readonly route: readonly FlowHook[];
    readonly ownProfile: readonly FlowHook[];
    readonly amend: readonly FlowHook[];
    readonly served: readonly FlowHook[];
  };
  /**
   * Request paths (as received, for requests without a query) that matched a tenant's
   * pattern: a device asks for the same path at every resync, and one lookup here stands for
   * the target check and the route match. Dropped with the table they came from; bounded.
   */
  #matched: { table: RouteTable | undefined; readonly byPath: Map<string, MatchedPath> } = {
    table: undefined,
    byPath: new Map(),
  };
  /** Parsed User-Agent headers: a device sends the same one at every resync. */
  readonly #userAgents = new Map<string, UserAgentIdentity | undefined>();
  #closed = false;

  constructor(options: PipelineOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
    const hooks = options.hooks ?? [];
    this.#hooks = {
      loggedPath: hooks.filter((h) => h.loggedPath !== undefined),
      route: hooks.filter((h) => h.route !== undefined),
      ownProfile: hooks.filter((h) => h.ownProfile !== undefined),
      amend: hooks.filter((h) => h.amend !== undefined),
      served: hooks.filter((h) => h.served !== undefined),
    };
    const cache = options.cache;
    this.#certs = new ClientCertPolicy({
      builtInCas: options.builtInClientCas,
      tenants: () => cache.tenants,
      logger: options.logger,
      now: this.#now,
    });
    const create = options.createDevice;
    this.#autoCreate =
      create === undefined
        ? undefined
        : new AutoCreate({
            create,
            tenant: (id) => cache.tenant(id),
            device: (mac) => cache.device(mac),
            model: (pn) => cache.model(pn),
            ...(options.autoCreatePerMinute === undefined
              ? {}
              : { perSourcePerMinute: options.autoCreatePerMinute }),
            ...(options.autoCreateGlobalPerMinute === undefined
              ? {}
              : { globalPerMinute: options.autoCreateGlobalPerMinute }),
          });
    this.#misses = new MissThrottle({
      perMinute: options.missesPerMinute ?? 120,
      ...(options.scanIdleMs === undefined ? {} : { scanIdleMs: options.scanIdleMs }),
    });
    this.#recorder = new ResyncRecorder({
      writer: options.writer,
      repeatEventWindowMs: options.repeatEventWindowMs ?? 60_000,
      repeatStatusWindowMs: options.repeatStatusWindowMs ?? 10_000,
      ...(options.refusalWindowMs === undefined
        ? {}
        : { refusalWindowMs: options.refusalWindowMs }),
      accessLog: options.accessLog,
    });
    this.#profiles = new ProfileResponses({
      cache,
      renderer: options.renderer,
      metrics: options.metrics,
    });
    this.#security = new SecurityLog({
      logger: options.logger,
      metrics: options.metrics,
      ...(options.securityLogPerSecond === undefined
        ? {}
        : { perSecond: options.securityLogPerSecond }),
    });
    const tickMs = options.tickMs ?? 5000;
    if (tickMs > 0) {
      this.#timer = setInterval(() => this.tick(), tickMs);
      this.#timer.unref();
    }
  }

  /**
   * The answer to one request: at once when nothing needs awaiting (a warm resync: device and
   * profile in memory), else a promise.
   */
  handle(request: ResyncRequest): ResyncResponse | Promise<ResyncResponse> {
    const started = performance.now();
    const now = this.#now();
    // A path matched before: what it came to, and its last User-Agent, in one lookup.
    const known = request.query === "" ? this.#matchedPath(request.path) : undefined;
    const ua = this.#userAgent(request.userAgent, known);
    const logged = this.#logged(request);
    // Every refusal uses up the source's budget, whatever the request carries: a trusted
    // device certificate naming other devices is a guess like any other.
    if (!this.#misses.admit(request.remoteAddress, request.transport, now)) {
      // Throttled: no lookup at all, so the answer cannot depend on what exists.
      this.#o.metrics.throttled(request.transport);
      return this.#done(request, logged, ua, { response: THROTTLED }, started, now, false, known);
    }
    let processed: Outcome | Promise<Outcome>;
    try {
      processed = this.#process(request, ua, now, known);
    } catch (error) {
      processed = this.#failure(logged, error);
    }
    if (!(processed instanceof Promise)) {
      return this.#done(request, logged, ua, processed, started, now, true, known);
    }
    return processed.then(
      (outcome) => this.#done(request, logged, ua, outcome, started, now, true, known),
      (error: unknown) =>
        this.#done(request, logged, ua, this.#failure(logged, error), started, now, true, known),
    );
  }

  /** Counts, logs and records a request's outcome; its response. */
  #done(
    request: ResyncRequest,
    logged: ResyncRequest,
    ua: UserAgentIdentity | undefined,
    outcome: Outcome,
    started: number,
    now: number,
    admitted: boolean,
    known: MatchedPath | undefined,
  ): ResyncResponse {
    if (admitted && usesMissBudget(outcome)) {
      this.#misses.miss(request.remoteAddress, request.transport, now);
    }
    const { response } = outcome;
    const seconds = (performance.now() - started) / 1000;
    this.#o.metrics.resync(request.transport, response.result, seconds);
    if (outcome.security !== undefined) this.#reportSecurity(logged, outcome, now);
    this.#recorder.record(logged, ua, outcome, seconds, now, known);
    return response;
  }

  /** The request as logs and events show it: a hook may hide a secret in its path. */
  #logged(request: ResyncRequest): ResyncRequest {
    for (const hook of this.#hooks.loggedPath) {
      const path = hook.loggedPath!(request.path);
      if (path !== undefined) return { ...request, path, query: "" };
    }
    return request;
  }

  #userAgent(
    header: string | undefined,
    path: MatchedPath | undefined,
  ): UserAgentIdentity | undefined {
    if (header === undefined || header.length > MAX_USER_AGENT_LENGTH) return undefined;
    if (path !== undefined && path.userAgent === header) return path.uaIdentity;
    let parsed = this.#userAgents.get(header);
    if (parsed === undefined && !this.#userAgents.has(header)) {
      parsed = parseUserAgent(header);
      // Bounded: headers are the client's to choose.
      if (this.#userAgents.size >= 10_000) this.#userAgents.clear();
      this.#userAgents.set(header, parsed);
    }
    if (path !== undefined) {
      path.userAgent = header;
      path.uaIdentity = parsed;
    }
    return parsed;
  }

  /** Writes ended scans and aggregated refusals whose window is over (the timer calls it). */
  tick(): void {
    const now = this.#now();
    for (const scan of this.#misses.sweep(now)) this.#reportScan(scan);
    this.#recorder.flush(now);
  }

  /**
   * Stops the timer; reports open scans, the security log's last summary and every aggregated
   * refusal (shutdown).
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#timer !== undefined) clearInterval(this.#timer);
    for (const scan of this.#misses.close()) this.#reportScan(scan);
    // The last window's "suppressed" summary, and no timer left to fire after shutdown.
    this.#security.flush();
    this.#recorder.flush(this.#now(), true);
  }

  #reportScan(scan: ScanReport): void {
    this.#o.metrics.scan();
    this.#recorder.recordScan(scan);
    this.#security.report(
      {
        reason: "scan",
        message: `scan from ${scan.source}: ${scan.count} requests throttled`,
        remoteAddress: scan.source,
        transport: scan.transport,
        details: {
          count: scan.count,
          firstAt: new Date(scan.firstAt).toISOString(),
          lastAt: new Date(scan.lastAt).toISOString(),
        },
      },
      scan.lastAt,
    );
  }

  #reportSecurity(request: ResyncRequest, outcome: Outcome, now: number): void {
    this.#security.report(
      {
        reason: outcome.security!,
        message: outcome.logReason ?? outcome.response.reason ?? outcome.security!,
        remoteAddress: request.remoteAddress,
        transport: request.transport,
        path: request.path,
        mac: outcome.mac ?? null,
        certSubject: request.clientCert?.subject ?? null,
        userAgent: request.userAgent?.slice(0, 256) ?? null,
      },
      now,
    );
  }

  #failure(request: ResyncRequest, error: unknown): Outcome {
    // Configuration problems (no AES key, a broken value template) are named in the event
    // log; anything else stays "internal error" towards the device.
    const message =
      isProvisioError(error) && RENDER_ERROR_CODES.has(error.code)
        ? `profile cannot be rendered: ${error.message}`
        : "internal error";
    this.#o.logger.error(
      { err: error, path: request.path.slice(0, 256), transport: request.transport },
      "resync failed",
    );
    if (isProvisioError(error) && error.status === 503 && !RENDER_ERROR_CODES.has(error.code)) {
      // The database is unreachable and this device is not cached: come back later.
      const busy = refusal(503, "error", "temporarily unavailable");
      return { response: { ...busy, headers: { ...busy.headers, "retry-after": "60" } } };
    }
    return { response: refusal(500, "error", message) };
  }

  /**
   * What a request comes to. Synchronous as far as nothing needs awaiting: a hook's answer, a
   * record or a profile not in memory continue as a promise from that step on.
   */
  #process(
    request: ResyncRequest,
    ua: UserAgentIdentity | undefined,
    now: number,
    known: MatchedPath | undefined,
  ): Outcome | Promise<Outcome> {
    if (request.refused !== undefined) {
      // Refused by the transport (an oversized upload, an overlong target, a TFTP write of
      // something other than a report): no unit sends one, so it is a security event too.
      const { status, reason, security } = request.refused;
      return refuse(status, reason, { security });
    }
    const { method } = request;
    if (method !== "GET" && method !== "HEAD" && method !== "POST" && method !== "PUT") {
      return refuse(405, `method ${method.slice(0, 16)} not allowed`);
    }
    // A path matched before was checked then: the same checks would give the same path.
    let path: string;
    if (known !== undefined) {
      path = known.path;
    } else {
      const target = checkTargetPath(request.path, this.#o.maxUrlBytes);
      if (!target.ok) {
        const security = target.reason.includes("traversal") ? "path-traversal" : undefined;
        return refuse(target.status, target.reason, { security });
      }
      path = target.path;
    }
    const screened = this.#certs.screen(request.clientCert);
    if ("response" in screened) return screened;
    const { cert } = screened;
    return this.#route({ request, path, ua, cert, now }, 0, known);
  }

  /**
   * The flow hooks from `from` on, then the tenants' profile paths. `known`: the path's
   * matches when it was matched before.
   */
  #route(
    flow: FlowRequest,
    from: number,
    known: MatchedPath | undefined,
  ): Outcome | Promise<Outcome> {
    const hooks = this.#hooks.route;
    for (let i = from; i < hooks.length; i++) {
      // A hook answers undefined at once for a path that is not its own: awaited only when
      // it may have something to say.
      const routed = hooks[i]!.route!(flow);
      if (routed === undefined) continue;
      if (routed instanceof Promise) {
        return routed.then((r) =>
          r === undefined ? this.#route(flow, i + 1, known) : this.#handedBack(r, flow),
        );
      }
      return this.#handedBack(routed, flow);
    }
    return this.#profilePath(flow, known);
  }

  #handedBack(routed: Outcome | ProfileHandBack, flow: FlowRequest): Outcome | Promise<Outcome> {
    if (!isHandBack(routed)) return routed;
    const { device, tenant, finish } = routed.serve;
    return this.#serve(device, tenant, finish, flow);
  }

  /** A request on the tenants' profile paths: who asks, and whether the path is theirs. */
  #profilePath(flow: FlowRequest, known: MatchedPath | undefined): Outcome | Promise<Outcome> {
    const { request, cert, ua } = flow;
    // PUT is for report uploads (a hook above); nothing else takes it. An upload anywhere
    // else (an HTTP PUT, a TFTP write request) is someone probing for a writable path.
    if (request.method === "PUT") {
      return refuse(405, "method PUT not allowed", { security: "upload-refused" });
    }
    const matched = known ?? this.#match(request, flow.path, ua);
    if (matched === undefined) return refuse(404, NOT_FOUND_REASON);
    const { matches } = matched;
    if (this.#everyMatchRequiresCert(matched)) {
      const required = this.#certs.requiredBeforeLookup(this.#matchedTenants(matches), cert);
      if (required !== undefined) return required;
    }
    const identification = identifyDevice(this.#o.cache, matches, cert, ua);
    if (identification instanceof Promise) {
      return identification.then((id) => this.#identified(id, matches, flow));
    }
    return this.#identified(identification, matches, flow);
  }

  #identified(
    identification: Identification,
    matches: readonly RouteMatch[],
    flow: FlowRequest,
  ): Outcome | Promise<Outcome> {
    if (identification.kind === "unknown" && this.#autoCreate !== undefined) {
      return this.#tryAutoCreate(identification, matches, flow.ua, flow.request, flow.cert).then(
        (id) => this.#checked(id, matches, flow),
      );
    }
    return this.#checked(identification, matches, flow);
  }

  /** The identified device's own path, tenant, certificate and state checked. */
  #checked(
    identification: Identification,
    matches: readonly RouteMatch[],
    flow: FlowRequest,
  ): Outcome | Promise<Outcome> {
    if (identification.kind === "refused" && identification.security === "certificate-mismatch") {
      // Another device's MAC (or serial) with a device certificate: answered as an unknown
      // device would be, so a certificate is no oracle for what exists.
      return refuseAsUnknown(identification.reason, {
        mac: identification.mac,
        security: identification.security,
      });
    }
    if (identification.kind === "refused") {
      return refuse(identification.status, identification.reason, {
        mac: identification.mac,
        security: identification.security,
      });
    }
    // Unknown, or another tenant's device: the same answer, after the same lookups.
    if (identification.kind === "unknown") return refuse(404, NOT_FOUND_REASON, MISS);
    const { device } = identification;
    const tenant = this.#o.cache.tenant(device.tenantId);
    if (tenant === undefined || !matches.some((m) => m.route.tenantIds.has(device.tenantId))) {
      return refuse(404, NOT_FOUND_REASON, MISS);
    }
    // The path must be one of the device's tenant's patterns expanded with *this* device's
    // macros: `/spa2102.cfg` for a SPA504G is as if it did not exist.
    if (device.modelPn === null || !matches.some((m) => m.facts.series !== undefined)) {
      return this.#fits(identification, tenant, null, matches, flow);
    }
    const model = this.#o.cache.cachedModel(device.modelPn);
    if (model !== undefined) return this.#fits(identification, tenant, model, matches, flow);
    return this.#o.cache
      .model(device.modelPn)
      .then((m) => this.#fits(identification, tenant, m, matches, flow));
  }

  #fits(
    identification: Extract<Identification, { kind: "device" }>,
    tenant: Tenant,
    model: DeviceModel | null,
    matches: readonly RouteMatch[],
    flow: FlowRequest,
  ): Outcome | Promise<Outcome> {
    const { device, by } = identification;
    const mac = device.mac;
    if (!matches.some((m) => routeFits(m, device, model?.psn ?? null))) {
      return refuse(404, NOT_FOUND_REASON, { ...MISS, mac });
    }
    const refused = this.#certs.authorize(tenant, flow.cert, by, { mac, tenantId: tenant.id });
    // The device's tenant does not trust the certificate's CA (or wants one): answered as
    // for an unknown device, the real reason logged.
    if (refused !== undefined) {
      return refuseAsUnknown(refused.response.reason ?? NOT_FOUND_REASON, {
        mac,
        tenantId: tenant.id,
        security: refused.security,
      });
    }
    if (device.state === "disabled") {
      return refuse(403, "device disabled", { mac, tenantId: tenant.id });
    }
    return this.#ownProfile(device, tenant, flow, by, 0);
  }

  /** The flow hooks' say on a device's own profile from `from` on, then the profile. */
  #ownProfile(
    device: Device,
    tenant: Tenant,
    flow: FlowRequest,
    by: IdentifiedBy,
    from: number,
  ): Outcome | Promise<Outcome> {
    const hooks = this.#hooks.ownProfile;
    for (let i = from; i < hooks.length; i++) {
      const own = hooks[i]!.ownProfile!(device, tenant, flow, by);
      if (own === undefined) continue;
      if (own instanceof Promise) {
        return own.then((o) =>
          o === undefined
            ? this.#ownProfile(device, tenant, flow, by, i + 1)
            : this.#ownServed(o, device, tenant, flow),
        );
      }
      return this.#ownServed(own, device, tenant, flow);
    }
    return this.#serve(device, tenant, contentEncodingFinish(tenant, device, flow.request), flow);
  }

  #ownServed(
    own: Outcome | ProfileHandBack,
    device: Device,
    tenant: Tenant,
    flow: FlowRequest,
  ): Outcome | Promise<Outcome> {
    if (!isHandBack(own)) return own;
    return this.#serve(device, tenant, own.serve.finish, flow);
  }

  /**
   * A device's own profile, on its tenant's path or handed back by a flow: every flow's
   * amendment, the finish, the answer (cached, conditional), then every flow's `served`.
   */
  #serve(
    device: Device,
    tenant: Tenant,
    finish: ProfileFinish | undefined,
    flow: FlowRequest,
  ): Outcome | Promise<Outcome> {
    let amendment: ProfileAmendment | undefined;
    for (const hook of this.#hooks.amend) {
      amendment = hook.amend!(device, flow);
      if (amendment !== undefined) break;
    }
    // A warm profile is answered without awaiting anything; a render is awaited.
    const cached = this.#profiles.cached(device, amendment, finish);
    if (cached !== undefined) return this.#served(device, tenant, cached, flow);
    return this.#profiles
      .get(device, tenant, amendment, finish)
      .then((profile) => this.#served(device, tenant, profile, flow));
  }

  #served(device: Device, tenant: Tenant, profile: CachedProfile, flow: FlowRequest): Outcome {
    const response = this.#profiles.answer(flow.request, profile);
    for (const hook of this.#hooks.served) hook.served!(device, flow);
    return { response, mac: device.mac, tenantId: tenant.id };
  }

  /** The request path's matches if it was matched before against the current table. */
  #matchedPath(raw: string): MatchedPath | undefined {
    const table = this.#o.routes();
    const memo = this.#matched;
    if (memo.table !== table) {
      memo.table = table;
      memo.byPath.clear();
      return undefined;
    }
    return memo.byPath.get(raw);
  }

  /** The checked path's matches (undefined: none), kept by the request's path when it has no query. */
  #match(
    request: ResyncRequest,
    path: string,
    ua: UserAgentIdentity | undefined,
  ): MatchedPath | undefined {
    const table = this.#o.routes();
    const matches = table.match(path, request.query);
    if (matches.length === 0) return undefined;
    // The User-Agent as `#userAgent` read it (one it did not read is not kept).
    const header = request.userAgent;
    const read = header !== undefined && header.length <= MAX_USER_AGENT_LENGTH;
    const matched: MatchedPath = {
      path,
      matches,
      certRequired: undefined,
      userAgent: read ? header : undefined,
      uaIdentity: read ? ua : undefined,
      lastWrite: undefined,
    };
    // Only what a tenant's pattern took: a path nobody serves is a miss, which its source
    // pays for, not an entry an unauthenticated prober may add.
    const raw = request.path;
    if (request.query !== "" || raw.length > MATCHED_PATH_CHARS) return matched;
    const memo = this.#matched;
    if (memo.table !== table) {
      memo.table = table;
      memo.byPath.clear();
    }
    if (memo.byPath.size >= MATCHED_PATHS) memo.byPath.clear();
    memo.byPath.set(raw, matched);
    return matched;
  }

  /**
   * False when a matched pattern's tenant does not require a client certificate (or is
   * unknown): `requiredBeforeLookup` has nothing to refuse then, and the tenants are not
   * collected for it. Kept with the path until the tenants are reloaded.
   */
  #everyMatchRequiresCert(matched: MatchedPath): boolean {
    const tenants = this.#o.cache.tenants;
    const known = matched.certRequired;
    if (known?.tenants === tenants) return known.every;
    let every = true;
    outer: for (const m of matched.matches) {
      for (const id of m.route.tenantIds) {
        if (tenants.get(id)?.settings.requireClientCert !== true) {
          every = false;
          break outer;
        }
      }
    }
    matched.certRequired = { tenants, every };
    return every;
  }

  /** The tenants the matched patterns belong to (an unknown id stays `undefined`). */
  #matchedTenants(matches: readonly RouteMatch[]): (Tenant | undefined)[] {
    const ids = new Set<string>();
    for (const m of matches) for (const id of m.route.tenantIds) ids.add(id);
    return [...ids].map((id) => this.#o.cache.tenant(id));
  }

  async #tryAutoCreate(
    unknown: Extract<Identification, { kind: "unknown" }>,
    matches: readonly RouteMatch[],
    ua: UserAgentIdentity | undefined,
    request: ResyncRequest,
    cert: ClientCertificate | undefined,
  ): Promise<Identification> {
    if (this.#autoCreate === undefined) return unknown;
    const result = await this.#autoCreate.attempt(
      {
        mac: unknown.mac,
        matches,
        ua,
        remoteAddress: request.remoteAddress,
        sourceProven: request.sourceProven !== false,
        certifiedFor: (tenant) => this.#certs.certifies(tenant, cert),
      },
      this.#now(),
    );
    if (result.kind === "skipped") return unknown;
    if (result.kind === "refused") return result.identification;
    this.#security.report(
      {
        reason: "auto-created",
        message: "unknown device auto-created",
        remoteAddress: request.remoteAddress,
        transport: request.transport,
        path: request.path,
        mac: result.device.mac,
        details: { tenant: result.tenant.id },
      },
      this.#now(),
    );
    // Created for the MAC its verified device certificate names: identified by that
    // certificate, so a certificate-only tenant serves it from this first request on.
    const byCert =
      cert?.verified === true && !cert.identity.generic && cert.identity.mac === result.device.mac;
    return { kind: "device", device: result.device, by: byCert ? "certificate" : "path" };
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
