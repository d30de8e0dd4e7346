/**
 * In-house staging as a device flow: a factory unit on the staging LAN asks the TFTP server
 * DHCP names for its factory file (`/spa112.cfg`, `/8845.xml`, `/ata191.cfg`, `/spa.cfg`).
 *
 * - Nothing in a TFTP request names the unit, so the factory file is generic: it sends the
 *   unit on to `/staging/$MA.cfg` (`staging_profile.ts`). The address it came from is kept
 *   for a while, so when the same address then asks for a per-MAC staging path, that earlier
 *   step goes into the device's history too.
 * - Over HTTP(S) the User-Agent or the client certificate names the unit: it gets its
 *   per-device staging profile at once.
 * - The per-MAC staging path answers the per-device staging profile of the device's tenant,
 *   or — for a unit no tenant knows yet (staged before its bar-code scan list is imported) —
 *   of the default tenant when it stages, else of the only tenant that does.
 *
 * A tenant stages when its setting `staging` is on (the default tenant on a fresh install).
 * A path some tenant serves as its own profile path (`/spa$PSN.cfg` with a User-Agent) is
 * left to it, and so is a factory file the operator put in the TFTP files root. Each step moves the device's lifecycle (MFG-RESET; SP-CUST once it fetches its
 * own profile, `lifecycle_flow.ts`).
 */
import type { Logger } from "pino";
import { BUILT_IN_MODELS, type Catalogue } from "../profile/index.ts";
import {
  DEFAULT_TENANT_ID,
  type Device,
  type MacAddress,
  type Tenant,
  tryParseMac,
} from "../store/index.ts";
import type { ServeConfig } from "./config.ts";
import { clientAddressKey } from "./connection_limit.ts";
import type { FlowHook, FlowRequest } from "./flow_hook.ts";
import type { DeviceLifecycles } from "./lifecycle.ts";
import type { RouteTable } from "./path_pattern.ts";
import type { ConfigCache } from "./profile_cache.ts";
import { type EffectiveParameter, serializeFlatProfile } from "./profile_renderer.ts";
import { NOT_FOUND_REASON, type Outcome, refuse } from "./resync_outcome.ts";
import type { ResyncResponse } from "./resync_request.ts";
import {
  deviceProfileRule,
  deviceStagingParameters,
  genericStagingParameters,
  genericStagingRule,
  type PublicUrls,
  STAGING_PATH_PREFIX,
  STAGING_PATH_SUFFIX,
} from "./staging_profile.ts";
import type { StatusWriter } from "./status_writer.ts";
import { isValueTemplate, templateContext, type ValueTemplates } from "./value_template.ts";

/** Every built-in model's factory path, and the earliest Sipura firmware's. */
export const FACTORY_PATHS: ReadonlySet<string> = new Set([
  ...BUILT_IN_MODELS.map((m) => m.factoryProfileRule),
  "/spa.cfg",
]);

/** How long a generic factory fetch waits for its source's per-MAC request (attribution). */
const ATTRIBUTION_MS = 15 * 60_000;
const MAX_SOURCES = 10_000;
/**
 * Answers for units nobody knows (the generic factory file, a staging file of an unknown MAC)
 * per source address and minute. Each is an event row; a unit needs one or two per boot.
 * Beyond it: 429, aggregated in the event log and counted by the miss throttle.
 */
export const ANONYMOUS_STAGING_PER_MINUTE = 60;

const MISS = { miss: true } as const;

export interface StagingFlowOptions {
  readonly cache: ConfigCache<unknown>;
  /** The tenants' profile paths: a path one of them serves is theirs, not staging's. */
  readonly routes: () => RouteTable;
  readonly urls: PublicUrls;
  readonly catalogue: Catalogue;
  readonly templates: ValueTemplates;
  readonly lifecycles: DeviceLifecycles;
  /** Where the attributed earlier step's event goes. */
  readonly events: Pick<StatusWriter, "event">;
  /**
   * True when the TFTP files root holds this (checked) path: a factory file the operator put
   * there is served as it is, staging steps aside.
   */
  readonly hasStaticFile?: ((path: string) => boolean) | undefined;
}

interface GenericFetch {
  readonly path: string;
  readonly at: number;
  readonly transport: string;
  readonly userAgent: string | undefined;
}

/** The MAC of a per-MAC staging path (`/staging/000e08abcdef.cfg`), if it is one. */
export function stagingPathMac(path: string): MacAddress | undefined {
  if (!path.startsWith(STAGING_PATH_PREFIX) || !path.endsWith(STAGING_PATH_SUFFIX)) {
    return undefined;
  }
  const text = path.slice(STAGING_PATH_PREFIX.length, -STAGING_PATH_SUFFIX.length);
  return /^[0-9A-Fa-f]{12}$/.test(text) ? tryParseMac(text) : undefined;
}

function xmlResponse(parameters: readonly EffectiveParameter[]): ResyncResponse {
  return {
    status: 200,
    headers: { "content-type": "text/xml; charset=utf-8", "cache-control": "no-store" },
    body: Buffer.from(serializeFlatProfile(parameters), "utf8"),
    result: "ok",
  };
}

export class StagingFlow implements FlowHook {
  readonly #o: StagingFlowOptions;
  /** Source address → its last generic factory fetch. Oldest dropped first. */
  readonly #generic = new Map<string, GenericFetch>();
  /** Source (address, IPv6 /64) → anonymous answers in the current minute. Oldest dropped first. */
  readonly #budgets = new Map<string, { start: number; count: number }>();

  constructor(options: StagingFlowOptions) {
    this.#o = options;
  }

  route(flow: FlowRequest): Promise<Outcome | undefined> | undefined {
    const { path } = flow;
    const factory = FACTORY_PATHS.has(path);
    const stagingMac = factory ? undefined : stagingPathMac(path);
    // Another flow's path: answered at once, without a promise (every request asks every hook).
    return factory || stagingMac !== undefined ? this.#route(flow, factory, stagingMac) : undefined;
  }

  async #route(
    flow: FlowRequest,
    factory: boolean,
    stagingMac: MacAddress | undefined,
  ): Promise<Outcome | undefined> {
    const { path } = flow;
    if (!this.#anyTenantStages()) return undefined;
    if (this.#o.routes().match(path, flow.request.query).length > 0) return undefined;
    if (flow.request.transport === "tftp" && this.#o.hasStaticFile?.(path) === true) {
      return undefined;
    }

    const mac = stagingMac ?? this.#identified(flow);
    if (mac === undefined) return this.#spend(flow) ?? this.#genericFile(flow);

    const device = await this.#o.cache.device(mac);
    if (device === null) {
      const over = this.#spend(flow);
      if (over !== undefined) return over;
    }
    const tenant =
      device === null ? this.#stagingTenantForUnknown() : this.#o.cache.tenant(device.tenantId);
    if (tenant === undefined || !tenant.settings.staging) {
      return refuse(404, NOT_FOUND_REASON, { ...MISS, mac });
    }
    if (device?.state === "disabled") {
      return refuse(403, "device disabled", { mac, tenantId: tenant.id });
    }
    if (device !== null) this.#observe(device, flow, factory);
    const parameters = await this.#deviceParameters(tenant, device);
    if (parameters === undefined) {
      return {
        ...refuse(500, "staging: the tenant has no profile path to send staged units to"),
        mac,
        tenantId: device === null ? undefined : tenant.id,
      };
    }
    // A unit no tenant knows is named (its MAC) but owned by nobody yet: no status row.
    return {
      response: xmlResponse(parameters),
      mac,
      tenantId: device === null ? undefined : tenant.id,
    };
  }

  /**
   * Counts an anonymous answer for the source (an IPv4 address, an IPv6 /64: a host picks any
   * address in its network); a 429 once its minute's budget is spent.
   */
  #spend(flow: FlowRequest): Outcome | undefined {
    const source = clientAddressKey(flow.request.remoteAddress);
    let budget = this.#budgets.get(source);
    if (budget === undefined || flow.now - budget.start >= 60_000) {
      if (budget === undefined && this.#budgets.size >= MAX_SOURCES) {
        const oldest = this.#budgets.keys().next();
        if (oldest.done !== true) this.#budgets.delete(oldest.value);
      }
      budget = { start: flow.now, count: 0 };
      this.#budgets.set(source, budget);
    }
    budget.count++;
    if (budget.count <= ANONYMOUS_STAGING_PER_MINUTE) return undefined;
    const over = refuse(429, "too many staging requests for unknown units from this address");
    return {
      ...over,
      response: { ...over.response, headers: { ...over.response.headers, "retry-after": "60" } },
    };
  }

  /** The generic factory file; remembers the source for the per-MAC step that follows. */
  #genericFile(flow: FlowRequest): Outcome {
    const { request } = flow;
    if (this.#generic.size >= MAX_SOURCES && !this.#generic.has(request.remoteAddress)) {
      const oldest = this.#generic.keys().next();
      if (oldest.done !== true) this.#generic.delete(oldest.value);
    }
    this.#generic.delete(request.remoteAddress);
    this.#generic.set(request.remoteAddress, {
      path: flow.path,
      at: flow.now,
      transport: request.transport,
      userAgent: request.userAgent,
    });
    const rule = genericStagingRule(request.transport, this.#o.urls);
    return { response: xmlResponse(genericStagingParameters(rule)) };
  }

  /** The lifecycle step this request shows, with the earlier generic fetch of its source. */
  #observe(device: Device, flow: FlowRequest, factory: boolean): void {
    const { request } = flow;
    const context = {
      transport: request.transport,
      path: flow.path,
      remoteAddress: request.remoteAddress,
      userAgent: request.userAgent,
    };
    if (factory) {
      this.#o.lifecycles.observe(
        device,
        { kind: "factory-file", path: flow.path },
        context,
        flow.now,
      );
      return;
    }
    const earlier = this.#generic.get(request.remoteAddress);
    if (earlier !== undefined && flow.now - earlier.at <= ATTRIBUTION_MS) {
      this.#generic.delete(request.remoteAddress);
      this.#o.events.event({
        mac: device.mac,
        tenantId: device.tenantId,
        at: new Date(earlier.at),
        transport: earlier.transport,
        result: "ok",
        statusCode: 200,
        path: earlier.path,
        bytes: null,
        durationMs: null,
        remoteAddress: request.remoteAddress,
        userAgent: earlier.userAgent?.slice(0, 256) ?? null,
        message: `generic factory file (this device: its address then asked for ${flow.path})`,
      });
      this.#o.lifecycles.observe(
        device,
        { kind: "factory-file", path: earlier.path },
        { ...context, transport: earlier.transport, path: earlier.path },
        earlier.at,
      );
    }
    this.#o.lifecycles.observe(
      device,
      { kind: "staging-file", path: flow.path },
      context,
      flow.now,
    );
  }

  /** The per-device staging profile, templates rendered; undefined without a profile path. */
  async #deviceParameters(
    tenant: Tenant,
    device: Device | null,
  ): Promise<EffectiveParameter[] | undefined> {
    const rule = deviceProfileRule(tenant, this.#o.urls);
    if (rule === undefined) return undefined;
    const [tenantLayer = null, stagingLayer = null] = await Promise.all([
      this.#o.cache.layers([{ scope: "tenant", tenantId: tenant.id }]).then((l) => l[0]),
      this.#o.cache.layers([{ scope: "staging", tenantId: tenant.id }]).then((l) => l[0]),
    ]);
    const parameters = deviceStagingParameters({
      tenant,
      rule,
      tenantLayer,
      stagingLayer,
      catalogue: this.#o.catalogue,
    });
    if (!parameters.some((p) => p.value !== undefined && isValueTemplate(p.value))) {
      return parameters;
    }
    // Templates need the device; a unit no tenant knows yet gets the values that need none.
    if (device === null) {
      return parameters.filter((p) => p.value === undefined || !isValueTemplate(p.value));
    }
    const model = device.modelPn === null ? null : await this.#o.cache.model(device.modelPn);
    const account =
      device.accountId === null ? null : await this.#o.cache.account(device.accountId);
    const context = templateContext({ device, tenant, model, account });
    return parameters.map((p) =>
      p.value === undefined || !isValueTemplate(p.value)
        ? p
        : { ...p, value: this.#o.templates.render(p.value, context) },
    );
  }

  /** The MAC a factory-path request names: a unit's own certificate, else its User-Agent. */
  #identified(flow: FlowRequest): MacAddress | undefined {
    const { cert, ua } = flow;
    if (cert?.verified === true && !cert.identity.generic && cert.identity.mac !== undefined) {
      return cert.identity.mac;
    }
    const text = ua?.mac ?? ua?.macOrSerial;
    return text === undefined ? undefined : tryParseMac(text);
  }

  #anyTenantStages(): boolean {
    for (const tenant of this.#o.cache.tenants.values()) if (tenant.settings.staging) return true;
    return false;
  }

  /**
   * Who stages a unit no tenant knows: the default tenant when it stages, nobody else. A
   * tenant's admin turns its own staging on; that must not hand it every unknown unit (with its
   * admin password and Profile_Rule) once the operator turned the default tenant's off.
   */
  #stagingTenantForUnknown(): Tenant | undefined {
    const fallback = this.#o.cache.tenant(DEFAULT_TENANT_ID);
    return fallback?.settings.staging === true ? fallback : undefined;
  }
}

/**
 * Start-up warnings for staging tenants: a factory file is answered to whoever asks (with the
 * admin password in the per-device step), and without a public URL staged units are sent to
 * the TFTP server DHCP names, which only the staging LAN has.
 */
export function warnStaging(
  tenants: Iterable<Tenant>,
  config: Pick<ServeConfig, "publicHttpUrl" | "publicHttpsUrl" | "role">,
  logger: Logger,
): void {
  if (config.role === "redirect") return;
  const staging = [...tenants].filter((t) => t.settings.staging);
  if (staging.length === 0) return;
  const slugs = staging.map((t) => t.slug).join(", ");
  logger.warn(
    { security: "staging", tenants: slugs },
    `staging: tenant ${slugs} answers factory units' files (/spa112.cfg, …) to whoever asks, ` +
      "admin password included; keep the listeners on the staging network or turn staging off " +
      "(provisio tenant set TENANT --staging off; see docs/staging.md)",
  );
  const needsHttps = staging.some((t) => t.settings.requireClientCert);
  if (
    (config.publicHttpUrl === undefined && config.publicHttpsUrl === undefined) ||
    (needsHttps && config.publicHttpsUrl === undefined)
  ) {
    logger.warn(
      { tenants: slugs },
      "staging: public.http_url / public.https_url (PROVISIO_PUBLIC_HTTP_URL, PROVISIO_PUBLIC_HTTPS_URL) " +
        "not set: staged units are sent to their profile on the TFTP server DHCP names, which " +
        "works on the staging network only (see docs/staging.md)",
    );
  }
}
