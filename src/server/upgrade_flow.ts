/**
 * The firmware upgrade of a device's own profile: the policy that covers the unit (its
 * group's, else its model's, else its tenant's), the rollout gate, the next hop from the
 * version the unit reports, and the `Upgrade_Rule` (with `Resync_After_Upgrade_Attempt`,
 * and `Downgrade_Rev_Limit` when the policy sets one) added after every layer. A policy's
 * rule replaces whatever Upgrade_Rule the layers set; a unit the policy does not move gets
 * no Upgrade_Rule from it (the layers' own, if any, stays). What each resync showed goes to
 * the rollout watch; a hop that cannot be offered is an event on the device, once per reason.
 */
import type { Logger } from "pino";
import type { Device, UpgradePolicy } from "../store/index.ts";
import type { FirmwareFiles } from "./firmware_files.ts";
import type { FlowHook, FlowRequest, ProfileAmendment } from "./flow_hook.ts";
import type { EffectiveParameter } from "./profile_renderer.ts";
import type { RolloutWatch } from "./rollout_watch.ts";
import type { StatusWriter } from "./status_writer.ts";
import {
  type PlanInput,
  planUpgrade,
  type UpgradePlan,
  type UpgradeScheme,
} from "./upgrade_plan.ts";
import type { UpgradePolicies } from "./upgrade_policies.ts";

export interface UpgradeFlowOptions {
  readonly files: FirmwareFiles;
  readonly policies: UpgradePolicies;
  readonly watch: RolloutWatch;
  readonly publicUrls: { readonly http: string | undefined; readonly https: string | undefined };
  /** The port this node's HTTP listener took, when it has one. */
  readonly httpPort?: (() => number | undefined) | undefined;
  readonly logger: Logger;
  readonly events?: Pick<StatusWriter, "event"> | undefined;
}

const HOST = /^[A-Za-z0-9.-]{1,253}(:\d{1,5})?$/;

/** `scheme://host[:port]` without a trailing slash or path. */
function origin(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}`;
  } catch {
    return undefined;
  }
}

function series(pn: string | null): string | null {
  if (pn === null) return null;
  const s = pn.replace(/^\D+/, "").replace(/\D.*$/, "");
  return s === "" ? null : s;
}

interface Pending {
  readonly policy: UpgradePolicy;
  readonly plan: UpgradePlan;
  readonly reported: string | undefined;
}

export class UpgradeFlow implements FlowHook {
  readonly #o: UpgradeFlowOptions;
  /** The plan of a request, from `amend` to `served`. */
  readonly #plans = new WeakMap<FlowRequest, Pending>();
  /** `mac reason` already written as an event (bounded). */
  readonly #refusals = new Set<string>();

  constructor(options: UpgradeFlowOptions) {
    this.#o = options;
  }

  #servers(policy: UpgradePolicy, flow: FlowRequest): Partial<Record<UpgradeScheme, string>> {
    const http = origin(this.#o.publicUrls.http);
    if (policy.baseUrl !== null) {
      // An https base names no server for the units that fall back to HTTP (SPA ATAs,
      // SPA9000): the public HTTP URL when configured; otherwise the plan refuses and the
      // device's events say why.
      return policy.scheme === "https" && http !== undefined
        ? { https: policy.baseUrl, http }
        : { [policy.scheme]: policy.baseUrl };
    }
    const { request } = flow;
    const host = request.host !== undefined && HOST.test(request.host) ? request.host : undefined;
    const out: Partial<Record<UpgradeScheme, string>> = {};
    const https = origin(this.#o.publicUrls.https);
    const httpPort = this.#o.httpPort?.();
    if (http !== undefined) out.http = http;
    else if (host !== undefined && request.transport === "http") out.http = `http://${host}`;
    else if (host !== undefined && httpPort !== undefined) {
      // Asked over HTTPS (a unit of a tenant that requires certificates): this node's HTTP
      // listener under the name the unit used, for units that cannot download over HTTPS.
      const name = host.replace(/:\d+$/, "");
      out.http = httpPort === 80 ? `http://${name}` : `http://${name}:${httpPort}`;
    }
    if (https !== undefined) out.https = https;
    else if (host !== undefined && request.transport === "https") out.https = `https://${host}`;
    return out;
  }

  amend(device: Device, flow: FlowRequest): ProfileAmendment | undefined {
    const policy = this.#o.policies.forDevice(device);
    if (policy === undefined) return undefined;
    const reported = flow.ua?.firmware;
    const admitted = this.#o.watch.admits(policy, device.mac);
    const servers = this.#servers(policy, flow);
    const input: PlanInput = {
      policy,
      reported,
      productName: device.modelPn,
      productSeries: series(device.modelPn),
      images: this.#o.files.images.filter((i) => i.tenantId === device.tenantId),
      servers,
    };
    const plan = planUpgrade(input);
    this.#plans.set(flow, { policy, plan, reported });
    if (!admitted || plan.kind !== "hop") return undefined;
    const key = [
      "upgrade",
      policy.id,
      policy.updatedAt.getTime(),
      this.#o.files.generation,
      reported,
      JSON.stringify(servers),
    ].join("\u0000");
    return {
      key,
      apply: (parameters) => this.#apply(parameters, input, plan, device, policy.name),
    };
  }

  #apply(
    parameters: readonly EffectiveParameter[],
    input: PlanInput,
    plan: Extract<UpgradePlan, { kind: "hop" }>,
    device: Device,
    policyName: string,
  ): EffectiveParameter[] {
    const from = `upgrade-policy:${policyName}`;
    // The unit's own limit, from its layers, may forbid the hop.
    const unitLimit = parameters.find((p) => p.name === "Downgrade_Rev_Limit")?.value;
    let final: UpgradePlan = plan;
    if (unitLimit !== undefined && unitLimit.trim() !== "") {
      final = planUpgrade({ ...input, unitLimit });
      if (final.kind !== "hop") {
        this.#refused(device, final.reason);
        return [...parameters];
      }
    }
    const added = new Map(final.parameters.map((p) => [p.name, p.value]));
    const out: EffectiveParameter[] = [];
    for (const p of parameters) {
      const value = added.get(p.name);
      if (value === undefined) {
        out.push(p);
        continue;
      }
      added.delete(p.name);
      out.push({ ...p, value, access: "na", valueFrom: from });
    }
    for (const [name, value] of added) {
      out.push({
        name,
        value,
        access: "na",
        valueFrom: from,
        accessFrom: from,
      });
    }
    return out;
  }

  served(device: Device, flow: FlowRequest): void {
    const pending = this.#plans.get(flow);
    if (pending === undefined) return;
    const { policy, plan, reported } = pending;
    if (plan.kind === "refused" && this.#o.watch.admits(policy, device.mac)) {
      this.#refused(device, plan.reason, flow);
    }
    this.#o.watch.observe(policy, device.mac, reported, plan, flow.request.remoteAddress, flow.now);
  }

  #refused(device: Device, reason: string, flow?: FlowRequest): void {
    const key = `${device.mac} ${reason}`;
    if (this.#refusals.has(key)) return;
    if (this.#refusals.size >= 10_000) this.#refusals.clear();
    this.#refusals.add(key);
    this.#o.logger.warn({ mac: device.mac, reason }, "firmware upgrade not offered");
    this.#o.events?.event({
      mac: device.mac,
      tenantId: device.tenantId,
      at: new Date(flow?.now ?? Date.now()),
      transport: flow?.request.transport ?? "http",
      result: "denied",
      statusCode: null,
      path: flow?.path ?? null,
      bytes: null,
      durationMs: null,
      remoteAddress: flow?.request.remoteAddress ?? null,
      userAgent: flow?.request.userAgent?.slice(0, 256) ?? null,
      message: `firmware upgrade not offered: ${reason}`,
    });
  }
}
