/**
 * §3.1 step 3: after an optional UTF-8 byte-order mark and white space, `<` means an XML
 * flat profile. Anything else is, for this library, the plain-text source format (a
 * device would try SPC binary; gzip and AES envelopes are unwrapped before this step).
 */
export type ProfileTextFormat = "xml" | "text";

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}

/** Works on decoded text or on the raw (already decrypted and gunzipped) bytes. */
export function detectProfileFormat(input: string | Uint8Array): ProfileTextFormat {
  if (typeof input === "string") {
    let i = input.charCodeAt(0) === 0xfeff ? 1 : 0;
    while (i < input.length && isSpace(input.charCodeAt(i))) i++;
    return input.charCodeAt(i) === 60 ? "xml" : "text";
  }
  let i = input[0] === 0xef && input[1] === 0xbb && input[2] === 0xbf ? 3 : 0;
  while (i < input.length && isSpace(input[i]!)) i++;
  return input[i] === 60 ? "xml" : "text";
}

const decoder = new TextDecoder("utf-8", { ignoreBOM: false });

/**
 * Bytes → text for the codecs: UTF-8, BOM dropped. Invalid sequences become U+FFFD
 * (reported by the codecs as non-ASCII) rather than failing: §3.2.4 asks the emulator to
 * replace code points it cannot use, not to reject the file.
 */
export function decodeProfileBytes(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}
