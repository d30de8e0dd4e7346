/**
 * What the layer editor asks besides the layer routes: the parameter catalogue of a model (for
 * autocomplete), a verdict on one parameter as typed (the layer edit's own check), and a
 * preview of an edit — which devices' effective configuration it would change — without
 * saving it. All read-only (the `read` role), tenant-scoped like the layer routes.
 */
import { type Static, Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import {
  apiError,
  catalogueEntries,
  LayerChangePreview,
  MAX_PREVIEW_DEVICES,
  notFound,
  validateParameter,
} from "../../admin/index.ts";
import type { LayerTarget } from "../../store/index.ts";
import { principalOf, targetTenant } from "../auth.ts";
import { LayerParameterSchema } from "../schemas.ts";
import { visibleAccount } from "./account_routes.ts";
import { bearer, type RouteContext, responses } from "./context.ts";
import { visibleDevice } from "./device_routes.ts";
import { visibleGroup } from "./group_routes.ts";

const PnParams = Type.Object({ pn: Type.String({ minLength: 1, maxLength: 64 }) });
type PnParams = Static<typeof PnParams>;

const CatalogueQuery = Type.Object(
  {
    q: Type.Optional(
      Type.String({ maxLength: 128, description: "names or labels containing this (any case)" }),
    ),
  },
  { additionalProperties: false },
);
type CatalogueQuery = Static<typeof CatalogueQuery>;

const CatalogueEntrySchema = Type.Object({
  name: Type.String({ examples: ["Proxy_1_"] }),
  label: Type.String(),
  group: Type.Union([Type.String(), Type.Null()], { description: "web tab/section" }),
  default: Type.Union([Type.String(), Type.Null()], { description: "factory default" }),
  type: Type.String({ description: "value type (bool, enum, int, str, password, url, …)" }),
  values: Type.Optional(Type.Array(Type.String(), { description: "an enum's choices" })),
  min: Type.Optional(Type.Number()),
  max: Type.Optional(Type.Number()),
  maxLength: Type.Optional(Type.Integer()),
  secret: Type.Boolean(),
  access: Type.Union([Type.String(), Type.Null()], { description: "factory user access" }),
});

const ValidateBody = Type.Object(
  {
    parameter: Type.String({ minLength: 1, maxLength: 128, examples: ["Proxy[1]"] }),
    value: Type.Optional(Type.Union([Type.String({ maxLength: 4096 }), Type.Null()])),
    access: Type.Optional(
      Type.Union([Type.Literal("na"), Type.Literal("ro"), Type.Literal("rw"), Type.Null()]),
    ),
    model: Type.Optional(
      Type.String({
        maxLength: 64,
        description: "the layer's device model (model and device layers); absent: every model's",
      }),
    ),
    allowUnknown: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
type ValidateBody = Static<typeof ValidateBody>;

const Verdict = Type.Object({
  ok: Type.Boolean(),
  name: Type.Optional(Type.String({ description: "the canonical name (ok)" })),
  warnings: Type.Optional(Type.Array(Type.String())),
  code: Type.Optional(Type.String({ description: "the error code the edit would answer" })),
  message: Type.Optional(Type.String()),
  suggestions: Type.Optional(Type.Array(Type.String())),
});

const PreviewTarget = Type.Object(
  {
    scope: Type.Union(
      ["tenant", "model", "group", "account", "device"].map((s) => Type.Literal(s)),
    ),
    tenant: Type.Optional(
      Type.String({ maxLength: 64, description: "tenant and model scopes (id or slug)" }),
    ),
    model: Type.Optional(Type.String({ maxLength: 64, description: "model scope" })),
    group: Type.Optional(Type.String({ maxLength: 128, description: "group scope (id or name)" })),
    account: Type.Optional(
      Type.String({ maxLength: 128, description: "account scope (id or reference)" }),
    ),
    mac: Type.Optional(Type.String({ maxLength: 32, description: "device scope" })),
  },
  { additionalProperties: false },
);

const PreviewBody = Type.Object(
  {
    target: PreviewTarget,
    set: Type.Optional(Type.Array(LayerParameterSchema, { maxItems: 2000 })),
    unset: Type.Optional(Type.Array(Type.String({ maxLength: 128 }), { maxItems: 2000 })),
    maxDevices: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: MAX_PREVIEW_DEVICES,
        description: "devices resolved at most (default 500)",
      }),
    ),
    sample: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 200, description: "changed MACs listed (default 20)" }),
    ),
  },
  { additionalProperties: false },
);
type PreviewBody = Static<typeof PreviewBody>;

const PreviewSchema = Type.Object({
  devices: Type.Integer({ description: "devices under the layer" }),
  devicesExact: Type.Boolean({ description: "false: more than 10,000, `devices` is that bound" }),
  evaluated: Type.Integer({ description: "devices resolved (MAC order)" }),
  complete: Type.Boolean({ description: "every device under the layer was resolved" }),
  changed: Type.Integer({ description: "resolved devices with a different value or access" }),
  macs: Type.Array(Type.String(), { description: "the first changed devices" }),
  parameters: Type.Array(Type.Object({ name: Type.String(), devices: Type.Integer() })),
  warnings: Type.Array(Type.String()),
});

export function editorRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { store } = ctx;
  const preview = new LayerChangePreview(store, ctx.catalogue);

  app.get<{ Params: PnParams; Querystring: CatalogueQuery }>(
    "/api/v1/models/:pn/parameters",
    {
      schema: {
        tags: ["models"],
        summary: "The parameters a model carries: group, default, type, secret flag",
        description:
          "Catalogue order. A model the catalogue does not know (added by an admin) lists every model's parameters, as its layers are checked against them.",
        security: bearer,
        params: PnParams,
        querystring: CatalogueQuery,
        response: responses({ 200: Type.Object({ items: Type.Array(CatalogueEntrySchema) }) }),
      },
    },
    async (request) => {
      const model = await store.models.find(request.params.pn);
      if (model === null) throw notFound("model", request.params.pn);
      return { items: catalogueEntries(model.pn, request.query.q) };
    },
  );

  app.post<{ Body: ValidateBody }>(
    "/api/v1/parameters/validate",
    {
      config: { access: "read" },
      schema: {
        tags: ["layers"],
        summary: "Check one parameter as a layer edit would (answers 200 with a verdict)",
        description:
          "The name must be a catalogue parameter (of `model` when given), the value must fit its type (templates: syntax only). `ok: false` carries the code and message the edit would answer with 400.",
        security: bearer,
        body: ValidateBody,
        response: responses({ 200: Verdict }),
      },
    },
    async (request) => {
      const body = request.body;
      if (body.model !== undefined && (await store.models.find(body.model)) === null) {
        throw notFound("model", body.model);
      }
      return validateParameter(
        {
          name: body.parameter,
          value: body.value ?? null,
          // Neither value nor access yet: only the name is checked.
          access: body.value == null && body.access == null ? "rw" : body.access,
        },
        body.model ?? null,
        body.allowUnknown === undefined ? {} : { allowUnknown: body.allowUnknown },
      );
    },
  );

  app.post<{ Body: PreviewBody }>(
    "/api/v1/layers/preview",
    {
      config: { access: "read" },
      schema: {
        tags: ["layers"],
        summary: "Which devices an edit of a layer would change, without saving it",
        description:
          "The edit (`set`, `unset`, as PATCH of the layer) is checked like the real one (400 on the same errors); then up to `maxDevices` devices under the layer (MAC order) are resolved with the layer as stored and as edited, with the server's own merge and templates. `changed` counts the devices whose value or access of an edited parameter differs.",
        security: bearer,
        body: PreviewBody,
        response: responses({ 200: PreviewSchema }),
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const t = request.body.target;
      const need = (field: string | undefined, name: string): string => {
        if (field === undefined) {
          throw apiError("API_VALIDATION", `target.${name} is required for a ${t.scope} layer`);
        }
        return field;
      };
      let target: LayerTarget;
      switch (t.scope) {
        case "tenant":
          target = {
            scope: "tenant",
            tenantId: (await targetTenant(store, principal, t.tenant)).id,
          };
          break;
        case "model": {
          const tenant = await targetTenant(store, principal, t.tenant);
          const pn = need(t.model, "model");
          if ((await store.models.find(pn)) === null) throw notFound("model", pn);
          target = { scope: "model", tenantId: tenant.id, pn };
          break;
        }
        case "group":
          target = {
            scope: "group",
            groupId: (await visibleGroup(store, principal, need(t.group, "group"))).id,
          };
          break;
        case "account":
          target = {
            scope: "account",
            accountId: (await visibleAccount(store, principal, need(t.account, "account"))).id,
          };
          break;
        default:
          target = {
            scope: "device",
            mac: (await visibleDevice(store, principal, need(t.mac, "mac"))).mac,
          };
      }
      return preview.preview(target, request.body.set ?? [], request.body.unset ?? [], {
        ...(request.body.maxDevices === undefined ? {} : { maxDevices: request.body.maxDevices }),
        ...(request.body.sample === undefined ? {} : { sample: request.body.sample }),
      });
    },
  );
}
