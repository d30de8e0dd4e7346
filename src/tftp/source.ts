/**
 * What a transfer reads from. The resolver returns a `TftpSource`; the server turns it
 * into a `ByteReader`, a sequential reader that fills caller buffers (the sender's
 * ring slots) so firmware is streamed with positioned reads, never loaded whole.
 */
import { constants as fsConstants, type promises as fsp } from "node:fs";
import { open } from "node:fs/promises";
import { type TftpErrorCode, tftpError } from "./errors.ts";
import { netasciiEncode } from "./netascii.ts";
import type { TransferMode } from "./packet.ts";

type FileHandle = fsp.FileHandle;

/** A resolver's answer for one read request. */
export type TftpSource =
  /** In-memory content (e.g. a rendered device profile). */
  | { readonly kind: "bytes"; readonly data: Uint8Array }
  /** A file on disk, opened by the server and streamed block by block. */
  | { readonly kind: "file"; readonly path: string }
  /** An already opened file; the server takes ownership and closes it. */
  | { readonly kind: "handle"; readonly handle: FileHandle; readonly size?: number }
  /** Refuse the request with a TFTP ERROR packet. */
  | { readonly kind: "error"; readonly code: TftpErrorCode; readonly message?: string };

export const bytesSource = (data: Uint8Array | string): TftpSource => ({
  kind: "bytes",
  data: typeof data === "string" ? Buffer.from(data, "utf8") : data,
});
export const fileSource = (path: string): TftpSource => ({ kind: "file", path });
export const errorSource = (code: TftpErrorCode, message?: string): TftpSource =>
  message === undefined ? { kind: "error", code } : { kind: "error", code, message };

/** Sequential reader. `read` fills `targets` in order; a short total means end of data. */
export interface ByteReader {
  /** Bytes that will go on the wire, when known up front (for tsize). */
  readonly size: number | undefined;
  /** True when `read` always returns a number (no I/O wait). */
  readonly synchronous?: boolean;
  read(targets: readonly Buffer[]): number | Promise<number>;
  close(): void | Promise<void>;
}

export class BytesReader implements ByteReader {
  private position = 0;
  readonly size: number;
  readonly synchronous = true;

  constructor(private readonly data: Uint8Array) {
    this.size = data.length;
  }

  read(targets: readonly Buffer[]): number {
    let total = 0;
    for (const t of targets) {
      const n = Math.min(t.length, this.data.length - this.position);
      if (n <= 0) break;
      t.set(this.data.subarray(this.position, this.position + n), 0);
      this.position += n;
      total += n;
      if (n < t.length) break;
    }
    return total;
  }

  close(): void {}
}

/** Positioned reads (readv) from a file handle, bounded by the size seen at open. */
export class FileReader implements ByteReader {
  private position = 0;

  constructor(
    private readonly handle: FileHandle,
    readonly size: number,
  ) {}

  async read(targets: readonly Buffer[]): Promise<number> {
    let want = 0;
    for (const t of targets) want += t.length;
    want = Math.min(want, this.size - this.position);
    if (want <= 0) return 0;
    let list = clip(targets, want);
    let total = 0;
    while (total < want) {
      const { bytesRead } = await this.handle.readv(list, this.position);
      if (bytesRead === 0) break;
      this.position += bytesRead;
      total += bytesRead;
      if (total < want) list = skip(list, bytesRead);
    }
    return total;
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}

/** netascii from a file: read raw bytes sequentially, encode, hand out exact amounts. */
export class NetasciiFileReader implements ByteReader {
  readonly size = undefined;
  private pending: Buffer = Buffer.alloc(0);
  private eof = false;
  private readonly scratch = Buffer.allocUnsafe(16384);

  constructor(private readonly inner: ByteReader) {}

  async read(targets: readonly Buffer[]): Promise<number> {
    let want = 0;
    for (const t of targets) want += t.length;
    while (this.pending.length < want && !this.eof) {
      const n = await this.inner.read([this.scratch]);
      if (n < this.scratch.length) this.eof = true;
      this.pending = Buffer.concat([this.pending, netasciiEncode(this.scratch.subarray(0, n))]);
    }
    let total = 0;
    for (const t of targets) {
      const n = Math.min(t.length, this.pending.length - total);
      if (n <= 0) break;
      this.pending.copy(t, 0, total, total + n);
      total += n;
      if (n < t.length) break;
    }
    this.pending = this.pending.subarray(total);
    return total;
  }

  close(): void | Promise<void> {
    return this.inner.close();
  }
}

function clip(targets: readonly Buffer[], bytes: number): Buffer[] {
  const out: Buffer[] = [];
  let left = bytes;
  for (const t of targets) {
    if (left <= 0) break;
    out.push(t.length <= left ? t : t.subarray(0, left));
    left -= t.length;
  }
  return out;
}

function skip(targets: readonly Buffer[], bytes: number): Buffer[] {
  const out: Buffer[] = [];
  let left = bytes;
  for (const t of targets) {
    if (left >= t.length) {
      left -= t.length;
      continue;
    }
    out.push(left > 0 ? t.subarray(left) : t);
    left = 0;
  }
  return out;
}

/** Opens (or checks) a regular file; refuses anything else with TFTP_ACCESS_VIOLATION. */
export async function openRegularFile(
  pathOrHandle: string | FileHandle,
  knownSize?: number,
): Promise<{ handle: FileHandle; size: number }> {
  let handle: FileHandle;
  if (typeof pathOrHandle === "string") {
    try {
      handle = await open(pathOrHandle, fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "ENOENT" || code === "ENOTDIR") {
        throw tftpError("TFTP_FILE_NOT_FOUND", "File not found");
      }
      throw tftpError("TFTP_ACCESS_VIOLATION", "Access violation");
    }
  } else {
    handle = pathOrHandle;
    if (knownSize !== undefined) return { handle, size: knownSize };
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) throw tftpError("TFTP_ACCESS_VIOLATION", "Not a regular file");
    return { handle, size: knownSize ?? st.size };
  } catch (error) {
    await handle.close().catch(() => undefined);
    throw error;
  }
}

export async function openFileReader(
  pathOrHandle: string | FileHandle,
  knownSize?: number,
): Promise<FileReader> {
  const { handle, size } = await openRegularFile(pathOrHandle, knownSize);
  return new FileReader(handle, size);
}

/**
 * A source made ready to stream: bytes already in wire form (netascii encoded), or an
 * open regular file.
 */
export type PreparedSource =
  | { readonly kind: "bytes"; readonly data: Uint8Array }
  | {
      readonly kind: "file";
      readonly handle: FileHandle;
      readonly size: number;
      readonly netascii: boolean;
    };

export async function prepareSource(
  source: Exclude<TftpSource, { kind: "error" }>,
  mode: TransferMode,
): Promise<PreparedSource> {
  if (source.kind === "bytes") {
    return { kind: "bytes", data: mode === "netascii" ? netasciiEncode(source.data) : source.data };
  }
  const { handle, size } =
    source.kind === "file"
      ? await openRegularFile(source.path)
      : await openRegularFile(source.handle, source.size);
  return { kind: "file", handle, size, netascii: mode === "netascii" };
}

/** Bytes on the wire, when known before sending (for tsize). */
export function preparedWireSize(p: PreparedSource): number | undefined {
  if (p.kind === "bytes") return p.data.length;
  return p.netascii ? undefined : p.size;
}

export function readerFromPrepared(p: PreparedSource): ByteReader {
  if (p.kind === "bytes") return new BytesReader(p.data);
  const file = new FileReader(p.handle, p.size);
  return p.netascii ? new NetasciiFileReader(file) : file;
}

export async function closePrepared(p: PreparedSource): Promise<void> {
  if (p.kind === "file") await p.handle.close().catch(() => undefined);
}

/** The reader the server streams for `source` in `mode`. */
export async function readerFor(
  source: Exclude<TftpSource, { kind: "error" }>,
  mode: TransferMode,
): Promise<ByteReader> {
  return readerFromPrepared(await prepareSource(source, mode));
}
