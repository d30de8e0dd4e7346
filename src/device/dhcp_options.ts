/**
 * What the emulated DHCP server told the device (§6.9): the default provisioning server
 * for rules without a server, and option 160's URL.
 */
import { isIP } from "node:net";

export interface DhcpOptions {
  /**
   * Option 66, TFTP server name. The emulator also accepts `host:port` so a test can point
   * a factory unit at a TFTP server on a high port.
   */
  readonly option66?: string;
  /** Option 150, Cisco TFTP server addresses (the first is used). */
  readonly option150?: readonly string[];
  /** Option 159, provisioning server IP. */
  readonly option159?: string;
  /** Option 160, provisioning URL. */
  readonly option160?: string;
}

export interface DefaultServer {
  readonly host: string;
  readonly port: number | undefined;
  /** Which option supplied it. */
  readonly option: number;
}

function hostPort(text: string): { host: string; port: number | undefined } | undefined {
  const t = text.trim();
  if (t === "") return undefined;
  if (isIP(t) !== 0) return { host: t, port: undefined };
  const m = /^([A-Za-z0-9_.-]+)(?::(\d{1,5}))?$/.exec(t);
  if (m === null) return undefined;
  const port = m[2] === undefined ? undefined : Number(m[2]);
  return { host: m[1]!, port: port !== undefined && port >= 1 && port <= 65535 ? port : undefined };
}

/**
 * The server for a rule URL without one: the options listed in `DHCP_Option_To_Use`, in
 * that order, first present wins (§6.9, SPA5xx/MPP); plain SPA firmware uses option 66.
 */
export function defaultServer(
  dhcp: DhcpOptions | undefined,
  optionOrder: string,
): DefaultServer | undefined {
  if (dhcp === undefined) return undefined;
  const order = optionOrder
    .split(",")
    .map((s) => Number(s.trim()))
    .filter((n) => Number.isInteger(n));
  const list = order.length === 0 ? [66] : order;
  for (const option of list) {
    let hp: ReturnType<typeof hostPort>;
    if (option === 66 && dhcp.option66 !== undefined) hp = hostPort(dhcp.option66);
    else if (option === 150 && dhcp.option150 !== undefined && dhcp.option150.length > 0)
      hp = hostPort(dhcp.option150[0]!);
    else if (option === 159 && dhcp.option159 !== undefined) hp = hostPort(dhcp.option159);
    if (hp !== undefined) return { ...hp, option };
  }
  return undefined;
}
