/**
 * The unit's SIP NOTIFY control (§9.6): an out-of-dialog NOTIFY to a line's contact asks
 * for a resync (`Event: resync`, `check-sync`), a report, or a reboot/restart. With
 * `Auth_Resync-Reboot_n_` = Yes (default) the unit first challenges with 401 and acts only
 * on a retry carrying valid Digest credentials of that line (RFC 2617: User_ID or Auth_ID,
 * Password). `Restrict_Source_IP_n_` drops NOTIFYs not sent from the line's proxy. Unknown
 * events get 489 Bad Event. Only NOTIFY is handled here (no registration, no calls).
 */
import { createHash, randomBytes } from "node:crypto";
import { createSocket, type RemoteInfo, type Socket } from "node:dgram";
import { parseBool } from "../profile/index.ts";
import { headerKey, parseSipMessage } from "../sip/index.ts";
import type { Device } from "./device.ts";

export interface SipListener {
  readonly port: number;
  close(): Promise<void>;
}

export interface SipListenerOptions {
  /** Loopback by default. */
  readonly host?: string;
  /** Default 0 (any free port); a unit uses 5060 + line. */
  readonly port?: number;
}

export type NotifyEvent =
  | "resync"
  | "check-sync"
  | "report"
  | "reboot_now"
  | "reboot"
  | "restart_now";
const EVENTS = new Set<string>([
  "resync",
  "check-sync",
  "report",
  "reboot_now",
  "reboot",
  "restart_now",
]);

interface SipRequest {
  readonly method: string;
  readonly uri: string;
  /** Lower-case header name → values in order (compact forms expanded). */
  readonly headers: ReadonlyMap<string, readonly string[]>;
}

/**
 * The start line and headers of a SIP request, read by the SIP library's codec (the one the
 * server's push client uses); undefined for a response or for what the codec refuses — a
 * unit ignores a datagram it cannot read.
 */
export function parseSipRequest(text: string): SipRequest | undefined {
  let message: ReturnType<typeof parseSipMessage>;
  try {
    message = parseSipMessage(text);
  } catch {
    return undefined;
  }
  if (message.kind !== "request") return undefined;
  const headers = new Map<string, string[]>();
  for (const [name, value] of message.headers) {
    const key = headerKey(name);
    const list = headers.get(key) ?? [];
    list.push(value);
    headers.set(key, list);
  }
  return { method: message.method, uri: message.uri, headers };
}

const md5 = (t: string): string => createHash("md5").update(t).digest("hex");

function digestParams(header: string): Map<string, string> | undefined {
  const m = /^\s*Digest\s+(.*)$/is.exec(header);
  if (m === null) return undefined;
  const out = new Map<string, string>();
  for (const p of m[1]!.matchAll(/([A-Za-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))/g)) {
    out.set(p[1]!.toLowerCase(), p[2] ?? p[3]!);
  }
  return out;
}

export async function startSipListener(
  device: Device,
  options: SipListenerOptions = {},
): Promise<SipListener> {
  const socket: Socket = createSocket("udp4");
  const nonces = new Set<string>();
  const realm = `${device.identity.productName}-${device.identity.mac}`;

  const reply = (req: SipRequest, to: RemoteInfo, status: string, extra: string[] = []) => {
    const h = (n: string) => req.headers.get(n) ?? [];
    const toHeader = h("to")[0] ?? "";
    const lines = [
      `SIP/2.0 ${status}`,
      ...h("via").map((v) => `Via: ${v}`),
      ...h("from").map((v) => `From: ${v}`),
      `To: ${/;tag=/.test(toHeader) ? toHeader : `${toHeader};tag=${device.identity.mac.slice(6)}`}`,
      ...h("call-id").map((v) => `Call-ID: ${v}`),
      ...h("cseq").map((v) => `CSeq: ${v}`),
      ...extra,
      "Content-Length: 0",
      "",
      "",
    ];
    socket.send(lines.join("\r\n"), to.port, to.address);
  };

  const lineOf = (uri: string): number => {
    const user = /^sips?:([^@;>]+)@/.exec(uri)?.[1];
    for (let n = 1; n <= 16; n++) {
      const id = device.params.get(`User_ID_${n}_`);
      if (id === undefined) break;
      if (user !== undefined && id !== "" && id === user) return n;
    }
    return 1;
  };

  const authorized = (req: SipRequest, line: number): boolean => {
    const header = req.headers.get("authorization")?.[0];
    const p = header === undefined ? undefined : digestParams(header);
    if (p === undefined) return false;
    const nonce = p.get("nonce") ?? "";
    if (!nonces.has(nonce) || p.get("realm") !== realm) return false;
    const useAuthId = parseBool(device.params.get(`Use_Auth_ID_${line}_`) ?? "No") === true;
    const user = device.params.get(useAuthId ? `Auth_ID_${line}_` : `User_ID_${line}_`) ?? "";
    if (p.get("username") !== user) return false;
    const ha1 = md5(`${user}:${realm}:${device.params.get(`Password_${line}_`) ?? ""}`);
    const ha2 = md5(`NOTIFY:${p.get("uri") ?? ""}`);
    const qop = p.get("qop");
    const expected =
      qop === "auth"
        ? md5(`${ha1}:${nonce}:${p.get("nc") ?? ""}:${p.get("cnonce") ?? ""}:auth:${ha2}`)
        : md5(`${ha1}:${nonce}:${ha2}`);
    return p.get("response") === expected;
  };

  const act = (event: NotifyEvent): void => {
    const note = (m: string) => device.notice(m);
    switch (event) {
      case "resync":
      case "check-sync":
        if (parseBool(device.params.get("Resync_From_SIP") ?? "Yes") === false) {
          note(`NOTIFY ${event} ignored: Resync_From_SIP is No`);
        } else void device.resync();
        return;
      case "report":
        void device.report();
        return;
      case "reboot_now":
      case "reboot":
        device.reboot("SIP Triggered");
        return;
      case "restart_now":
        note("NOTIFY restart_now: voice application restarted");
    }
  };

  socket.on("message", (msg, rinfo) => {
    if (!device.isPoweredOn) return;
    const req = parseSipRequest(msg.toString("latin1"));
    if (req === undefined) return;
    if (req.method !== "NOTIFY") {
      if (req.method !== "ACK") reply(req, rinfo, "501 Not Implemented");
      return;
    }
    const line = lineOf(req.uri);
    if (parseBool(device.params.get(`Restrict_Source_IP_${line}_`) ?? "No") === true) {
      const proxy = (device.params.get(`Proxy_${line}_`) ?? "").replace(/:\d+$/, "");
      if (proxy !== rinfo.address) return; // dropped, no answer
    }
    const event = (req.headers.get("event")?.[0] ?? "").split(";")[0]!.trim().toLowerCase();
    if (!EVENTS.has(event)) {
      reply(req, rinfo, "489 Bad Event");
      return;
    }
    if (
      parseBool(device.params.get(`Auth_Resync-Reboot_${line}_`) ?? "Yes") !== false &&
      !authorized(req, line)
    ) {
      const nonce = randomBytes(12).toString("hex");
      nonces.add(nonce);
      if (nonces.size > 64) nonces.delete(nonces.values().next().value!);
      reply(req, rinfo, "401 Unauthorized", [
        `WWW-Authenticate: Digest realm="${realm}", nonce="${nonce}", qop="auth", algorithm=MD5`,
      ]);
      return;
    }
    reply(req, rinfo, "200 OK");
    act(event as NotifyEvent);
  });

  await new Promise<void>((resolve, reject) => {
    socket.once("error", reject);
    socket.bind(options.port ?? 0, options.host ?? "127.0.0.1", () => {
      socket.off("error", reject);
      socket.on("error", () => undefined);
      resolve();
    });
  });
  return {
    port: socket.address().port,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
