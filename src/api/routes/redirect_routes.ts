/**
 * The redirect (RC) service's API: a provider's redirect profiles, its registered MACs and
 * their customization status. A provider sees only its own units; a MAC another provider
 * holds is a 409 that names nobody. Transfers between providers need an admin token of the
 * whole installation.
 */
import { setImmediate as nextTick } from "node:timers/promises";
import { type Static, Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import {
  apiError,
  notFound,
  notGranted,
  parseMacParam,
  parseMacRange,
  readMacList,
  redirectGrantJson,
  redirectProfileJson,
  redirectUnitJson,
  registerOne,
  tenantSlugs,
} from "../../admin/index.ts";
import {
  CUSTOMIZATION_STATUSES,
  type MacAddress,
  type RedirectUnit,
  type Store,
  tryParseMac,
} from "../../store/index.ts";
import {
  assertVisible,
  listTenant,
  type Principal,
  principalOf,
  requireGlobal,
  targetTenant,
} from "../auth.ts";
import { operationJson } from "../operations.ts";
import { Limit, MacParams, OperationSchema, Page } from "../schemas.ts";
import { bearer, type RouteContext, responses } from "./context.ts";

const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);
const Status = Type.Union(CUSTOMIZATION_STATUSES.map((s) => Type.Literal(s)));

const RedirectProfileSchema = Type.Object(
  {
    id: Type.String(),
    tenant: Type.String(),
    name: Type.String(),
    restrictedDomains: Type.Array(Type.String()),
    primaryDns: Nullable(Type.String()),
    secondaryDns: Nullable(Type.String()),
    provisionEnable: Type.Union([Type.Literal("Yes"), Type.Literal("No")]),
    resyncPeriodic: Nullable(Type.String()),
    resyncErrorRetryDelay: Nullable(Type.String()),
    profileRule: Type.String(),
    version: Type.Integer(),
    createdAt: Type.String({ format: "date-time" }),
    updatedAt: Type.String({ format: "date-time" }),
  },
  { title: "RedirectProfile" },
);

const RedirectProfileBody = Type.Object(
  {
    tenant: Type.Optional(Type.String({ maxLength: 64 })),
    restrictedDomains: Type.Optional(
      Type.Array(Type.String({ maxLength: 253 }), {
        maxItems: 5,
        description: "at most five domains; the unit then talks only to hosts in them",
      }),
    ),
    primaryDns: Type.Optional(Nullable(Type.String({ maxLength: 253 }))),
    secondaryDns: Type.Optional(Nullable(Type.String({ maxLength: 253 }))),
    provisionEnable: Type.Optional(Type.Boolean()),
    resyncPeriodic: Type.Optional(Nullable(Type.String({ maxLength: 128 }))),
    resyncErrorRetryDelay: Type.Optional(Nullable(Type.String({ maxLength: 128 }))),
    profileRule: Type.String({
      maxLength: 1024,
      description: "the rule to the provider's own server, inside the restricted domains",
      examples: ["https://prov.example.com/profile/$MA.xml"],
    }),
  },
  { additionalProperties: false },
);
type RedirectProfileBody = Static<typeof RedirectProfileBody>;

const RedirectUnitSchema = Type.Object(
  {
    mac: Type.String(),
    tenant: Type.String(),
    profile: Nullable(Type.String()),
    status: Status,
    customization: Type.String({ description: "as a unit's Info page spells it (Pending, …)" }),
    statusAt: Type.String({ format: "date-time" }),
    version: Type.Integer(),
    createdAt: Type.String({ format: "date-time" }),
    updatedAt: Type.String({ format: "date-time" }),
  },
  { title: "RedirectUnit" },
);

const UnitQuery = Type.Object(
  {
    tenant: Type.Optional(Type.String({ maxLength: 64 })),
    status: Type.Optional(Status),
    after: Type.Optional(Type.String({ maxLength: 32 })),
    limit: Type.Optional(Limit),
  },
  { additionalProperties: false },
);
type UnitQuery = Static<typeof UnitQuery>;

const RegisterBody = Type.Object(
  {
    tenant: Type.Optional(Type.String({ maxLength: 64 })),
    profile: Type.String({ maxLength: 64 }),
    macs: Type.Array(Type.String({ maxLength: 17 }), { minItems: 1, maxItems: 10_000 }),
  },
  { additionalProperties: false },
);
type RegisterBody = Static<typeof RegisterBody>;

const RegisterResult = Type.Object({
  registered: Type.Integer(),
  unchanged: Type.Integer(),
  conflicts: Type.Array(Type.String(), {
    description: "MACs another provider holds (left alone; the owner is not named)",
  }),
  outside: Type.Array(Type.String(), {
    description:
      "MACs outside the ranges granted to the provider (a provider's token only; left alone)",
  }),
});

const RedirectGrantSchema = Type.Object(
  {
    id: Type.String(),
    tenant: Type.String(),
    first: Type.String(),
    last: Type.String(),
    size: Type.Integer(),
    note: Nullable(Type.String()),
    createdAt: Type.String({ format: "date-time" }),
  },
  { title: "RedirectGrant" },
);

const GrantBody = Type.Object(
  {
    tenant: Type.String({ maxLength: 64 }),
    range: Type.String({
      maxLength: 40,
      description: "FIRST-LAST, or a prefix of 6 to 12 hex digits",
      examples: ["000e08120000-000e0812ffff", "000e0812"],
    }),
    note: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);
type GrantBody = Static<typeof GrantBody>;

const UnitPatch = Type.Object(
  {
    profile: Type.Optional(Type.String({ maxLength: 64 })),
    status: Type.Optional(Status),
  },
  { additionalProperties: false },
);
type UnitPatch = Static<typeof UnitPatch>;

const TransferBody = Type.Object(
  { tenant: Type.String({ maxLength: 64 }), profile: Type.String({ maxLength: 64 }) },
  { additionalProperties: false },
);
type TransferBody = Static<typeof TransferBody>;

const NameParams = Type.Object({ name: Type.String({ maxLength: 64 }) });
type NameParams = Static<typeof NameParams>;
type Params = Static<typeof MacParams>;

async function unitJson(store: Store, unit: RedirectUnit) {
  const [profile, tenant] = await Promise.all([
    store.redirects.profileById(unit.profileId),
    store.tenants.find(unit.tenantId),
  ]);
  return redirectUnitJson(unit, profile?.name ?? null, tenant?.slug);
}

/**
 * A provider's own token registers only MACs inside its grants; a token of the whole
 * installation registers any (the operator decides whose units are whose).
 */
const grantedOnly = (principal: Principal): boolean => principal.tenantId !== null;

/** The unit, when the principal's tenant holds it; another provider's MAC is a 404. */
async function visibleUnit(
  store: Store,
  principal: Principal,
  mac: MacAddress,
): Promise<RedirectUnit> {
  const unit = await store.redirects.find(mac);
  if (unit === null) throw notFound("redirect registration", mac);
  assertVisible(principal, unit.tenantId, "redirect registration", mac);
  return unit;
}

export function redirectRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { store } = ctx;
  const tags = ["redirect"];

  app.get<{ Querystring: { tenant?: string } }>(
    "/api/v1/redirect/profiles",
    {
      schema: {
        tags,
        summary: "List redirect profiles (the token's tenant, or all for an installation token)",
        security: bearer,
        querystring: Type.Object({ tenant: Type.Optional(Type.String({ maxLength: 64 })) }),
        response: responses({ 200: Type.Array(RedirectProfileSchema) }),
      },
    },
    async (request) => {
      const tenantId = await listTenant(store, principalOf(request), request.query.tenant);
      const profiles = await store.redirects.listProfiles(tenantId);
      const slugs = await tenantSlugs(store);
      return profiles.map((p) => redirectProfileJson(p, slugs.get(p.tenantId)));
    },
  );

  app.put<{ Params: NameParams; Body: RedirectProfileBody }>(
    "/api/v1/redirect/profiles/:name",
    {
      schema: {
        tags,
        summary: "Create or replace a redirect profile",
        description:
          "At most five restricted domains; the Profile_Rule must parse, name the provider's server in every URL and stay inside the restricted domains (400 otherwise).",
        security: bearer,
        params: NameParams,
        body: RedirectProfileBody,
        response: responses({ 200: RedirectProfileSchema }),
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const tenant = await targetTenant(store, principal, request.body.tenant);
      const { tenant: _ignored, ...fields } = request.body;
      const profile = await store.redirects.setProfile(
        { ...fields, tenantId: tenant.id, name: request.params.name },
        { actor: principal.actor },
      );
      return redirectProfileJson(profile, tenant.slug);
    },
  );

  app.delete<{ Params: NameParams; Querystring: { tenant?: string } }>(
    "/api/v1/redirect/profiles/:name",
    {
      schema: {
        tags,
        summary: "Delete a redirect profile (409 while units use it)",
        security: bearer,
        params: NameParams,
        querystring: Type.Object({ tenant: Type.Optional(Type.String({ maxLength: 64 })) }),
        response: responses({ 204: Type.Null() }),
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const tenant = await targetTenant(store, principal, request.query.tenant);
      await store.redirects.deleteProfile(tenant.id, request.params.name, {
        actor: principal.actor,
      });
      reply.code(204);
      return null;
    },
  );

  app.get<{ Querystring: UnitQuery }>(
    "/api/v1/redirect/units",
    {
      schema: {
        tags,
        summary: "List registered units with their customization status (by MAC; `after` pages)",
        security: bearer,
        querystring: UnitQuery,
        response: responses({ 200: Page(RedirectUnitSchema) }),
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const tenantId = await listTenant(store, principal, request.query.tenant);
      const limit = request.query.limit ?? 100;
      const after =
        request.query.after === undefined ? undefined : tryParseMac(request.query.after);
      const units = await store.redirects.list({
        ...(tenantId === undefined ? {} : { tenantId }),
        ...(request.query.status === undefined ? {} : { status: request.query.status }),
        ...(after === undefined ? {} : { after }),
        limit,
      });
      const items = await Promise.all(units.map((u) => unitJson(store, u)));
      return { items, next: units.length === limit ? (units.at(-1)?.mac ?? null) : null };
    },
  );

  app.post<{ Body: RegisterBody }>(
    "/api/v1/redirect/units",
    {
      schema: {
        tags,
        summary: "Register MACs to a redirect profile (up to 10,000 per request)",
        description:
          "A provider's token registers only MACs inside the ranges the installation granted it (the others are listed in `outside`); MACs another provider holds are left alone and listed in `conflicts`; MACs already yours move to this profile.",
        security: bearer,
        body: RegisterBody,
        response: responses({ 200: RegisterResult }),
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const tenant = await targetTenant(store, principal, request.body.tenant);
      const macs = request.body.macs.map(parseMacParam);
      const result = await store.redirects.register(tenant.id, request.body.profile, macs, {
        actor: principal.actor,
        grantedOnly: grantedOnly(principal),
      });
      return { ...result, conflicts: [...result.conflicts], outside: [...result.outside] };
    },
  );

  app.post<{ Querystring: { tenant?: string; profile: string }; Body: string }>(
    "/api/v1/redirect/units/import",
    {
      bodyLimit: ctx.importBodyLimit,
      schema: {
        tags,
        summary: "Register MACs from a file (asynchronous: poll the operation)",
        description:
          "Body: `text/csv` with a `mac` column (other columns ignored), or one MAC per line. Answers 202 with an operation: `committed` counts MACs registered so far; unreadable lines and MACs another provider holds are listed in `errors` with their line (the owner is not named).",
        security: bearer,
        querystring: Type.Object(
          {
            tenant: Type.Optional(Type.String({ maxLength: 64 })),
            profile: Type.String({ maxLength: 64 }),
          },
          { additionalProperties: false },
        ),
        consumes: ["text/csv"],
        body: Type.String({ examples: ["mac\n000e08abcdef\n000e08abcdf0\n"] }),
        response: responses({ 202: Type.Object({ operation: OperationSchema }) }),
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const tenant = await targetTenant(store, principal, request.query.tenant);
      const { profile } = request.query;
      if ((await store.redirects.findProfile(tenant.id, profile)) === null) {
        throw notFound("redirect profile", profile);
      }
      const body = request.body;
      if (typeof body !== "string") {
        throw apiError("API_UNSUPPORTED_MEDIA_TYPE", "send the MACs as Content-Type: text/csv");
      }
      const operation = ctx.operations.start("redirect-import", tenant.id, async (op) => {
        await nextTick();
        const read = await readMacList([body]);
        for (const e of read.errors) {
          if (op.errors.length < 1000) op.errors.push({ ...e, code: "API_CSV_INVALID" });
        }
        const lineOf = new Map(read.macs.map((mac, i) => [mac, read.lines[i]!]));
        const rowsRead = read.macs.length + read.errors.length;
        op.progress = {
          rowsRead,
          committed: 0,
          rejected: read.errors.length,
          lastCommittedLine: null,
        };
        const result = await store.redirects.register(tenant.id, profile, read.macs, {
          actor: principal.actor,
          grantedOnly: grantedOnly(principal),
          onProgress: (p) => {
            op.progress = { ...op.progress, committed: p.done };
          },
        });
        for (const mac of result.conflicts) {
          if (op.errors.length < 1000) {
            op.errors.push({
              line: lineOf.get(mac) ?? 0,
              code: "STORE_CONFLICT",
              message: `MAC ${mac} is registered to another provider`,
            });
          }
        }
        for (const mac of result.outside) {
          if (op.errors.length < 1000) {
            const error = notGranted(mac);
            op.errors.push({
              line: lineOf.get(mac) ?? 0,
              code: error.code,
              message: error.message,
            });
          }
        }
        op.progress = {
          rowsRead,
          committed: result.registered + result.unchanged,
          rejected: read.errors.length + result.conflicts.length + result.outside.length,
          lastCommittedLine: read.lines.at(-1) ?? null,
        };
      });
      reply.code(202).header("location", `/api/v1/operations/${operation.id}`);
      return { operation: operationJson(operation) };
    },
  );

  app.get<{ Params: Params }>(
    "/api/v1/redirect/units/:mac",
    {
      schema: {
        tags,
        summary: "One registered unit and its customization status",
        security: bearer,
        params: MacParams,
        response: responses({ 200: RedirectUnitSchema }),
      },
    },
    async (request) => {
      const mac = parseMacParam(request.params.mac);
      return unitJson(store, await visibleUnit(store, principalOf(request), mac));
    },
  );

  app.put<{ Params: Params; Body: { tenant?: string; profile: string } }>(
    "/api/v1/redirect/units/:mac",
    {
      schema: {
        tags,
        summary:
          "Register one MAC (403 outside the provider's granted ranges; 409 when another provider holds it, unnamed)",
        security: bearer,
        params: MacParams,
        body: Type.Object(
          {
            tenant: Type.Optional(Type.String({ maxLength: 64 })),
            profile: Type.String({ maxLength: 64 }),
          },
          { additionalProperties: false },
        ),
        response: responses({ 200: RedirectUnitSchema }),
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const tenant = await targetTenant(store, principal, request.body.tenant);
      const mac = parseMacParam(request.params.mac);
      await registerOne(
        store,
        tenant.id,
        request.body.profile,
        mac,
        principal.actor,
        grantedOnly(principal),
      );
      return unitJson(store, await visibleUnit(store, principal, mac));
    },
  );

  app.patch<{ Params: Params; Body: UnitPatch }>(
    "/api/v1/redirect/units/:mac",
    {
      schema: {
        tags,
        summary: "Move a unit to another of your profiles, or set its status",
        description:
          "A provider whose own server does not share this database reports `acquired` here once the unit reached it.",
        security: bearer,
        params: MacParams,
        body: UnitPatch,
        response: responses({ 200: RedirectUnitSchema }),
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const mac = parseMacParam(request.params.mac);
      const unit = await visibleUnit(store, principal, mac);
      if (request.body.profile !== undefined) {
        // The unit is the provider's already: moving it between its own profiles needs no grant.
        await registerOne(store, unit.tenantId, request.body.profile, mac, principal.actor, false);
      }
      if (request.body.status !== undefined) {
        await store.redirects.setStatus(mac, request.body.status, undefined, {
          actor: principal.actor,
        });
      }
      return unitJson(store, await visibleUnit(store, principal, mac));
    },
  );

  app.delete<{ Params: Params }>(
    "/api/v1/redirect/units/:mac",
    {
      schema: {
        tags,
        summary: "Release a MAC (its redirect stops at once; audited)",
        security: bearer,
        params: MacParams,
        response: responses({ 204: Type.Null() }),
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const mac = parseMacParam(request.params.mac);
      const unit = await visibleUnit(store, principal, mac);
      await store.redirects.release(mac, unit.tenantId, { actor: principal.actor });
      reply.code(204);
      return null;
    },
  );

  app.post<{ Params: Params; Body: TransferBody }>(
    "/api/v1/redirect/units/:mac/transfer",
    {
      config: { access: "admin" },
      schema: {
        tags,
        summary:
          "Move a MAC to another provider's profile (installation admin; audited under both)",
        security: bearer,
        params: MacParams,
        body: TransferBody,
        response: responses({ 200: RedirectUnitSchema }),
      },
    },
    async (request) => {
      const principal = principalOf(request);
      // Only a token of the whole installation moves units between providers: a transfer
      // overwrites whoever holds the MAC, so a tenant's "it is unregistered" check could race
      // another provider's registration (a tenant registers with POST /redirect/units).
      requireGlobal(principal, "moving a unit between providers");
      const mac = parseMacParam(request.params.mac);
      const tenant = await targetTenant(store, principal, request.body.tenant);
      const moved = await store.redirects.transfer(mac, tenant.id, request.body.profile, {
        actor: principal.actor,
      });
      return unitJson(store, moved);
    },
  );

  app.get<{ Querystring: { tenant?: string } }>(
    "/api/v1/redirect/grants",
    {
      schema: {
        tags,
        summary:
          "MAC ranges granted to providers (the token's own, or all for an installation token)",
        security: bearer,
        querystring: Type.Object({ tenant: Type.Optional(Type.String({ maxLength: 64 })) }),
        response: responses({ 200: Type.Array(RedirectGrantSchema) }),
      },
    },
    async (request) => {
      const tenantId = await listTenant(store, principalOf(request), request.query.tenant);
      const grants = await store.redirects.listGrants(tenantId);
      const slugs = await tenantSlugs(store);
      return grants.map((g) => redirectGrantJson(g, slugs.get(g.tenantId)));
    },
  );

  app.post<{ Body: GrantBody }>(
    "/api/v1/redirect/grants",
    {
      config: { access: "admin" },
      schema: {
        tags,
        summary: "Grant a provider a MAC range it may register (installation admin)",
        description:
          "409 when the range overlaps another provider's. Units already registered are not touched.",
        security: bearer,
        body: GrantBody,
        response: responses({ 201: RedirectGrantSchema }),
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      requireGlobal(principal, "granting MAC ranges");
      const tenant = await targetTenant(store, principal, request.body.tenant);
      const range = parseMacRange(request.body.range);
      const grant = await store.redirects.grant(
        { tenantId: tenant.id, ...range, note: request.body.note },
        { actor: principal.actor },
      );
      reply.code(201);
      return redirectGrantJson(grant, tenant.slug);
    },
  );

  app.delete<{ Params: { id: string } }>(
    "/api/v1/redirect/grants/:id",
    {
      config: { access: "admin" },
      schema: {
        tags,
        summary: "Take a grant back (installation admin); registered units stay registered",
        security: bearer,
        params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
        response: responses({ 204: Type.Null() }),
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      requireGlobal(principal, "revoking MAC ranges");
      await store.redirects.revokeGrant(request.params.id, { actor: principal.actor });
      reply.code(204);
      return null;
    },
  );
}
