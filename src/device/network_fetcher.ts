/**
 * The real transport: DNS A records (§1.3), TFTP through the project's client (§8.1),
 * HTTP/HTTPS through node:http/https (§8.2, §8.3). Transport timers (TFTP retransmission,
 * HTTP deadline) run on their own clock — the system clock by default — because a real
 * socket answers in real time even when the device's schedule runs on a virtual clock.
 */
import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import { systemClock, type TftpClock } from "../tftp/index.ts";
import type { FetchResult } from "./fetch_result.ts";
import { httpFetch } from "./http_fetch.ts";
import type { FetchRequest, ProfileFetcher } from "./profile_fetcher.ts";
import { tftpFetch, tftpUpload } from "./tftp_fetch.ts";

export interface NetworkFetcherOptions {
  /** Clock for transport timers; default the system clock. */
  readonly clock?: TftpClock;
  /** HTTP(S) answer deadline; default 30 000 ms. */
  readonly httpTimeoutMs?: number;
  /** TFTP retransmission timeout; default 1000 ms. */
  readonly tftpRetransmitMs?: number;
  /** TFTP retransmissions before giving up; default 5. */
  readonly tftpMaxRetries?: number;
  /** Largest profile accepted; default 16 MiB. */
  readonly maxBytes?: number;
  /** Source address of HTTP(S) connections; default the system's choice. */
  readonly localAddress?: string;
  /** Name resolution; default `dns.lookup` (A records, every address). */
  readonly resolve?: (host: string) => Promise<string[]>;
}

async function lookupAll(host: string): Promise<string[]> {
  if (isIP(host) !== 0) return [host];
  const found = await lookup(host, { family: 4, all: true });
  return found.map((a) => a.address);
}

export function networkFetcher(options: NetworkFetcherOptions = {}): ProfileFetcher {
  const clock = options.clock ?? systemClock;
  const maxBytes = options.maxBytes ?? 16 * 1024 * 1024;
  const resolve = options.resolve ?? lookupAll;
  const moved = new Map<string, string>();
  const tftp = {
    clock,
    retransmitMs: options.tftpRetransmitMs ?? 1000,
    maxRetries: options.tftpMaxRetries ?? 5,
    maxBytes,
  };
  return {
    resolve,
    put: (request, data) => tftpUpload(request, data, tftp),
    fetch(request: FetchRequest): Promise<FetchResult> {
      if (request.scheme === "tftp") return tftpFetch(request, tftp);
      return httpFetch(request, {
        clock,
        timeoutMs: options.httpTimeoutMs ?? 30_000,
        maxBytes,
        resolve,
        moved,
        ...(options.localAddress === undefined ? {} : { localAddress: options.localAddress }),
      });
    },
  };
}
