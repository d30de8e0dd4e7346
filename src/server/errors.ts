import { ProvisioError, type ProvisioErrorOptions } from "../errors.ts";

/** Stable codes for failures raised by the provisioning server. */
export type ServerErrorCode =
  | "SERVER_CONFIG_INVALID"
  | "SERVER_PATH_PATTERN_INVALID"
  | "SERVER_BOOTSTRAP_FAILED"
  | "SERVER_LISTEN_FAILED"
  /** A value template does not parse. */
  | "SERVER_TEMPLATE_INVALID"
  /** A value template fails while rendering (unknown filter, limits). */
  | "SERVER_TEMPLATE_FAILED"
  /** A device's profile cannot be rendered (e.g. AES profiles without a device key). */
  | "SERVER_PROFILE_UNRENDERABLE";

/**
 * Codes that mean "this device's configuration cannot be rendered" — a server-side
 * configuration problem the event log names, as opposed to an internal error.
 */
export const RENDER_ERROR_CODES: ReadonlySet<string> = new Set<ServerErrorCode>([
  "SERVER_TEMPLATE_INVALID",
  "SERVER_TEMPLATE_FAILED",
  "SERVER_PROFILE_UNRENDERABLE",
]);

export function serverError(
  code: ServerErrorCode,
  message: string,
  options?: ProvisioErrorOptions,
): ProvisioError<ServerErrorCode> {
  return new ProvisioError(code, message, options);
}
