import { isProvisioError } from "../errors.ts";
/**
 * Layer edits with catalogue checks, shared by the API and `provisio layer set|unset`.
 * A patch reads the layer and writes it back with `expectedVersion`, so two concurrent edits
 * cannot silently drop each other's parameters (the loser gets 409 and retries). Creating a
 * layer has no version to check: edits in one process are queued per layer; across processes
 * this needs `layers.set(…, { expectedVersion: 0 })` to mean "only if absent" in the store.
 */
import { type Catalogue, defaultCatalogue } from "../profile/index.ts";
import type { Layer, LayerTarget, Store } from "../store/index.ts";
import { layerKey } from "../store/index.ts";
import { checkParameters, type ParameterInput, patchParameters } from "./layer_parameters.ts";

export interface LayerEditOptions {
  readonly actor: string;
  readonly catalogue?: Catalogue;
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
  const checkOptions = options.catalogue === undefined ? {} : { catalogue: options.catalogue };
  const checked = checkParameters(set, checkOptions);
  const catalogue = options.catalogue ?? defaultCatalogue;
  const unsetNames = unset.map((name) => catalogue.lookup(name)?.name ?? name);
  // Read-modify-write at the version read (0 = "must not exist yet"): another process
  // editing the same layer makes this attempt conflict, and the edit is re-applied on
  // top of theirs instead of silently replacing it.
  for (let attempt = 1; ; attempt++) {
    const current = await store.layers.get(target);
    const next = patchParameters(current?.parameters ?? [], checked, unsetNames);
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

/** Replaces every parameter of the layer (an empty list removes it). */
export async function replaceLayer(
  store: Store,
  target: LayerTarget,
  parameters: readonly ParameterInput[],
  options: LayerEditOptions,
): Promise<Layer | null> {
  const checked = checkParameters(
    parameters,
    options.catalogue === undefined ? {} : { catalogue: options.catalogue },
  );
  if (checked.length === 0) {
    await store.layers.unset(target, { actor: options.actor });
    return null;
  }
  return store.layers.set(target, checked, { actor: options.actor });
}
