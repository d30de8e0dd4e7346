/**
 * Layer parameters as admins write them, checked against the profile catalogue before they
 * reach the store: the name must be a catalogue parameter (bracket form `Proxy[1]` accepted
 * and stored canonically as `Proxy_1_`), the value must fit the parameter's type (value
 * templates are checked for syntax only: their type is known after rendering), and the access
 * tag must be `na`, `ro` or `rw`.
 *
 * For a layer whose device model is known (a model layer, a device with a model) the name
 * must also be one that model carries: `Line_Enable_3_` on a 2-line ATA is refused with the
 * model's limits. Other layers check against every model (the union). A name no model
 * carries is refused with the nearest names, unless unknown names are allowed (tenant
 * setting `allowUnknownParameters`, CLI `--allow-unknown`): then it is kept as written,
 * its value unchecked, with a warning.
 *
 * Also the command-line syntax, one argument per parameter:
 *
 * | argument | meaning |
 * | --- | --- |
 * | `NAME=VALUE` | set the value (access as given by `--access`, else untouched) |
 * | `NAME:rw=VALUE` | set the value and the access tag |
 * | `NAME:ro` | set only the access tag (value inherited from weaker layers) |
 * | `NAME=` | set the empty value |
 */
import type { Catalogue, CatalogueParameter } from "../profile/index.ts";
import { builtInModel, defaultCatalogue, isParameterName } from "../profile/index.ts";
import { isValueTemplate, ValueTemplates } from "../server/index.ts";
import type { LayerParameter, ParameterAccess } from "../store/index.ts";
import { apiError } from "./errors.ts";

export const ACCESS_VALUES: readonly ParameterAccess[] = ["na", "ro", "rw"];

export interface ParameterInput {
  readonly name: string;
  readonly value?: string | null | undefined;
  readonly access?: ParameterAccess | null | undefined;
}

export interface ParameterCheckOptions {
  /** Every model's parameters (default: the shipped catalogue). */
  readonly catalogue?: Catalogue;
  /** The layer's device model, when known: names must be this model's. */
  readonly model?: { readonly pn: string; readonly catalogue: Catalogue } | undefined;
  /** Keep names no model carries (with a warning) instead of refusing them. */
  readonly allowUnknown?: boolean;
  /** Receives the warnings (unknown names kept). */
  readonly onWarning?: (message: string) => void;
  readonly templates?: ValueTemplates;
}

let sharedTemplates: ValueTemplates | undefined;

function unknownParameter(name: string, catalogue: Catalogue) {
  const suggestions = catalogue.suggest(name, 3);
  const hint = suggestions.length === 0 ? "" : `; did you mean ${suggestions.join(", ")}?`;
  return {
    suggestions,
    message: `unknown parameter ${JSON.stringify(name.slice(0, 128))}${hint}`,
  };
}

/** Canonical catalogue name, or `API_UNKNOWN_PARAMETER` with the nearest names. */
export function canonicalParameterName(
  name: string,
  catalogue: Catalogue = defaultCatalogue,
): string {
  const found = catalogue.lookup(name);
  if (found !== undefined) return found.name;
  const { suggestions, message } = unknownParameter(name, catalogue);
  throw apiError("API_UNKNOWN_PARAMETER", message, {
    details: { name: name.slice(0, 128), suggestions },
  });
}

const INDEX_WORDS = {
  line: (ata: boolean) => (ata ? "lines (FXS ports)" : "lines (extensions)"),
  user: () => "users",
  lineKey: () => "line keys",
} as const;

/** Why a parameter every-model knows is not one of `pn`'s, with the model's limits. */
function notOnModel(parameter: CatalogueParameter, pn: string, modelCatalogue: Catalogue): string {
  const over = parameter.definition.indexed?.over;
  const model = builtInModel(pn);
  if (over !== undefined && parameter.index !== undefined) {
    const count = modelCatalogue.parameters.reduce(
      (max, p) =>
        p.definition.name === parameter.definition.name ? Math.max(max, p.index ?? 0) : max,
      0,
    );
    const words = INDEX_WORDS[over](model?.kind !== "phone");
    const base = `${parameter.definition.name}_n_`;
    return count === 0
      ? `${parameter.name}: ${pn} has no ${base} (not a parameter of this model)`
      : `${parameter.name}: ${pn} has ${count} ${words}; ${base} goes from 1 to ${count}`;
  }
  return `${parameter.name} is not a parameter of ${pn}${model === undefined ? "" : ` (family ${model.family})`}`;
}

/**
 * The stored name of a parameter: the catalogue's canonical one; for a model layer, one the
 * model carries; an unknown name kept as written when allowed.
 */
function checkedName(name: string, options: ParameterCheckOptions): string {
  const catalogue = options.catalogue ?? defaultCatalogue;
  const found = catalogue.lookup(name);
  if (found === undefined) {
    const { suggestions, message } = unknownParameter(name, catalogue);
    if (options.allowUnknown === true && isParameterName(name)) {
      options.onWarning?.(`${message} — kept as written (unknown parameters are allowed)`);
      return name;
    }
    throw apiError("API_UNKNOWN_PARAMETER", message, {
      details: { name: name.slice(0, 128), suggestions },
    });
  }
  const model = options.model;
  if (model !== undefined && model.catalogue.lookup(found.name) === undefined) {
    const message = notOnModel(found, model.pn, model.catalogue);
    // Beyond the model's lines or keys is always wrong; a plain parameter may be a gap of
    // the catalogue's per-model data, which unknown-allowed layers accept.
    if (options.allowUnknown === true && found.index === undefined) {
      options.onWarning?.(`${message} — kept (unknown parameters are allowed)`);
      return found.name;
    }
    throw apiError("API_UNKNOWN_PARAMETER", message, {
      details: { name: found.name, model: model.pn },
    });
  }
  return found.name;
}

/** Checks one parameter; returns it with its canonical name. */
export function checkParameter(
  input: ParameterInput,
  options: ParameterCheckOptions = {},
): LayerParameter {
  const catalogue = options.catalogue ?? defaultCatalogue;
  const name = checkedName(input.name, options);
  const value = input.value ?? null;
  const access = input.access ?? null;
  if (access !== null && !ACCESS_VALUES.includes(access)) {
    throw apiError("API_INVALID_PARAMETER", `${name}: access must be na, ro or rw`, {
      details: { name },
    });
  }
  if (value === null && access === null) {
    throw apiError("API_INVALID_PARAMETER", `${name}: give a value, an access tag, or both`, {
      details: { name },
    });
  }
  if (value !== null) {
    if (isValueTemplate(value)) {
      sharedTemplates ??= new ValueTemplates({ maxCached: 1_000 });
      (options.templates ?? sharedTemplates).compile(value);
    } else {
      const check = catalogue.validate(name, value);
      if (check !== undefined && !check.valid) {
        const why = check.issues
          .filter((i) => i.severity === "error")
          .map((i) => i.message)
          .join("; ");
        throw apiError(
          "API_INVALID_VALUE",
          `${name}: invalid value ${JSON.stringify(value.slice(0, 128))}${why ? `: ${why}` : ""}`,
          { details: { name, issues: check.issues.map((i) => i.message) } },
        );
      }
    }
  }
  return { name, value, access };
}

/** Checks a list; names must be unique after canonicalisation. */
export function checkParameters(
  inputs: readonly ParameterInput[],
  options: ParameterCheckOptions = {},
): LayerParameter[] {
  const seen = new Set<string>();
  return inputs.map((input) => {
    const checked = checkParameter(input, options);
    if (seen.has(checked.name)) {
      throw apiError("API_INVALID_PARAMETER", `parameter ${checked.name} is given twice`, {
        details: { name: checked.name },
      });
    }
    seen.add(checked.name);
    return checked;
  });
}

/**
 * Applies `set` (replacing same-named entries in place, appending new ones) and `unset` to a
 * layer's parameters.
 */
export function patchParameters(
  current: readonly LayerParameter[],
  set: readonly LayerParameter[],
  unset: readonly string[],
): LayerParameter[] {
  const drop = new Set(unset);
  const replacements = new Map(set.map((p) => [p.name, p]));
  const next: LayerParameter[] = [];
  for (const p of current) {
    if (drop.has(p.name)) continue;
    const replacement = replacements.get(p.name);
    if (replacement !== undefined) {
      next.push(replacement);
      replacements.delete(p.name);
    } else {
      next.push(p);
    }
  }
  for (const p of replacements.values()) next.push(p);
  return next;
}

// A name is what parameter names are made of ("-" and "." included: `Auth_Resync-Reboot_1_`)
// or the bracket form; whether it is one is checked with the layer, against the catalogue.
const ARG = /^([A-Za-z0-9_.[\]-]+)(?::(na|ro|rw))?(?:=(.*))?$/s;

/** Parses one command-line argument (`NAME=VALUE`, `NAME:rw=VALUE`, `NAME:ro`). */
export function parseParameterArgument(
  text: string,
  defaultAccess?: ParameterAccess,
): ParameterInput {
  const match = ARG.exec(text);
  if (match === null || (match[2] === undefined && match[3] === undefined)) {
    throw apiError(
      "API_INVALID_PARAMETER",
      `expected NAME=VALUE, NAME:ACCESS=VALUE or NAME:ACCESS (ACCESS = na, ro, rw), got ${JSON.stringify(text.slice(0, 128))}`,
    );
  }
  const access = (match[2] as ParameterAccess | undefined) ?? defaultAccess;
  return { name: match[1]!, value: match[3] ?? null, access: access ?? null };
}
