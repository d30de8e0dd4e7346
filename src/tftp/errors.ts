import { type ErrorCodeList, ProvisioError } from "../errors.ts";

/** Error codes carried in TFTP ERROR packets (RFC 1350 §5, RFC 2347 code 8). */
export const TftpErrorCode = {
  NotDefined: 0,
  FileNotFound: 1,
  AccessViolation: 2,
  DiskFull: 3,
  IllegalOperation: 4,
  UnknownTransferId: 5,
  FileExists: 6,
  NoSuchUser: 7,
  OptionRefused: 8,
} as const;
export type TftpErrorCode = (typeof TftpErrorCode)[keyof typeof TftpErrorCode];

/** Stable ProvisioError codes raised by the TFTP module. */
export type TftpProvisioCode =
  | "TFTP_MALFORMED"
  | "TFTP_NOT_DEFINED"
  | "TFTP_FILE_NOT_FOUND"
  | "TFTP_ACCESS_VIOLATION"
  | "TFTP_DISK_FULL"
  | "TFTP_ILLEGAL_OPERATION"
  | "TFTP_UNKNOWN_TID"
  | "TFTP_FILE_EXISTS"
  | "TFTP_NO_SUCH_USER"
  | "TFTP_OPTION_REFUSED"
  | "TFTP_TIMEOUT"
  | "TFTP_ABORTED"
  | "TFTP_TOO_LARGE"
  | "TFTP_BUSY"
  | "TFTP_INVALID_ARGUMENT"
  | "TFTP_NATIVE_UNAVAILABLE"
  | "TFTP_SOCKET_ERROR";

export type TftpError = ProvisioError<TftpProvisioCode>;

export const TFTP_ERRORS = {
  TFTP_MALFORMED: { status: 400, meaning: "A TFTP packet does not follow the protocol." },
  TFTP_NOT_DEFINED: {
    status: 500,
    meaning: "The TFTP peer reported an error without a specific code.",
  },
  TFTP_FILE_NOT_FOUND: {
    status: 404,
    meaning: "The requested file does not exist (or is not served).",
  },
  TFTP_ACCESS_VIOLATION: {
    status: 403,
    meaning: "The file may not be read or written by this request.",
  },
  TFTP_DISK_FULL: { status: 507, meaning: "The receiving side has no room for the file." },
  TFTP_ILLEGAL_OPERATION: {
    status: 400,
    meaning: "The peer sent a request or packet TFTP does not allow here.",
  },
  TFTP_UNKNOWN_TID: {
    status: 400,
    meaning: "A packet came from a port that is not part of the transfer.",
  },
  TFTP_FILE_EXISTS: { status: 409, meaning: "The file to be written exists already." },
  TFTP_NO_SUCH_USER: { status: 400, meaning: "The peer reported an unknown user." },
  TFTP_OPTION_REFUSED: {
    status: 400,
    meaning: "Option negotiation (block size, window, timeout...) failed.",
  },
  TFTP_TIMEOUT: {
    status: 504,
    meaning: "The peer stopped answering; the transfer was abandoned after its retries.",
  },
  TFTP_ABORTED: {
    status: 500,
    meaning: "The transfer was stopped (shutdown, lifetime limit, or by the caller).",
  },
  TFTP_TOO_LARGE: {
    status: 413,
    meaning: "The file is larger than TFTP with the negotiated block size can carry.",
  },
  TFTP_BUSY: { status: 503, meaning: "The server has no free transfer slot; try again later." },
  TFTP_NATIVE_UNAVAILABLE: {
    status: 500,
    meaning: "The native UDP fast path was required but is not built or cannot load.",
  },
  TFTP_SOCKET_ERROR: {
    status: 500,
    meaning: "A transfer socket failed (reported by the operating system).",
  },
  TFTP_INVALID_ARGUMENT: {
    status: 400,
    meaning: "A TFTP client or server option is outside its range.",
  },
} as const satisfies ErrorCodeList<TftpProvisioCode>;

const WIRE_TO_CODE: Readonly<Record<number, TftpProvisioCode>> = {
  0: "TFTP_NOT_DEFINED",
  1: "TFTP_FILE_NOT_FOUND",
  2: "TFTP_ACCESS_VIOLATION",
  3: "TFTP_DISK_FULL",
  4: "TFTP_ILLEGAL_OPERATION",
  5: "TFTP_UNKNOWN_TID",
  6: "TFTP_FILE_EXISTS",
  7: "TFTP_NO_SUCH_USER",
  8: "TFTP_OPTION_REFUSED",
};

const CODE_TO_WIRE: Readonly<Partial<Record<string, TftpErrorCode>>> = {
  TFTP_NOT_DEFINED: 0,
  TFTP_FILE_NOT_FOUND: 1,
  TFTP_ACCESS_VIOLATION: 2,
  TFTP_DISK_FULL: 3,
  TFTP_TOO_LARGE: 3,
  TFTP_ILLEGAL_OPERATION: 4,
  TFTP_MALFORMED: 4,
  TFTP_UNKNOWN_TID: 5,
  TFTP_FILE_EXISTS: 6,
  TFTP_NO_SUCH_USER: 7,
  TFTP_OPTION_REFUSED: 8,
};

/** Default human text for each wire code (what goes in an ERROR packet). */
export const TFTP_ERROR_TEXT: Readonly<Record<TftpErrorCode, string>> = {
  0: "Not defined",
  1: "File not found",
  2: "Access violation",
  3: "Disk full or allocation exceeded",
  4: "Illegal TFTP operation",
  5: "Unknown transfer ID",
  6: "File already exists",
  7: "No such user",
  8: "Option negotiation refused",
};

export function tftpError(
  code: TftpProvisioCode,
  message: string,
  details?: Record<string, unknown>,
): TftpError {
  return new ProvisioError(code, message, details === undefined ? {} : { details });
}

/** The ProvisioError a peer's ERROR packet becomes on our side. */
export function errorFromWire(wireCode: number, message: string): TftpError {
  const code = WIRE_TO_CODE[wireCode] ?? "TFTP_NOT_DEFINED";
  return tftpError(code, `TFTP peer error ${wireCode}: ${message || "(no message)"}`, {
    wireCode,
  });
}

/** The wire code to send for a ProvisioError code (unknown codes map to 0). */
export function wireCodeFor(code: string): TftpErrorCode {
  return CODE_TO_WIRE[code] ?? 0;
}

export function isTftpErrorCode(value: number): value is TftpErrorCode {
  return Number.isInteger(value) && value >= 0 && value <= 8;
}
