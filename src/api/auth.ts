/**
 * Authentication and authorisation for the admin API: bearer tokens and session cookies.
 *
 * - Tokens are `Authorization: Bearer <token>`; the store keeps only their SHA-256 and looks a
 *   token up by that hash (`store.tokens.verify`), so no token is ever compared in plain text.
 * - Sessions are the `provisio_session` cookie (`session_cookie.ts`), opened by signing in with a
 *   user name and password or a token (`routes/session_routes.ts`); a session has its user's or
 *   token's role and tenant. A bearer header wins over a cookie. A cookie-authenticated request
 *   with an unsafe method must carry `X-Provisio-Request: 1` (403 otherwise): a cross-site form
 *   cannot add a header, and SameSite=Strict keeps the cookie off cross-site requests besides.
 * - Roles: `read-only` may read; `operator` may also change devices, accounts, groups, layers
 *   and run imports; `admin` may also manage tenants, models, tokens, users and read the audit
 *   log.
 * - A token or user is installation-wide or scoped to one tenant. A tenant-scoped principal sees
 *   only its tenant: any other tenant's record answers 404, exactly like a record that does not
 *   exist, so it cannot probe for other tenants' MACs or ids.
 * - Every change is made with `actor: token:<id>` or `user:<id>`, which the store writes to the
 *   audit log in the change's transaction.
 */
import type { FastifyRequest } from "fastify";
import { apiError, findTenant, notFound } from "../admin/index.ts";
import type { ApiRole, ApiToken, Store, Tenant, User } from "../store/index.ts";
import { DEFAULT_TENANT_ID } from "../store/index.ts";
import { CSRF_HEADER, parseSessionCookie } from "./session_cookie.ts";

/** What a route needs: `public` (no token), `read`, `write` (operator), `admin`. */
export type Access = "public" | "read" | "write" | "admin";

/** Who makes a request: a user or an API token, and how it authenticated. */
export interface Principal {
  readonly kind: "user" | "token";
  /** The user's or token's id. */
  readonly id: string;
  /** The user name, or the token's name. */
  readonly name: string;
  readonly role: ApiRole;
  /** null = every tenant. */
  readonly tenantId: string | null;
  /** Audit actor: `user:<id>` or `token:<id>`. */
  readonly actor: string;
  /** The SHA-256 of the session the request came with; null for a bearer token. */
  readonly session: string | null;
}

declare module "fastify" {
  interface FastifyRequest {
    principal: Principal | null;
  }
  interface FastifyContextConfig {
    access?: Access;
  }
}

export function tokenPrincipal(token: ApiToken, session: string | null): Principal {
  return {
    kind: "token",
    id: token.id,
    name: token.name,
    role: token.role,
    tenantId: token.tenantId,
    actor: `token:${token.id}`,
    session,
  };
}

export function userPrincipal(user: User, session: string | null): Principal {
  return {
    kind: "user",
    id: user.id,
    name: user.username,
    role: user.role,
    tenantId: user.tenantId,
    actor: `user:${user.id}`,
    session,
  };
}

/** The principal as the API shows it (`GET /api/v1/session`). */
export function principalJson(p: Principal) {
  return { principal: { kind: p.kind, id: p.id, name: p.name, role: p.role, tenant: p.tenantId } };
}

const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** Refuses an unsafe cookie-authenticated request without `X-Provisio-Request: 1`. */
export function requireCsrfHeader(request: FastifyRequest): void {
  if (UNSAFE.has(request.method) && request.headers[CSRF_HEADER] !== "1") {
    throw apiError(
      "API_FORBIDDEN",
      "a request made with the session cookie must carry the header X-Provisio-Request: 1 (cross-site request protection)",
    );
  }
}

const RANK: Record<ApiRole, number> = { "read-only": 0, operator: 1, admin: 2 };
const NEEDS: Record<Exclude<Access, "public">, number> = { read: 0, write: 1, admin: 2 };
const ROLE_FOR: Record<Exclude<Access, "public">, ApiRole> = {
  read: "read-only",
  write: "operator",
  admin: "admin",
};

/** The access a route needs: its `config.access`, else `read` for GET/HEAD, `write` otherwise. */
export function routeAccess(request: FastifyRequest): Access {
  const configured = request.routeOptions.config.access;
  if (configured !== undefined) return configured;
  return request.method === "GET" || request.method === "HEAD" ? "read" : "write";
}

/** Who the request is, or null when it has neither a bearer header nor a session cookie. */
async function identify(store: Store, request: FastifyRequest): Promise<Principal | null> {
  const header = request.headers.authorization;
  if (header !== undefined) {
    const match =
      typeof header === "string" ? /^Bearer ([\x21-\x7e]{1,512})$/i.exec(header.trim()) : null;
    if (match === null) {
      throw apiError("API_UNAUTHORIZED", "malformed Authorization header (Bearer <token>)");
    }
    const token = await store.tokens.verify(match[1]!);
    if (token === null) throw apiError("API_UNAUTHORIZED", "the token is unknown or expired");
    return tokenPrincipal(token, null);
  }
  const secret = parseSessionCookie(request.headers.cookie);
  if (secret === null) return null;
  const resolved = await store.sessions.resolve(secret);
  if (resolved === null) {
    throw apiError("API_UNAUTHORIZED", "the session has ended or is unknown; sign in again");
  }
  requireCsrfHeader(request);
  const { session } = resolved;
  return resolved.user !== undefined
    ? userPrincipal(resolved.user, session.idHash)
    : tokenPrincipal(resolved.token, session.idHash);
}

/** Authenticates the request (401), checks the CSRF header (403) and the role (403). */
export async function authenticate(
  store: Store,
  request: FastifyRequest,
  access: Exclude<Access, "public">,
): Promise<Principal> {
  const principal = await identify(store, request);
  if (principal === null) {
    throw apiError(
      "API_UNAUTHORIZED",
      "a bearer token (Authorization: Bearer <token>) or a session (POST /api/v1/session) is required",
    );
  }
  if (RANK[principal.role] < NEEDS[access]) {
    throw apiError(
      "API_FORBIDDEN",
      `this needs the ${ROLE_FOR[access]} role or higher; the ${principal.kind} is ${principal.role}`,
    );
  }
  return principal;
}

export function principalOf(request: FastifyRequest): Principal {
  if (request.principal === null) throw apiError("API_UNAUTHORIZED", "not authenticated");
  return request.principal;
}

/** Hides records of other tenants behind a 404. */
export function assertVisible(
  principal: Principal,
  tenantId: string | null,
  entity: string,
  key: string,
): void {
  const scope = principal.tenantId;
  if (scope !== null && scope !== tenantId) throw notFound(entity, key);
}

/** Installation-wide actions (models, new tenants) need an installation-wide token. */
export function requireGlobal(principal: Principal, what: string): void {
  if (principal.tenantId !== null) {
    throw apiError("API_FORBIDDEN", `${what} needs an installation-wide token or user`);
  }
}

/**
 * The tenant a write goes to: the named one (id or slug) if visible, else the token's tenant,
 * else the default tenant.
 */
export async function targetTenant(
  store: Store,
  principal: Principal,
  ref: string | undefined | null,
): Promise<Tenant> {
  const wanted = ref ?? principal.tenantId ?? DEFAULT_TENANT_ID;
  const tenant = await findTenant(store, wanted);
  if (tenant === null) throw notFound("tenant", wanted);
  assertVisible(principal, tenant.id, "tenant", wanted);
  return tenant;
}

/**
 * The tenant filter of a list: the principal's tenant for a scoped token or user (404 when another one is
 * named), else the named tenant, else every tenant (`undefined`).
 */
export async function listTenant(
  store: Store,
  principal: Principal,
  ref: string | undefined,
): Promise<string | undefined> {
  if (ref === undefined) return principal.tenantId ?? undefined;
  return (await targetTenant(store, principal, ref)).id;
}
