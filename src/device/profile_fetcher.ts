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
  /** POST body: `--post` text (sent as Latin-1 bytes) or a report's bytes. */
  readonly body?: string | Buffer;
  /** Content-Type of a POST; default per §4.5.2 (form encoding when the text has `=`). */
  readonly contentType?: string;
  /** `Content-Encoding` of a POST body (an MPP report's `aes128gcm`); default none. */
  readonly contentEncoding?: string;
  /** An upload (Report_Rule): any 2xx answer is success. */
  readonly upload?: boolean;
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
  /** TFTP PUT (WRQ) of `data` to `request.target` (§8.4); HTTP uploads go through `fetch`. */
  put(request: FetchRequest, data: Buffer): Promise<FetchResult>;
}

/** The server's addresses, or none when the name does not resolve (a failure the caller names). */
export async function addressesOf(fetcher: ProfileFetcher, host: string): Promise<string[]> {
  try {
    return await fetcher.resolve(host);
  } catch {
    return [];
  }
}
