/**
 * Layer parameters as admins write them, checked against the profile catalogue before they
 * reach the store: the name must be a catalogue parameter (bracket form `Proxy[1]` accepted
 * and stored canonically as `Proxy_1_`), the value must fit the parameter's type (value
 * templates are checked for syntax only: their type is known after rendering), and the access
 * tag must be `na`, `ro` or `rw`.
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
import type { Catalogue } from "../profile/index.ts";
import { defaultCatalogue } from "../profile/index.ts";
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
  readonly catalogue?: Catalogue;
  readonly templates?: ValueTemplates;
}

let sharedTemplates: ValueTemplates | undefined;

/** Canonical catalogue name, or `API_UNKNOWN_PARAMETER` with the nearest names. */
export function canonicalParameterName(
  name: string,
  catalogue: Catalogue = defaultCatalogue,
): string {
  const found = catalogue.lookup(name);
  if (found !== undefined) return found.name;
  const suggestions = catalogue.suggest(name, 3);
  const hint = suggestions.length === 0 ? "" : `; did you mean ${suggestions.join(", ")}?`;
  throw apiError(
    "API_UNKNOWN_PARAMETER",
    `unknown parameter ${JSON.stringify(name.slice(0, 128))}${hint}`,
    { details: { name: name.slice(0, 128), suggestions } },
  );
}

/** Checks one parameter; returns it with its canonical name. */
export function checkParameter(
  input: ParameterInput,
  options: ParameterCheckOptions = {},
): LayerParameter {
  const catalogue = options.catalogue ?? defaultCatalogue;
  const name = canonicalParameterName(input.name, catalogue);
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

const ARG = /^([A-Za-z0-9_[\]]+)(?::(na|ro|rw))?(?:=(.*))?$/s;

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
