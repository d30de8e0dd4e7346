/**
 * Connection limits for a TCP listener (device-facing HTTP/HTTPS, admin): a cap on open
 * connections overall and per client address, so one address holding slow or idle
 * connections cannot exhaust the process for everyone else.
 *
 * A client address is an IPv4 address, or an IPv6 /64 — one IPv6 host usually owns a whole
 * /64, so counting single IPv6 addresses would limit nothing. Refused connections are reset
 * (RST) right after accept, before TLS or HTTP parsing spends anything on them.
 */
import type { Server, Socket } from "node:net";
import { isIPv6 } from "node:net";
import type { Logger } from "pino";

export interface ConnectionLimits {
  /** Open connections the listener accepts in all (net's `maxConnections`). */
  readonly maxConnections: number;
  /** Open connections one client address (IPv4 address, IPv6 /64) may hold. */
  readonly maxConnectionsPerAddress: number;
}

export type RefusalReason = "per-address" | "total";

/** The eight 16-bit groups of a valid IPv6 address (`::` filled in, zone dropped). */
function ipv6Groups(address: string): number[] | undefined {
  let text = address.split("%")[0] ?? "";
  // A trailing dotted quad (`::ffff:192.0.2.1`) is the last two groups.
  const quad = /^(.*:)(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (quad !== null) {
    const [a, b, c, d] = quad.slice(2).map(Number) as [number, number, number, number];
    text = `${quad[1]}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const parts = (s: string | undefined): string[] =>
    s === undefined || s === "" ? [] : s.split(":");
  const head = parts(halves[0]);
  const tail = halves.length === 2 ? parts(halves[1]) : [];
  const fill = 8 - head.length - tail.length;
  if (fill < 0 || (halves.length === 1 && fill !== 0)) return undefined;
  const groups = [...head, ...Array<string>(fill).fill("0"), ...tail].map((g) =>
    /^[0-9a-f]{1,4}$/i.test(g) ? Number.parseInt(g, 16) : Number.NaN,
  );
  return groups.every(Number.isFinite) ? groups : undefined;
}

/**
 * The key a connection is counted under: the IPv4 address (also when IPv4-mapped, as a
 * dual-stack listener reports it), or the IPv6 /64 prefix (`2001:db8:1:2::/64`).
 */
export function clientAddressKey(remoteAddress: string | undefined): string {
  if (remoteAddress === undefined || remoteAddress === "") return "unknown";
  // No colon, no IPv6 (the common IPv4 case skips the parse).
  if (!remoteAddress.includes(":") || !isIPv6(remoteAddress)) return remoteAddress;
  const groups = ipv6Groups(remoteAddress);
  if (groups === undefined) return remoteAddress;
  const [g0, g1, g2, g3, g4, g5, g6, g7] = groups as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0xffff) {
    return `${g6 >> 8}.${g6 & 0xff}.${g7 >> 8}.${g7 & 0xff}`;
  }
  return `${[g0, g1, g2, g3].map((g) => g.toString(16)).join(":")}::/64`;
}

/**
 * Applies `limits` to `server` (call before `listen`). `onRefused` hears every refusal, for
 * metrics and a throttled log line.
 */
export function limitConnections(
  server: Server,
  limits: ConnectionLimits,
  onRefused: (reason: RefusalReason, addressKey: string) => void,
): void {
  const open = new Map<string, number>();
  server.maxConnections = limits.maxConnections;
  // net closes connections beyond `maxConnections` itself, before any listener sees them.
  server.on("drop", (data?: { remoteAddress?: string }) => {
    onRefused("total", clientAddressKey(data?.remoteAddress));
  });
  const admit = (socket: Socket): boolean => {
    const key = clientAddressKey(socket.remoteAddress);
    const count = open.get(key) ?? 0;
    if (count >= limits.maxConnectionsPerAddress) {
      socket.on("error", () => {});
      socket.resetAndDestroy();
      onRefused("per-address", key);
      return false;
    }
    open.set(key, count + 1);
    socket.once("close", () => {
      const left = (open.get(key) ?? 1) - 1;
      if (left <= 0) open.delete(key);
      else open.set(key, left);
    });
    return true;
  };
  // A refused connection is not announced at all: no TLS session or HTTP parser is set up
  // for a socket that is already gone (a listener cannot stop the others from running).
  const emit = server.emit as (this: Server, event: string | symbol, ...args: unknown[]) => boolean;
  server.emit = function (this: Server, event: string | symbol, ...args: unknown[]): boolean {
    if (event === "connection" && !admit(args[0] as Socket)) return false;
    return emit.call(this, event, ...args);
  } as Server["emit"];
}

/**
 * Reports refusals: `count` hears each one (metrics); the log gets one security line at the
 * first refusal and then at most one per `intervalMs` summing up the rest, so a flood of
 * connections cannot flood the log.
 */
export function refusalReporter(
  listener: string,
  logger: Logger,
  count: (reason: RefusalReason) => void,
  options: { intervalMs?: number; now?: () => number } = {},
): (reason: RefusalReason, addressKey: string) => void {
  const intervalMs = options.intervalMs ?? 10_000;
  const now = options.now ?? Date.now;
  let lastLog = Number.NEGATIVE_INFINITY;
  let unlogged = 0;
  return (reason, addressKey) => {
    count(reason);
    unlogged += 1;
    const t = now();
    if (t - lastLog < intervalMs) return;
    lastLog = t;
    logger.warn(
      {
        security: "connection-limit",
        listener,
        reason,
        remoteAddress: addressKey,
        refused: unlogged,
      },
      reason === "total"
        ? `${listener}: connection refused, the listener is at its connection limit`
        : `${listener}: connection refused, the address is at its per-address connection limit`,
    );
    unlogged = 0;
  };
}
