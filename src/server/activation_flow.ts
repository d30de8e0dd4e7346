/**
 * Retail activation as a device flow: `GET /init/<code>` (the device runs it when told
 * `http://DEVICE/admin/resync?https://PROV/init/CODE`). The server binds the requesting
 * device to the code's account — identified by its device certificate (trusted by the
 * code's tenant), else, where the tenant allows it, by the MAC its User-Agent names —
 * consumes the code and answers the first profile: the account's lines and the permanent
 * per-device Profile_Rule.
 *
 * Every refusal (unknown, used or expired code, a device that cannot be identified, that
 * belongs to another provider or to another account, a spent tenant budget) is the same
 * 403 with the same body, after the same lookups; the real reason goes to the event and
 * security logs. The code never reaches a log: the logged path is `/init/[redacted]`.
 */
import { randomBytes } from "node:crypto";
import type { Logger } from "pino";
import {
  type ActivationCode,
  activationCodeState,
  type Device,
  type MacAddress,
  type Store,
  type Tenant,
  tryParseMac,
} from "../store/index.ts";
import { type ActivationBudgets, ActivationLimits } from "./activation_limits.ts";
import { ClientCertPolicy } from "./client_cert_policy.ts";
import type { FlowHook, FlowRequest } from "./flow_hook.ts";
import type { DeviceLifecycles } from "./lifecycle.ts";
import type { ConfigCache } from "./profile_cache.ts";
import {
  type EffectiveParameter,
  type ProfileRenderer,
  renderInputOf,
  serializeFlatProfile,
} from "./profile_renderer.ts";
import type { Outcome } from "./resync_outcome.ts";
import { type ResyncResponse, refusal } from "./resync_request.ts";

/** Where activation requests arrive: `/init/<code>`. */
export const ACTIVATION_PATH_PREFIX = "/init/";

const REFUSED_REASON = "activation refused";

/** The one answer to every refused activation: it says nothing about the account. */
const REFUSED: ResyncResponse = refusal(403, "denied", REFUSED_REASON);

const THROTTLED: ResyncResponse = (() => {
  const base = refusal(429, "rate-limited", "too many activation attempts; try again later");
  return { ...base, headers: { ...base.headers, "retry-after": "600" } };
})();

const HOST = /^[A-Za-z0-9.-]{1,253}(:\d{1,5})?$|^\[[0-9A-Fa-f:.]{2,45}\](:\d{1,5})?$/;

export interface ActivationFlowOptions {
  readonly store: Pick<Store, "activationCodes" | "devices">;
  readonly cache: ConfigCache<unknown>;
  readonly renderer: ProfileRenderer;
  /** PEM client CAs every tenant trusts (the node's device CA). */
  readonly builtInClientCas: readonly string[];
  readonly logger: Logger;
  readonly budgets?: Partial<ActivationBudgets>;
  /**
   * Where devices reach this server (`https://prov.example.com`), for the permanent rule;
   * without one, the host the device used for the init request.
   */
  readonly publicUrls?: { readonly http?: string | undefined; readonly https?: string | undefined };
  /** Records "bound by activation" as the device's lifecycle transition (SP-CUST). */
  readonly lifecycles?: DeviceLifecycles | undefined;
  readonly now?: () => number;
}

/** Who the requesting device is, as far as the request shows it. */
interface Claimant {
  readonly mac: MacAddress;
  readonly by: "certificate" | "user-agent";
  readonly serial: string | undefined;
  readonly product: string | undefined;
}

export class ActivationFlow implements FlowHook {
  readonly #o: ActivationFlowOptions;
  readonly #limits: ActivationLimits;
  readonly #certs: ClientCertPolicy;
  readonly #now: () => number;

  constructor(options: ActivationFlowOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
    this.#limits = new ActivationLimits(options.budgets);
    this.#certs = new ClientCertPolicy({
      builtInCas: options.builtInClientCas,
      tenants: () => options.cache.tenants,
      logger: options.logger,
      now: this.#now,
    });
  }

  loggedPath(path: string): string | undefined {
    return isActivationPath(path) ? `${ACTIVATION_PATH_PREFIX}[redacted]` : undefined;
  }

  route(flow: FlowRequest): Promise<Outcome> | undefined {
    // Another flow's path: answered at once, without a promise (every request asks every hook).
    return flow.path.startsWith(ACTIVATION_PATH_PREFIX) ? this.#route(flow) : undefined;
  }

  async #route(flow: FlowRequest): Promise<Outcome> {
    const { request } = flow;
    const now = this.#now();
    const throttled = this.#limits.beforeLookup(request.remoteAddress, now);
    if (throttled !== undefined) {
      return {
        response: THROTTLED,
        security: "activation-rate-limited",
        logReason: `activation attempts over the ${throttled === "source" ? "source address" : "server"} budget`,
      };
    }
    const secret = flow.path.slice(ACTIVATION_PATH_PREFIX.length);
    const code = await this.#o.store.activationCodes.lookup(secret);
    const claimant = this.#claimant(flow);
    const known = claimant === undefined ? null : await this.#o.cache.device(claimant.mac);
    // A failure counts against a tenant only when the code is the tenant's or the device is
    // one its certificate proves: a User-Agent (or another tenant's certificate) naming a
    // tenant's device would let anyone spend that tenant's budget and lock out its activations.
    const tenantId = code?.tenantId ?? this.#vouchedTenant(claimant, known, flow);
    const refused = (reason: string, security = "activation-refused"): Outcome => {
      const spent = this.#limits.fail(request.remoteAddress, tenantId, now);
      if (spent !== undefined) this.#budgetSpent(spent, tenantId, now);
      return {
        response: REFUSED,
        mac: claimant?.mac,
        security,
        logReason: reason,
      };
    };
    if (code === null) return refused("unknown activation code", "activation-guess");
    if (this.#limits.tenantSpent(code.tenantId, now)) {
      return refused("the tenant's activation budget is spent", "activation-rate-limited");
    }
    const state = activationCodeState(code, now);
    if (state !== "active") return refused(`activation code ${state} (code ${code.id})`);
    const tenant = this.#o.cache.tenant(code.tenantId);
    if (tenant === undefined) return refused("the code's tenant is gone");
    if (claimant === undefined || !this.#acceptable(tenant, claimant, flow)) {
      return refused(
        tenant.settings.activationByUserAgent
          ? "no device certificate the tenant trusts, nor a MAC in the User-Agent"
          : "no device certificate the tenant trusts (binding by User-Agent is off)",
      );
    }
    if (known !== null && known.tenantId !== code.tenantId) {
      return refused("the device belongs to another provider", "activation-foreign-device");
    }
    if (known !== null && known.accountId !== null && known.accountId !== code.accountId) {
      return refused("the device is bound to another account");
    }
    // An operator's "disabled" is not undone by whoever holds a code.
    if (known?.state === "disabled") return refused("the device is disabled");
    // Consumed before the device is bound: of two devices racing for one code, one wins.
    if (
      !(await this.#o.store.activationCodes.consume(code.id, claimant.mac, now, {
        actor: "system:activation",
      }))
    ) {
      return refused(`activation code used or expired meanwhile (code ${code.id})`);
    }
    const device = await this.#bind(tenant, code, claimant, flow, known);
    const body = await this.#firstProfile(device, tenant, flow);
    return {
      response: {
        status: 200,
        headers: { "content-type": "text/xml; charset=utf-8", "cache-control": "no-store" },
        body,
        result: "ok",
        reason: "activated",
      },
      mac: device.mac,
      tenantId: tenant.id,
      logReason: `bound to account ${code.accountId} by activation code ${code.id} (${claimant.by})`,
    };
  }

  /** The device the request names: its certificate's MAC, else the User-Agent's. */
  /**
   * Once per window, outside the security log's rate (which may be summarising the very
   * flood that spent the budget): from now on every activation of that tenant, or every
   * unattributed attempt, is refused until the window ends — the operator must learn it.
   */
  #budgetSpent(budget: "tenant" | "unattributed", tenantId: string | undefined, now: number): void {
    const until = new Date(now + this.#limits.windowMs).toISOString();
    if (budget === "tenant" && tenantId !== undefined) {
      const slug = this.#o.cache.tenant(tenantId)?.slug ?? tenantId;
      this.#o.logger.warn(
        { security: "activation-budget-spent", tenant: slug, until },
        `security: tenant ${slug}'s budget of failed activation attempts is spent; its activation codes are refused until ${until}`,
      );
    } else {
      this.#o.logger.warn(
        { security: "activation-budget-spent", until },
        `security: the budget of failed activation attempts that name no tenant is spent; every activation is refused until ${until}`,
      );
    }
  }

  #claimant(flow: FlowRequest): Claimant | undefined {
    const { cert, ua } = flow;
    if (cert?.verified && !cert.identity.generic && cert.identity.mac) {
      return {
        mac: cert.identity.mac,
        by: "certificate",
        serial: cert.identity.serial,
        product: cert.identity.product,
      };
    }
    // Read whatever the code: a guess costs the same lookups as a real code.
    const mac = ua?.mac === undefined ? undefined : tryParseMac(ua.mac);
    return mac === undefined
      ? undefined
      : { mac, by: "user-agent", serial: ua?.serial, product: ua?.product };
  }

  /** The known device's tenant, when the request's certificate is one that tenant trusts. */
  #vouchedTenant(
    claimant: Claimant | undefined,
    known: Device | null,
    flow: FlowRequest,
  ): string | undefined {
    if (claimant?.by !== "certificate" || known === null) return undefined;
    const tenant = this.#o.cache.tenant(known.tenantId);
    return tenant !== undefined && this.#certs.certifies(tenant, flow.cert) ? tenant.id : undefined;
  }

  #acceptable(tenant: Tenant, claimant: Claimant, flow: FlowRequest): boolean {
    if (claimant.by === "certificate") return this.#certs.certifies(tenant, flow.cert);
    return tenant.settings.activationByUserAgent && !tenant.settings.requireClientCert;
  }

  async #bind(
    tenant: Tenant,
    code: ActivationCode,
    claimant: Claimant,
    flow: FlowRequest,
    known: Device | null,
  ): Promise<Device> {
    const cert = claimant.by === "certificate" ? flow.cert : undefined;
    const aes = (known?.encryption ?? tenant.settings.encryption) === "aes";
    const fields = {
      tenantId: tenant.id,
      accountId: code.accountId,
      ...(claimant.serial === undefined ? {} : { serial: claimant.serial }),
      ...(cert === undefined
        ? {}
        : { certSubject: cert.subject, certFingerprint: cert.fingerprint }),
      ...(aes && (known?.deviceKey ?? null) === null
        ? { deviceKey: randomBytes(32).toString("hex") }
        : {}),
      state: "provisioned",
    };
    const options = { actor: "system:activation" };
    // A new device's model: the product its certificate or User-Agent names, when it is one
    // this installation knows (as auto-create does).
    const model =
      known !== null
        ? null
        : ((claimant.product === undefined ? null : await this.#o.cache.model(claimant.product)) ??
          (flow.ua?.product === undefined ? null : await this.#o.cache.model(flow.ua.product)));
    const device =
      known === null
        ? await this.#o.store.devices.create(
            { mac: claimant.mac, modelPn: model?.pn ?? null, ...fields },
            options,
          )
        : await this.#o.store.devices.update(claimant.mac, fields, options);
    this.#o.lifecycles?.transition(
      device,
      "sp-cust",
      `bound to an account by an activation code (${claimant.by})`,
      {
        transport: flow.request.transport,
        path: `${ACTIVATION_PATH_PREFIX}[redacted]`,
        remoteAddress: flow.request.remoteAddress,
        userAgent: flow.request.userAgent ?? null,
      },
    );
    return device;
  }

  /**
   * The device's profile (its account's lines included) with the permanent Profile_Rule:
   * the one its layers set, else its tenant's first profile path on the server the device
   * just reached — with the device's key (`--key $SA`) where the tenant encrypts profiles.
   */
  async #firstProfile(device: Device, tenant: Tenant, flow: FlowRequest): Promise<Buffer> {
    const parameters = this.#o.renderer.resolve(await renderInputOf(this.#o.cache, device, tenant));
    const rule = parameters.find((p) => p.name === "Profile_Rule");
    const extra: EffectiveParameter[] = [];
    if (rule?.valueFrom === undefined) {
      const url = permanentUrl(tenant, flow, this.#o.publicUrls);
      if (url === undefined) {
        this.#o.logger.warn(
          { tenant: tenant.slug, mac: device.mac },
          "activation: the tenant has no profile path; the device keeps its current Profile_Rule",
        );
      } else {
        const key =
          device.encryption === "aes" ||
          (device.encryption === null && tenant.settings.encryption === "aes")
            ? device.deviceKey?.reveal()
            : undefined;
        if (key !== undefined) extra.push(secretParameter("GPP_SA", key));
        extra.push(secretParameter("Profile_Rule", key === undefined ? url : `[--key $SA] ${url}`));
      }
    }
    const names = new Set(extra.map((p) => p.name));
    return Buffer.from(
      serializeFlatProfile([...parameters.filter((p) => !names.has(p.name)), ...extra]),
    );
  }
}

/**
 * Whether `path` is (or decodes to) an activation path. The raw target is what logs show:
 * `/%69nit/…` or `/init%2F…` reaches the flow once decoded, and a malformed or doubled escape
 * is refused with the code still in the target; either would put the code in a log line.
 */
function isActivationPath(path: string): boolean {
  if (path.startsWith(ACTIVATION_PATH_PREFIX)) return true;
  let decoded = path;
  // Twice at most: `%2569` is refused as double encoding, with the code in the target.
  for (let round = 0; round < 2 && decoded.includes("%"); round++) {
    decoded = decoded.replace(/%[0-9A-Fa-f]{2}/g, (e) =>
      String.fromCharCode(Number.parseInt(e.slice(1), 16)),
    );
    if (decoded.startsWith(ACTIVATION_PATH_PREFIX)) return true;
  }
  return false;
}

function secretParameter(name: string, value: string): EffectiveParameter {
  return { name, value, access: "na", valueFrom: "activation", accessFrom: "activation" };
}

/**
 * The tenant's first profile path (macros kept) on this server: at its public URL for the
 * scheme the device used, else at the host the device reached.
 */
function permanentUrl(
  tenant: Tenant,
  flow: FlowRequest,
  publicUrls: ActivationFlowOptions["publicUrls"],
): string | undefined {
  const path = tenant.settings.profilePaths[0];
  if (path === undefined) return undefined;
  const https = flow.request.transport === "https";
  const configured = https ? publicUrls?.https : publicUrls?.http;
  if (configured !== undefined) return `${configured.replace(/\/+$/, "")}${path}`;
  const host = flow.request.host;
  if (host === undefined || !HOST.test(host)) return undefined;
  return `${https ? "https" : "http"}://${host}${path}`;
}
