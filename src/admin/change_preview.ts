/**
 * "What would this edit change?" for the layer editor: the devices under a layer whose
 * effective value or access of an edited parameter would differ after a proposed edit, without
 * saving it. The proposal is checked exactly as the edit would be (names, values, the model's
 * limits), then each device is resolved twice by the server's own merge and templates
 * (`ProfileRenderer.resolve`): with its layers as stored and with the edited layer in place.
 *
 * Bounded work: at most `maxDevices` devices (default 500, in MAC order) are resolved; the
 * answer says how many devices the layer reaches (`devices`, a count of at most 10,000 like the
 * device search's) and how many were resolved (`evaluated`; `complete` when all). Per device it
 * costs one merge per distinct set of layers (the renderer's merge cache: devices sharing their
 * tenant, model, group and account layers share it) plus the edited parameters' templates; the
 * records are read in a few batched queries (devices, layers) and one lookup per distinct
 * account and group.
 *
 * Secrets are never compared: a preview could otherwise tell whether a proposed value equals a
 * SIP password or a secret layer value, or whether a template's output (or its failure)
 * depends on one, to anyone with the read role, as often as asked. Each preview replaces every
 * line password and every secret parameter's stored value with one random stand-in, so an
 * edit of a secret counts as a change whatever it is set to, and a template that reads a
 * password sees the stand-in, never the password.
 */
import { randomBytes } from "node:crypto";
import { type Catalogue, defaultCatalogue } from "../profile/index.ts";
import { layerTargetsOf, ProfileRenderer, ValueTemplates } from "../server/index.ts";
import type {
  Account,
  Device,
  DeviceModel,
  DeviceSearchQuery,
  Group,
  Layer,
  LayerTarget,
  Store,
} from "../store/index.ts";
import { layerKey, Secret } from "../store/index.ts";
import { notFound } from "./errors.ts";
import { checkParameters, type ParameterInput, patchParameters } from "./layer_parameters.ts";
import { layerCheckOptions } from "./layer_service.ts";

export const DEFAULT_PREVIEW_DEVICES = 500;
export const MAX_PREVIEW_DEVICES = 2_000;

export interface PreviewOptions {
  /** Devices resolved at most (default 500, at most 2,000). */
  readonly maxDevices?: number;
  /** Changed MACs listed at most (default 20). */
  readonly sample?: number;
  readonly allowUnknown?: boolean;
}

export interface ParameterChange {
  readonly name: string;
  /** Devices (of those resolved) whose value or access of this parameter changes. */
  readonly devices: number;
}

export interface ChangePreview {
  /** Devices under the layer (exact up to 10,000; see `devicesExact`). */
  readonly devices: number;
  readonly devicesExact: boolean;
  /** Devices resolved. */
  readonly evaluated: number;
  /** Whether every device under the layer was resolved. */
  readonly complete: boolean;
  /** Resolved devices with at least one different effective value or access. */
  readonly changed: number;
  /** The first changed devices, in MAC order. */
  readonly macs: readonly string[];
  readonly parameters: readonly ParameterChange[];
  /** Warnings of the check (unknown names kept). */
  readonly warnings: readonly string[];
}

/** The device search filter of the devices a layer reaches. */
function reach(target: LayerTarget): DeviceSearchQuery | null {
  switch (target.scope) {
    case "tenant":
      return { tenantId: target.tenantId };
    case "model":
      return { tenantId: target.tenantId, modelPn: target.pn };
    case "group":
      return { groupId: target.groupId };
    case "account":
      return { accountId: target.accountId };
    case "device":
    case "staging":
      return null;
  }
}

export class LayerChangePreview {
  readonly #store: Store;
  readonly #catalogue: Catalogue;
  readonly #renderer: ProfileRenderer;

  constructor(store: Store, catalogue: Catalogue = defaultCatalogue) {
    this.#store = store;
    this.#catalogue = catalogue;
    this.#renderer = new ProfileRenderer({ catalogue, templates: new ValueTemplates() });
  }

  async preview(
    target: LayerTarget,
    set: readonly ParameterInput[],
    unset: readonly string[],
    options: PreviewOptions = {},
  ): Promise<ChangePreview> {
    const store = this.#store;
    const warnings: string[] = [];
    const checked =
      set.length === 0
        ? []
        : checkParameters(
            set,
            await layerCheckOptions(store, target, {
              catalogue: this.#catalogue,
              ...(options.allowUnknown === undefined ? {} : { allowUnknown: options.allowUnknown }),
              onWarning: (m) => warnings.push(m),
            }),
          );
    const unsetNames = unset.map((name) => this.#catalogue.lookup(name)?.name ?? name);
    const names = [...new Set([...checked.map((p) => p.name), ...unsetNames])];
    const maxDevices = Math.min(options.maxDevices ?? DEFAULT_PREVIEW_DEVICES, MAX_PREVIEW_DEVICES);

    // The devices under the layer, in MAC order, and how many there are.
    const query = reach(target);
    let devices: readonly Device[];
    let total: number;
    let exact = true;
    if (query === null) {
      if (target.scope !== "device") return emptyPreview(warnings);
      const device = await store.devices.findByMac(target.mac);
      if (device === null) throw notFound("device", target.mac);
      devices = [device];
      total = 1;
    } else {
      const page = await store.devices.search({ ...query, limit: maxDevices });
      devices = page.devices;
      total = page.total;
      exact = page.totalExact;
    }

    const mask = secretMask(this.#catalogue);
    const stored = await store.layers.get(target);
    const current = stored === null ? null : mask.layer(stored);
    const edited: Layer | null = (() => {
      const parameters = patchParameters(current?.parameters ?? [], checked, unsetNames);
      return parameters.length === 0
        ? null
        : { target, parameters, version: (current?.version ?? 0) + 1, updatedAt: new Date() };
    })();
    const key = layerKey(target);

    const records = await this.#records(devices, mask);
    const perParameter = new Map<string, number>(names.map((n) => [n, 0]));
    const macs: string[] = [];
    let changed = 0;
    const sample = options.sample ?? 20;
    const wanted = new Set(names);
    for (const device of devices) {
      const layers = layerTargetsOf(device)
        .map((t) => records.layers.get(layerKey(t)))
        .filter((l): l is Layer => l !== undefined);
      const input = {
        device,
        tenant: records.tenant(device.tenantId),
        model: device.modelPn === null ? null : (records.models.get(device.modelPn) ?? null),
        group: device.groupId === null ? null : (records.groups.get(device.groupId) ?? null),
        account:
          device.accountId === null ? null : (records.accounts.get(device.accountId) ?? null),
      };
      const after = [
        ...layers.filter((l) => layerKey(l.target) !== key),
        ...(edited ? [edited] : []),
      ];
      const before = pick(this.#renderer.resolve({ ...input, layers }), wanted);
      const next = pick(this.#renderer.resolve({ ...input, layers: after }), wanted);
      let differs = false;
      for (const name of names) {
        const a = before.get(name);
        const b = next.get(name);
        if (a?.value !== b?.value || a?.access !== b?.access) {
          perParameter.set(name, perParameter.get(name)! + 1);
          differs = true;
        }
      }
      if (differs) {
        changed++;
        if (macs.length < sample) macs.push(device.mac);
      }
    }
    return {
      devices: total,
      devicesExact: exact,
      evaluated: devices.length,
      complete: exact && devices.length >= total,
      changed,
      macs,
      parameters: names.map((name) => ({ name, devices: perParameter.get(name)! })),
      warnings,
    };
  }

  /** Every record the devices' resolution reads, in batched queries. */
  async #records(devices: readonly Device[], mask: SecretMask) {
    const store = this.#store;
    const unique = <T>(values: (T | null)[]) =>
      [...new Set(values)].filter((v): v is T => v !== null);
    const [tenants, models, groups, accounts, layers] = await Promise.all([
      Promise.all(unique(devices.map((d) => d.tenantId)).map((id) => store.tenants.find(id))),
      Promise.all(unique(devices.map((d) => d.modelPn)).map((pn) => store.models.find(pn))),
      Promise.all(unique(devices.map((d) => d.groupId)).map((id) => store.groups.find(id))),
      Promise.all(unique(devices.map((d) => d.accountId)).map((id) => store.accounts.find(id))),
      store.layers.listForTargets(devices.flatMap(layerTargetsOf)),
    ]);
    const byId = <T extends { id: string }>(list: (T | null)[]) =>
      new Map(list.filter((r): r is T => r !== null).map((r) => [r.id, r]));
    const tenantMap = byId(tenants);
    return {
      tenant: (id: string) => {
        const tenant = tenantMap.get(id);
        if (tenant === undefined) throw notFound("tenant", id);
        return tenant;
      },
      models: new Map(models.filter((m): m is DeviceModel => m !== null).map((m) => [m.pn, m])),
      groups: byId<Group>(groups),
      accounts: byId<Account>(accounts.map((a) => (a === null ? null : mask.account(a)))),
      layers: new Map(layers.map((l) => [layerKey(l.target), mask.layer(l)])),
    };
  }
}

interface SecretMask {
  layer(layer: Layer): Layer;
  account(account: Account): Account;
}

/** Records with their secrets replaced by one random stand-in (one per preview). */
function secretMask(catalogue: Catalogue): SecretMask {
  const standIn = `secret-${randomBytes(16).toString("hex")}`;
  const secret = Secret.of(standIn);
  return {
    layer: (layer) =>
      layer.parameters.some((p) => p.value !== null && catalogue.isSecret(p.name))
        ? {
            ...layer,
            parameters: layer.parameters.map((p) =>
              p.value !== null && catalogue.isSecret(p.name) ? { ...p, value: standIn } : p,
            ),
          }
        : layer,
    account: (account) => ({
      ...account,
      lines: account.lines.map((l) => (l.password === null ? l : { ...l, password: secret })),
    }),
  };
}

function pick<P extends { name: string }>(parameters: readonly P[], names: Set<string>) {
  const out = new Map<string, P>();
  for (const p of parameters) if (names.has(p.name)) out.set(p.name, p);
  return out;
}

function emptyPreview(warnings: readonly string[]): ChangePreview {
  return {
    devices: 0,
    devicesExact: true,
    evaluated: 0,
    complete: true,
    changed: 0,
    macs: [],
    parameters: [],
    warnings,
  };
}
