/**
 * What a policy decides about a request, and the mapping from an HTTP status to the result
 * the metrics and the event log name. A policy answers `undefined` (carry on) or an
 * {@link Outcome} that ends the request.
 */
import type { MacAddress } from "../store/index.ts";
import type { ResyncResult } from "./metrics.ts";
import { type ResyncResponse, refusal } from "./resync_request.ts";

export interface Outcome {
  readonly response: ResyncResponse;
  /** The device the request named or was identified as. */
  readonly mac?: MacAddress | undefined;
  /** The tenant of an identified device (unset for refusals nobody owns). */
  readonly tenantId?: string | undefined;
  /** Set for security events (fail2ban-friendly log line, metric). */
  readonly security?: string | undefined;
  /** A request that named a device (a profile path matched) and found no profile. */
  readonly miss?: boolean | undefined;
}

/** The `result` of a refusal with this HTTP status. */
export function resultOfStatus(status: number): ResyncResult {
  if (status === 404) return "not-found";
  if (status === 429) return "rate-limited";
  if (status === 400 || status === 405 || status === 413 || status === 414) return "bad-request";
  if (status === 401 || status === 403) return "denied";
  return "error";
}

/** A refusal outcome; its result follows from the status. */
export function refuse(
  status: number,
  reason: string,
  extra: Omit<Outcome, "response"> = {},
): Outcome {
  return { response: refusal(status, resultOfStatus(status), reason), ...extra };
}

/**
 * The one answer to "nothing for you here": an unknown device, another tenant's device and a
 * path no tenant serves all get these same bytes, so the answer does not tell them apart.
 */
export const NOT_FOUND_REASON = "no profile at this path";
