/**
 * "Why does this phone get this value?": a device's effective configuration with each value's
 * provenance. The merge and the value templates are the server's own (`ProfileRenderer.resolve`
 * over `layerTargetsOf`), so what this reports is what the device is served. A value is secret
 * when its parameter is (catalogue) or when its template read a secret while rendering
 * (`{{ account.line1.password }}` in `Display_Name_1_`): either way it is shown as `null`
 * unless secrets are asked for. An account's lines show with provenance
 * `account:<reference> line N`; their passwords are secret parameters, so redacted alike.
 */
import { type Catalogue, defaultCatalogue } from "../profile/index.ts";
import {
  accountLineSkips,
  accountLineSource,
  accountLinesOf,
  isValueTemplate,
  layerTargetsOf,
  mergeDeviceLayers,
  modelCatalogue,
  ProfileRenderer,
  type RenderInput,
  templateContext,
  ValueTemplates,
} from "../server/index.ts";
import type { Device, Store } from "../store/index.ts";
import { layerKey } from "../store/index.ts";
import { notFound } from "./errors.ts";

export interface EffectiveParameterView {
  readonly name: string;
  readonly value: string | null;
  readonly access: string;
  readonly valueFrom: string | null;
  readonly accessFrom: string;
  readonly secret: boolean;
  readonly setBy: readonly string[];
}

export interface EffectiveConfig {
  readonly mac: string;
  readonly tenantId: string;
  readonly layers: readonly { key: string; scope: string; version: number }[];
  readonly parameters: readonly EffectiveParameterView[];
  /** What the profile leaves out, e.g. an account line's extra the model does not have. */
  readonly warnings: readonly string[];
}

export interface EffectiveConfigOptions {
  readonly catalogue?: Catalogue;
  /** Show secret values (passwords); default false — the API never does. */
  readonly revealSecrets?: boolean;
}

export class EffectiveConfigResolver {
  readonly #store: Store;
  readonly #catalogue: Catalogue;
  readonly #renderer: ProfileRenderer;
  readonly #templates = new ValueTemplates();

  constructor(store: Store, catalogue: Catalogue = defaultCatalogue) {
    this.#store = store;
    this.#catalogue = catalogue;
    this.#renderer = new ProfileRenderer({ catalogue, templates: this.#templates });
  }

  /** Parameters whose value template reads a secret when rendered for this device. */
  #renderedFromSecrets(input: RenderInput): Set<string> {
    const names = new Set<string>();
    let read = false;
    const context = templateContext(input, { onSecretRead: () => (read = true) });
    for (const p of mergeDeviceLayers(input.layers, this.#catalogue, accountLinesOf(input))) {
      if (p.value === undefined || !isValueTemplate(p.value)) continue;
      read = false;
      this.#templates.render(p.value, context);
      if (read) names.add(p.name);
    }
    return names;
  }

  async resolve(device: Device, options: EffectiveConfigOptions = {}): Promise<EffectiveConfig> {
    const store = this.#store;
    const tenant = await store.tenants.find(device.tenantId);
    if (tenant === null) throw notFound("tenant", device.tenantId);
    const [model, group, account, layers] = await Promise.all([
      device.modelPn === null ? null : store.models.find(device.modelPn),
      device.groupId === null ? null : store.groups.find(device.groupId),
      device.accountId === null ? null : store.accounts.find(device.accountId),
      store.layers.listForTargets(layerTargetsOf(device)),
    ]);
    const order = layerTargetsOf(device).map(layerKey);
    const sorted = [...layers].sort(
      (a, b) => order.indexOf(layerKey(a.target)) - order.indexOf(layerKey(b.target)),
    );
    const input: RenderInput = { device, tenant, model, group, account, layers };
    const setBy = new Map<string, string[]>();
    const record = (name: string, key: string) => {
      const list = setBy.get(name) ?? [];
      list.push(key);
      setBy.set(name, list);
    };
    const lines = accountLinesOf(input);
    let linesRecorded = false;
    for (const layer of sorted) {
      if (!linesRecorded && (layer.target.scope === "account" || layer.target.scope === "device")) {
        for (const line of lines) for (const e of line.entries) record(e.name, line.id);
        linesRecorded = true;
      }
      const key = layerKey(layer.target);
      for (const p of layer.parameters) record(p.name, key);
    }
    if (!linesRecorded)
      for (const line of lines) for (const e of line.entries) record(e.name, line.id);
    const parameters = this.#renderer.resolve(input);
    const warnings = accountLineSkips(account, modelCatalogue(model?.pn ?? device.modelPn)).map(
      (skip) =>
        `${accountLineSource(account!, skip.line)}: ${skip.field} left out: ${skip.message}`,
    );
    const fromSecrets = this.#renderedFromSecrets(input);
    return {
      mac: device.mac,
      tenantId: device.tenantId,
      layers: sorted.map((l) => ({
        key: layerKey(l.target),
        scope: l.target.scope,
        version: l.version,
      })),
      parameters: parameters.map((p) => {
        const secret =
          (this.#catalogue.isSecret(p.name) || fromSecrets.has(p.name)) &&
          options.revealSecrets !== true;
        return {
          name: p.name,
          value: secret || p.value === undefined ? null : p.value,
          access: p.access,
          valueFrom: p.valueFrom ?? null,
          accessFrom: p.accessFrom,
          secret: secret && p.value !== undefined,
          setBy: setBy.get(p.name) ?? [],
        };
      }),
      warnings,
    };
  }
}
