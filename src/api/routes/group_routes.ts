import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { groupJson, notFound } from "../../admin/index.ts";
import type { Group, Store } from "../../store/index.ts";
import { assertVisible, listTenant, type Principal, principalOf, targetTenant } from "../auth.ts";
import { GroupCreate, GroupPatchBody, GroupSchema, IdParams, Page, PageQuery } from "../schemas.ts";
import { bearer, type RouteContext, responses } from "./context.ts";

/** By id, or by name in the token's (else the default) tenant; 404 when not visible. */
export async function visibleGroup(
  store: Store,
  principal: Principal,
  ref: string,
): Promise<Group> {
  const group =
    (await store.groups.find(ref)) ??
    (await store.groups.findByName(principal.tenantId ?? "default", ref));
  if (group === null) throw notFound("group", ref);
  assertVisible(principal, group.tenantId, "group", ref);
  return group;
}

export function groupRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { store } = ctx;
  const tags = ["groups"];

  app.get<{ Querystring: PageQuery }>(
    "/api/v1/groups",
    {
      schema: {
        tags,
        summary: "List groups (ordered by id; keyset pagination with `after`)",
        security: bearer,
        querystring: PageQuery,
        response: responses({ 200: Page(GroupSchema) }),
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const tenantId = await listTenant(store, principal, request.query.tenant);
      const limit = request.query.limit ?? 100;
      const groups = await store.groups.list({
        ...(tenantId === undefined ? {} : { tenantId }),
        ...(request.query.after === undefined ? {} : { after: request.query.after }),
        limit,
      });
      return {
        items: groups.map(groupJson),
        next: groups.length === limit ? (groups.at(-1)?.id ?? null) : null,
      };
    },
  );

  app.post<{ Body: GroupCreate }>(
    "/api/v1/groups",
    {
      schema: {
        tags,
        summary: "Create a group",
        security: bearer,
        body: GroupCreate,
        response: responses({ 201: GroupSchema }),
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const tenant = await targetTenant(store, principal, request.body.tenant);
      const group = await store.groups.create(
        {
          tenantId: tenant.id,
          name: request.body.name,
          ...(request.body.description === undefined
            ? {}
            : { description: request.body.description }),
        },
        { actor: principal.actor },
      );
      reply.code(201).header("location", `/api/v1/groups/${group.id}`);
      return groupJson(group);
    },
  );

  app.get<{ Params: IdParams }>(
    "/api/v1/groups/:id",
    {
      schema: {
        tags,
        summary: "One group, by id or name",
        security: bearer,
        params: IdParams,
        response: responses({ 200: GroupSchema }),
      },
    },
    async (request) =>
      groupJson(await visibleGroup(store, principalOf(request), request.params.id)),
  );

  app.patch<{ Params: IdParams; Body: GroupPatchBody }>(
    "/api/v1/groups/:id",
    {
      schema: {
        tags,
        summary: "Rename a group or change its description",
        security: bearer,
        params: IdParams,
        body: GroupPatchBody,
        response: responses({ 200: GroupSchema }),
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const group = await visibleGroup(store, principal, request.params.id);
      const updated = await store.groups.update(group.id, request.body, { actor: principal.actor });
      return groupJson(updated);
    },
  );

  app.delete<{ Params: IdParams }>(
    "/api/v1/groups/:id",
    {
      schema: {
        tags,
        summary: "Delete a group (its devices are detached, its layer removed)",
        security: bearer,
        params: IdParams,
        response: responses({ 204: Type.Null() }),
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const group = await visibleGroup(store, principal, request.params.id);
      await store.groups.delete(group.id, { actor: principal.actor });
      return reply.code(204).send();
    },
  );
}
