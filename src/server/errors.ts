import { type ErrorCodeList, ProvisioError, type ProvisioErrorOptions } from "../errors.ts";

/** Stable codes for failures raised by the provisioning server. */
export type ServerErrorCode =
  | "SERVER_CONFIG_INVALID"
  | "SERVER_BOOTSTRAP_FAILED"
  | "SERVER_LISTEN_FAILED"
  /** A device-plane worker process could not start. */
  | "SERVER_WORKER_FAILED"
  /** A value template does not parse. */
  | "SERVER_TEMPLATE_INVALID"
  /** A value template fails while rendering (unknown filter, limits). */
  | "SERVER_TEMPLATE_FAILED"
  /** A device's profile cannot be rendered (e.g. AES profiles without a device key). */
  | "SERVER_PROFILE_UNRENDERABLE"
  /** A firmware image's version, models or file name is unusable. */
  | "SERVER_FIRMWARE_INVALID"
  /** An uploaded firmware image does not match the checksum given with it. */
  | "SERVER_FIRMWARE_CHECKSUM_MISMATCH"
  /** An uploaded firmware image is over the size limit. */
  | "SERVER_FIRMWARE_TOO_LARGE"
  /** An upgrade policy or rollout cannot be used as asked (versions, state). */
  | "SERVER_ROLLOUT_INVALID"
  /** The activation page's status request is not `{"code": "<digits>"}`. */
  | "SERVER_ACTIVATION_STATUS_INVALID"
  /** Too many activation-page status requests, or unknown codes, from one source. */
  | "SERVER_ACTIVATION_STATUS_LIMITED";

export const SERVER_ERRORS = {
  SERVER_CONFIG_INVALID: {
    status: 400,
    meaning: "A setting in the configuration file, the environment or the flags is invalid.",
  },
  SERVER_BOOTSTRAP_FAILED: {
    status: 500,
    meaning: "The data directory (database, keys, certificates) could not be prepared.",
  },
  SERVER_LISTEN_FAILED: {
    status: 500,
    meaning:
      "A listener could not be opened (port in use, or no permission for a port below 1024).",
  },
  SERVER_WORKER_FAILED: {
    status: 500,
    meaning:
      "A device-plane worker process could not start (it exited, or its node failed to start).",
  },
  SERVER_TEMPLATE_INVALID: { status: 400, meaning: "A value template does not parse." },
  SERVER_TEMPLATE_FAILED: {
    status: 400,
    meaning:
      "A value template fails while rendering (unknown filter or variable, a limit reached).",
  },
  SERVER_PROFILE_UNRENDERABLE: {
    status: 400,
    meaning: "A device's profile cannot be rendered, e.g. AES encryption without a device key.",
  },
  SERVER_FIRMWARE_INVALID: {
    status: 400,
    meaning:
      "A firmware image's version is not one a unit reports, or its models or file name are unusable.",
  },
  SERVER_FIRMWARE_CHECKSUM_MISMATCH: {
    status: 400,
    meaning: "An uploaded firmware image's SHA-256 differs from the checksum given with it.",
  },
  SERVER_FIRMWARE_TOO_LARGE: {
    status: 413,
    meaning: "An uploaded firmware image is over the size limit.",
  },
  SERVER_ROLLOUT_INVALID: {
    status: 400,
    meaning:
      "An upgrade policy's versions do not form a path, or a rollout cannot move as asked (state, no units).",
  },
  SERVER_ACTIVATION_STATUS_INVALID: {
    status: 400,
    meaning:
      'The activation page\'s status request is not the JSON object {"code": "<activation code>"} with a code of 10 to 32 digits.',
  },
  SERVER_ACTIVATION_STATUS_LIMITED: {
    status: 429,
    meaning:
      "Too many status requests (60 a minute) or unknown activation codes (10 per 10 minutes) from one address, or too many unknown codes on the server; wait and try again.",
  },
} as const satisfies ErrorCodeList<ServerErrorCode>;

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
  return new ProvisioError(code, message, { status: SERVER_ERRORS[code].status, ...options });
}
