/**
 * A ready resolver serving files under one directory. Nothing outside the root can be
 * read: `..` segments, backslashes, NUL and control characters, percent-encoded bytes,
 * drive letters, empty segments and symlinks resolving outside the root all answer
 * "Access violation". A single leading "/" means the root (devices ask for
 * `/spa2102.cfg`), as with tftpd-hpa's `--secure`.
 */
import { constants as fsConstants } from "node:fs";
import { open, realpath } from "node:fs/promises";
import { join, sep } from "node:path";
import { TftpErrorCode } from "./errors.ts";
import type { TftpRequest, TftpResolver } from "./server.ts";
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
