import { type TSchema, Type } from "@sinclair/typebox";
import type { FastifyInstance, FastifyRequest } from "fastify";
import {
  canonicalParameterName,
  findTenant,
  layerJson,
  notFound,
  patchLayer,
  replaceLayer,
} from "../../admin/index.ts";
import type { Layer, LayerTarget } from "../../store/index.ts";
import { assertVisible, principalOf } from "../auth.ts";
import { LayerPatch, LayerPut, LayerSchema, ParameterPut } from "../schemas.ts";
import { visibleAccount } from "./account_routes.ts";
import { bearer, type RouteContext, responses } from "./context.ts";
import { visibleDevice } from "./device_routes.ts";
import { visibleGroup } from "./group_routes.ts";

type AnyParams = Record<string, string>;

interface ScopeRoute {
  readonly scope: string;
  readonly path: string;
  readonly params: TSchema;
  readonly target: (request: FastifyRequest) => Promise<LayerTarget>;
}

const Id = Type.String({ maxLength: 128 });
const NameParam = Type.String({ minLength: 1, maxLength: 128 });

export function layerRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { store, catalogue } = ctx;
  const params = (request: FastifyRequest): AnyParams => request.params as AnyParams;
  const view = (request: FastifyRequest) => ({
    revealSecrets: principalOf(request).role === "admin",
    isSecret: (name: string) => catalogue.isSecret(name),
  });
  /** The layer's JSON, with the warnings of the edit that produced it. */
  const edited = (
    request: FastifyRequest,
    target: LayerTarget,
    layer: Layer | null,
    warnings: readonly string[],
  ) => ({
    ...layerJson(target, layer, view(request)),
    ...(warnings.length === 0 ? {} : { warnings: [...warnings] }),
  });
  const editOptions = (request: FastifyRequest, warnings: string[]) => ({
    actor: principalOf(request).actor,
    catalogue,
    onWarning: (message: string) => warnings.push(message),
  });

  const tenantOf = async (request: FastifyRequest) => {
    const ref = params(request).id!;
    const tenant = await findTenant(store, ref);
    if (tenant === null) throw notFound("tenant", ref);
    assertVisible(principalOf(request), tenant.id, "tenant", ref);
    return tenant;
  };

  const scopes: ScopeRoute[] = [
    {
      scope: "tenant",
      path: "/api/v1/tenants/:id/layer",
      params: Type.Object({ id: Id }),
      target: async (request) => ({ scope: "tenant", tenantId: (await tenantOf(request)).id }),
    },
    {
      scope: "staging",
      path: "/api/v1/tenants/:id/staging/layer",
      params: Type.Object({ id: Id }),
      target: async (request) => ({ scope: "staging", tenantId: (await tenantOf(request)).id }),
    },
    {
      scope: "model",
      path: "/api/v1/tenants/:id/models/:pn/layer",
      params: Type.Object({ id: Id, pn: Type.String({ minLength: 1, maxLength: 64 }) }),
      target: async (request) => {
        const tenant = await tenantOf(request);
        const pn = params(request).pn!;
        if ((await store.models.find(pn)) === null) throw notFound("model", pn);
        return { scope: "model", tenantId: tenant.id, pn };
      },
    },
    {
      scope: "group",
      path: "/api/v1/groups/:id/layer",
      params: Type.Object({ id: Id }),
      target: async (request) => ({
        scope: "group",
        groupId: (await visibleGroup(store, principalOf(request), params(request).id!)).id,
      }),
    },
    {
      scope: "account",
      path: "/api/v1/accounts/:id/layer",
      params: Type.Object({ id: Id }),
      target: async (request) => ({
        scope: "account",
        accountId: (await visibleAccount(store, principalOf(request), params(request).id!)).id,
      }),
    },
    {
      scope: "device",
      path: "/api/v1/devices/:mac/layer",
      params: Type.Object({ mac: Type.String({ maxLength: 32 }) }),
      target: async (request) => ({
        scope: "device",
        mac: (await visibleDevice(store, principalOf(request), params(request).mac!)).mac,
      }),
    },
  ];

  for (const s of scopes) {
    const tags = ["layers"];
    const what = `the ${s.scope} layer`;
    const withName = Type.Composite([
      s.params as ReturnType<typeof Type.Object>,
      Type.Object({ name: NameParam }),
    ]);

    app.get(
      s.path,
      {
        schema: {
          tags,
          summary: `Read ${what} (an empty layer at version 0 when none is set)`,
          security: bearer,
          params: s.params,
          response: responses({ 200: LayerSchema }),
        },
      },
      async (request) => {
        const target = await s.target(request);
        return layerJson(target, await store.layers.get(target), view(request));
      },
    );

    app.put<{ Body: LayerPut }>(
      s.path,
      {
        schema: {
          tags,
          summary: `Replace every parameter of ${what}`,
          description:
            "Names must be catalogue parameters (bracket form `Proxy[1]` accepted) — for a model layer, or a device with a built-in model, that model's parameters, within its lines and line keys; values are checked against the parameter's type (400 API_UNKNOWN_PARAMETER with suggestions or the model's limits, 400 API_INVALID_VALUE). With the tenant setting `allowUnknownParameters`, names the catalogue does not know are kept and listed in `warnings`. Values may be templates such as `{{ account.line1.user_id }}`; an account's lines reach the profile without any (see the effective configuration).",
          security: bearer,
          params: s.params,
          body: LayerPut,
          response: responses({ 200: LayerSchema }),
        },
      },
      async (request) => {
        const target = await s.target(request);
        const warnings: string[] = [];
        const layer = await replaceLayer(
          store,
          target,
          request.body.parameters,
          editOptions(request, warnings),
        );
        return edited(request, target, layer, warnings);
      },
    );

    app.patch<{ Body: LayerPatch }>(
      s.path,
      {
        schema: {
          tags,
          summary: `Set and unset parameters of ${what}, keeping the others`,
          security: bearer,
          params: s.params,
          body: LayerPatch,
          response: responses({ 200: LayerSchema }),
        },
      },
      async (request) => {
        const target = await s.target(request);
        const warnings: string[] = [];
        const layer = await patchLayer(
          store,
          target,
          request.body.set ?? [],
          request.body.unset ?? [],
          editOptions(request, warnings),
        );
        return edited(request, target, layer, warnings);
      },
    );

    app.delete(
      s.path,
      {
        schema: {
          tags,
          summary: `Remove ${what} entirely`,
          security: bearer,
          params: s.params,
          response: responses({ 204: Type.Null() }),
        },
      },
      async (request, reply) => {
        const target = await s.target(request);
        await store.layers.unset(target, { actor: principalOf(request).actor });
        return reply.code(204).send();
      },
    );

    app.put<{ Body: ParameterPut }>(
      `${s.path}/parameters/:name`,
      {
        schema: {
          tags,
          summary: `Set one parameter of ${what} (value, access tag, or both)`,
          security: bearer,
          params: withName,
          body: ParameterPut,
          response: responses({ 200: LayerSchema }),
        },
      },
      async (request) => {
        const target = await s.target(request);
        const name = params(request).name!;
        const warnings: string[] = [];
        const layer = await patchLayer(
          store,
          target,
          [{ name, value: request.body.value ?? null, access: request.body.access ?? null }],
          [],
          editOptions(request, warnings),
        );
        return edited(request, target, layer, warnings);
      },
    );

    app.delete(
      `${s.path}/parameters/:name`,
      {
        schema: {
          tags,
          summary: `Unset one parameter of ${what}`,
          security: bearer,
          params: withName,
          response: responses({ 200: LayerSchema }),
        },
      },
      async (request) => {
        const target = await s.target(request);
        const raw = params(request).name!;
        const current = await store.layers.get(target);
        // A name kept although unknown (allowUnknownParameters) is removed as written.
        const name = current?.parameters.some((p) => p.name === raw)
          ? raw
          : canonicalParameterName(raw, catalogue);
        if (current === null || !current.parameters.some((p) => p.name === name)) {
          throw notFound("parameter", name);
        }
        const layer = await patchLayer(store, target, [], [name], {
          actor: principalOf(request).actor,
          catalogue,
        });
        return layerJson(target, layer, view(request));
      },
    );
  }
}
