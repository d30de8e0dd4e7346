/**
 * Auto-create: an unknown device fetching a path of a tenant with `autoCreate` on is created
 * in that tenant (state `factory`).
 *
 * - Only on a path owned by exactly that tenant: when the matched patterns belong to more than
 *   one tenant (overlapping data from before paths were unique), nobody auto-creates — a
 *   tenant must not capture another tenant's new devices.
 * - Only for a source shown to receive at its address (`sourceProven`): a TFTP RRQ from a
 *   source that never completed a transfer may be forged (UDP), so it creates nothing — the
 *   device is created on a later request, once its source has completed a transfer (the
 *   generic file, firmware, …).
 * - Budgets per source address (`perSourcePerMinute`), per network (`perNetworkPerMinute`:
 *   the /24 of an IPv4 address, the /64 of an IPv6 one) and over the whole node
 *   (`globalPerMinute`): one client spraying junk MACs exhausts its own budget, a handful of
 *   addresses in one network that network's, not a tenant's, so a real new device elsewhere
 *   is still created. Sources tracked are bounded.
 */
import type { Device, DeviceInput, DeviceModel, MacAddress, Tenant } from "../store/index.ts";
import { clientAddressKey } from "./connection_limit.ts";
import type { Identification } from "./device_identity.ts";
import type { RouteMatch } from "./path_pattern.ts";
import type { UserAgentIdentity } from "./user_agent.ts";

export interface AutoCreateOptions {
  readonly create: (input: DeviceInput) => Promise<Device>;
  readonly tenant: (id: string) => Tenant | undefined;
  readonly device: (mac: MacAddress) => Promise<Device | null>;
  readonly model: (pn: string) => Promise<DeviceModel | null>;
  /** Devices one source address may have created per minute (default 30). */
  readonly perSourcePerMinute?: number;
  /** Devices one network (IPv4 /24, IPv6 /64) may have created per minute (default 60). */
  readonly perNetworkPerMinute?: number;
  /** Devices the node creates per minute in all (default 300). */
  readonly globalPerMinute?: number;
  /** Sources tracked at once (default 10,000; the oldest window is dropped first). */
  readonly maxSources?: number;
}

export interface AutoCreateRequest {
  readonly mac: MacAddress | undefined;
  readonly matches: readonly RouteMatch[];
  readonly ua: UserAgentIdentity | undefined;
  readonly remoteAddress: string;
  /** The client is known to receive at `remoteAddress` (false: a first TFTP request). */
  readonly sourceProven: boolean;
  /** The request carries a device certificate `tenant` trusts. */
  readonly certifiedFor: (tenant: Tenant) => boolean;
}

/** What happened: `created` (a device), `skipped` (not eligible) or `refused` (over budget). */
export type AutoCreateResult =
  | { readonly kind: "created"; readonly device: Device; readonly tenant: Tenant }
  | { readonly kind: "skipped" }
  | { readonly kind: "refused"; readonly identification: Identification };

interface Window {
  start: number;
  count: number;
}

export class AutoCreate {
  readonly #o: AutoCreateOptions;
  readonly #perSource: number;
  readonly #perNetwork: number;
  readonly #global: number;
  readonly #maxSources: number;
  readonly #sources = new Map<string, Window>();
  #all: Window = { start: 0, count: 0 };

  constructor(options: AutoCreateOptions) {
    this.#o = options;
    this.#perSource = options.perSourcePerMinute ?? 30;
    this.#perNetwork = options.perNetworkPerMinute ?? 60;
    this.#global = options.globalPerMinute ?? 300;
    this.#maxSources = options.maxSources ?? 10_000;
  }

  /** The one tenant that owns every matched pattern and allows auto-create, if any. */
  ownerOf(matches: readonly RouteMatch[]): Tenant | undefined {
    let owner: string | undefined;
    for (const m of matches) {
      for (const id of m.route.tenantIds) {
        if (owner !== undefined && owner !== id) return undefined;
        owner = id;
      }
    }
    const tenant = owner === undefined ? undefined : this.#o.tenant(owner);
    return tenant?.settings.autoCreate === true ? tenant : undefined;
  }

  async attempt(request: AutoCreateRequest, now: number): Promise<AutoCreateResult> {
    const { mac } = request;
    if (mac === undefined) return { kind: "skipped" };
    const tenant = this.ownerOf(request.matches);
    if (tenant === undefined) return { kind: "skipped" };
    // A certificate-only tenant creates a device only for a certificate it trusts itself: one
    // from another tenant's CA would fill it with devices it then refuses to serve.
    if (tenant.settings.requireClientCert && !request.certifiedFor(tenant)) {
      return { kind: "skipped" };
    }
    if (!request.sourceProven) return { kind: "skipped" };

    const source = this.#window(request.remoteAddress, now);
    const network = this.#window(networkOf(request.remoteAddress), now);
    if (now - this.#all.start >= 60_000) this.#all = { start: now, count: 0 };
    if (
      source.count >= this.#perSource ||
      network.count >= this.#perNetwork ||
      this.#all.count >= this.#global
    ) {
      return {
        kind: "refused",
        identification: {
          kind: "refused",
          status: 429,
          reason: "too many new devices; try again later",
          security: "auto-create-rate-limited",
          mac,
        },
      };
    }
    source.count++;
    network.count++;
    this.#all.count++;
    const { ua } = request;
    const model = ua === undefined ? null : await this.#o.model(ua.product);
    try {
      const device = await this.#o.create({
        mac,
        tenantId: tenant.id,
        modelPn: model?.pn ?? null,
        serial: ua?.serial ?? null,
        state: "factory",
        label: "auto-created",
      });
      return { kind: "created", device, tenant };
    } catch (error) {
      // Another node (or request) created it first: use that one.
      const device = await this.#o.device(mac);
      if (device !== null) return { kind: "created", device, tenant };
      throw error;
    }
  }

  #window(source: string, now: number): Window {
    let w = this.#sources.get(source);
    if (w !== undefined && now - w.start < 60_000) return w;
    if (w !== undefined) this.#sources.delete(source);
    if (this.#sources.size >= this.#maxSources) {
      const oldest = this.#sources.keys().next();
      if (oldest.done !== true) this.#sources.delete(oldest.value);
    }
    w = { start: now, count: 0 };
    this.#sources.set(source, w);
    return w;
  }
}

/**
 * The network an address belongs to, as a budget key: an IPv4 address's /24, an IPv6
 * address's /64 (IPv4-mapped IPv6 as IPv4). Keys cannot collide with plain addresses.
 */
export function networkOf(address: string): string {
  // The per-address key already folds IPv4-mapped forms to IPv4 and IPv6 to its /64.
  const key = clientAddressKey(address);
  if (key.endsWith("/64")) return `net:${key}`;
  const parts = key.split(".");
  return parts.length === 4 ? `net:${parts.slice(0, 3).join(".")}.0/24` : `net:${key}`;
}
