/**
 * The unit's address as the customer types it: an IPv4 address on a private network (RFC 1918,
 * link-local, loopback), optionally with the web server's port (`Web_Server_Port`, 80 by
 * default). Anything else is refused, so a typo cannot send the activation code to a host on
 * the Internet.
 */
export type DeviceAddress =
  | { readonly ok: true; readonly host: string }
  | { readonly ok: false; readonly message: string };

const FORM = "Type the address as four numbers with dots, like 192.168.1.23.";

function isPrivate(a: number, b: number): boolean {
  return (
    a === 10 ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 169 && b === 254) ||
    a === 127
  );
}

export function parseDeviceAddress(text: string): DeviceAddress {
  const trimmed = text
    .trim()
    .replace(/^https?:\/\//i, "")
    .replace(/\/+$/, "");
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?::(\d{1,5}))?$/.exec(trimmed);
  if (match === null) return { ok: false, message: FORM };
  const octets = match.slice(1, 5).map(Number);
  if (octets.some((o) => o > 255)) return { ok: false, message: FORM };
  const [a = 0, b = 0] = octets;
  if (!isPrivate(a, b)) {
    return {
      ok: false,
      message:
        "That is not an address on a home or office network (they start with 192.168, 10 or 172.16 to 172.31). Check the number on the phone.",
    };
  }
  const port = match[5] === undefined ? undefined : Number(match[5]);
  if (port !== undefined && (port < 1 || port > 65535)) return { ok: false, message: FORM };
  const host = octets.join(".");
  return { ok: true, host: port === undefined || port === 80 ? host : `${host}:${port}` };
}

/** The unit's admin URL that makes it resync once from `initUrl` (spec: `/admin/resync?<rule>`). */
export function resyncUrl(host: string, initUrl: string): string {
  return `http://${host}/admin/resync?${initUrl}`;
}
