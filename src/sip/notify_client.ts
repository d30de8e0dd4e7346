/**
 * Out-of-dialog NOTIFY to a device's SIP contact over UDP: what a PBX sends to make a unit
 * resync (`Event: check-sync`, `resync`), reboot or report. A 401/407 challenge is answered
 * once with the line's Digest credentials (a second challenge is a refusal: the credentials
 * are wrong). One UDP socket serves many NOTIFYs; responses are matched to transactions by
 * the Via branch.
 */
import { randomBytes } from "node:crypto";
import { createSocket, type Socket } from "node:dgram";
import { isIPv6 } from "node:net";
import {
  NonInviteClientTransaction,
  type SipClock,
  type SipTimers,
  systemSipClock,
} from "./client_transaction.ts";
import { chooseChallenge, type DigestCredentials, digestAuthorization } from "./digest.ts";
import { sipError } from "./errors.ts";
import {
  headerParam,
  headerValue,
  headerValues,
  parseSipMessage,
  type SipHeader,
  type SipResponse,
  serializeSipMessage,
} from "./sip_message.ts";

/** The `Event:` values a unit acts on (resync, report, restarts). */
export const NOTIFY_EVENTS = [
  "check-sync",
  "resync",
  "report",
  "reboot",
  "reboot_now",
  "restart_now",
] as const;
export type NotifyEvent = (typeof NOTIFY_EVENTS)[number];

export function isNotifyEvent(value: string): value is NotifyEvent {
  return (NOTIFY_EVENTS as readonly string[]).includes(value);
}

export interface SipContact {
  readonly host: string;
  readonly port: number;
}

export interface NotifyRequest {
  readonly contact: SipContact;
  readonly event: NotifyEvent;
  /** The user part of the Request-URI (the line's User_ID); none = `sip:host:port`. */
  readonly user?: string | undefined;
  /** Answers a challenge; without them a challenge ends the NOTIFY as `unauthorized`. */
  readonly credentials?: DigestCredentials | undefined;
}

export type NotifyOutcome =
  /** A 2xx: the unit took the request. */
  | "accepted"
  /** A final non-2xx other than a challenge (489 Bad Event, 403, …). */
  | "rejected"
  /** Challenged and no credentials, or challenged again after answering. */
  | "unauthorized"
  /** No final response before Timer F. */
  | "timeout"
  /** The challenge could not be answered (unsupported algorithm, malformed). */
  | "failed";

export interface NotifyResult {
  readonly outcome: NotifyOutcome;
  /** The final status received, if any. */
  readonly status: number | undefined;
  readonly reason: string | undefined;
  readonly challenged: boolean;
  /** Datagrams sent, retransmissions included. */
  readonly transmissions: number;
}

/** What a SIP user part, host or token may hold here (no header or URI syntax). */
const SAFE_USER = /^[A-Za-z0-9\-_.!~*'()&=+$,;?/%]{1,128}$/;
const SAFE_HOST = /^[A-Za-z0-9.:-]{1,253}$/;

function hostInUri(host: string): string {
  return isIPv6(host) ? `[${host}]` : host;
}

export interface SipUdpClientOptions {
  /** Local address to bind (default `0.0.0.0`). */
  readonly bindAddress?: string;
  readonly port?: number;
  /** The host written in Via and Contact; default: the address the socket uses towards each target. */
  readonly advertisedHost?: string;
  readonly clock?: SipClock;
  readonly timers?: SipTimers;
  /** Written in the From header (`sip:<fromUser>@host`). Default `provisio`. */
  readonly fromUser?: string;
}

export class SipUdpClient {
  readonly #socket: Socket;
  readonly #options: SipUdpClientOptions;
  readonly #clock: SipClock;
  readonly #pending = new Map<string, NonInviteClientTransaction>();
  readonly #localHosts = new Map<string, string>();
  #closed = false;

  private constructor(socket: Socket, options: SipUdpClientOptions) {
    this.#socket = socket;
    this.#options = options;
    this.#clock = options.clock ?? systemSipClock;
    socket.on("message", (msg) => this.#onMessage(msg));
  }

  static async open(options: SipUdpClientOptions = {}): Promise<SipUdpClient> {
    const socket = createSocket("udp4");
    await new Promise<void>((resolve, reject) => {
      socket.once("error", reject);
      socket.bind(options.port ?? 0, options.bindAddress ?? "0.0.0.0", () => {
        socket.off("error", reject);
        // A send failure (ICMP unreachable) surfaces as a timeout of its transaction.
        socket.on("error", () => undefined);
        resolve();
      });
    });
    return new SipUdpClient(socket, options);
  }

  get port(): number {
    return this.#socket.address().port;
  }

  #onMessage(bytes: Buffer): void {
    let message: ReturnType<typeof parseSipMessage>;
    try {
      message = parseSipMessage(bytes);
    } catch {
      return; // not SIP, or malformed: nothing to match it to
    }
    if (message.kind !== "response") return;
    const branch = headerParam(headerValue(message, "via") ?? "", "branch");
    if (branch === undefined) return;
    this.#pending.get(branch)?.receive(message);
  }

  /** The address this host uses to reach `host` (for Via and Contact). */
  async #localHostFor(host: string): Promise<string> {
    if (this.#options.advertisedHost !== undefined) return this.#options.advertisedHost;
    const bound = this.#socket.address().address;
    if (bound !== "0.0.0.0") return bound;
    const known = this.#localHosts.get(host);
    if (known !== undefined) return known;
    const probe = createSocket("udp4");
    const local = await new Promise<string>((resolve) => {
      probe.on("error", () => resolve("127.0.0.1"));
      probe.connect(9, host, () => resolve(probe.address().address));
    });
    probe.close();
    if (this.#localHosts.size > 1_000) this.#localHosts.clear();
    this.#localHosts.set(host, local);
    return local;
  }

  /**
   * Sends the NOTIFY and, when challenged, once more with credentials. Never throws for what
   * the far end does; throws `SIP_VALUE_INVALID` for a user or host that cannot be written.
   */
  async notify(request: NotifyRequest): Promise<NotifyResult> {
    const { contact, user, event } = request;
    if (!SAFE_HOST.test(contact.host)) {
      throw sipError("SIP_VALUE_INVALID", "the SIP contact host is not a host name or address");
    }
    if (!Number.isInteger(contact.port) || contact.port < 1 || contact.port > 65_535) {
      throw sipError("SIP_VALUE_INVALID", "the SIP contact port is out of range");
    }
    if (user !== undefined && !SAFE_USER.test(user)) {
      throw sipError("SIP_VALUE_INVALID", "the SIP user cannot be written in a Request-URI");
    }
    const local = await this.#localHostFor(contact.host);
    const hostPort = `${hostInUri(contact.host)}:${contact.port}`;
    const uri = user === undefined ? `sip:${hostPort}` : `sip:${user}@${hostPort}`;
    const fromUser = this.#options.fromUser ?? "provisio";
    const callId = `${randomBytes(10).toString("hex")}@${local}`;
    const fromTag = randomBytes(6).toString("hex");
    const base: SipHeader[] = [
      ["Max-Forwards", "70"],
      ["From", `<sip:${fromUser}@${hostInUri(local)}>;tag=${fromTag}`],
      ["To", `<${uri}>`],
      ["Call-ID", callId],
    ];
    const tail: SipHeader[] = [
      ["Contact", `<sip:${fromUser}@${hostInUri(local)}:${this.port}>`],
      ["Event", event],
      ["Subscription-State", "terminated"],
      ["User-Agent", "Provisio"],
    ];
    let transmissions = 0;
    const send = async (cseq: number, auth: SipHeader[]) => {
      const branch = `z9hG4bK${randomBytes(10).toString("hex")}`;
      const bytes = serializeSipMessage({
        kind: "request",
        method: "NOTIFY",
        uri,
        headers: [
          ["Via", `SIP/2.0/UDP ${hostInUri(local)}:${this.port};branch=${branch};rport`],
          ...base,
          ["CSeq", `${cseq} NOTIFY`],
          ...auth,
          ...tail,
        ],
        body: "",
      });
      const transaction = new NonInviteClientTransaction({
        send: () => {
          if (!this.#closed) this.#socket.send(bytes, contact.port, contact.host);
        },
        clock: this.#clock,
        ...(this.#options.timers === undefined ? {} : { timers: this.#options.timers }),
        onTerminated: () => this.#pending.delete(branch),
      });
      this.#pending.set(branch, transaction);
      const result = await transaction.result;
      transmissions += result.transmissions;
      return result;
    };
    const done = (
      outcome: NotifyOutcome,
      response: SipResponse | undefined,
      challenged: boolean,
    ): NotifyResult => ({
      outcome,
      status: response?.status,
      reason: response?.reason.slice(0, 120),
      challenged,
      transmissions,
    });

    const first = await send(1, []);
    if (first.kind !== "response") return done("timeout", undefined, false);
    const r1 = first.response;
    if (r1.status < 300) return done("accepted", r1, false);
    if (r1.status !== 401 && r1.status !== 407) return done("rejected", r1, false);
    if (request.credentials === undefined) return done("unauthorized", r1, true);
    const challenge = chooseChallenge(
      headerValues(r1, r1.status === 401 ? "www-authenticate" : "proxy-authenticate"),
    );
    if (challenge === undefined) return done("failed", r1, true);
    const authorization = digestAuthorization({
      challenge,
      credentials: request.credentials,
      method: "NOTIFY",
      uri,
    });
    const second = await send(2, [
      [r1.status === 401 ? "Authorization" : "Proxy-Authorization", authorization],
    ]);
    if (second.kind !== "response") return done("timeout", undefined, true);
    const r2 = second.response;
    if (r2.status < 300) return done("accepted", r2, true);
    if (r2.status === 401 || r2.status === 407) return done("unauthorized", r2, true);
    return done("rejected", r2, true);
  }

  /** Cancels what is in flight and closes the socket. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const t of [...this.#pending.values()]) t.cancel();
    await new Promise<void>((resolve) => this.#socket.close(() => resolve()));
  }
}
