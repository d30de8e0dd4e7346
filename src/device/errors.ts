/**
 * Error codes of the device emulator, prefixed `DEVICE_`. A resync failure is not an
 * error: it is an outcome the device logs and retries (see resync_outcome.ts). These codes
 * are for misuse of the emulator itself (bad identity, unknown parameter).
 */
import { type ErrorCodeList, ProvisioError } from "../errors.ts";

export type DeviceErrorCode =
  /** MAC, model or version of the emulated device is not usable. */
  | "DEVICE_IDENTITY_INVALID"
  /** A parameter name the emulated model does not have. */
  | "DEVICE_UNKNOWN_PARAMETER"
  /** An option of the emulator (clock, DHCP option, switch) is out of range. */
  | "DEVICE_OPTION_INVALID";

export type DeviceError = ProvisioError<DeviceErrorCode>;

export const DEVICE_ERRORS = {
  DEVICE_IDENTITY_INVALID: {
    status: 400,
    meaning: "The emulated device's MAC, model or firmware version is not usable.",
  },
  DEVICE_UNKNOWN_PARAMETER: {
    status: 400,
    meaning: "The emulated model has no parameter of that name.",
  },
  DEVICE_OPTION_INVALID: { status: 400, meaning: "An emulator option is out of range." },
} as const satisfies ErrorCodeList<DeviceErrorCode>;

export function deviceError(
  code: DeviceErrorCode,
  message: string,
  details?: Record<string, unknown>,
): DeviceError {
  return new ProvisioError<DeviceErrorCode>(
    code,
    message,
    details === undefined ? {} : { details },
  );
}
