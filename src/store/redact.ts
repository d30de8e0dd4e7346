const SECRET_KEY =
  /pass(word|wd)?$|^pwd$|secret|token|^hash$|device_?key|private_?key|master_?key/i;
const REDACTED = "[redacted]";

/**
 * A JSON-safe copy of `value` with secrets replaced by `[redacted]`: `Secret`s (through their
 * `toJSON`) and any property whose name looks like a secret (password, secret, token, hash,
 * device key, private key). Used for audit snapshots.
 */
export function redact(value: unknown): unknown {
  if (value === undefined) return undefined;
  const text = JSON.stringify(value, (key, inner: unknown) =>
    key !== "" && SECRET_KEY.test(key) && inner !== null && inner !== undefined ? REDACTED : inner,
  );
  return text === undefined ? undefined : (JSON.parse(text) as unknown);
}
