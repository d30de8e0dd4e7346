const NON_ASCII = /[^\u0000-\u007f]/;

/** True when any code unit is above 0x7F (SPA firmware handles ASCII only, §3.2.4). */
export function hasNonAscii(text: string): boolean {
  // A compiled regex scans faster than a charCodeAt loop (measured in the parse bench).
  return NON_ASCII.test(text);
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** True when the string has an unpaired surrogate, which no UTF-8 file can carry. */
export function hasLoneSurrogate(text: string): boolean {
  return LONE_SURROGATE.test(text);
}
