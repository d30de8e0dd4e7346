import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { accountJson, notFound } from "../../admin/index.ts";
import type { Account, AccountLineInput, Store } from "../../store/index.ts";
import { assertVisible, listTenant, type Principal, principalOf, targetTenant } from "../auth.ts";
import {
  AccountCreate,
  AccountListQuery,
  AccountPatchBody,
  AccountSchema,
  IdParams,
  Page,
} from "../schemas.ts";
import { bearer, type RouteContext, responses } from "./context.ts";

type LineBody = NonNullable<AccountCreate["lines"]>[number];

export function lineInputs(lines: readonly LineBody[]): AccountLineInput[] {
  return lines.map((l) => ({
    line: l.line,
    userId: l.userId,
    ...(l.authId === undefined ? {} : { authId: l.authId }),
    ...(l.password === undefined ? {} : { password: l.password }),
    ...(l.displayName === undefined ? {} : { displayName: l.displayName }),
    ...(l.proxy === undefined ? {} : { proxy: l.proxy }),
    ...(l.outboundProxy === undefined ? {} : { outboundProxy: l.outboundProxy }),
    ...(l.voicemailId === undefined ? {} : { voicemailId: l.voicemailId }),
    ...(l.extras === undefined ? {} : { extras: l.extras }),
  }));
}

/** By id, or by reference in the token's (else the default) tenant; 404 when not visible. */
export async function visibleAccount(
  store: Store,
  principal: Principal,
  ref: string,
): Promise<Account> {
  const account =
    (await store.accounts.find(ref)) ??
    (await store.accounts.findByReference(principal.tenantId ?? "default", ref));
  if (account === null) throw notFound("account", ref);
  assertVisible(principal, account.tenantId, "account", ref);
  return account;
}

export function accountRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { store } = ctx;
  const tags = ["accounts"];

  app.get<{ Querystring: AccountListQuery }>(
    "/api/v1/accounts",
    {
      schema: {
        tags,
        summary:
          "List accounts (ordered by id; keyset pagination with `after`), optionally matching `q`",
        security: bearer,
        querystring: AccountListQuery,
        response: responses({ 200: Page(AccountSchema) }),
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const tenantId = await listTenant(store, principal, request.query.tenant);
      const limit = request.query.limit ?? 100;
      const accounts = await store.accounts.list({
        ...(tenantId === undefined ? {} : { tenantId }),
        ...(request.query.after === undefined ? {} : { after: request.query.after }),
        ...(request.query.q === undefined ? {} : { text: request.query.q }),
        limit,
      });
      return {
        items: accounts.map(accountJson),
        next: accounts.length === limit ? (accounts.at(-1)?.id ?? null) : null,
      };
    },
  );

  app.post<{ Body: AccountCreate }>(
    "/api/v1/accounts",
    {
      schema: {
        tags,
        summary: "Create an account with its lines (SIP passwords are write-only)",
        security: bearer,
        body: AccountCreate,
        response: responses({ 201: AccountSchema }),
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const tenant = await targetTenant(store, principal, request.body.tenant);
      const account = await store.accounts.create(
        {
          tenantId: tenant.id,
          reference: request.body.reference,
          ...(request.body.name === undefined ? {} : { name: request.body.name }),
          lines: lineInputs(request.body.lines ?? []),
        },
        { actor: principal.actor },
      );
      reply.code(201).header("location", `/api/v1/accounts/${account.id}`);
      return accountJson(account);
    },
  );

  app.get<{ Params: IdParams }>(
    "/api/v1/accounts/:id",
    {
      schema: {
        tags,
        summary: "One account, by id or reference",
        security: bearer,
        params: IdParams,
        response: responses({ 200: AccountSchema }),
      },
    },
    async (request) =>
      accountJson(await visibleAccount(store, principalOf(request), request.params.id)),
  );

  app.patch<{ Params: IdParams; Body: AccountPatchBody }>(
    "/api/v1/accounts/:id",
    {
      schema: {
        tags,
        summary:
          "Change an account; `lines` replaces every line (a line without password keeps its password)",
        security: bearer,
        params: IdParams,
        body: AccountPatchBody,
        response: responses({ 200: AccountSchema }),
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const account = await visibleAccount(store, principal, request.params.id);
      const body = request.body;
      const updated = await store.accounts.update(
        account.id,
        {
          ...(body.reference === undefined ? {} : { reference: body.reference }),
          ...(body.name === undefined ? {} : { name: body.name }),
          ...(body.lines === undefined ? {} : { lines: lineInputs(body.lines) }),
        },
        { actor: principal.actor },
      );
      return accountJson(updated);
    },
  );

  app.delete<{ Params: IdParams }>(
    "/api/v1/accounts/:id",
    {
      schema: {
        tags,
        summary: "Delete an account (its devices are detached, its layer removed)",
        security: bearer,
        params: IdParams,
        response: responses({ 204: Type.Null() }),
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const account = await visibleAccount(store, principal, request.params.id);
      await store.accounts.delete(account.id, { actor: principal.actor });
      return reply.code(204).send();
    },
  );
}
