/**
 * The device's transport: name resolution and one profile download per call. The resync
 * sequence only sees this interface, so the fleet simulator can hand every device the
 * same fetcher.
 */
import type { Scheme } from "../rules/index.ts";
import type { FetchResult } from "./fetch_result.ts";
import type { ClientCertificate } from "./identity.ts";

/** How the device checks the HTTPS server's name (§8.3.1). */
export type ServerNameCheck = "cn" | "san" | "none";

export interface FetchRequest {
  readonly scheme: Scheme;
  /** Host name as written in the URL (Host header, TLS name check, SNI). */
  readonly host: string;
  /** Addresses to try in turn (§1.3: every A record). */
  readonly addresses: readonly string[];
  readonly port: number;
  /** Path plus `?query`, exactly as sent. */
  readonly target: string;
  readonly method: "GET" | "POST";
  readonly body?: string;
  readonly uid?: string;
  readonly pwd?: string;
  readonly userAgent: string;
  readonly clientCertificate?: ClientCertificate;
  /** CA certificates (PEM) the device trusts for HTTPS servers. */
  readonly trustedCas: readonly string[];
  readonly nameCheck: ServerNameCheck;
}

export interface ProfileFetcher {
  /** IPv4 addresses of `host` (an IP literal resolves to itself); throws when none. */
  resolve(host: string): Promise<string[]>;
  fetch(request: FetchRequest): Promise<FetchResult>;
}
