import { defaultCatalogue } from "../profile/index.ts";

const SECRET_KEY =
  /pass(word|wd)?$|^pwd$|secret|token|^hash$|device_?key|private_?key|master_?key/i;
/** Fallback for parameter names the catalogue does not know (8-line models, new firmware). */
const SECRET_PARAMETER = /passw|secret|_key/i;
const REDACTED = "[redacted]";

/**
 * Whether a profile parameter holds a secret: the catalogue marks it so (`Admin_Passwd`,
 * `User_Password`, `Password_1_`, `GPP_SA`…`GPP_SD`, …), or its name looks like one
 * (`passw`, `secret`, `_key`). Such values are sealed at rest in the layers table and redacted
 * in every other persisted copy (audit snapshots).
 */
export function isSecretParameter(name: string): boolean {
  return SECRET_PARAMETER.test(name) || defaultCatalogue.isSecret(name);
}

/** A layer parameter record (`{ name, value, access }`) whose value is a secret. */
function isSecretParameterRecord(value: unknown): value is { name: string; value: unknown } {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const record = value as { name?: unknown; value?: unknown };
  return (
    typeof record.name === "string" &&
    record.value !== null &&
    record.value !== undefined &&
    isSecretParameter(record.name)
  );
}

/**
 * A JSON-safe copy of `value` with secrets replaced by `[redacted]`: `Secret`s (through their
 * `toJSON`), any property whose name looks like a secret (password, secret, token, hash,
 * device key, private key) or is a secret profile parameter (`{ "GPP_SA": … }`), and the value
 * of every parameter record `{ name, value }` whose name is a secret parameter (layer
 * snapshots). Used for audit snapshots.
 */
export function redact(value: unknown): unknown {
  if (value === undefined) return undefined;
  const text = JSON.stringify(value, (key, inner: unknown) => {
    if (inner === null || inner === undefined) return inner;
    if (key !== "" && (SECRET_KEY.test(key) || isSecretParameter(key))) return REDACTED;
    if (isSecretParameterRecord(inner)) return { ...inner, value: REDACTED };
    return inner;
  });
  return text === undefined ? undefined : (JSON.parse(text) as unknown);
}
