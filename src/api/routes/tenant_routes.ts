import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { findTenant, notFound, tenantJson } from "../../admin/index.ts";
import { assertVisible, principalOf, requireGlobal } from "../auth.ts";
import { IdParams, TenantCreate, TenantPatchBody, TenantSchema } from "../schemas.ts";
import { bearer, type RouteContext, responses } from "./context.ts";

export function tenantRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { store } = ctx;
  const tags = ["tenants"];

  const visibleTenant = async (principal: ReturnType<typeof principalOf>, ref: string) => {
    const tenant = await findTenant(store, ref);
    if (tenant === null) throw notFound("tenant", ref);
    assertVisible(principal, tenant.id, "tenant", ref);
    return tenant;
  };

  app.get(
    "/api/v1/tenants",
    {
      schema: {
        tags,
        summary: "List tenants (a tenant-scoped token sees its own)",
        security: bearer,
        response: responses({ 200: Type.Object({ items: Type.Array(TenantSchema) }) }),
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const tenants = await store.tenants.list();
      const scope = principal.tenantId;
      return {
        items: tenants.filter((t) => scope === null || t.id === scope).map(tenantJson),
      };
    },
  );

  app.post<{ Body: TenantCreate }>(
    "/api/v1/tenants",
    {
      config: { access: "admin" },
      schema: {
        tags,
        summary: "Create a tenant (installation-wide admin token)",
        security: bearer,
        body: TenantCreate,
        response: responses({ 201: TenantSchema }),
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      requireGlobal(principal, "creating a tenant");
      const tenant = await store.tenants.create(request.body, { actor: principal.actor });
      reply.code(201);
      return tenantJson(tenant);
    },
  );

  app.get<{ Params: IdParams }>(
    "/api/v1/tenants/:id",
    {
      schema: {
        tags,
        summary: "One tenant, by id or slug",
        security: bearer,
        params: IdParams,
        response: responses({ 200: TenantSchema }),
      },
    },
    async (request) => tenantJson(await visibleTenant(principalOf(request), request.params.id)),
  );

  app.patch<{ Params: IdParams; Body: TenantPatchBody }>(
    "/api/v1/tenants/:id",
    {
      config: { access: "admin" },
      schema: {
        tags,
        summary: "Change a tenant's name, slug or settings (settings are merged)",
        security: bearer,
        params: IdParams,
        body: TenantPatchBody,
        response: responses({ 200: TenantSchema }),
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const tenant = await visibleTenant(principal, request.params.id);
      const updated = await store.tenants.update(tenant.id, request.body, {
        actor: principal.actor,
      });
      return tenantJson(updated);
    },
  );

  app.delete<{ Params: IdParams }>(
    "/api/v1/tenants/:id",
    {
      config: { access: "admin" },
      schema: {
        tags,
        summary: "Delete an empty tenant (installation-wide admin token)",
        security: bearer,
        params: IdParams,
        response: responses({ 204: Type.Null() }),
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const tenant = await visibleTenant(principal, request.params.id);
      requireGlobal(principal, "deleting a tenant");
      await store.tenants.delete(tenant.id, { actor: principal.actor });
      return reply.code(204).send();
    },
  );
}
