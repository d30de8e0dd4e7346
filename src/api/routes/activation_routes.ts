/**
 * Retail activation codes of an account: issue (the code is in this answer only, with the
 * init URL and the device-side URL when the server's public HTTPS address is known), list,
 * revoke.
 */
import { type Static, Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { activationCodeJson, issueActivationCode, notFound } from "../../admin/index.ts";
import { MAX_ACTIVATION_CODE_LENGTH, MIN_ACTIVATION_CODE_LENGTH } from "../../store/index.ts";
import { assertVisible, listTenant, principalOf } from "../auth.ts";
import {
  ActivationCodeSchema,
  IdParams,
  IssuedActivationCodeSchema,
  Limit,
  TenantActivationCodeSchema,
} from "../schemas.ts";
import { visibleAccount } from "./account_routes.ts";
import { bearer, type RouteContext, responses } from "./context.ts";

const TenantCodesQuery = Type.Object(
  {
    tenant: Type.Optional(Type.String({ maxLength: 64 })),
    limit: Type.Optional(Limit),
  },
  { additionalProperties: false },
);
type TenantCodesQuery = Static<typeof TenantCodesQuery>;

const IssueBody = Type.Object(
  {
    length: Type.Optional(
      Type.Integer({
        minimum: MIN_ACTIVATION_CODE_LENGTH,
        maximum: MAX_ACTIVATION_CODE_LENGTH,
        default: 16,
      }),
    ),
    ttlDays: Type.Optional(Type.Number({ minimum: 0.001, maximum: 366, default: 7 })),
    server: Type.Optional(
      Type.String({
        maxLength: 255,
        description:
          "the provisioning server as devices reach it over HTTPS (https://prov.example.com)",
      }),
    ),
  },
  { additionalProperties: false },
);
type IssueBody = Static<typeof IssueBody>;

export function activationRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { store } = ctx;
  const tags = ["activation"];

  app.post<{ Params: IdParams; Body: IssueBody }>(
    "/api/v1/accounts/:id/activation-codes",
    {
      schema: {
        tags,
        summary: "Issue an activation code for the account (shown once)",
        security: bearer,
        params: IdParams,
        body: IssueBody,
        response: responses({ 201: IssuedActivationCodeSchema }),
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const account = await visibleAccount(store, principal, request.params.id);
      const issued = await issueActivationCode(store, account, {
        ...(request.body.length === undefined ? {} : { length: request.body.length }),
        ...(request.body.ttlDays === undefined ? {} : { ttlDays: request.body.ttlDays }),
        server: request.body.server,
        actor: principal.actor,
      });
      reply.code(201).header("cache-control", "no-store");
      return issued;
    },
  );

  app.get<{ Params: IdParams }>(
    "/api/v1/accounts/:id/activation-codes",
    {
      schema: {
        tags,
        summary: "The account's activation codes (never the codes themselves)",
        security: bearer,
        params: IdParams,
        response: responses({ 200: Type.Array(ActivationCodeSchema) }),
      },
    },
    async (request) => {
      const account = await visibleAccount(store, principalOf(request), request.params.id);
      const codes = await store.activationCodes.list({ accountId: account.id, limit: 1000 });
      return codes.map((c) => activationCodeJson(c));
    },
  );

  app.get<{ Querystring: TenantCodesQuery }>(
    "/api/v1/activation-codes",
    {
      schema: {
        tags,
        summary:
          "A tenant's activation codes, newest first, with their accounts (never the codes themselves)",
        security: bearer,
        querystring: TenantCodesQuery,
        response: responses({
          200: Type.Object({ items: Type.Array(TenantActivationCodeSchema) }),
        }),
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const tenantId = (await listTenant(store, principal, request.query.tenant)) ?? "default";
      const codes = await store.activationCodes.list({
        tenantId,
        limit: request.query.limit ?? 100,
      });
      const accounts = new Map<string, { reference: string; name: string | null } | null>();
      for (const id of new Set(codes.map((c) => c.accountId))) {
        accounts.set(id, await store.accounts.find(id));
      }
      return {
        items: codes.map((c) => {
          const account = accounts.get(c.accountId) ?? null;
          return {
            ...activationCodeJson(c),
            accountReference: account?.reference ?? null,
            accountName: account?.name ?? null,
          };
        }),
      };
    },
  );

  app.delete<{ Params: IdParams }>(
    "/api/v1/activation-codes/:id",
    {
      schema: {
        tags,
        summary: "Revoke an unused activation code (409 for a used one: it records the binding)",
        security: bearer,
        params: IdParams,
        response: responses({ 204: Type.Null() }),
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const code = await store.activationCodes.get(request.params.id).catch(() => null);
      if (code === null) throw notFound("activation code", request.params.id);
      assertVisible(principal, code.tenantId, "activation code", request.params.id);
      await store.activationCodes.revoke(code.id, { actor: principal.actor });
      reply.code(204);
      return null;
    },
  );
}
