import type { UserAccess } from "./access.ts";
import { type Catalogue, definitionDefault } from "./catalogue.ts";
import type { DeviceFamily } from "./parameter_definition.ts";
import type { Profile, ProfileEntry } from "./profile.ts";

/* ---------------------------------------------------------------------------------------
 * (a) Device side: apply one received profile to the device's parameter table (§3.2.5).
 * ------------------------------------------------------------------------------------- */

/** What a device stores per parameter. */
export interface ParameterState {
  readonly value: string;
  readonly access: UserAccess;
}

export type ParameterStates = ReadonlyMap<string, ParameterState>;

export interface ApplyOptions {
  /**
   * C5: an XML element without `ua` resets access to the factory default (`spa`) or
   * keeps it (`mpp`). Default `factoryDefault`. Plain-text `*` always keeps access.
   */
  readonly uaAbsent?: "factoryDefault" | "retain";
  /** C6: `<X></X>` stores "" (`emptyString`, default) or the factory default value. */
  readonly emptyXmlValue?: "emptyString" | "default";
  /** Factory value and access per name (see `catalogueFactory`). Without it, C5/C6 fall back to keeping. */
  readonly factory?: (name: string) => ParameterState | undefined;
  /** False for a value the device refuses; it keeps the previous value (§3.2.5). */
  readonly accept?: (name: string, value: string) => boolean;
}

export interface AppliedChange {
  readonly name: string;
  readonly before: ParameterState;
  readonly after: ParameterState;
  readonly entry: ProfileEntry;
}

export interface ApplyResult {
  /** The new table; the input is not modified. */
  readonly state: Map<string, ParameterState>;
  /** One item per entry that changed value or access, in profile order. */
  readonly changes: readonly AppliedChange[];
  /** Entries for names the device does not have (ignored, §3.2.5). */
  readonly ignored: readonly ProfileEntry[];
  /** Entries whose value `accept` refused (value kept; access still applied). */
  readonly rejected: readonly ProfileEntry[];
}

/**
 * Applies `profile` entry by entry, so repeated names end with the last occurrence
 * (§3.2.5) and names absent from the profile keep value and access. Names not in
 * `state` are unknown to the device and ignored. Semantics of one entry:
 * - value `undefined` (`<X ua="rw"/>`, `X ! ;`): value unchanged (§3.2.6, C7);
 * - `preserveValue` (MPP): value unchanged when the current one is not empty;
 * - `""` from XML: empty string, or the factory default under `emptyXmlValue: "default"`;
 * - access `undefined`: XML → `uaAbsent` policy (C5); text (`*`) → unchanged; a profile
 *   without `format` counts as XML (it is what the server renders);
 * - an ignored invalid `ua` keeps the current access (§3.2.3).
 */
export function applyProfile(
  state: ParameterStates,
  profile: Profile,
  options: ApplyOptions = {},
): ApplyResult {
  const uaAbsent = options.uaAbsent ?? "factoryDefault";
  const emptyDefault = options.emptyXmlValue === "default";
  const isText = profile.format === "text";
  const next = new Map(state);
  const changes: AppliedChange[] = [];
  const ignored: ProfileEntry[] = [];
  const rejected: ProfileEntry[] = [];
  for (const item of profile.entries) {
    const before = next.get(item.name);
    if (!before) {
      ignored.push(item);
      continue;
    }
    let access = before.access;
    if (item.access !== undefined) access = item.access;
    else if (item.invalidAccess === undefined && !isText && uaAbsent === "factoryDefault") {
      access = options.factory?.(item.name)?.access ?? before.access;
    }
    let value = before.value;
    if (item.value !== undefined && !(item.preserveValue && before.value !== "")) {
      let wanted = item.value;
      if (wanted === "" && !isText && emptyDefault)
        wanted = options.factory?.(item.name)?.value ?? "";
      if (options.accept && !options.accept(item.name, wanted)) rejected.push(item);
      else value = wanted;
    }
    if (value !== before.value || access !== before.access) {
      const after = { value, access };
      next.set(item.name, after);
      changes.push({ name: item.name, before, after, entry: item });
    }
  }
  return { state: next, changes, ignored, rejected };
}

/** Factory value/access lookup from a catalogue, for `ApplyOptions.factory`. */
export function catalogueFactory(
  catalogue: Catalogue,
  family: DeviceFamily = catalogue.family ?? "spa",
): (name: string) => ParameterState | undefined {
  return (name) => {
    const parameter = catalogue.lookup(name);
    return (
      parameter && {
        value: definitionDefault(parameter.definition, family),
        access: parameter.definition.userAccess,
      }
    );
  };
}

/** A factory-reset parameter table: every catalogue parameter at its default. */
export function factoryState(
  catalogue: Catalogue,
  family: DeviceFamily = catalogue.family ?? "spa",
): Map<string, ParameterState> {
  const state = new Map<string, ParameterState>();
  for (const parameter of catalogue.parameters) {
    state.set(parameter.name, {
      value: definitionDefault(parameter.definition, family),
      access: parameter.definition.userAccess,
    });
  }
  return state;
}

/** Value check from a catalogue, for `ApplyOptions.accept` (unknown names accepted). */
export function catalogueAccept(catalogue: Catalogue): (name: string, value: string) => boolean {
  return (name, value) => catalogue.validate(name, value)?.valid ?? true;
}

/* ---------------------------------------------------------------------------------------
 * (b) Server side: merge configuration layers, remembering which layer set what.
 * ------------------------------------------------------------------------------------- */

/** One layer, lowest first: catalogue < tenant < model < group < account < device. */
export interface ConfigLayer {
  /** Stable identifier reported as provenance (`tenant:acme`, `device:000e08012345`). */
  readonly id: string;
  readonly label?: string;
  readonly entries: readonly ProfileEntry[];
}

export interface LayerContribution {
  readonly layer: string;
  readonly entry: ProfileEntry;
}

/** The effective setting of one parameter and where it came from. */
export interface EffectiveParameter {
  readonly name: string;
  /** `undefined` when no layer gave a value (only access was stated). */
  readonly value: string | undefined;
  /** `undefined` when no layer stated access. */
  readonly access: UserAccess | undefined;
  /** From the entry that set the value. */
  readonly preserveValue: boolean;
  /** Id of the layer whose value won. */
  readonly valueFrom: string | undefined;
  /** Id of the layer whose access won. */
  readonly accessFrom: string | undefined;
  /** Every entry that touched this name, lowest layer first ("why this value?"). */
  readonly history: readonly LayerContribution[];
}

export interface MergedConfig {
  /** Catalogue order first, then unknown names in first-seen order. */
  readonly parameters: readonly EffectiveParameter[];
  get(name: string): EffectiveParameter | undefined;
}

export interface MergeOptions {
  /** Gives the output order; without one, names come in first-seen order. */
  readonly catalogue?: Catalogue;
}

interface Accumulator {
  value: string | undefined;
  access: UserAccess | undefined;
  preserveValue: boolean;
  valueFrom: string | undefined;
  accessFrom: string | undefined;
  history: LayerContribution[];
}

/**
 * Later layers win, value and access independently: a device layer that only says
 * `ua="rw"` keeps the tenant's value. Within a layer the last entry for a name wins.
 * Deterministic: the output order depends only on the catalogue and the inputs.
 */
export function mergeLayers(
  layers: readonly ConfigLayer[],
  options: MergeOptions = {},
): MergedConfig {
  const byName = new Map<string, Accumulator>();
  for (const layer of layers) {
    for (const item of layer.entries) {
      let acc = byName.get(item.name);
      if (!acc) {
        acc = {
          value: undefined,
          access: undefined,
          preserveValue: false,
          valueFrom: undefined,
          accessFrom: undefined,
          history: [],
        };
        byName.set(item.name, acc);
      }
      acc.history.push({ layer: layer.id, entry: item });
      if (item.value !== undefined) {
        acc.value = item.value;
        acc.valueFrom = layer.id;
        acc.preserveValue = item.preserveValue === true;
      }
      if (item.access !== undefined) {
        acc.access = item.access;
        acc.accessFrom = layer.id;
      }
    }
  }
  const { catalogue } = options;
  const known: [number, string, Accumulator][] = [];
  const unknown: [string, Accumulator][] = [];
  for (const [name, acc] of byName) {
    const order = catalogue?.orderOf(name);
    if (order === undefined) unknown.push([name, acc]);
    else known.push([order, name, acc]);
  }
  known.sort((a, b) => a[0] - b[0]);
  const parameters: EffectiveParameter[] = [
    ...known.map(([, name, acc]) => ({ name, ...acc })),
    ...unknown.map(([name, acc]) => ({ name, ...acc })),
  ];
  const index = new Map(parameters.map((p) => [p.name, p]));
  return { parameters, get: (name) => index.get(name) };
}

export interface CatalogueLayerOptions {
  readonly family?: DeviceFamily;
  /** Default `catalogue`. */
  readonly id?: string;
  /** Also state the factory user access (so every rendered element carries `ua`). Default true. */
  readonly includeAccess?: boolean;
}

/** The bottom layer: every catalogue parameter at its factory default. */
export function catalogueLayer(
  catalogue: Catalogue,
  options: CatalogueLayerOptions = {},
): ConfigLayer {
  const family = options.family ?? catalogue.family ?? "spa";
  const includeAccess = options.includeAccess ?? true;
  return {
    id: options.id ?? "catalogue",
    label: "Catalogue defaults",
    entries: catalogue.parameters.map((p) => ({
      name: p.name,
      value: definitionDefault(p.definition, family),
      access: includeAccess ? p.definition.userAccess : undefined,
    })),
  };
}

/** The merged result as a profile to render; parameters with neither value nor access are left out. */
export function mergedToProfile(merged: MergedConfig): Profile {
  const entries: ProfileEntry[] = [];
  for (const p of merged.parameters) {
    if (p.value === undefined && p.access === undefined) continue;
    entries.push(
      p.preserveValue && p.value !== undefined
        ? { name: p.name, value: p.value, access: p.access, preserveValue: true }
        : { name: p.name, value: p.value, access: p.access },
    );
  }
  return { format: "xml", entries };
}
