/**
 * The parameter catalogue as the layer editor reads it: every parameter a model carries (or
 * every model's, for layers with no model) with its web group, factory default, type and
 * secret flag; and the editor's "validate as you type" — the very check a layer edit makes
 * (`checkParameter`), answered as a verdict instead of an error.
 */
import { isProvisioError } from "../errors.ts";
import {
  builtInModel,
  type Catalogue,
  type CatalogueParameter,
  defaultCatalogue,
  type ValueType,
} from "../profile/index.ts";
import { modelCatalogue } from "../server/index.ts";
import { checkParameter, type ParameterInput } from "./layer_parameters.ts";

export interface CatalogueEntry {
  readonly name: string;
  readonly label: string;
  readonly group: string | null;
  readonly default: string | null;
  readonly type: string;
  /** Choices of an enumerated parameter. */
  readonly values?: readonly string[];
  readonly min?: number;
  readonly max?: number;
  readonly maxLength?: number;
  readonly secret: boolean;
  /** Factory user access (`na`, `ro`, `rw`). */
  readonly access: string | null;
}

function typeFacts(
  type: ValueType,
): Omit<CatalogueEntry, "name" | "label" | "group" | "default" | "secret" | "access"> {
  switch (type.kind) {
    case "enum":
      return { type: type.kind, values: [...type.choices] };
    case "int":
      return { type: type.kind, min: type.min, max: type.max };
    case "time":
      return {
        type: type.kind,
        ...(type.min === undefined ? {} : { min: type.min }),
        ...(type.max === undefined ? {} : { max: type.max }),
      };
    case "str":
    case "password":
      return {
        type: type.kind,
        ...(type.maxLength === undefined ? {} : { maxLength: type.maxLength }),
      };
    default:
      return { type: type.kind };
  }
}

/** The catalogue a layer of this model is checked against (every model's when not built in). */
export function catalogueFor(pn: string | null): Catalogue {
  return pn !== null && builtInModel(pn) !== undefined ? modelCatalogue(pn) : defaultCatalogue;
}

function entry(p: CatalogueParameter, catalogue: Catalogue, pn: string | null): CatalogueEntry {
  const model = pn === null ? undefined : builtInModel(pn);
  const variant =
    model === undefined ? undefined : p.definition.variants?.find((v) => v.family === model.family);
  const group = (variant?.group ?? p.definition.group ?? null)?.replace(
    "[n]",
    String(p.index ?? "n"),
  );
  return {
    name: p.name,
    label: p.label,
    group: group ?? null,
    default: catalogue.defaultValue(p.name, model?.deviceFamily) ?? null,
    ...typeFacts(variant?.type ?? p.definition.type),
    secret: catalogue.isSecret(p.name),
    access: catalogue.factoryAccess(p.name) ?? null,
  };
}

/** The parameters of `pn` (null: of every model), catalogue order; `q` filters names and labels. */
export function catalogueEntries(pn: string | null, q?: string): CatalogueEntry[] {
  const catalogue = catalogueFor(pn);
  const needle = q?.trim().toLowerCase();
  const out: CatalogueEntry[] = [];
  for (const p of catalogue.parameters) {
    if (
      needle !== undefined &&
      needle !== "" &&
      !p.name.toLowerCase().includes(needle) &&
      !p.label.toLowerCase().includes(needle)
    ) {
      continue;
    }
    out.push(entry(p, catalogue, pn));
  }
  return out;
}

export type ParameterVerdict =
  | { readonly ok: true; readonly name: string; readonly warnings: readonly string[] }
  | {
      readonly ok: false;
      readonly code: string;
      readonly message: string;
      readonly suggestions?: readonly string[];
    };

/** The layer edit's own check of one parameter, for a layer of model `pn` (null: no model). */
export function validateParameter(
  input: ParameterInput,
  pn: string | null,
  options: { readonly allowUnknown?: boolean } = {},
): ParameterVerdict {
  const warnings: string[] = [];
  try {
    const checked = checkParameter(input, {
      ...(pn !== null && builtInModel(pn) !== undefined
        ? { model: { pn, catalogue: modelCatalogue(pn) } }
        : {}),
      ...(options.allowUnknown === undefined ? {} : { allowUnknown: options.allowUnknown }),
      onWarning: (m) => warnings.push(m),
    });
    return { ok: true, name: checked.name, warnings };
  } catch (error) {
    if (!isProvisioError(error)) throw error;
    const suggestions = (error.details as { suggestions?: unknown } | undefined)?.suggestions;
    return {
      ok: false,
      code: error.code,
      message: error.message,
      ...(Array.isArray(suggestions) ? { suggestions: suggestions.map(String) } : {}),
    };
  }
}
