/**
 * Layer edits with catalogue checks, shared by the API and `provisio layer set|unset`.
 * A patch reads the layer and writes it back with `expectedVersion`, so two concurrent edits
 * cannot silently drop each other's parameters (the loser gets 409 and retries). Creating a
 * layer has no version to check: edits in one process are queued per layer; across processes
 * this needs `layers.set(…, { expectedVersion: 0 })` to mean "only if absent" in the store.
 *
 * Names are checked against the layer's device model when it is known (a model layer, a
 * device with a model), else against every model; unknown names are kept with a warning when
 * the caller or the tenant's `allowUnknownParameters` setting allows them.
 */
import { isProvisioError } from "../errors.ts";
import { builtInModel, type Catalogue, defaultCatalogue } from "../profile/index.ts";
import { modelCatalogue } from "../server/index.ts";
import type { Layer, LayerParameter, LayerTarget, Store } from "../store/index.ts";
import { layerKey } from "../store/index.ts";
import {
  checkParameters,
  type ParameterCheckOptions,
  type ParameterInput,
  patchParameters,
} from "./layer_parameters.ts";
import {
  checkRestrictedDomains,
  RESTRICTED_DOMAINS_PARAMETER,
  RESTRICTED_RULES,
} from "./restricted_domains.ts";

export interface LayerEditOptions {
  readonly actor: string;
  readonly catalogue?: Catalogue;
  /** Keep names no model carries, with a warning (else the tenant's setting decides). */
  readonly allowUnknown?: boolean;
  /** Receives warnings (unknown names kept). */
  readonly onWarning?: (message: string) => void;
}

/** The tenant and device model a layer belongs to (model null: not known at this scope). */
async function layerOwner(
  store: Store,
  target: LayerTarget,
): Promise<{ tenantId: string | null; pn: string | null }> {
  switch (target.scope) {
    case "tenant":
    case "staging":
      return { tenantId: target.tenantId, pn: null };
    case "model":
      return { tenantId: target.tenantId, pn: target.pn };
    case "group":
      return { tenantId: (await store.groups.find(target.groupId))?.tenantId ?? null, pn: null };
    case "account":
      return {
        tenantId: (await store.accounts.find(target.accountId))?.tenantId ?? null,
        pn: null,
      };
    case "device": {
      const device = await store.devices.findByMac(target.mac);
      return { tenantId: device?.tenantId ?? null, pn: device?.modelPn ?? null };
    }
  }
}

/** What the parameters of a layer are checked against (its model, the unknown-names policy). */
export async function layerCheckOptions(
  store: Store,
  target: LayerTarget,
  options: Omit<LayerEditOptions, "actor">,
): Promise<ParameterCheckOptions> {
  const owner = await layerOwner(store, target);
  const tenant = owner.tenantId === null ? null : await store.tenants.find(owner.tenantId);
  const allowUnknown =
    options.allowUnknown === true || tenant?.settings.allowUnknownParameters === true;
  const pn = owner.pn;
  return {
    ...(options.catalogue === undefined ? {} : { catalogue: options.catalogue }),
    ...(pn !== null && builtInModel(pn) !== undefined
      ? { model: { pn, catalogue: modelCatalogue(pn) } }
      : {}),
    allowUnknown,
    ...(options.onWarning === undefined ? {} : { onWarning: options.onWarning }),
  };
}

/**
 * Edits of one layer within this process run one after the other: the store's version check
 * catches a concurrent edit of an existing layer, but not two edits that both create it.
 */
const queues = new Map<string, Promise<unknown>>();

function serialized<T>(key: string, run: () => Promise<T>): Promise<T> {
  const previous = queues.get(key) ?? Promise.resolve();
  const next = previous.then(run, run);
  const tail = next.catch(() => undefined);
  queues.set(key, tail);
  void tail.then(() => {
    if (queues.get(key) === tail) queues.delete(key);
  });
  return next;
}

/** Sets and unsets parameters, keeping the others. An emptied layer is removed. */
export function patchLayer(
  store: Store,
  target: LayerTarget,
  set: readonly ParameterInput[],
  unset: readonly string[],
  options: LayerEditOptions,
): Promise<Layer | null> {
  return serialized(layerKey(target), () => patchLayerNow(store, target, set, unset, options));
}

async function patchLayerNow(
  store: Store,
  target: LayerTarget,
  set: readonly ParameterInput[],
  unset: readonly string[],
  options: LayerEditOptions,
): Promise<Layer | null> {
  const checked =
    set.length === 0 ? [] : checkParameters(set, await layerCheckOptions(store, target, options));
  const catalogue = options.catalogue ?? defaultCatalogue;
  const unsetNames = unset.map((name) => catalogue.lookup(name)?.name ?? name);
  // Read-modify-write at the version read (0 = "must not exist yet"): another process
  // editing the same layer makes this attempt conflict, and the edit is re-applied on
  // top of theirs instead of silently replacing it.
  for (let attempt = 1; ; attempt++) {
    const current = await store.layers.get(target);
    if (attempt === 1) warnUnsetAbsent(current, unsetNames, options);
    const next = patchParameters(current?.parameters ?? [], checked, unsetNames);
    await checkDomains(store, target, next);
    try {
      if (next.length === 0) {
        if (current !== null) {
          await store.layers.unset(target, {
            actor: options.actor,
            expectedVersion: current.version,
          });
        }
        return null;
      }
      return await store.layers.set(target, next, {
        actor: options.actor,
        expectedVersion: current?.version ?? 0,
      });
    } catch (error) {
      if (
        attempt >= MAX_EDIT_ATTEMPTS ||
        !isProvisioError(error) ||
        error.code !== "STORE_CONFLICT"
      ) {
        throw error;
      }
    }
  }
}

const MAX_EDIT_ATTEMPTS = 5;

function domainsOf(parameters: readonly LayerParameter[] | undefined): string | undefined {
  return parameters?.find((p) => p.name === RESTRICTED_DOMAINS_PARAMETER)?.value ?? undefined;
}

/**
 * The layer's rules stay inside the restricted access domains in force (its own, else its
 * tenant's); a tenant layer changing its domains also checks its staging layer's rules.
 */
async function checkDomains(
  store: Store,
  target: LayerTarget,
  parameters: readonly LayerParameter[],
): Promise<void> {
  const relevant = parameters.some(
    (p) => RESTRICTED_RULES.has(p.name) || p.name === RESTRICTED_DOMAINS_PARAMETER,
  );
  if (!relevant) return;
  if (target.scope === "tenant") {
    checkRestrictedDomains(parameters, undefined);
    const domains = domainsOf(parameters);
    const staging = await store.layers.get({ scope: "staging", tenantId: target.tenantId });
    if (domains === undefined || staging === null) return;
    try {
      checkRestrictedDomains(staging.parameters, domains);
    } catch (error) {
      if (isProvisioError(error)) error.message = `the staging layer: ${error.message}`;
      throw error;
    }
    return;
  }
  const { tenantId } = await layerOwner(store, target);
  const tenantLayer =
    tenantId === null ? null : await store.layers.get({ scope: "tenant", tenantId });
  checkRestrictedDomains(parameters, domainsOf(tenantLayer?.parameters));
}

/** Unsetting a name the layer does not hold changes nothing: often a typo, so say so. */
function warnUnsetAbsent(
  current: Layer | null,
  names: readonly string[],
  options: LayerEditOptions,
): void {
  const held = new Set(current?.parameters.map((p) => p.name) ?? []);
  for (const name of names) {
    if (!held.has(name)) options.onWarning?.(`${name} is not set in this layer; nothing to unset`);
  }
}

/** Replaces every parameter of the layer (an empty list removes it). */
export async function replaceLayer(
  store: Store,
  target: LayerTarget,
  parameters: readonly ParameterInput[],
  options: LayerEditOptions,
): Promise<Layer | null> {
  const checked = checkParameters(parameters, await layerCheckOptions(store, target, options));
  await checkDomains(store, target, checked);
  if (checked.length === 0) {
    await store.layers.unset(target, { actor: options.actor });
    return null;
  }
  return store.layers.set(target, checked, { actor: options.actor });
}
