/**
 * Profile download over TFTP (§8.1): octet RRQ, no options (§8.1.1 "the emulator client
 * does not send them"), each address in turn; ERROR 1 is a file-not-found (class B),
 * every other error or silence is class C.
 */
import { isProvisioError } from "../errors.ts";
import { type TftpClock, type TftpProvisioCode, tftpGet, tftpPut } from "../tftp/index.ts";
import { ERR, type FetchResult } from "./fetch_result.ts";
import type { FetchRequest } from "./profile_fetcher.ts";

export interface TftpFetchOptions {
  readonly clock: TftpClock;
  readonly retransmitMs: number;
  readonly maxRetries: number;
  readonly maxBytes: number;
}

const FILE_NOT_FOUND: TftpProvisioCode = "TFTP_FILE_NOT_FOUND";
const TIMEOUT: TftpProvisioCode = "TFTP_TIMEOUT";

export async function tftpFetch(request: FetchRequest, o: TftpFetchOptions): Promise<FetchResult> {
  let last: FetchResult | undefined;
  for (const address of request.addresses) {
    try {
      const { data } = await tftpGet(request.target, {
        host: address,
        port: request.port,
        mode: "octet",
        clock: o.clock,
        retransmitMs: o.retransmitMs,
        maxRetries: o.maxRetries,
        maxBytes: o.maxBytes,
      });
      return { kind: "ok", body: data, serverIp: address, clientAuthenticated: false };
    } catch (error) {
      if (!isProvisioError(error)) throw error;
      const detail = `${error.message} (${address}:${request.port})`;
      if (error.code === FILE_NOT_FOUND) {
        return { kind: "not-found", err: ERR.fileNotFound, serverIp: address, detail };
      }
      last = { kind: "failed", err: ERR.tftp, serverIp: address, detail };
      // Silence: try the next A record (§8.1.1); an answer with an error ends the attempt.
      if (error.code !== TIMEOUT) return last;
    }
  }
  return last ?? { kind: "failed", err: ERR.tftp, serverIp: "", detail: "no address to try" };
}

/** TFTP PUT (WRQ) of a report (§8.4), each address in turn while silent. */
export async function tftpUpload(
  request: FetchRequest,
  data: Buffer,
  o: TftpFetchOptions,
): Promise<FetchResult> {
  let last: FetchResult | undefined;
  for (const address of request.addresses) {
    try {
      await tftpPut(request.target, data, {
        host: address,
        port: request.port,
        mode: "octet",
        clock: o.clock,
        retransmitMs: o.retransmitMs,
        maxRetries: o.maxRetries,
      });
      return { kind: "ok", body: Buffer.alloc(0), serverIp: address, clientAuthenticated: false };
    } catch (error) {
      if (!isProvisioError(error)) throw error;
      last = {
        kind: "failed",
        err: ERR.tftp,
        serverIp: address,
        detail: `${error.message} (${address}:${request.port})`,
      };
      if (error.code !== TIMEOUT) return last;
    }
  }
  return last ?? { kind: "failed", err: ERR.tftp, serverIp: "", detail: "no address to try" };
}
