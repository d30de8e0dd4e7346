/**
 * The HTTP `Range` header of a firmware download (RFC 9110 §14): one byte range, as units
 * resuming an interrupted download send it. Several ranges in one header are answered with
 * the whole image (a server may ignore Range); a header that is not a byte range at all is
 * ignored too. A range that starts past the end is unsatisfiable (416).
 */

export type ByteRange =
  | { readonly kind: "full" }
  | { readonly kind: "partial"; readonly start: number; readonly end: number }
  | { readonly kind: "unsatisfiable" };

const SINGLE = /^bytes[ \t]*=[ \t]*(\d{0,15})[ \t]*-[ \t]*(\d{0,15})[ \t]*$/i;
const MAX_HEADER = 256;

/** The range of a `size`-byte image the header asks for; `end` inclusive. */
export function parseRange(header: string | undefined, size: number): ByteRange {
  if (header === undefined || header.length > MAX_HEADER) return { kind: "full" };
  const m = SINGLE.exec(header);
  if (m === null) return { kind: "full" };
  const [first, last] = [m[1]!, m[2]!];
  if (first === "" && last === "") return { kind: "full" };
  if (first === "") {
    // Suffix range: the last N bytes.
    const n = Number(last);
    if (n === 0) return { kind: "unsatisfiable" };
    if (size === 0) return { kind: "unsatisfiable" };
    return { kind: "partial", start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(first);
  if (start >= size) return { kind: "unsatisfiable" };
  if (last === "") return { kind: "partial", start, end: size - 1 };
  const end = Number(last);
  if (end < start) return { kind: "full" };
  return { kind: "partial", start, end: Math.min(end, size - 1) };
}
