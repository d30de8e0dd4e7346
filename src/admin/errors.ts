import { ProvisioError, type ProvisioErrorOptions } from "../errors.ts";

/** Stable codes for failures raised by the admin API (and the management CLI built on it). */
export type ApiErrorCode =
  | "API_UNAUTHORIZED"
  | "API_FORBIDDEN"
  | "API_NOT_FOUND"
  | "API_VALIDATION"
  | "API_BODY_TOO_LARGE"
  | "API_UNSUPPORTED_MEDIA_TYPE"
  | "API_UNKNOWN_PARAMETER"
  | "API_INVALID_VALUE"
  | "API_INVALID_PARAMETER"
  | "API_CSV_INVALID"
  | "API_INTERNAL"
  | "API_UNAVAILABLE";

const STATUS: Record<ApiErrorCode, number> = {
  API_UNAUTHORIZED: 401,
  API_FORBIDDEN: 403,
  API_NOT_FOUND: 404,
  API_VALIDATION: 400,
  API_BODY_TOO_LARGE: 413,
  API_UNSUPPORTED_MEDIA_TYPE: 415,
  API_UNKNOWN_PARAMETER: 400,
  API_INVALID_VALUE: 400,
  API_INVALID_PARAMETER: 400,
  API_CSV_INVALID: 400,
  API_INTERNAL: 500,
  API_UNAVAILABLE: 503,
};

export function apiError(
  code: ApiErrorCode,
  message: string,
  options: Omit<ProvisioErrorOptions, "status"> = {},
): ProvisioError<ApiErrorCode> {
  return new ProvisioError(code, message, { ...options, status: STATUS[code] });
}

/** The 404 every hidden or missing record gets (same text either way: no enumeration). */
export function notFound(entity: string, key: string): ProvisioError<ApiErrorCode> {
  return apiError("API_NOT_FOUND", `${entity} ${JSON.stringify(key.slice(0, 128))} not found`);
}
