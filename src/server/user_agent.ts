/**
 * Device identity from the HTTP User-Agent (spec §8.2.2, Appendix B.6).
 *
 * Forms seen in the field:
 * - `Linksys/SPA-2102-2.0.5 (88012BA01234)`      vendor / product-firmware (serial)
 * - `Linksys/SPA-942-6.1.5(a) (88019FA42805)`    firmware with a letter suffix
 * - `Cisco/SPA525G-7.4.4 (CBT141900G7)`
 * - `Cisco/SPA501G-7.4.4 (8843E157DDCC)(CBT141100HR)`  SPA50x: MAC then serial
 * - `Sipura/SPA-2000-3.1.7(GWa) (FM500F100000)`
 * - `Cisco-CP-8841-3PCC/11.0 (00562b043615)`      MPP: vendor-product / firmware (serial or MAC)
 *
 * The product/firmware token is split on its **last** `-` (B.6). A single parenthesised id
 * may be a serial number or a MAC (serials like `88012BA01234` are 12 hex digits too), so a
 * 12-hex-digit id is offered as both; the caller looks it up as a MAC first, then as a serial.
 */

export interface UserAgentIdentity {
  /** `Cisco`, `Linksys`, `Sipura`, … as written. */
  readonly vendor: string;
  /** Product name as the device reports it (`SPA-2102`, `SPA504G`, `CP-8841-3PCC`). */
  readonly product: string;
  /** Firmware version (`2.0.5`, `6.1.5(a)`, `11.0`). */
  readonly firmware: string;
  /** Canonical MAC (12 lower-case hex digits) when the header certainly carries one. */
  readonly mac: string | undefined;
  /** Serial number when the header certainly carries one. */
  readonly serial: string | undefined;
  /**
   * A lone 12-hex-digit id, as written, that may be either a MAC or a serial number.
   * Set only when neither {@link mac} nor {@link serial} is.
   */
  readonly macOrSerial: string | undefined;
}

/** Longest User-Agent we bother to parse; anything longer is not a provisioning client. */
export const MAX_USER_AGENT_LENGTH = 256;

const HEX12 = /^[0-9a-fA-F]{12}$/;
const ID = /^[A-Za-z0-9._:-]{1,64}$/;
/** `vendor/token` then ` (id)` groups, optionally `(id)(id)`. */
const UA = /^([A-Za-z][A-Za-z0-9._-]{0,63})\/(\S{1,96})((?:\s*\([^()]{0,64}\))*)\s*(.*)$/;
const GROUP = /\(([^()]*)\)/g;

/** Parses a provisioning User-Agent; `undefined` when it is not one of the known forms. */
export function parseUserAgent(header: string | undefined): UserAgentIdentity | undefined {
  if (header === undefined || header.length === 0 || header.length > MAX_USER_AGENT_LENGTH) {
    return undefined;
  }
  const m = UA.exec(header.trim());
  if (m === null) return undefined;
  const head = m[1]!;
  const token = m[2]!;
  const groups = [...(m[3] ?? "").matchAll(GROUP)].map((g) => g[1]!.trim());

  let vendor: string;
  let product: string;
  let firmware: string;
  const dash = token.lastIndexOf("-");
  if (dash > 0 && dash < token.length - 1 && /^\d/.test(token.slice(dash + 1))) {
    // SPA form: vendor / product-firmware
    vendor = head;
    product = token.slice(0, dash);
    firmware = token.slice(dash + 1);
  } else {
    // MPP form: vendor-product / firmware
    const first = head.indexOf("-");
    if (first <= 0) return undefined;
    vendor = head.slice(0, first);
    product = head.slice(first + 1);
    firmware = token;
  }
  if (!/^[A-Za-z]/.test(vendor) || product === "" || firmware === "") return undefined;

  const ids = groups.filter((g) => ID.test(g));
  let mac: string | undefined;
  let serial: string | undefined;
  let macOrSerial: string | undefined;
  if (ids.length >= 2) {
    const [a, b] = ids as [string, string];
    if (HEX12.test(a)) mac = a.toLowerCase();
    serial = b;
  } else if (ids.length === 1) {
    const only = ids[0]!;
    if (HEX12.test(only)) macOrSerial = only;
    else serial = only;
  }
  return { vendor, product, firmware, mac, serial, macOrSerial };
}
