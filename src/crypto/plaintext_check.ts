import { isGzip } from "./gzip_envelope.ts";

/**
 * Does a decrypted buffer look like something a device could apply (§3.1 steps 2–3)?
 *
 * Why: PKCS#7 padding alone accepts about one wrong key in 256 (a last byte of 0x01 is
 * valid padding). An encrypted profile is gzip or XML text, so requiring the gzip magic
 * (1 in 65,536 by chance) or "BOM/whitespace, then `<`, then no C0 control bytes in the
 * first KiB" (well under 1 in 10^6 by chance) makes a wrongly accepted key practically
 * impossible without decoding the whole profile.
 */
export function looksLikeProfilePlaintext(bytes: Uint8Array): boolean {
  return looksLikeText(bytes, isXmlStart);
}

/**
 * Like {@link looksLikeProfilePlaintext}, and also accepts the SPC plain-text source format
 * (§3.3): text starting with a parameter name (a letter) or a `#` comment. Devices never
 * receive that format, but tools do encrypt it (`provisio compile --to text --key`, or
 * `openssl enc` of a source file), and must read it back.
 */
export function looksLikeProfileSource(bytes: Uint8Array): boolean {
  return looksLikeText(bytes, isSourceStart);
}

function isXmlStart(b: number): boolean {
  return b === 0x3c; // <
}

function isSourceStart(b: number): boolean {
  // < (XML), # (comment), A-Z, a-z (a name or `import`)
  return b === 0x3c || b === 0x23 || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a);
}

/** gzip, or: optional BOM and white space, an accepted first byte, no C0 controls in the first KiB. */
function looksLikeText(bytes: Uint8Array, accepts: (first: number) => boolean): boolean {
  // Empty plaintext means the only block was 16 × 0x10 — a 2^-128 accident; the key is right.
  if (bytes.length === 0) return true;
  if (isGzip(bytes)) return true;
  const end = Math.min(bytes.length, TEXT_PREFIX_CHECKED);
  let i = 0;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) i = 3;
  while (i < end && isXmlSpace(bytes[i] ?? 0)) i++;
  if (i === bytes.length) return true; // whitespace only: a (useless) text profile
  if (i === end || !accepts(bytes[i] ?? 0)) return false;
  for (; i < end; i++) {
    const b = bytes[i] ?? 0;
    // XML 1.0 forbids C0 controls other than TAB, LF, CR; so does any sane text file.
    if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d) return false;
  }
  return true;
}

/** How much of the text is scanned: enough for certainty, independent of profile size. */
const TEXT_PREFIX_CHECKED = 1024;

function isXmlSpace(b: number): boolean {
  return b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d;
}
