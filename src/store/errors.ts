import { ProvisioError } from "../errors.ts";

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
  | "STORE_MIGRATION_FAILED";

const STATUS: Record<StoreErrorCode, number> = {
  STORE_NOT_FOUND: 404,
  STORE_CONFLICT: 409,
  STORE_INVALID_MAC: 400,
  STORE_INVALID_INPUT: 400,
  STORE_INVALID_SETTINGS: 400,
  STORE_INVALID_LAYER: 400,
  STORE_CORRUPT: 500,
  STORE_UNAVAILABLE: 503,
  STORE_MIGRATION_FAILED: 500,
};

export function storeError(
  code: StoreErrorCode,
  message: string,
  details?: Record<string, unknown>,
  cause?: unknown,
): ProvisioError<StoreErrorCode> {
  return new ProvisioError(code, message, {
    status: STATUS[code],
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
