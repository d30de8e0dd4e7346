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
  /**
   * The real reason, for the event log and the security log, when the answer hides it (a
   * refusal about someone else's device answered as for an unknown one).
   */
  readonly logReason?: string | undefined;
}

/**
 * True for an answer that uses up the source's miss budget: a miss, and every other refusal
 * of what the client asked (400, 403, 405, 414, an auto-create 429, …). A 404 for a path no
 * tenant serves is not one (TFTP firmware falls back to the files root), nor a server error.
 */
export function usesMissBudget(outcome: Outcome): boolean {
  if (outcome.miss === true) return true;
  const { status } = outcome.response;
  return status >= 400 && status < 500 && status !== 404;
}

/** Refusals of what the client sent (malformed, too large, too slow, a method not served). */
const BAD_REQUEST_STATUSES: ReadonlySet<number> = new Set([400, 405, 408, 413, 414, 431]);

/** The `result` of a refusal with this HTTP status. */
export function resultOfStatus(status: number): ResyncResult {
  if (status === 404) return "not-found";
  if (status === 429) return "rate-limited";
  if (BAD_REQUEST_STATUSES.has(status)) return "bad-request";
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

/**
 * A refusal about a device the client may not learn exists (someone else's certificate, a CA
 * its tenant does not trust): the very answer an unknown device gets, a miss for the budget,
 * with the real reason kept for the logs.
 */
export function refuseAsUnknown(
  reason: string,
  extra: Omit<Outcome, "response" | "miss" | "logReason"> = {},
): Outcome {
  return { ...refuse(404, NOT_FOUND_REASON, extra), miss: true, logReason: reason };
}
