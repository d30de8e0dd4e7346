import { ProvisioError, type ProvisioErrorOptions } from "../errors.ts";

/** Stable codes for failures raised by the provisioning server. */
export type ServerErrorCode =
  | "SERVER_CONFIG_INVALID"
  | "SERVER_PATH_PATTERN_INVALID"
  | "SERVER_BOOTSTRAP_FAILED"
  | "SERVER_LISTEN_FAILED";

export function serverError(
  code: ServerErrorCode,
  message: string,
  options?: ProvisioErrorOptions,
): ProvisioError<ServerErrorCode> {
  return new ProvisioError(code, message, options);
}
