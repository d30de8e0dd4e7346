import type { ParameterDefinition } from "../parameter_definition.ts";
import { indexedName } from "../parameter_name.ts";
import { describeValueType, validateValue } from "../value_type.ts";
import type { CatalogueBuild, CatalogueModel } from "./build.ts";

/** Parameters every model of a kind must carry; a table missing one is defective. */
const REQUIRED_EVERYWHERE = [
  "Provision_Enable",
  "Profile_Rule",
  "Resync_Periodic",
  "Upgrade_Rule",
  "Dial_Tone",
  "RTP_Port_Min",
];
const REQUIRED_PER_LINE = [
  "Line_Enable",
  "Proxy",
  "User_ID",
  "Password",
  "Display_Name",
  "Dial_Plan",
];

export interface ModelCoverage {
  readonly model: string;
  readonly family: string;
  /** Concrete parameters the model carries (indices expanded to its counts). */
  readonly parameters: number;
}

export interface FamilyCoverage {
  readonly family: string;
  /** Catalogue entries (an indexed parameter counts once). */
  readonly definitions: number;
}

export interface CatalogueCheck {
  readonly problems: readonly string[];
  readonly notes: readonly string[];
  readonly definitions: number;
  readonly families: readonly FamilyCoverage[];
  readonly models: readonly ModelCoverage[];
}

/** Concrete names a model carries, in catalogue order. */
export function modelParameterNames(
  definitions: readonly ParameterDefinition[],
  model: CatalogueModel,
): string[] {
  const names: string[] = [];
  for (const definition of definitions) {
    if (definition.models !== undefined && !definition.models.includes(model.name)) continue;
    if (definition.models === undefined && definition.families !== undefined) {
      if (!definition.families.includes(model.deviceFamily)) continue;
    }
    if (!definition.indexed) {
      names.push(definition.name);
      continue;
    }
    const count = model.counts[definition.indexed.over] ?? 0;
    for (let n = 1; n <= count; n++) names.push(indexedName(definition.name, n));
  }
  return names;
}

/**
 * Checks built catalogue data: builder problems (type specs, names, models, rows listed
 * twice), factory defaults valid for their own family's type, no element name produced
 * twice for any model, and each model carrying the parameters every device has.
 */
export function checkCatalogueData(build: CatalogueBuild): CatalogueCheck {
  const problems = [...build.problems];
  const familyCounts = new Map<string, number>();
  for (const definition of build.definitions) {
    for (const variant of definition.variants ?? []) {
      familyCounts.set(variant.family, (familyCounts.get(variant.family) ?? 0) + 1);
      const check = validateValue(variant.type, variant.defaultValue);
      if (!check.valid) {
        problems.push(
          `${variant.family} ${definition.name}: default ${JSON.stringify(variant.defaultValue)} is not a valid ${describeValueType(variant.type)} (${check.issues[0]?.message ?? ""})`,
        );
      } else if (!validateValue(definition.type, variant.defaultValue).valid) {
        // The catalogue validates with the merged (or core) type: a family's own factory
        // value must pass it too, or setting a device back to its default is refused.
        problems.push(
          `${variant.family} ${definition.name}: default ${JSON.stringify(variant.defaultValue)} fails the catalogue type ${describeValueType(definition.type)}`,
        );
      }
    }
    if (!definition.variants) {
      const check = validateValue(definition.type, definition.defaultValue);
      if (!check.valid) {
        problems.push(
          `core ${definition.name}: default ${JSON.stringify(definition.defaultValue)} is invalid`,
        );
      }
    }
  }
  const models: ModelCoverage[] = [];
  for (const model of build.models) {
    const names = modelParameterNames(build.definitions, model);
    const seen = new Set<string>();
    for (const name of names) {
      if (seen.has(name)) problems.push(`${model.name}: ${name} produced twice`);
      seen.add(name);
    }
    for (const name of REQUIRED_EVERYWHERE) {
      if (!seen.has(name)) problems.push(`${model.name}: lacks ${name}`);
    }
    const lines = model.counts.line ?? 0;
    if (lines === 0) problems.push(`${model.name}: no line count`);
    for (const base of REQUIRED_PER_LINE) {
      for (let n = 1; n <= lines; n++) {
        if (!seen.has(indexedName(base, n)))
          problems.push(`${model.name}: lacks ${indexedName(base, n)}`);
      }
    }
    models.push({ model: model.name, family: model.family, parameters: names.length });
  }
  return {
    problems,
    notes: build.notes,
    definitions: build.definitions.length,
    families: [...familyCounts].map(([family, definitions]) => ({ family, definitions })),
    models,
  };
}
