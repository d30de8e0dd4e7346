import type { UserAccess } from "./access.ts";
import { buildCatalogueData, type CatalogueBuild, FAMILY_TABLES } from "./catalogue/index.ts";
import { CATALOGUE_DATA } from "./catalogue_data.ts";
import { editDistance } from "./edit_distance.ts";
import { ProfileErrorCode, profileError } from "./errors.ts";
import type { DeviceFamily, IndexKind, ParameterDefinition } from "./parameter_definition.ts";
import {
  indexedName,
  isParameterName,
  labelToName,
  normalizeParameterName,
} from "./parameter_name.ts";
import { type ValueCheck, validateValue } from "./value_type.ts";

/** A concrete parameter: a definition, and for indexed ones the index. */
export interface CatalogueParameter {
  /** Element name (`Proxy_2_`). */
  readonly name: string;
  /** Web label with the index the way the web page groups it (`Proxy` on `Line 2`). */
  readonly label: string;
  readonly index: number | undefined;
  readonly definition: ParameterDefinition;
  /** Position in catalogue order (rendering order). */
  readonly order: number;
}

export interface CatalogueOptions {
  /** Keep only the parameters this family has; absent = all families. */
  readonly family?: DeviceFamily;
  /**
   * Keep only the parameters this model carries (definitions that record no models, the
   * spec-only core, are kept); index counts default to the model's.
   */
  readonly model?: string;
  /** How many lines/users the model has (a SPA2102 has 2 lines); defaults to each spec's count. */
  readonly indexCounts?: Partial<Readonly<Record<IndexKind, number>>>;
}

export interface Catalogue {
  readonly family: DeviceFamily | undefined;
  readonly definitions: readonly ParameterDefinition[];
  /** Every concrete parameter in catalogue order. */
  readonly parameters: readonly CatalogueParameter[];
  /** By element name or bracket form (`Proxy_1_`, `Proxy[1]`); undefined when unknown. */
  lookup(name: string): CatalogueParameter | undefined;
  /** By web label, with a line/user context for indexed ones (`"User ID", "Ext 1"`). */
  lookupLabel(label: string, context?: string | number): CatalogueParameter | undefined;
  has(name: string): boolean;
  /** Nearest known names, best first ("did you mean"). */
  suggest(name: string, limit?: number): string[];
  /** Factory default value for this catalogue's family (SPA when the catalogue has none). */
  defaultValue(name: string, family?: DeviceFamily): string | undefined;
  /** Factory user access (what C5 `uaAbsent: "factoryDefault"` restores). */
  factoryAccess(name: string): UserAccess | undefined;
  isSecret(name: string): boolean;
  /** Type check of a value; undefined when the name is unknown. */
  validate(name: string, value: string): ValueCheck | undefined;
  /** Catalogue position, or undefined for unknown names. */
  orderOf(name: string): number | undefined;
}

/** Default for a family: MPP and Sipura overrides, else the SPA value. */
export function definitionDefault(
  definition: ParameterDefinition,
  family: DeviceFamily = "spa",
): string {
  if (family === "mpp" && definition.defaultMpp !== undefined) return definition.defaultMpp;
  if (family === "sipura" && definition.defaultSipura !== undefined)
    return definition.defaultSipura;
  return definition.defaultValue;
}

function checkDefinition(definition: ParameterDefinition): void {
  const fail = (why: string) => {
    throw profileError(
      ProfileErrorCode.CatalogueInvalid,
      `catalogue entry ${definition.name}: ${why}`,
      {
        details: { name: definition.name },
      },
    );
  };
  if (!isParameterName(definition.name)) fail("name is not a valid parameter name");
  const fromLabel = definition.indexed
    ? labelToName(definition.label, 1)
    : labelToName(definition.label);
  const expected = definition.indexed ? indexedName(definition.name, 1) : definition.name;
  if (fromLabel !== expected) fail(`label ${JSON.stringify(definition.label)} gives ${fromLabel}`);
}

/**
 * Expands indexed definitions. Runs of consecutive definitions indexed over the same
 * kind are expanded index-major, so line 1's parameters come together as on the web page
 * ("Ext 1" tab), then line 2's, and so on.
 */
function expand(
  definitions: readonly ParameterDefinition[],
  counts: Partial<Readonly<Record<IndexKind, number>>>,
): CatalogueParameter[] {
  const result: CatalogueParameter[] = [];
  let i = 0;
  while (i < definitions.length) {
    const first = definitions[i]!;
    if (!first.indexed) {
      result.push({
        name: first.name,
        label: first.label,
        index: undefined,
        definition: first,
        order: result.length,
      });
      i++;
      continue;
    }
    const over = first.indexed.over;
    let end = i;
    while (end < definitions.length && definitions[end]!.indexed?.over === over) end++;
    const run = definitions.slice(i, end);
    const max = Math.max(...run.map((d) => counts[over] ?? d.indexed!.count));
    for (let index = 1; index <= max; index++) {
      for (const definition of run) {
        const count = counts[over] ?? definition.indexed!.count;
        if (index > count) continue;
        result.push({
          name: indexedName(definition.name, index),
          label: definition.label,
          index,
          definition,
          order: result.length,
        });
      }
    }
    i = end;
  }
  return result;
}

let built: CatalogueBuild | undefined;

/**
 * The spec's core merged with every family table, built on first use: the tables are
 * parsed and merged only when a catalogue is needed, so commands that never look a
 * parameter up do not pay for it.
 */
export function catalogueBuild(): CatalogueBuild {
  built ??= buildCatalogueData(CATALOGUE_DATA, FAMILY_TABLES);
  return built;
}

/** Whether the full catalogue has been built in this process (diagnostics, tests). */
export function catalogueBuilt(): boolean {
  return built !== undefined;
}

export function createCatalogue(
  definitions: readonly ParameterDefinition[] = catalogueBuild().definitions,
  options: CatalogueOptions = {},
): Catalogue {
  const family = options.family;
  const model = options.model;
  const kept = definitions.filter(
    (d) =>
      (family === undefined || d.families === undefined || d.families.includes(family)) &&
      (model === undefined || d.models === undefined || d.models.includes(model)),
  );
  kept.forEach(checkDefinition);
  const modelCounts =
    model === undefined
      ? {}
      : (catalogueBuild().models.find((m) => m.name === model)?.counts ?? {});
  const parameters = Object.freeze(expand(kept, { ...modelCounts, ...options.indexCounts }));
  const byName = new Map<string, CatalogueParameter>();
  for (const parameter of parameters) {
    if (byName.has(parameter.name)) {
      throw profileError(
        ProfileErrorCode.CatalogueInvalid,
        `catalogue defines ${parameter.name} twice`,
        {
          details: { name: parameter.name },
        },
      );
    }
    byName.set(parameter.name, parameter);
  }
  const lowerNames = parameters.map((p) => p.name.toLowerCase());

  const lookup = (name: string): CatalogueParameter | undefined => {
    const direct = byName.get(name);
    if (direct || !name.includes("[")) return direct;
    try {
      return byName.get(normalizeParameterName(name));
    } catch {
      return undefined;
    }
  };

  const suggest = (name: string, limit = 3): string[] => {
    const wanted = name.replace(/[[\] ]/g, "_").toLowerCase();
    const threshold = Math.max(2, Math.floor(wanted.length / 3));
    const scored: { name: string; score: number; order: number }[] = [];
    for (const parameter of parameters) {
      const candidate = lowerNames[parameter.order]!;
      if (parameter.name === name) continue;
      let score = editDistance(wanted, candidate, threshold);
      if (score > threshold) {
        // A truncated name (`Resync_At` for `Resync_At__HHmm_`) is still a good hint.
        if (wanted.length < 4 || !candidate.includes(wanted)) continue;
        score = threshold + 1 + (candidate.length - wanted.length) / 1000;
      }
      scored.push({ name: parameter.name, score, order: parameter.order });
    }
    scored.sort((a, b) => a.score - b.score || a.order - b.order);
    return scored.slice(0, limit).map((s) => s.name);
  };

  const catalogue: Catalogue = {
    family,
    definitions: Object.freeze([...kept]),
    parameters,
    lookup,
    lookupLabel(label, context) {
      try {
        return lookup(labelToName(label, context));
      } catch {
        return undefined;
      }
    },
    has: (name) => lookup(name) !== undefined,
    suggest,
    defaultValue(name, wantedFamily) {
      const parameter = lookup(name);
      return parameter && definitionDefault(parameter.definition, wantedFamily ?? family ?? "spa");
    },
    factoryAccess: (name) => lookup(name)?.definition.userAccess,
    isSecret: (name) => lookup(name)?.definition.secret === true,
    validate(name, value) {
      const parameter = lookup(name);
      return parameter && validateValue(parameter.definition.type, value);
    },
    orderOf: (name) => lookup(name)?.order,
  };
  return Object.freeze(catalogue);
}

/**
 * A catalogue that builds itself on first use. Importing the profile module must stay
 * cheap (the CLI starts with it); the full catalogue is built at the first lookup.
 */
function lazyCatalogue(make: () => Catalogue): Catalogue {
  let real: Catalogue | undefined;
  const get = () => {
    real ??= make();
    return real;
  };
  return Object.freeze({
    get family() {
      return get().family;
    },
    get definitions() {
      return get().definitions;
    },
    get parameters() {
      return get().parameters;
    },
    lookup: (name: string) => get().lookup(name),
    lookupLabel: (label: string, context?: string | number) => get().lookupLabel(label, context),
    has: (name: string) => get().has(name),
    suggest: (name: string, limit?: number) => get().suggest(name, limit),
    defaultValue: (name: string, family?: DeviceFamily) => get().defaultValue(name, family),
    factoryAccess: (name: string) => get().factoryAccess(name),
    isSecret: (name: string) => get().isSecret(name),
    validate: (name: string, value: string) => get().validate(name, value),
    orderOf: (name: string) => get().orderOf(name),
  });
}

/** The shipped catalogue: every family and model (indices up to each model's count). Immutable. */
export const defaultCatalogue: Catalogue = lazyCatalogue(() => createCatalogue());
