/**
 * Sends the device's syslog lines to `Syslog_Server` (and `Debug_Server`) over UDP
 * (§6.8): `host[:port]`, port 514 by default, framed `<134>MMM dd hh:mm:ss message`
 * (local0.info; the real framing is undocumented).
 */
import { createSocket, type Socket } from "node:dgram";
import { isIP } from "node:net";

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** RFC 3164-style line for a message logged at `epochMs` (device local time). */
export function syslogLine(message: string, epochMs: number, utcOffsetMinutes = 0): string {
  const t = new Date(epochMs + utcOffsetMinutes * 60_000);
  const two = (n: number) => String(n).padStart(2, "0");
  const day = String(t.getUTCDate()).padStart(2, " ");
  return `<134>${MONTHS[t.getUTCMonth()]} ${day} ${two(t.getUTCHours())}:${two(t.getUTCMinutes())}:${two(t.getUTCSeconds())} ${message}`;
}

/** `host[:port]` of Syslog_Server; undefined when empty or unusable. */
export function syslogTarget(value: string): { host: string; port: number } | undefined {
  const v = value.trim();
  if (v === "") return undefined;
  const m = /^([A-Za-z0-9_.-]+)(?::(\d{1,5}))?$/.exec(v);
  if (m === null) return undefined;
  const port = m[2] === undefined ? 514 : Number(m[2]);
  if (port < 1 || port > 65535) return undefined;
  return { host: m[1]!, port };
}

export type SyslogTransport = (host: string, port: number, line: string) => void;

/** One UDP socket per device, opened on first use, closed with `close()`. */
export class UdpSyslog {
  private socket: Socket | undefined;

  /** No DNS for syslog: IP literals and `localhost` only; other names are dropped. */
  static reaches(host: string): boolean {
    return isIP(host) !== 0 || host === "localhost";
  }

  readonly send: SyslogTransport = (host, port, line) => {
    if (!UdpSyslog.reaches(host)) return;
    if (this.socket === undefined) {
      this.socket = createSocket(isIP(host) === 6 ? "udp6" : "udp4");
      this.socket.on("error", () => undefined);
      this.socket.unref();
    }
    this.socket.send(Buffer.from(line, "latin1"), port, host);
  };

  close(): void {
    this.socket?.close();
    this.socket = undefined;
  }
}
