/**
 * Retail activation codes, admin side (API and CLI): issue a code for an account — shown
 * once, with the URL the device runs and the URL to hand the customer's browser — list and
 * revoke. The code itself is never stored or shown again.
 */
import {
  type Account,
  type ActivationCode,
  activationCodeState,
  type Store,
} from "../store/index.ts";
import { apiError } from "./errors.ts";

const iso = (d: Date): string => d.toISOString();

export function activationCodeJson(code: ActivationCode, now = Date.now()) {
  return {
    id: code.id,
    account: code.accountId,
    state: activationCodeState(code, now),
    createdAt: iso(code.createdAt),
    expiresAt: iso(code.expiresAt),
    usedAt: code.usedAt === null ? null : iso(code.usedAt),
    boundMac: code.boundMac,
    createdBy: code.createdBy,
  };
}

/**
 * `https://prov.example.com[:port]` ▸ the init URL and the device-side URL
 * (`http://DEVICE/admin/resync?<init URL>`; the customer's browser on the device's LAN
 * puts the device's address in place of `DEVICE`).
 */
export function activationUrls(
  server: string,
  code: string,
): { initUrl: string; deviceUrl: string } {
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    throw apiError(
      "API_VALIDATION",
      `server ${JSON.stringify(server.slice(0, 80))} is not a URL (https://prov.example.com)`,
    );
  }
  if (
    (url.protocol !== "https:" && url.protocol !== "http:") ||
    url.pathname !== "/" ||
    url.search !== "" ||
    url.username !== ""
  ) {
    throw apiError("API_VALIDATION", "server must be a bare http(s)://host[:port] URL");
  }
  const initUrl = `${url.protocol}//${url.host}/init/${code}`;
  return { initUrl, deviceUrl: `http://DEVICE/admin/resync?${initUrl}` };
}

export interface IssuedActivationCode {
  readonly record: ReturnType<typeof activationCodeJson>;
  /** Shown once. */
  readonly code: string;
  readonly initUrl: string | null;
  readonly deviceUrl: string | null;
}

export async function issueActivationCode(
  store: Store,
  account: Account,
  options: { length?: number; ttlDays?: number; server?: string | undefined; actor: string },
): Promise<IssuedActivationCode> {
  const { code, secret } = await store.activationCodes.issue(
    {
      accountId: account.id,
      ...(options.length === undefined ? {} : { length: options.length }),
      ...(options.ttlDays === undefined ? {} : { ttlMs: Math.round(options.ttlDays * 86_400_000) }),
    },
    { actor: options.actor },
  );
  const urls = options.server === undefined ? undefined : activationUrls(options.server, secret);
  return {
    record: activationCodeJson(code),
    code: secret,
    initUrl: urls?.initUrl ?? null,
    deviceUrl: urls?.deviceUrl ?? null,
  };
}
