/**
 * Secure provisioning (SEC-PRV) as a device flow, for tenants whose `secureProvisioning` is on.
 *
 * - **Bootstrap (SEC-PRV-1)**: a unit asking for its own profile on its tenant's path gets,
 *   once, its profile with a fresh 256-bit key (`GPP_SA`), a random 128-bit directory
 *   (`GPP_B`) and `Profile_Rule [--key $SA] …/secure/$B/$MA.cfg` — over HTTPS only to the unit
 *   its verified device certificate names; over TFTP/HTTP only in a file targeted to the unit
 *   (when the node has a targeted encoder), or in clear where the tenant chose the warned
 *   `lan-bootstrap` mode (trust on first use: key, directory and rule only). Until the unit
 *   fetched with that pair the bootstrap answers it again (a lost answer must not strand it);
 *   afterwards the path answers it 404 like any unknown device.
 * - **Secure location (SEC-PRV-2)**: `/secure/<directory>/<mac>.cfg` answers the device's
 *   profile, AES-256-CBC (openssl `enc`, MD5 KDF) under the key of that directory, gzip inside.
 *   Anything else — another device's directory, a retired one, a guess — is the one 404.
 * - **Rotation**: while a next pair is on its way, the current location (old key) answers the
 *   profile installing the next pair; the next location answers it too, and the first fetch
 *   there retires the old pair. A scheduled rotation (`keyRotationDays`) starts at the
 *   device's first fetch after it is due.
 *
 * Neither the bootstrap nor the secure location renders anything here: the flow checks the
 * request, moves the pairs, and hands the device back to the pipeline with a finish (the pair
 * installed after every flow's amendment, and the wire form: encrypted under the directory's
 * key, targeted, or clear inside TLS). The pipeline renders, amends (an upgrade policy's
 * Upgrade_Rule), caches and answers it as any profile, conditional requests included, and
 * runs every flow's `served` (report source, redirect status, lifecycle).
 *
 * The keys are read from the store on every secure request (one indexed read): every process
 * sees a promotion the moment it is written. The cached answer is keyed by the pair it
 * installs and the key it is encrypted under, so a rotation or a reset never serves a stale one.
 */
import type { Logger } from "pino";
import type {
  Device,
  DeviceSecureKeys,
  SecureBootstrapVia,
  Store,
  Tenant,
} from "../store/index.ts";
import type { IdentifiedBy } from "./device_identity.ts";
import type { FlowHook, FlowRequest, ProfileFinish, ProfileHandBack } from "./flow_hook.ts";
import type { DeviceLifecycles, LifecycleContext } from "./lifecycle.ts";
import type { ConfigCache } from "./profile_cache.ts";
import {
  opensslWire,
  type ProfileRenderer,
  type ProfileWire,
  serializeFlatProfile,
} from "./profile_renderer.ts";
import { NOT_FOUND_REASON, type Outcome, refuse, refuseAsUnknown } from "./resync_outcome.ts";
import {
  type PublicBase,
  parseSecurePath,
  rotationDue,
  secureBase,
  secureFileName,
  securePairParameters,
  secureProfileRule,
  securesProvisioning,
  withSecurePair,
} from "./secure_provisioning_profile.ts";

/** Wraps profile bytes so that only the unit with this MAC can open them (SPC `--target`). */
export type TargetedEncoder = (mac: Device["mac"], bytes: Buffer) => Buffer;

export interface SecureProvisioningFlowOptions {
  readonly store: Pick<Store, "deviceKeys">;
  readonly cache: ConfigCache<unknown>;
  readonly renderer: ProfileRenderer;
  readonly urls: PublicBase;
  readonly lifecycles?: DeviceLifecycles | undefined;
  /** Where bootstraps over TFTP/HTTP are targeted; without one only HTTPS (or LAN mode) bootstraps. */
  readonly targeted?: TargetedEncoder | undefined;
  readonly logger?: Logger | undefined;
  readonly now?: () => number;
}

const MISS = { miss: true } as const;

/** True for the families whose firmware opens SPC targeted files (SPA, Sipura; not MPP). */
export function opensTargetedFiles(family: string): boolean {
  return /^(spa|sipura)/i.test(family);
}

/**
 * The device's profile with a pair installed (after every flow's amendment), going out in
 * `wire`. `key` names it exactly: the pair installed, the rule and the wire's key (the
 * directories are random and never reused, so a new pair is a new key).
 */
function pairFinish(
  install: { readonly key: string; readonly directory: string; readonly createdAt: number },
  rule: string,
  wire: { readonly key: string; readonly make: () => ProfileWire; readonly createdAt?: number },
): ProfileFinish {
  return {
    key: `secure\u0000${install.directory}\u0000${rule}\u0000${wire.key}`,
    apply: (parameters) => withSecurePair(parameters, install.key, install.directory, rule),
    wire: () => wire.make(),
    changedAt: Math.max(install.createdAt, wire.createdAt ?? 0),
  };
}

function contextOf(flow: FlowRequest): LifecycleContext {
  const { request } = flow;
  return {
    transport: request.transport,
    path: flow.path,
    remoteAddress: request.remoteAddress,
    userAgent: request.userAgent,
  };
}

export class SecureProvisioningFlow implements FlowHook {
  readonly #o: SecureProvisioningFlowOptions;

  constructor(options: SecureProvisioningFlowOptions) {
    this.#o = options;
  }

  /** The secure location (any transport): `/secure/<directory>/<mac>.cfg`. */
  route(flow: FlowRequest): Promise<Outcome | ProfileHandBack> | undefined {
    // Another flow's path: answered at once, without a promise (every request asks every hook).
    const parts = parseSecurePath(flow.path);
    return parts === undefined ? undefined : this.#route(flow, parts);
  }

  async #route(
    flow: FlowRequest,
    parts: { readonly directory: string; readonly file: string },
  ): Promise<Outcome | ProfileHandBack> {
    const found = await this.#o.store.deviceKeys.byDirectory(parts.directory);
    if (found === null) return refuse(404, NOT_FOUND_REASON, MISS);
    const { keys, pair } = found;
    const device = await this.#o.cache.device(keys.mac);
    const tenant = device === null ? undefined : this.#o.cache.tenant(device.tenantId);
    if (device === null || tenant === undefined || parts.file !== secureFileName(device.mac)) {
      // A directory with another device's file name: the same answer as a guess.
      return refuseAsUnknown("secure provisioning: file name does not match the directory", {
        mac: keys.mac,
      });
    }
    const cert = flow.cert;
    if (cert?.verified === true && !cert.identity.generic && cert.identity.mac !== undefined) {
      if (cert.identity.mac !== device.mac) {
        return refuseAsUnknown("secure provisioning: another device's certificate", {
          mac: device.mac,
          security: "certificate-mismatch",
        });
      }
    }
    if (device.state === "disabled") {
      return refuse(403, "device disabled", { mac: device.mac, tenantId: tenant.id });
    }
    const base = secureBase(flow.request, this.#o.urls);
    if (base === undefined) {
      return refuse(400, "secure provisioning: the request names no host to send the unit back to");
    }
    const now = flow.now;
    const deviceKeys = this.#o.store.deviceKeys;
    // Which key this answer is under (the directory's), and which pair it installs.
    let encryptWith = keys.current;
    let install = keys.current;
    if (pair === "next" && keys.next !== null) {
      encryptWith = keys.next;
      install = keys.next;
      await deviceKeys.promote(device.mac, keys.next.generation, now);
    } else {
      let current: DeviceSecureKeys = keys;
      if (current.status === "bootstrap") {
        await deviceKeys.confirm(device.mac, current.current.generation, now);
      }
      if (current.next === null && rotationDue(tenant, current.current.createdAt, now)) {
        if (
          await deviceKeys.rotateIfDue(
            device.mac,
            tenant.settings.keyRotationDays * 86_400_000,
            now,
          )
        ) {
          current = (await deviceKeys.get(device.mac)) ?? current;
        }
      }
      if (current.next !== null) {
        install = current.next;
        if (current.nextDeliveredAt === null) {
          await deviceKeys.delivered(device.mac, current.next.generation, now);
        }
      }
    }
    this.#o.lifecycles?.observe(
      device,
      { kind: "keyed-fetch", path: flow.path },
      contextOf(flow),
      now,
    );
    // Rendered, amended and answered by the pipeline; encrypted under the directory's key.
    const key = encryptWith.key.reveal();
    const finish = pairFinish(
      {
        key: install.key.reveal(),
        directory: install.directory,
        createdAt: install.createdAt.getTime(),
      },
      secureProfileRule(base),
      {
        key: `aes\u0000${encryptWith.directory}`,
        make: () => opensslWire("aes", key),
        createdAt: encryptWith.createdAt.getTime(),
      },
    );
    return { serve: { device, tenant, finish } };
  }

  /**
   * The unit's own profile path on a tenant that secures provisioning: the bootstrap while the
   * unit has not fetched with its pair yet, 404 afterwards. Undefined for other tenants.
   */
  ownProfile(
    device: Device,
    tenant: Tenant,
    flow: FlowRequest,
    by: IdentifiedBy,
  ): Promise<Outcome | ProfileHandBack> | undefined {
    // Another tenant's device: answered at once, without a promise (every profile asks).
    return securesProvisioning(tenant) ? this.#bootstrap(device, tenant, flow, by) : undefined;
  }

  async #bootstrap(
    device: Device,
    tenant: Tenant,
    flow: FlowRequest,
    by: IdentifiedBy,
  ): Promise<Outcome | ProfileHandBack> {
    const { request } = flow;
    const mac = device.mac;
    const existing = await this.#o.store.deviceKeys.get(mac);
    if (existing?.status === "active") {
      return refuseAsUnknown(
        "secure provisioning: the unit is provisioned; its bootstrap path no longer answers it",
        { mac, tenantId: tenant.id, security: "secure-bootstrap-replay" },
      );
    }
    const via = await this.#channel(device, tenant, flow, by);
    if (via === undefined) {
      return refuseAsUnknown(
        request.transport === "https"
          ? "secure provisioning: the bootstrap needs the unit's own device certificate"
          : "secure provisioning: the bootstrap needs HTTPS with the unit's device certificate (the model opens no targeted files, LAN bootstrap off)",
        { mac, tenantId: tenant.id },
      );
    }
    const base = secureBase(request, this.#o.urls);
    if (base === undefined) {
      return refuse(400, "secure provisioning: the request names no host to send the unit back to");
    }
    const keys = await this.#o.store.deviceKeys.bootstrap(mac, existing?.via ?? via, flow.now);
    const rule = secureProfileRule(base);
    const key = keys.current.key.reveal();
    const lifecycles = this.#o.lifecycles;
    const context = contextOf(flow);
    // It asked for its own profile on its tenant's path: SP-CUST, then the bootstrap.
    lifecycles?.observe(device, { kind: "own-profile", path: flow.path }, context, flow.now);
    lifecycles?.observe(
      device,
      { kind: "targeted-key-profile", path: flow.path },
      context,
      flow.now,
    );
    if (via === "lan") {
      this.#o.logger?.warn(
        {
          security: "secure-lan-bootstrap",
          mac,
          tenant: tenant.slug,
          transport: request.transport,
        },
        `secure provisioning: LAN bootstrap sent ${mac} its key in clear over ${request.transport}`,
      );
      const xml = serializeFlatProfile(securePairParameters(key, keys.current.directory, rule));
      return {
        response: {
          status: 200,
          headers: { "content-type": "text/xml; charset=utf-8", "cache-control": "no-store" },
          body: Buffer.from(xml, "utf8"),
          result: "ok",
        },
        mac,
        tenantId: tenant.id,
      };
    }
    // The device's profile with its pair, rendered, amended and answered by the pipeline:
    // targeted to the unit, or in clear inside the TLS session its certificate opened.
    const pair = {
      key,
      directory: keys.current.directory,
      createdAt: keys.current.createdAt.getTime(),
    };
    const targeted = this.#o.targeted;
    const finish =
      via === "targeted" && targeted !== undefined
        ? pairFinish(pair, rule, {
            key: "targeted",
            make: () => targetedWire(mac, key, targeted),
          })
        : pairFinish(pair, rule, { key: "clear", make: () => CLEAR_WIRE });
    return { serve: { device, tenant, finish } };
  }

  /**
   * How the bootstrap may reach this unit on this request; undefined: it may not. Targeted
   * files are an SPA (and Sipura) feature: an MPP unit cannot open one.
   */
  async #channel(
    device: Device,
    tenant: Tenant,
    flow: FlowRequest,
    by: IdentifiedBy,
  ): Promise<SecureBootstrapVia | undefined> {
    const { transport } = flow.request;
    if (transport === "https" && by === "certificate") return "https";
    if (transport !== "https" && this.#o.targeted !== undefined && device.modelPn !== null) {
      const model = await this.#o.cache.model(device.modelPn);
      if (model !== null && opensTargetedFiles(model.family)) return "targeted";
    }
    if (tenant.settings.secureProvisioning === "lan-bootstrap") return "lan";
    return undefined;
  }
}

const CLEAR_WIRE: ProfileWire = {
  encoding: "none",
  name: "none",
  secret: undefined,
  contentType: "text/xml; charset=utf-8",
  encode: (xml) => xml,
};

/** A bootstrap sealed for one unit; `pairKey` (in the content) versions it. */
function targetedWire(mac: Device["mac"], pairKey: string, seal: TargetedEncoder): ProfileWire {
  return {
    encoding: "none",
    name: "spc-targeted",
    secret: pairKey,
    contentType: "application/octet-stream",
    encode: (xml) => seal(mac, xml),
  };
}

/**
 * Start-up warning for tenants in `lan-bootstrap` mode: a unit with neither a device
 * certificate nor targeted files gets its key in clear the first time.
 */
export function warnSecureProvisioning(tenants: Iterable<Tenant>, logger: Logger): void {
  const lan = [...tenants].filter((t) => t.settings.secureProvisioning === "lan-bootstrap");
  if (lan.length === 0) return;
  const slugs = lan.map((t) => t.slug).join(", ");
  logger.warn(
    { security: "secure-lan-bootstrap", tenants: slugs },
    `secure provisioning: tenant ${slugs} is in lan-bootstrap mode: a unit's first key may go out ` +
      "in clear (trust on first use); keep its bootstrap on a trusted LAN or use " +
      "'provisio secure mode TENANT on' (see docs/secure-provisioning.md)",
  );
}
