/**
 * The `parameters` column of `layers`: JSON `[{ name, value, access }]`, except that the value
 * of a secret parameter (`isSecretParameter`: the catalogue marks it secret, or its name looks
 * like one) is stored sealed with the master key as `{ name, sealed, access }`, bound to the
 * layer and the parameter (`sealContext.layerValue`), like device keys and SIP passwords.
 */
import { storeError } from "./errors.ts";
import { isSecretParameter } from "./redact.ts";
import { type SecretSealer, sealContext } from "./secret.ts";
import type { LayerParameter, ParameterAccess } from "./types.ts";

export const PARAMETER_ACCESS: readonly ParameterAccess[] = ["na", "ro", "rw"];
const REDACTED = "[redacted]";

interface StoredParameter {
  name?: unknown;
  value?: unknown;
  sealed?: unknown;
  access?: unknown;
}

function parseStored(json: string): StoredParameter[] {
  const raw = JSON.parse(json) as unknown;
  if (!Array.isArray(raw)) throw storeError("STORE_CORRUPT", "layer parameters are not a list");
  return raw as StoredParameter[];
}

function sealValue(sealer: SecretSealer, key: string, name: string, value: string): string {
  return sealer.seal(value, sealContext.layerValue(key, name));
}

function openValue(sealer: SecretSealer, key: string, name: string, sealed: string): string {
  try {
    return sealer.open(sealed, sealContext.layerValue(key, name));
  } catch (error) {
    throw storeError(
      "STORE_CORRUPT",
      `layer ${key}: the value of ${name} does not open with the master key`,
      { key, name },
      error,
    );
  }
}

/** The column's JSON for validated parameters, secret values sealed. */
export function encodeParameters(
  key: string,
  parameters: readonly LayerParameter[],
  sealer: SecretSealer,
): string {
  return JSON.stringify(
    parameters.map((p) =>
      p.value !== null && isSecretParameter(p.name)
        ? { name: p.name, sealed: sealValue(sealer, key, p.name, p.value), access: p.access }
        : { name: p.name, value: p.value, access: p.access },
    ),
  );
}

/**
 * Parses the column. Sealed values are opened with `sealer`, or read as `[redacted]` when it is
 * `"redacted"` (audit snapshots need not decrypt what they redact). A plaintext value of a
 * secret parameter (a name the catalogue marked secret since) reads as it is, and
 * `resealLayerParameters` seals it.
 */
export function decodeParameters(
  key: string,
  json: string,
  sealer: SecretSealer | "redacted",
): LayerParameter[] {
  return parseStored(json).map((p) => {
    const name = String(p.name);
    let value = typeof p.value === "string" ? p.value : null;
    if (typeof p.sealed === "string") {
      value = sealer === "redacted" ? REDACTED : openValue(sealer, key, name, p.sealed);
    } else if (sealer === "redacted" && value !== null && isSecretParameter(name)) {
      value = REDACTED;
    }
    return {
      name,
      value,
      access: (PARAMETER_ACCESS as readonly unknown[]).includes(p.access)
        ? (p.access as ParameterAccess)
        : null,
    };
  });
}

/** Parameters for an audit snapshot: the values of secret parameters `[redacted]`. */
export function redactParameters(parameters: readonly LayerParameter[]): LayerParameter[] {
  return parameters.map((p) =>
    p.value !== null && isSecretParameter(p.name) ? { ...p, value: REDACTED } : p,
  );
}

/**
 * The column's JSON with every secret value sealed under the current master key: plaintext
 * secret values sealed, sealed ones that `stale` reports sealed again; `count` values were.
 * Null when nothing needed it (the row stays as it is).
 */
export function resealParameters(
  key: string,
  json: string,
  sealer: SecretSealer,
  stale: (sealed: string) => boolean,
): { json: string; count: number } | null {
  let count = 0;
  const out = parseStored(json).map((p) => {
    const name = String(p.name);
    if (typeof p.sealed === "string") {
      if (!stale(p.sealed)) return p;
      count++;
      return { ...p, sealed: sealValue(sealer, key, name, openValue(sealer, key, name, p.sealed)) };
    }
    if (typeof p.value === "string" && isSecretParameter(name)) {
      count++;
      const { value, ...rest } = p;
      return { ...rest, sealed: sealValue(sealer, key, name, value) };
    }
    return p;
  });
  return count === 0 ? null : { json: JSON.stringify(out), count };
}
