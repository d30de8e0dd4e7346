/**
 * Bearer-token authentication and authorisation for the admin API.
 *
 * - Tokens are `Authorization: Bearer <token>`; the store keeps only their SHA-256 and looks a
 *   token up by that hash (`store.tokens.verify`), so no token is ever compared in plain text.
 * - Roles: `read-only` may read; `operator` may also change devices, accounts, groups, layers
 *   and run imports; `admin` may also manage tenants, models, tokens and read the audit log.
 * - A token is installation-wide or scoped to one tenant. A tenant-scoped token sees only its
 *   tenant: any other tenant's record answers 404, exactly like a record that does not exist,
 *   so tokens cannot probe for other tenants' MACs or ids.
 * - Every change is made with `actor: token:<id>`, which the store writes to the audit log in
 *   the change's transaction.
 */
import type { FastifyRequest } from "fastify";
import { apiError, findTenant, notFound } from "../admin/index.ts";
import type { ApiRole, ApiToken, Store, Tenant } from "../store/index.ts";
import { DEFAULT_TENANT_ID } from "../store/index.ts";

/** What a route needs: `public` (no token), `read`, `write` (operator), `admin`. */
export type Access = "public" | "read" | "write" | "admin";

export interface Principal {
  readonly token: ApiToken;
  /** Audit actor: `token:<id>`. */
  readonly actor: string;
}

declare module "fastify" {
  interface FastifyRequest {
    principal: Principal | null;
  }
  interface FastifyContextConfig {
    access?: Access;
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

/** Authenticates the request (401) and checks the role (403). */
export async function authenticate(
  store: Store,
  request: FastifyRequest,
  access: Exclude<Access, "public">,
): Promise<Principal> {
  const header = request.headers.authorization;
  const match =
    typeof header === "string" ? /^Bearer ([\x21-\x7e]{1,512})$/i.exec(header.trim()) : null;
  if (match === null) {
    throw apiError(
      "API_UNAUTHORIZED",
      "a bearer token is required (Authorization: Bearer <token>)",
    );
  }
  const token = await store.tokens.verify(match[1]!);
  if (token === null) throw apiError("API_UNAUTHORIZED", "the token is unknown or expired");
  if (RANK[token.role] < NEEDS[access]) {
    throw apiError(
      "API_FORBIDDEN",
      `this needs the ${ROLE_FOR[access]} role or higher; the token is ${token.role}`,
    );
  }
  return { token, actor: `token:${token.id}` };
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
  const scope = principal.token.tenantId;
  if (scope !== null && scope !== tenantId) throw notFound(entity, key);
}

/** Installation-wide actions (models, new tenants) need an installation-wide token. */
export function requireGlobal(principal: Principal, what: string): void {
  if (principal.token.tenantId !== null) {
    throw apiError("API_FORBIDDEN", `${what} needs an installation-wide token`);
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
  const wanted = ref ?? principal.token.tenantId ?? DEFAULT_TENANT_ID;
  const tenant = await findTenant(store, wanted);
  if (tenant === null) throw notFound("tenant", wanted);
  assertVisible(principal, tenant.id, "tenant", wanted);
  return tenant;
}

/**
 * The tenant filter of a list: the token's tenant for a scoped token (404 when another one is
 * named), else the named tenant, else every tenant (`undefined`).
 */
export async function listTenant(
  store: Store,
  principal: Principal,
  ref: string | undefined,
): Promise<string | undefined> {
  if (ref === undefined) return principal.token.tenantId ?? undefined;
  return (await targetTenant(store, principal, ref)).id;
}
