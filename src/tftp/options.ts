/**
 * Option negotiation (RFC 2347) for blksize (RFC 2348), timeout and tsize (RFC 2349) and
 * windowsize (RFC 7440). Pure functions: the server calls `negotiateServerOptions`, the
 * client checks an OACK with `acceptOack`.
 */
import { tftpError } from "./errors.ts";

export const BLKSIZE_MIN = 8;
export const BLKSIZE_MAX = 65464;
export const BLKSIZE_DEFAULT = 512;
export const TIMEOUT_MIN = 1;
export const TIMEOUT_MAX = 255;
export const WINDOWSIZE_MIN = 1;
export const WINDOWSIZE_MAX = 65535;

/** What a transfer runs with once negotiation is over. */
export interface TransferParams {
  readonly blksize: number;
  readonly windowsize: number;
  /** Retransmission timeout negotiated through the `timeout` option, if any (ms). */
  readonly timeoutMs: number | undefined;
  /** Transfer size: announced by the server (RRQ) or the client (WRQ), if known. */
  readonly tsize: number | undefined;
}

export const DEFAULT_PARAMS: TransferParams = {
  blksize: BLKSIZE_DEFAULT,
  windowsize: 1,
  timeoutMs: undefined,
  tsize: undefined,
};

/** Server-side ceilings; requests above them are answered with the ceiling. */
export interface OptionLimits {
  readonly maxBlksize: number;
  readonly maxWindowSize: number;
  /** Largest `timeout` (seconds) accepted. A larger request is left out of the OACK
   * (RFC 2349 lets the server only echo the client's value or decline it) and the
   * transfer runs with this value. Default: TIMEOUT_MAX. */
  readonly maxTimeout?: number;
  /** Smallest `blksize` accepted (at most 512). A smaller request is left out of the OACK
   * and the transfer runs at 512, which every RFC 1350 client supports. Default:
   * BLKSIZE_MIN. */
  readonly minBlksize?: number;
}

/** Strict unsigned decimal (no sign, blanks or exponent); undefined when not one. */
export function parseDecimal(value: string): number | undefined {
  if (!/^[0-9]{1,15}$/.test(value)) return undefined;
  return Number(value);
}

export interface ServerNegotiation {
  /** Options to put in the OACK, in request order; empty means "no OACK". */
  readonly accepted: ReadonlyArray<readonly [string, string]>;
  readonly params: TransferParams;
}

/**
 * Decides the OACK for a request. Unknown or invalid options are ignored (RFC 2347 lets a
 * server leave out any option it does not accept). `size` is the byte count the server
 * will send for an RRQ (undefined when not known up front); for a WRQ the client's tsize
 * is taken as announced and echoed.
 */
export function negotiateServerOptions(
  requested: ReadonlyMap<string, string>,
  kind: "read" | "write",
  size: number | undefined,
  limits: OptionLimits,
): ServerNegotiation {
  const accepted: Array<readonly [string, string]> = [];
  let { blksize, windowsize, timeoutMs, tsize } = DEFAULT_PARAMS;
  for (const [name, raw] of requested) {
    const value = parseDecimal(raw);
    switch (name) {
      case "blksize":
        if (
          value !== undefined &&
          value >= Math.max(BLKSIZE_MIN, Math.min(limits.minBlksize ?? 0, BLKSIZE_DEFAULT)) &&
          value <= BLKSIZE_MAX
        ) {
          blksize = Math.min(value, limits.maxBlksize);
          accepted.push([name, String(blksize)]);
        }
        break;
      case "windowsize":
        if (value !== undefined && value >= WINDOWSIZE_MIN && value <= WINDOWSIZE_MAX) {
          windowsize = Math.min(value, limits.maxWindowSize);
          accepted.push([name, String(windowsize)]);
        }
        break;
      case "timeout":
        if (value !== undefined && value >= TIMEOUT_MIN && value <= TIMEOUT_MAX) {
          const cap = limits.maxTimeout ?? TIMEOUT_MAX;
          timeoutMs = Math.min(value, cap) * 1000;
          if (value <= cap) accepted.push([name, String(value)]);
        }
        break;
      case "tsize":
        if (value === undefined) break;
        if (kind === "read") {
          if (size !== undefined) {
            tsize = size;
            accepted.push([name, String(size)]);
          }
        } else {
          tsize = value;
          accepted.push([name, String(value)]);
        }
        break;
      default:
        break;
    }
  }
  return { accepted, params: { blksize, windowsize, timeoutMs, tsize } };
}

/** What the client asked for, to check an OACK against. */
export interface RequestedOptions {
  readonly blksize?: number | undefined;
  readonly windowsize?: number | undefined;
  /** Seconds, 1..255. */
  readonly timeout?: number | undefined;
  /** For RRQ: ask the server for the size (sends "0"). For WRQ: the size we will send. */
  readonly tsize?: boolean | number | undefined;
}

/** Validates client-side option values before a request is sent. */
export function requestOptionList(
  opts: RequestedOptions,
  kind: "read" | "write",
): Array<readonly [string, string]> {
  const out: Array<readonly [string, string]> = [];
  const check = (name: string, v: number, lo: number, hi: number): void => {
    if (!Number.isInteger(v) || v < lo || v > hi) {
      throw tftpError("TFTP_INVALID_ARGUMENT", `${name} must be an integer in ${lo}..${hi}`);
    }
  };
  if (opts.blksize !== undefined) {
    check("blksize", opts.blksize, BLKSIZE_MIN, BLKSIZE_MAX);
    out.push(["blksize", String(opts.blksize)]);
  }
  if (opts.timeout !== undefined) {
    check("timeout", opts.timeout, TIMEOUT_MIN, TIMEOUT_MAX);
    out.push(["timeout", String(opts.timeout)]);
  }
  if (opts.tsize !== undefined && opts.tsize !== false) {
    const v = kind === "read" || opts.tsize === true ? 0 : opts.tsize;
    check("tsize", v, 0, Number.MAX_SAFE_INTEGER);
    out.push(["tsize", String(v)]);
  }
  if (opts.windowsize !== undefined) {
    check("windowsize", opts.windowsize, WINDOWSIZE_MIN, WINDOWSIZE_MAX);
    out.push(["windowsize", String(opts.windowsize)]);
  }
  return out;
}

/**
 * Checks a server's OACK against what we asked for (RFC 2347: a server may only
 * answer options the client sent; blksize and windowsize may only shrink; timeout must
 * be echoed). Throws `TFTP_OPTION_REFUSED` on a violation.
 */
export function acceptOack(
  oack: ReadonlyMap<string, string>,
  requested: RequestedOptions,
): TransferParams {
  let { blksize, windowsize, timeoutMs, tsize } = DEFAULT_PARAMS;
  const refuse = (why: string): never => {
    throw tftpError("TFTP_OPTION_REFUSED", `server OACK refused: ${why}`);
  };
  for (const [name, raw] of oack) {
    const value = parseDecimal(raw);
    if (value === undefined) refuse(`${name} value "${raw}" is not a number`);
    const v = value as number;
    switch (name) {
      case "blksize":
        if (requested.blksize === undefined) refuse("unrequested blksize");
        if (v < BLKSIZE_MIN || v > (requested.blksize as number)) refuse(`blksize ${v}`);
        blksize = v;
        break;
      case "windowsize":
        if (requested.windowsize === undefined) refuse("unrequested windowsize");
        if (v < WINDOWSIZE_MIN || v > (requested.windowsize as number)) refuse(`windowsize ${v}`);
        windowsize = v;
        break;
      case "timeout":
        if (requested.timeout === undefined) refuse("unrequested timeout");
        if (v !== requested.timeout) refuse(`timeout ${v}`);
        timeoutMs = v * 1000;
        break;
      case "tsize":
        if (requested.tsize === undefined || requested.tsize === false) refuse("unrequested tsize");
        tsize = v;
        break;
      default:
        refuse(`unknown option ${name}`);
    }
  }
  return { blksize, windowsize, timeoutMs, tsize };
}
