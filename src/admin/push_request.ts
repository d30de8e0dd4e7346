/**
 * What a push may be asked for and what it answers, without the means to send one: the CLI
 * checks a request with these before it opens a store, and a listing command loads no SIP or
 * HTTP client.
 */
import type { NotifyEvent, NotifyOutcome, SipContact } from "../sip/index.ts";
import { apiError } from "./errors.ts";

export type PushVia = "sip" | "http";

export const PUSH_EVENTS: readonly NotifyEvent[] = [
  "check-sync",
  "resync",
  "reboot",
  "reboot_now",
  "restart_now",
  "report",
];

/** Devices one push request may address. */
export const MAX_PUSH_DEVICES = 10_000;

export type PushOutcome = NotifyOutcome | "no-contact" | "unreachable" | "error" | "cancelled";

export interface PushResult {
  readonly mac: string;
  readonly via: PushVia;
  readonly event: NotifyEvent;
  readonly outcome: PushOutcome;
  /** `host:port` the push went to, or null. */
  readonly contact: string | null;
  /** `request`, `last-resync`. */
  readonly contactFrom: string | null;
  readonly status: number | null;
  readonly challenged: boolean;
  readonly transmissions: number;
  readonly message: string | null;
}

/** `host`, `host:port`, `[v6]:port`: a contact given by an operator. */
export function parseContact(text: string, defaultPort = 5060): SipContact {
  const t = text.trim();
  const v6 = /^\[([0-9a-fA-F:.]+)\](?::(\d{1,5}))?$/.exec(t);
  const plain = /^([A-Za-z0-9.-]{1,253})(?::(\d{1,5}))?$/.exec(t);
  const m = v6 ?? plain;
  const port = m?.[2] === undefined ? defaultPort : Number(m[2]);
  if (m === null || port < 1 || port > 65_535) {
    throw apiError(
      "API_VALIDATION",
      `contact ${JSON.stringify(t.slice(0, 80))} is not host[:port]`,
    );
  }
  return { host: m[1]!, port };
}
