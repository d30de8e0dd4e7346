/**
 * How one activation code stands, for the customer's activation page (`activation_page.ts`):
 * `POST /activate/status` with `{"code":"…"}` answers `unknown`, `waiting`, `bound` or
 * `expired` — and, for a code that exists, its tenant's name and branding and the init URL
 * the unit is to run. Nothing else: no account, no MAC, no id, no time.
 *
 * - An unknown code, a revoked one (revoking deletes it) and a code whose tenant is gone are
 *   the same `unknown`, after the same one lookup.
 * - The code is the only key, so the only tenant an answer can name is the code's own: a
 *   code's holder learns its provider, nobody learns another's.
 * - Guessing is limited like `/init/` guessing (`activation_limits.ts`, a budget of its own
 *   of the same size): 10 unknown codes per source address (IPv6 /64) per 10 minutes, 1,000
 *   per process, then `429` before any lookup; and every source may ask 60 times a minute
 *   (the page polls every 2 seconds). The budgets live in the process's memory, bounded.
 * - The code travels in the body, not the URL, so no proxy's or browser's log keeps it.
 */
import type { Logger } from "pino";
import {
  activationCodeState,
  MAX_ACTIVATION_CODE_LENGTH,
  MIN_ACTIVATION_CODE_LENGTH,
  type Store,
  type Tenant,
} from "../store/index.ts";
import { ActivationLimits } from "./activation_limits.ts";
import { serverError } from "./errors.ts";
import type { ResyncRequest, ResyncResponse } from "./resync_request.ts";

/** What the page is told about a code. */
export type ActivationStatusState = "unknown" | "waiting" | "bound" | "expired";

export interface ActivationStatusAnswer {
  readonly state: ActivationStatusState;
  /** The code's tenant as the page shows it (a code that exists). */
  readonly brand?: {
    readonly name: string;
    readonly accent: string | null;
    readonly logoText: string | null;
  };
  /** What the unit is to fetch (`waiting` only; absent when the server cannot name itself). */
  readonly initUrl?: string;
}

export type StatusQuery =
  | { readonly ok: true; readonly code: string }
  | { readonly ok: false; readonly message: string };

/** Longest body the status endpoint reads: `{"code":"…"}` with room for spaces. */
export const MAX_STATUS_BODY_BYTES = 512;

const CODE_FORMAT = `the activation code is ${MIN_ACTIVATION_CODE_LENGTH} to ${MAX_ACTIVATION_CODE_LENGTH} digits`;
const BODY_FORMAT = 'the request must be the JSON object {"code": "<activation code>"}';

/**
 * The status request's body: `{"code": "4821 0933 5712 6640"}` — spaces and hyphens between
 * digits are the customer's (codes are read aloud and written in groups) and are dropped.
 * Never throws; anything else is a message for a 400.
 */
export function parseStatusQuery(body: Uint8Array | undefined): StatusQuery {
  if (body === undefined || body.byteLength === 0 || body.byteLength > MAX_STATUS_BODY_BYTES) {
    return { ok: false, message: BODY_FORMAT };
  }
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString("utf8"));
  } catch {
    return { ok: false, message: BODY_FORMAT };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { ok: false, message: BODY_FORMAT };
  }
  const keys = Object.keys(value);
  const code: unknown = (value as Record<string, unknown>).code;
  if (keys.length !== 1 || typeof code !== "string") return { ok: false, message: BODY_FORMAT };
  const digits = code.trim().replace(/[ -]+(?=[0-9])/g, "");
  if (
    digits.length < MIN_ACTIVATION_CODE_LENGTH ||
    digits.length > MAX_ACTIVATION_CODE_LENGTH ||
    !/^[0-9]+$/.test(digits)
  ) {
    return { ok: false, message: CODE_FORMAT };
  }
  return { ok: true, code: digits };
}

export interface ActivationStatusOptions {
  readonly store: Pick<Store, "activationCodes">;
  /** The tenants as the node's cache holds them. */
  readonly tenant: (id: string) => Tenant | undefined;
  readonly logger: Logger;
  /** Where units reach this server (`server.public_https_url` / `public_http_url`). */
  readonly publicUrls?: { readonly http?: string | undefined; readonly https?: string | undefined };
  /** The HTTPS listener's port, when there is one (the init URL of a page read over HTTP). */
  readonly httpsPort?: () => number | undefined;
  /** Unknown codes per source and per process (default: the activation flow's). */
  readonly guesses?: ConstructorParameters<typeof ActivationLimits>[0];
  /** Status requests per source per minute (default 60). */
  readonly perSourcePerMinute?: number;
  readonly now?: () => number;
}

const HEADERS = {
  "content-type": "application/json; charset=utf-8",
  "cache-control": "no-store",
  "x-content-type-options": "nosniff",
} as const;

function json(status: number, value: unknown, extra: Record<string, string> = {}): ResyncResponse {
  const result = status === 200 ? "ok" : status === 429 ? "rate-limited" : "bad-request";
  return {
    status,
    headers: { ...HEADERS, ...extra },
    body: Buffer.from(JSON.stringify(value)),
    result,
  };
}

function failure(status: 400 | 429, code: Parameters<typeof serverError>[0], message: string) {
  const error = serverError(code, message);
  return json(
    status,
    { error: { code: error.code, message: error.message } },
    status === 429 ? { "retry-after": "60" } : {},
  );
}

const HOST = /^(?:[A-Za-z0-9.-]{1,253}|\[[0-9A-Fa-f:.]{2,45}\])(?::\d{1,5})?$/;

export class ActivationStatus {
  readonly #o: ActivationStatusOptions;
  readonly #now: () => number;
  readonly #guesses: ActivationLimits;
  /** Requests per source, counted as "failures" of a one-minute window (nothing else). */
  readonly #requests: ActivationLimits;

  constructor(options: ActivationStatusOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
    this.#guesses = new ActivationLimits(options.guesses);
    this.#requests = new ActivationLimits({
      perSource: options.perSourcePerMinute ?? 60,
      windowMs: 60_000,
      perTenant: Number.MAX_SAFE_INTEGER,
      unattributed: Number.MAX_SAFE_INTEGER,
    });
  }

  async answer(request: ResyncRequest): Promise<ResyncResponse> {
    const now = this.#now();
    const source = request.remoteAddress;
    if (this.#requests.beforeLookup(source, now) !== undefined) {
      return failure(
        429,
        "SERVER_ACTIVATION_STATUS_LIMITED",
        "too many status requests; wait a minute",
      );
    }
    this.#requests.fail(source, undefined, now);
    const query = parseStatusQuery(request.body);
    if (!query.ok) return failure(400, "SERVER_ACTIVATION_STATUS_INVALID", query.message);
    if (this.#guesses.beforeLookup(source, now) !== undefined) {
      return failure(
        429,
        "SERVER_ACTIVATION_STATUS_LIMITED",
        "too many unknown activation codes; try again in 10 minutes",
      );
    }
    const record = await this.#o.store.activationCodes.lookup(query.code);
    const tenant = record === null ? undefined : this.#o.tenant(record.tenantId);
    if (record === null || tenant === undefined) {
      if (this.#guesses.fail(source, undefined, now) === "unattributed") {
        this.#o.logger.warn(
          { security: "activation-budget-spent", until: new Date(now + this.#guesses.windowMs) },
          "security: the activation page's budget of unknown codes is spent; its status requests are refused for 10 minutes",
        );
      }
      return json(200, { state: "unknown" } satisfies ActivationStatusAnswer);
    }
    const brand = {
      name: tenant.name,
      accent: tenant.settings.brandAccent,
      logoText: tenant.settings.brandLogoText,
    };
    const state = activationCodeState(record, now);
    if (state !== "active") {
      return json(200, {
        state: state === "used" ? "bound" : "expired",
        brand,
      } satisfies ActivationStatusAnswer);
    }
    const base = this.#initBase(request);
    return json(200, {
      state: "waiting",
      brand,
      ...(base === undefined ? {} : { initUrl: `${base}/init/${query.code}` }),
    } satisfies ActivationStatusAnswer);
  }

  /**
   * Where the unit is to fetch its init URL: the public HTTPS URL; else this server's HTTPS
   * listener at the host the page was read from; else (no HTTPS) the public HTTP URL or the
   * page's own host.
   */
  #initBase(request: ResyncRequest): string | undefined {
    const trim = (url: string): string => url.replace(/\/+$/, "");
    const { publicUrls } = this.#o;
    if (publicUrls?.https !== undefined) return trim(publicUrls.https);
    const host = request.host;
    const valid = host !== undefined && HOST.test(host);
    const httpsPort = this.#o.httpsPort?.();
    if (httpsPort !== undefined) {
      if (!valid) return undefined;
      if (request.transport === "https") return `https://${host}`;
      const name = host.startsWith("[") ? host.slice(0, host.indexOf("]") + 1) : host.split(":")[0];
      return `https://${name}${httpsPort === 443 ? "" : `:${httpsPort}`}`;
    }
    if (publicUrls?.http !== undefined) return trim(publicUrls.http);
    return valid ? `${request.transport === "https" ? "https" : "http"}://${host}` : undefined;
  }
}
