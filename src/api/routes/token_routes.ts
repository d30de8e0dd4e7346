import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { notFound, tokenJson } from "../../admin/index.ts";
import { assertVisible, principalOf, requireGlobal, targetTenant } from "../auth.ts";
import { IdParams, TokenCreate, TokenPatchBody, TokenSchema } from "../schemas.ts";
import { bearer, type RouteContext, responses } from "./context.ts";

export function tokenRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { store } = ctx;
  const tags = ["tokens"];

  app.get(
    "/api/v1/tokens",
    {
      config: { access: "admin" },
      schema: {
        tags,
        summary: "List API tokens (never their secrets)",
        security: bearer,
        response: responses({ 200: Type.Object({ items: Type.Array(TokenSchema) }) }),
      },
    },
    async (request) => {
      const scope = principalOf(request).tenantId;
      const tokens = await store.tokens.list();
      return { items: tokens.filter((t) => scope === null || t.tenantId === scope).map(tokenJson) };
    },
  );

  app.post<{ Body: TokenCreate }>(
    "/api/v1/tokens",
    {
      config: { access: "admin" },
      schema: {
        tags,
        summary: "Issue a token; the response is the only time its secret is shown",
        security: bearer,
        body: TokenCreate,
        response: responses({
          201: Type.Object({ token: TokenSchema, secret: Type.String() }),
        }),
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const body = request.body;
      // A tenant admin issues tokens for its tenant only; a global admin for any (or global).
      let tenantId: string | null = principal.tenantId;
      if (body.tenant !== undefined && body.tenant !== null) {
        tenantId = (await targetTenant(store, principal, body.tenant)).id;
      }
      const issued = await store.tokens.issue(
        {
          name: body.name,
          role: body.role,
          tenantId,
          ...(body.expiresAt === undefined || body.expiresAt === null
            ? {}
            : { expiresAt: new Date(body.expiresAt) }),
        },
        { actor: principal.actor },
      );
      reply.code(201);
      return { token: tokenJson(issued.token), secret: issued.secret };
    },
  );

  app.patch<{ Params: IdParams; Body: TokenPatchBody }>(
    "/api/v1/tokens/:id",
    {
      config: { access: "admin" },
      schema: {
        tags,
        summary: "Rename a token, change its role, tenant or expiry (never its secret)",
        security: bearer,
        params: IdParams,
        body: TokenPatchBody,
        response: responses({ 200: TokenSchema }),
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const token = (await store.tokens.list()).find((t) => t.id === request.params.id);
      if (token === undefined) throw notFound("token", request.params.id);
      assertVisible(principal, token.tenantId, "token", request.params.id);
      const body = request.body;
      let tenantId: string | null | undefined;
      if (body.tenant === null) {
        // A tenant admin must not widen a token beyond its own tenant.
        requireGlobal(principal, "a token for every tenant");
        tenantId = null;
      } else if (body.tenant !== undefined) {
        tenantId = (await targetTenant(store, principal, body.tenant)).id;
      }
      const updated = await store.tokens.update(
        token.id,
        {
          ...(body.name === undefined ? {} : { name: body.name }),
          ...(body.role === undefined ? {} : { role: body.role }),
          ...(tenantId === undefined ? {} : { tenantId }),
          ...(body.expiresAt === undefined
            ? {}
            : { expiresAt: body.expiresAt === null ? null : new Date(body.expiresAt) }),
        },
        { actor: principal.actor },
      );
      return tokenJson(updated);
    },
  );

  app.delete<{ Params: IdParams }>(
    "/api/v1/tokens/:id",
    {
      config: { access: "admin" },
      schema: {
        tags,
        summary: "Revoke a token",
        security: bearer,
        params: IdParams,
        response: responses({ 204: Type.Null() }),
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const token = (await store.tokens.list()).find((t) => t.id === request.params.id);
      if (token === undefined) throw notFound("token", request.params.id);
      assertVisible(principal, token.tenantId, "token", request.params.id);
      await store.tokens.revoke(token.id, { actor: principal.actor });
      return reply.code(204).send();
    },
  );
}
