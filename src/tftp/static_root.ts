/**
 * A ready resolver serving files under one directory. Nothing outside the root can be
 * read: `..` segments, backslashes, NUL and control characters, percent-encoded bytes,
 * drive letters, empty segments and symlinks resolving outside the root all answer
 * "Access violation". A single leading "/" means the root (devices ask for
 * `/spa2102.cfg`), as with tftpd-hpa's `--secure`.
 */
import { constants as fsConstants } from "node:fs";
import { lstat, open, realpath, rename, unlink, writeFile } from "node:fs/promises";
import { join, sep } from "node:path";
import { TftpErrorCode } from "./errors.ts";
import type { TftpRequest, TftpResolver, TftpUploadResolver, TftpUploadTarget } from "./server.ts";
import { errorSource, type TftpSource } from "./source.ts";

const FORBIDDEN = /[\x00-\x1f\x7f\\]|%[0-9a-fA-F]{2}|^[A-Za-z]:/;

/** The path segments of a TFTP file name, or undefined when it is not acceptable. */
export function safeSegments(filename: string): string[] | undefined {
  if (filename.length === 0 || filename.length > 1024) return undefined;
  if (FORBIDDEN.test(filename)) return undefined;
  const relative = filename.startsWith("/") ? filename.slice(1) : filename;
  if (relative.length === 0) return undefined;
  const segments = relative.split("/");
  for (const s of segments) {
    if (s === "" || s === "." || s === "..") return undefined;
  }
  return segments;
}

const denied = (): TftpSource => errorSource(TftpErrorCode.AccessViolation, "Access violation");
const missing = (): TftpSource => errorSource(TftpErrorCode.FileNotFound, "File not found");

export function staticRootResolver(root: string): TftpResolver {
  let rootReal: Promise<string> | undefined;
  return async (request: TftpRequest): Promise<TftpSource> => {
    rootReal ??= realpath(root);
    const base = await rootReal;
    const segments = safeSegments(request.filename);
    if (!segments) return denied();
    let real: string;
    try {
      real = await realpath(join(base, ...segments));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      return code === "ENOENT" || code === "ENOTDIR" ? missing() : denied();
    }
    if (real !== base && !real.startsWith(base.endsWith(sep) ? base : base + sep)) return denied();
    let handle: Awaited<ReturnType<typeof open>>;
    try {
      handle = await open(real, fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      return code === "ENOENT" ? missing() : denied();
    }
    try {
      const st = await handle.stat();
      if (!st.isFile()) {
        await handle.close();
        return denied();
      }
      return { kind: "handle", handle, size: st.size };
    } catch {
      await handle.close().catch(() => undefined);
      return denied();
    }
  };
}

export interface UploadRootOptions {
  /** Largest accepted upload; default 1 MiB. */
  readonly maxBytes?: number;
  /** Replace an existing file (default true: devices re-upload their reports). */
  readonly overwrite?: boolean;
  /** Called after a file is stored (for events/metrics); errors are the caller's. */
  readonly onStored?: (path: string, bytes: number, request: TftpRequest) => void;
}

/**
 * An upload area for WRQ (e.g. §8.4 report uploads): files land under `root` with the
 * same name rules as `staticRootResolver` (traversal → Access violation); directories
 * must already exist; each file is written to a temporary name and renamed, so readers
 * never see half a report.
 */
export function uploadRootResolver(
  root: string,
  options: UploadRootOptions = {},
): TftpUploadResolver {
  let rootReal: Promise<string> | undefined;
  return async (request: TftpRequest): Promise<TftpUploadTarget> => {
    rootReal ??= realpath(root);
    const base = await rootReal;
    const segments = safeSegments(request.filename);
    if (!segments) return { kind: "error", code: TftpErrorCode.AccessViolation };
    let dir: string;
    try {
      dir = await realpath(join(base, ...segments.slice(0, -1)));
    } catch {
      return { kind: "error", code: TftpErrorCode.AccessViolation, message: "No such directory" };
    }
    if (dir !== base && !dir.startsWith(base.endsWith(sep) ? base : base + sep)) {
      return { kind: "error", code: TftpErrorCode.AccessViolation };
    }
    const target = join(dir, segments[segments.length - 1]!);
    const existing = await lstat(target).catch(() => undefined);
    if (existing && (!existing.isFile() || options.overwrite === false)) {
      return existing.isFile()
        ? { kind: "error", code: TftpErrorCode.FileExists }
        : { kind: "error", code: TftpErrorCode.AccessViolation };
    }
    return {
      kind: "accept",
      maxBytes: options.maxBytes ?? 1024 * 1024,
      onComplete: async (data) => {
        const tmp = `${target}.${process.pid}.${Date.now()}.part`;
        try {
          await writeFile(tmp, data, { flag: "wx" });
          await rename(tmp, target);
        } catch (error) {
          await unlink(tmp).catch(() => undefined);
          throw error;
        }
        options.onStored?.(target, data.length, request);
      },
    };
  };
}
