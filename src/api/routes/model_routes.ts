import { type Static, Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { modelJson, notFound } from "../../admin/index.ts";
import { principalOf, requireGlobal } from "../auth.ts";
import { ModelBody, ModelSchema } from "../schemas.ts";
import { bearer, type RouteContext, responses } from "./context.ts";

const PnParams = Type.Object({ pn: Type.String({ minLength: 1, maxLength: 64 }) });
type PnParams = Static<typeof PnParams>;

export function modelRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { store } = ctx;
  const tags = ["models"];

  app.get(
    "/api/v1/models",
    {
      schema: {
        tags,
        summary: "List device models (global)",
        security: bearer,
        response: responses({ 200: Type.Object({ items: Type.Array(ModelSchema) }) }),
      },
    },
    async () => ({ items: (await store.models.list()).map(modelJson) }),
  );

  app.get<{ Params: PnParams }>(
    "/api/v1/models/:pn",
    {
      schema: {
        tags,
        summary: "One device model by product name",
        security: bearer,
        params: PnParams,
        response: responses({ 200: ModelSchema }),
      },
    },
    async (request) => {
      const model = await store.models.find(request.params.pn);
      if (model === null) throw notFound("model", request.params.pn);
      return modelJson(model);
    },
  );

  app.put<{ Params: PnParams; Body: ModelBody }>(
    "/api/v1/models/:pn",
    {
      config: { access: "admin" },
      schema: {
        tags,
        summary: "Create or replace a device model (installation-wide admin token)",
        security: bearer,
        params: PnParams,
        body: ModelBody,
        response: responses({ 200: ModelSchema }),
      },
    },
    async (request) => {
      const principal = principalOf(request);
      requireGlobal(principal, "changing a device model");
      const model = await store.models.upsert(
        { ...request.body, pn: request.params.pn },
        { actor: principal.actor },
      );
      return modelJson(model);
    },
  );

  app.delete<{ Params: PnParams }>(
    "/api/v1/models/:pn",
    {
      config: { access: "admin" },
      schema: {
        tags,
        summary: "Delete an unused device model (installation-wide admin token)",
        security: bearer,
        params: PnParams,
        response: responses({ 204: Type.Null() }),
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      requireGlobal(principal, "deleting a device model");
      await store.models.delete(request.params.pn, { actor: principal.actor });
      return reply.code(204).send();
    },
  );
}
