import { type ErrorCodeList, ProvisioError, type ProvisioErrorOptions } from "../errors.ts";

/** Stable codes for failures raised by the admin API (and the management CLI built on it). */
export type ApiErrorCode =
  | "API_UNAUTHORIZED"
  | "API_FORBIDDEN"
  | "API_NOT_FOUND"
  | "API_VALIDATION"
  | "API_BODY_TOO_LARGE"
  | "API_URL_TOO_LONG"
  | "API_UNSUPPORTED_MEDIA_TYPE"
  | "API_UNKNOWN_PARAMETER"
  | "API_INVALID_VALUE"
  | "API_INVALID_PARAMETER"
  | "API_CSV_INVALID"
  | "API_RESTRICTED_DOMAIN"
  | "API_REDIRECT_NOT_GRANTED"
  | "API_INTERNAL"
  | "API_UNAVAILABLE"
  | "API_BUSY"
  | "API_TOO_MANY_ATTEMPTS";

/** The admin API's code list (docs/errors.md is generated from it). */
export const API_ERRORS = {
  API_UNAUTHORIZED: {
    status: 401,
    meaning:
      "no bearer token or session, one that is malformed, unknown or expired, or a sign-in with a wrong user name, password or token (one answer for each)",
  },
  API_FORBIDDEN: {
    status: 403,
    meaning:
      "the token's or user's role may not do this, or a request made with the session cookie lacks the X-Provisio-Request: 1 header",
  },
  API_NOT_FOUND: {
    status: 404,
    meaning: "no such record, or one outside the token's tenant (the same answer either way)",
  },
  API_VALIDATION: { status: 400, meaning: "the request does not match the route's schema" },
  API_BODY_TOO_LARGE: { status: 413, meaning: "the request body is over the route's limit" },
  API_URL_TOO_LONG: {
    status: 414,
    meaning: "a path parameter of the request is over its length limit",
  },
  API_UNSUPPORTED_MEDIA_TYPE: { status: 415, meaning: "the body's content type is not accepted" },
  API_UNKNOWN_PARAMETER: {
    status: 400,
    meaning: "a layer names a parameter the catalogue does not know (with suggestions)",
  },
  API_INVALID_VALUE: { status: 400, meaning: "a layer value does not fit its parameter's type" },
  API_INVALID_PARAMETER: {
    status: 400,
    meaning: "a layer parameter entry is malformed (no value and no access, set twice)",
  },
  API_CSV_INVALID: { status: 400, meaning: "the CSV file or a row of it is malformed" },
  API_RESTRICTED_DOMAIN: {
    status: 400,
    meaning:
      "Restricted_Access_Domains is malformed (at most five host names), or a Profile_Rule, Upgrade_Rule or Report_Rule names a server outside the domains in force",
  },
  API_REDIRECT_NOT_GRANTED: {
    status: 403,
    meaning:
      "a provider's token registers on the redirect service only MACs inside the ranges the installation granted it",
  },
  API_INTERNAL: { status: 500, meaning: "a bug in Provisio; the log has the details" },
  API_UNAVAILABLE: {
    status: 503,
    meaning: "the database is unreachable, or the node is shutting down",
  },
  API_BUSY: {
    status: 429,
    meaning:
      "as many background operations of this kind are running as the node allows (in all or for the tenant); retry when one has finished",
  },
  API_TOO_MANY_ATTEMPTS: {
    status: 429,
    meaning:
      "too many failed sign-ins from this address or for this user name (10 in 10 minutes); retry after the seconds the Retry-After header names",
  },
} as const satisfies ErrorCodeList<ApiErrorCode>;

export function apiError(
  code: ApiErrorCode,
  message: string,
  options: Omit<ProvisioErrorOptions, "status"> = {},
): ProvisioError<ApiErrorCode> {
  return new ProvisioError(code, message, { ...options, status: API_ERRORS[code].status });
}

/** The 404 every hidden or missing record gets (same text either way: no enumeration). */
export function notFound(entity: string, key: string): ProvisioError<ApiErrorCode> {
  return apiError("API_NOT_FOUND", `${entity} ${JSON.stringify(key.slice(0, 128))} not found`);
}
