/**
 * Error codes of the SIP library (`src/sip`), prefixed `SIP_`: parsing what arrives on a
 * UDP socket (anyone can send it) and building NOTIFY requests from what an operator stored.
 */
import { type ErrorCodeList, ProvisioError } from "../errors.ts";

export type SipErrorCode =
  /** The bytes are not a SIP message (start line, header syntax, Content-Length). */
  | "SIP_MESSAGE_MALFORMED"
  /** A message, a header line or the header count is over the library's limits. */
  | "SIP_MESSAGE_TOO_LARGE"
  /** A `WWW-Authenticate` / `Proxy-Authenticate` value is not a usable Digest challenge. */
  | "SIP_DIGEST_MALFORMED"
  /** A value that goes into a SIP header (user, host, credentials) holds characters it must not. */
  | "SIP_VALUE_INVALID";

export type SipError = ProvisioError<SipErrorCode>;

export const SIP_ERRORS = {
  SIP_MESSAGE_MALFORMED: {
    status: 400,
    meaning: "The bytes received are not a well-formed SIP message.",
  },
  SIP_MESSAGE_TOO_LARGE: {
    status: 400,
    meaning: "A SIP message, one of its header lines or its number of headers is over the limit.",
  },
  SIP_DIGEST_MALFORMED: {
    status: 400,
    meaning: "A digest challenge is malformed or names no algorithm Provisio supports.",
  },
  SIP_VALUE_INVALID: {
    status: 400,
    meaning:
      "A value written into a SIP header (a user, host or credential) contains a control character, quote or space where none is allowed.",
  },
} as const satisfies ErrorCodeList<SipErrorCode>;

export function sipError(
  code: SipErrorCode,
  message: string,
  details?: Record<string, unknown>,
): SipError {
  return new ProvisioError<SipErrorCode>(code, message, details === undefined ? {} : { details });
}
