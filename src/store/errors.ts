import { type ErrorCodeList, ProvisioError } from "../errors.ts";

/** Error codes thrown by the store. */
export type StoreErrorCode =
  | "STORE_NOT_FOUND"
  | "STORE_CONFLICT"
  | "STORE_INVALID_MAC"
  | "STORE_INVALID_INPUT"
  | "STORE_INVALID_SETTINGS"
  | "STORE_INVALID_LAYER"
  | "STORE_CORRUPT"
  | "STORE_UNAVAILABLE"
  | "STORE_MIGRATION_FAILED"
  | "STORE_MASTER_KEY_MISMATCH"
  | "STORE_MASTER_KEY_ROTATION_BLOCKED"
  | "STORE_READ_ONLY";

export const STORE_ERRORS = {
  STORE_NOT_FOUND: {
    status: 404,
    meaning: "The record does not exist (or is not visible to you).",
  },
  STORE_CONFLICT: {
    status: 409,
    meaning: "The record already exists, or a change conflicts with the current state.",
  },
  STORE_INVALID_MAC: { status: 400, meaning: "A MAC address is not 12 hex digits." },
  STORE_INVALID_INPUT: {
    status: 400,
    meaning: "A field is missing, too long or of the wrong form.",
  },
  STORE_INVALID_SETTINGS: {
    status: 400,
    meaning: "A tenant setting is invalid; the message names it.",
  },
  STORE_INVALID_LAYER: {
    status: 400,
    meaning: "A configuration layer names a target that does not exist or a malformed key.",
  },
  STORE_CORRUPT: {
    status: 500,
    meaning:
      "A stored row cannot be read back (damaged data, or secrets sealed under another master key).",
  },
  STORE_UNAVAILABLE: { status: 503, meaning: "The database cannot be reached; try again later." },
  STORE_MIGRATION_FAILED: {
    status: 500,
    meaning: "The database schema could not be brought up to date.",
  },
  STORE_MASTER_KEY_MISMATCH: {
    status: 500,
    meaning:
      "The database's secrets are sealed under another master key than this process's (wrong --data or master_key_file); nothing was written.",
  },
  STORE_MASTER_KEY_ROTATION_BLOCKED: {
    status: 409,
    meaning:
      "A master-key rotation cannot go on: a running process lacks the new key (copy it to that process's master_key_file.next), or another rotation was started and has not finished. Run the command again once fixed: it resumes.",
  },
  STORE_READ_ONLY: {
    status: 500,
    meaning:
      "A process that opened the store to read (a listing command) tried to seal a secret or rotate the master key: a bug in Provisio; nothing was sealed.",
  },
} as const satisfies ErrorCodeList<StoreErrorCode>;

export function storeError(
  code: StoreErrorCode,
  message: string,
  details?: Record<string, unknown>,
  cause?: unknown,
): ProvisioError<StoreErrorCode> {
  return new ProvisioError(code, message, {
    status: STORE_ERRORS[code].status,
    ...(details === undefined ? {} : { details }),
    ...(cause === undefined ? {} : { cause }),
  });
}

export function notFound(entity: string, key: string): ProvisioError<StoreErrorCode> {
  return storeError("STORE_NOT_FOUND", `${entity} ${JSON.stringify(key)} not found`, {
    entity,
    key,
  });
}

export function invalid(
  message: string,
  details?: Record<string, unknown>,
): ProvisioError<StoreErrorCode> {
  return storeError("STORE_INVALID_INPUT", message, details);
}
