/**
 * The session cookie and the sign-in body, parsed by hand: one cookie of one known shape is
 * all the admin API reads, so a cookie library (and its plugin hooks on every request) would
 * buy nothing (decision D39).
 *
 * - `provisio_session=<43 base64url characters>`: HttpOnly (no script reads it), SameSite=Strict
 *   (no cross-site request carries it), Path=/, Secure when the request came over HTTPS. No
 *   Max-Age: the server ends sessions (idle and absolute expiry), the browser drops the cookie
 *   when it closes.
 * - A cookie-authenticated request with an unsafe method must carry `X-Provisio-Request: 1`, a
 *   header a cross-site form cannot send (`CSRF_HEADER`).
 */
import { apiError } from "../admin/index.ts";

export const SESSION_COOKIE = "provisio_session";
/** The header every unsafe cookie-authenticated request carries (value `1`). */
export const CSRF_HEADER = "x-provisio-request";

const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;
/** Longest Cookie header read (browsers send at most a few KiB). */
const MAX_COOKIE_HEADER = 16 * 1024;

/**
 * The session id in a Cookie header, or null. The first `provisio_session` pair of the right
 * shape wins; anything else (other cookies, malformed pairs, quoted values) is ignored.
 */
export function parseSessionCookie(header: string | readonly string[] | undefined): string | null {
  const text = typeof header === "string" ? header : header?.join("; ");
  if (text === undefined || text.length > MAX_COOKIE_HEADER) return null;
  for (const pair of text.split(";")) {
    const eq = pair.indexOf("=");
    if (eq < 0 || pair.slice(0, eq).trim() !== SESSION_COOKIE) continue;
    const value = pair.slice(eq + 1).trim();
    if (SESSION_ID.test(value)) return value;
  }
  return null;
}

/** The Set-Cookie value that opens a session in the browser. */
export function sessionCookie(secret: string, secure: boolean): string {
  return `${SESSION_COOKIE}=${secret}; Path=/; HttpOnly; SameSite=Strict${secure ? "; Secure" : ""}`;
}

/** The Set-Cookie value that removes the session cookie. */
export function clearedSessionCookie(secure: boolean): string {
  return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT${secure ? "; Secure" : ""}`;
}

export type LoginRequest =
  | { readonly kind: "password"; readonly username: string; readonly password: string }
  | { readonly kind: "token"; readonly token: string };

const MAX_FIELD = 1024;

function field(body: Record<string, unknown>, name: string, max: number): string {
  const value = body[name];
  if (typeof value !== "string" || value.length === 0 || Buffer.byteLength(value) > max) {
    throw apiError(
      "API_VALIDATION",
      `body/${name} must be a non-empty string of at most ${max} bytes`,
    );
  }
  return value;
}

/**
 * `{ username, password }` or `{ token }`, nothing else: anything else is `API_VALIDATION`
 * (400). Lengths are bounded before any hashing.
 */
export function parseLoginBody(body: unknown): LoginRequest {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw apiError("API_VALIDATION", "body must be { username, password } or { token }");
  }
  const record = body as Record<string, unknown>;
  const keys = Object.keys(record).sort().join(",");
  if (keys === "token") return { kind: "token", token: field(record, "token", 512) };
  if (keys === "password,username") {
    return {
      kind: "password",
      username: field(record, "username", 64),
      password: field(record, "password", MAX_FIELD),
    };
  }
  throw apiError("API_VALIDATION", "body must be { username, password } or { token }");
}
