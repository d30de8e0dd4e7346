/**
 * TFTP packets (RFC 1350, RFC 2347): a typed union, a parser that never throws anything
 * but `ProvisioError("TFTP_MALFORMED")`, and serializers that write into caller buffers
 * where it matters (DATA headers, ACKs) so the hot path allocates nothing.
 */
import { type TftpErrorCode, tftpError } from "./errors.ts";

export const Opcode = {
  RRQ: 1,
  WRQ: 2,
  DATA: 3,
  ACK: 4,
  ERROR: 5,
  OACK: 6,
} as const;
export type Opcode = (typeof Opcode)[keyof typeof Opcode];

export type TransferMode = "octet" | "netascii";
/** Modes a request may name; `mail` is parsed (RFC 1350) but never served. */
export type RequestMode = TransferMode | "mail";

export interface RequestPacket {
  readonly op: typeof Opcode.RRQ | typeof Opcode.WRQ;
  readonly filename: string;
  readonly mode: RequestMode;
  /** Option names lower-cased; first occurrence wins; values as sent. */
  readonly options: ReadonlyMap<string, string>;
}
export interface DataPacket {
  readonly op: typeof Opcode.DATA;
  readonly block: number;
  /** A view into the received datagram (no copy). */
  readonly data: Buffer;
}
export interface AckPacket {
  readonly op: typeof Opcode.ACK;
  readonly block: number;
}
export interface ErrorPacket {
  readonly op: typeof Opcode.ERROR;
  readonly code: number;
  readonly message: string;
}
export interface OackPacket {
  readonly op: typeof Opcode.OACK;
  readonly options: ReadonlyMap<string, string>;
}
export type TftpPacket = RequestPacket | DataPacket | AckPacket | ErrorPacket | OackPacket;

/** Largest datagram we ever parse (DATA with blksize 65464 + header). */
export const MAX_PACKET = 65468;
/** Upper bound on options in one request/OACK; more is treated as malformed. */
export const MAX_OPTIONS = 32;
/** Longest filename / option string accepted. */
export const MAX_STRING = 1024;

function malformed(message: string): never {
  throw tftpError("TFTP_MALFORMED", `malformed TFTP packet: ${message}`);
}

/** Reads NUL-terminated latin1 strings starting at `offset` until the end of `buf`. */
function readStrings(buf: Buffer, offset: number, what: string): string[] {
  const out: string[] = [];
  let start = offset;
  while (start < buf.length) {
    const end = buf.indexOf(0, start);
    if (end < 0) malformed(`${what}: string not NUL-terminated`);
    if (end - start > MAX_STRING) malformed(`${what}: string longer than ${MAX_STRING} bytes`);
    out.push(buf.toString("latin1", start, end));
    start = end + 1;
    if (out.length > 2 + MAX_OPTIONS * 2) malformed(`${what}: too many fields`);
  }
  return out;
}

function readOptions(fields: readonly string[], from: number, what: string): Map<string, string> {
  if ((fields.length - from) % 2 !== 0) malformed(`${what}: option without a value`);
  const options = new Map<string, string>();
  for (let i = from; i < fields.length; i += 2) {
    const name = fields[i]!.toLowerCase();
    if (name.length === 0) malformed(`${what}: empty option name`);
    if (!options.has(name)) options.set(name, fields[i + 1]!);
  }
  if (options.size > MAX_OPTIONS) malformed(`${what}: too many options`);
  return options;
}

/**
 * Parses one datagram. Throws only `ProvisioError` with code `TFTP_MALFORMED`.
 * DATA payloads are views into `buf`; copy them if you keep them.
 */
export function parsePacket(buf: Buffer): TftpPacket {
  if (buf.length < 2) malformed("shorter than an opcode");
  if (buf.length > MAX_PACKET) malformed(`longer than ${MAX_PACKET} bytes`);
  const op = buf.readUInt16BE(0);
  switch (op) {
    case Opcode.RRQ:
    case Opcode.WRQ: {
      const what = op === Opcode.RRQ ? "RRQ" : "WRQ";
      const fields = readStrings(buf, 2, what);
      if (fields.length < 2) malformed(`${what}: missing filename or mode`);
      const filename = fields[0]!;
      if (filename.length === 0) malformed(`${what}: empty filename`);
      const rawMode = fields[1]!.toLowerCase();
      if (rawMode !== "octet" && rawMode !== "netascii" && rawMode !== "mail") {
        malformed(`${what}: unknown mode`);
      }
      return { op, filename, mode: rawMode, options: readOptions(fields, 2, what) };
    }
    case Opcode.DATA:
      if (buf.length < 4) malformed("DATA shorter than its header");
      return { op, block: buf.readUInt16BE(2), data: buf.subarray(4) };
    case Opcode.ACK:
      if (buf.length < 4) malformed("ACK shorter than 4 bytes");
      return { op, block: buf.readUInt16BE(2) };
    case Opcode.ERROR: {
      if (buf.length < 4) malformed("ERROR shorter than its header");
      const end = buf.indexOf(0, 4);
      const message = buf.toString(
        "latin1",
        4,
        end < 0 ? Math.min(buf.length, 4 + MAX_STRING) : end,
      );
      return { op, code: buf.readUInt16BE(2), message };
    }
    case Opcode.OACK: {
      const fields = readStrings(buf, 2, "OACK");
      return { op, options: readOptions(fields, 0, "OACK") };
    }
    default:
      return malformed(`unknown opcode ${op}`);
  }
}

function pushString(parts: Buffer[], value: string): void {
  parts.push(Buffer.from(value, "latin1"), Buffer.alloc(1));
}

function opBuffer(op: Opcode): Buffer {
  const b = Buffer.allocUnsafe(2);
  b.writeUInt16BE(op, 0);
  return b;
}

function optionParts(parts: Buffer[], options: Iterable<readonly [string, string]>): void {
  for (const [name, value] of options) {
    pushString(parts, name);
    pushString(parts, value);
  }
}

export function encodeRequest(
  op: typeof Opcode.RRQ | typeof Opcode.WRQ,
  filename: string,
  mode: RequestMode,
  options: Iterable<readonly [string, string]> = [],
): Buffer {
  const parts = [opBuffer(op)];
  pushString(parts, filename);
  pushString(parts, mode);
  optionParts(parts, options);
  return Buffer.concat(parts);
}

export function encodeOack(options: Iterable<readonly [string, string]>): Buffer {
  const parts = [opBuffer(Opcode.OACK)];
  optionParts(parts, options);
  return Buffer.concat(parts);
}

export function encodeError(code: TftpErrorCode | number, message: string): Buffer {
  const msg = Buffer.from(message.slice(0, 400), "latin1");
  const b = Buffer.alloc(5 + msg.length);
  b.writeUInt16BE(Opcode.ERROR, 0);
  b.writeUInt16BE(code & 0xffff, 2);
  msg.copy(b, 4);
  return b;
}

/** Writes an ACK into `target` (4 bytes) and returns it; allocates when no target given. */
export function encodeAck(block: number, target: Buffer = Buffer.allocUnsafe(4)): Buffer {
  target.writeUInt16BE(Opcode.ACK, 0);
  target.writeUInt16BE(block & 0xffff, 2);
  return target;
}

/** Writes a DATA header at `offset` of `target` (the payload follows it). */
export function writeDataHeader(target: Buffer, offset: number, block: number): void {
  target.writeUInt16BE(Opcode.DATA, offset);
  target.writeUInt16BE(block & 0xffff, offset + 2);
}

export function encodeData(block: number, data: Uint8Array): Buffer {
  const b = Buffer.allocUnsafe(4 + data.length);
  writeDataHeader(b, 0, block);
  b.set(data, 4);
  return b;
}
