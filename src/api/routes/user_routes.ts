/**
 * Admin users (admin role): list, create, read, change (role, tenant, disabled, password),
 * remove. A tenant admin manages its tenant's users only (others answer 404) and cannot make a
 * user for every tenant. Disabling or removing a user, or setting its password, ends its
 * sessions. No response carries a password or a hash.
 */
import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { notFound } from "../../admin/index.ts";
import { isProvisioError } from "../../errors.ts";
import type { Store, User } from "../../store/index.ts";
import {
  assertVisible,
  type Principal,
  principalOf,
  requireGlobal,
  targetTenant,
} from "../auth.ts";
import { IdParams } from "../schemas.ts";
import { UserCreate, UserPatchBody, UserSchema } from "../user_schemas.ts";
import type { RouteContext } from "./context.ts";
import { bearer, responses } from "./context.ts";

export function userJson(u: User) {
  return {
    id: u.id,
    username: u.username,
    role: u.role,
    tenantId: u.tenantId,
    disabled: u.disabled,
    createdAt: u.createdAt.toISOString(),
    lastLoginAt: u.lastLoginAt === null ? null : u.lastLoginAt.toISOString(),
  };
}

/** The user with this id, if the principal may see it (404 otherwise, either way). */
async function visibleUser(store: Store, principal: Principal, id: string): Promise<User> {
  const user = await store.users.get(id).catch((error: unknown) => {
    if (isProvisioError(error) && error.code === "STORE_NOT_FOUND") throw notFound("user", id);
    throw error;
  });
  assertVisible(principal, user.tenantId, "user", id);
  return user;
}

/** The tenant a user is made for or moved to: null (every tenant) only by a global admin. */
async function userTenant(
  store: Store,
  principal: Principal,
  ref: string | null | undefined,
): Promise<string | null | undefined> {
  if (ref === undefined) return undefined;
  if (ref === null) {
    requireGlobal(principal, "a user for every tenant");
    return null;
  }
  return (await targetTenant(store, principal, ref)).id;
}

export function userRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { store } = ctx;
  const tags = ["users"];

  app.get(
    "/api/v1/users",
    {
      config: { access: "admin" },
      schema: {
        tags,
        summary: "List users (never their passwords)",
        security: bearer,
        response: responses({ 200: Type.Object({ items: Type.Array(UserSchema) }) }),
      },
    },
    async (request) => {
      const scope = principalOf(request).tenantId;
      const users = await store.users.list();
      return { items: users.filter((u) => scope === null || u.tenantId === scope).map(userJson) };
    },
  );

  app.post<{ Body: UserCreate }>(
    "/api/v1/users",
    {
      config: { access: "admin" },
      schema: {
        tags,
        summary: "Create a user with a password",
        security: bearer,
        body: UserCreate,
        response: responses({ 201: UserSchema }),
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const body = request.body;
      // Default: the admin's own tenant (a tenant admin makes users for its tenant only).
      const tenantId = (await userTenant(store, principal, body.tenant)) ?? principal.tenantId;
      const user = await store.users.create(
        { username: body.username, password: body.password, role: body.role, tenantId },
        { actor: principal.actor },
      );
      reply.code(201);
      return userJson(user);
    },
  );

  app.get<{ Params: IdParams }>(
    "/api/v1/users/:id",
    {
      config: { access: "admin" },
      schema: {
        tags,
        summary: "One user",
        security: bearer,
        params: IdParams,
        response: responses({ 200: UserSchema }),
      },
    },
    async (request) => userJson(await visibleUser(store, principalOf(request), request.params.id)),
  );

  app.patch<{ Params: IdParams; Body: UserPatchBody }>(
    "/api/v1/users/:id",
    {
      config: { access: "admin" },
      schema: {
        tags,
        summary: "Change a user's role, tenant, disabled flag or password",
        description: "Disabling a user or setting its password ends its sessions.",
        security: bearer,
        params: IdParams,
        body: UserPatchBody,
        response: responses({ 200: UserSchema }),
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const user = await visibleUser(store, principal, request.params.id);
      const body = request.body;
      const tenantId = await userTenant(store, principal, body.tenant);
      const updated = await store.users.update(
        user.id,
        {
          ...(body.role === undefined ? {} : { role: body.role }),
          ...(tenantId === undefined ? {} : { tenantId }),
          ...(body.disabled === undefined ? {} : { disabled: body.disabled }),
          ...(body.password === undefined ? {} : { password: body.password }),
        },
        { actor: principal.actor },
      );
      return userJson(updated);
    },
  );

  app.delete<{ Params: IdParams }>(
    "/api/v1/users/:id",
    {
      config: { access: "admin" },
      schema: {
        tags,
        summary: "Remove a user (ends its sessions)",
        security: bearer,
        params: IdParams,
        response: responses({ 204: Type.Null() }),
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const user = await visibleUser(store, principal, request.params.id);
      await store.users.remove(user.id, { actor: principal.actor });
      return reply.code(204).send();
    },
  );
}
