/**
 * What fetching one profile can end in (§6.5): success, a file problem (class B), or
 * anything else (class C); with the `$ERR` text of §6.6.
 */

/** §6.6, the canonical `$ERR` strings. */
export const ERR = {
  fileNotFound: "file not found",
  corrupt: "corrupt file",
  httpGet: "http_get failed",
  httpPost: "http_post failed",
  tftp: "tftp failed",
  dns: "dns lookup failed",
  /** Restricted_Access_Domains refused the host (§9.3). Not in the §6.6 list. */
  restricted: "restricted domain",
  /** No server in the URL and none from DHCP (§6.9). Not in the §6.6 list. */
  noServer: "no provisioning server",
} as const;

export type FetchResult =
  | {
      readonly kind: "ok";
      readonly body: Buffer;
      /** The server address that answered (`$SERVIP`). */
      readonly serverIp: string;
      /** HTTPS request made with the unit's client certificate. */
      readonly clientAuthenticated: boolean;
      /** HTTP `Content-Encoding` of the answer, lower case (MPP `aes128gcm`). */
      readonly contentEncoding?: string;
    }
  | {
      readonly kind: "not-found";
      readonly err: string;
      readonly serverIp: string;
      readonly detail: string;
    }
  | {
      readonly kind: "failed";
      readonly err: string;
      readonly serverIp: string;
      readonly detail: string;
    };
