/**
 * Firmware: images (upload with version, models and SHA-256, verified before anything is
 * stored; list; remove), upgrade policies (per tenant, model or group: target and required
 * intermediate versions) and staged rollouts (start, progress per wave, resume, abort). A
 * tenant's token sees and changes its own tenant's only.
 */
import { type Static, Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import {
  MAX_FIRMWARE_BYTES,
  moveRollout,
  notFound,
  ROLLOUT_ACTIONS,
  type RolloutAction,
  removeFirmware,
  rolloutView,
  setUpgradePolicy,
  startRollout,
  uploadFirmware,
} from "../../admin/index.ts";
import {
  type FirmwareImageRecord,
  MAX_INTERMEDIATES,
  MAX_WAVES,
  type Rollout,
  type Store,
  UPGRADE_SCHEMES,
  type UpgradePolicy,
} from "../../store/index.ts";
import { assertVisible, listTenant, type Principal, principalOf, targetTenant } from "../auth.ts";
import { IdParams } from "../schemas.ts";
import { bearer, type RouteContext, responses } from "./context.ts";

const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);

const ImageSchema = Type.Object(
  {
    id: Type.String(),
    tenant: Type.String(),
    version: Type.String(),
    models: Type.Array(Type.String()),
    fileName: Type.String(),
    path: Type.String({
      description:
        "where the tenant's units download it: /firmware/<file name>?mac=<the unit's MAC> (another tenant's units are answered as for a name nobody has)",
    }),
    sha256: Type.String(),
    bytes: Type.Integer(),
    createdAt: Type.String({ format: "date-time" }),
    createdBy: Type.String(),
  },
  { title: "FirmwareImage" },
);

const UploadQuery = Type.Object(
  {
    tenant: Type.Optional(Type.String({ maxLength: 64 })),
    version: Type.String({ maxLength: 64, description: "the $SWVER units report once on it" }),
    models: Type.String({
      maxLength: 2048,
      description: "comma-separated product names (SPA962), series (962) or *",
    }),
    fileName: Type.String({ maxLength: 128, description: "unique within the tenant" }),
    sha256: Type.String({ minLength: 64, maxLength: 64, description: "hex; verified on upload" }),
  },
  { additionalProperties: false },
);
type UploadQuery = Static<typeof UploadQuery>;

const PolicySchema = Type.Object(
  {
    id: Type.String(),
    tenant: Type.String(),
    name: Type.String(),
    model: Nullable(Type.String()),
    group: Nullable(Type.String()),
    target: Type.String(),
    intermediates: Type.Array(Type.String()),
    downgradeRevLimit: Nullable(Type.String()),
    scheme: Type.String(),
    baseUrl: Nullable(Type.String()),
    staged: Type.Boolean(),
    createdAt: Type.String({ format: "date-time" }),
    updatedAt: Type.String({ format: "date-time" }),
  },
  { title: "UpgradePolicy" },
);

const PolicyBody = Type.Object(
  {
    tenant: Type.Optional(Type.String({ maxLength: 64 })),
    name: Type.String({ maxLength: 63 }),
    model: Type.Optional(Nullable(Type.String({ maxLength: 64 }))),
    group: Type.Optional(Nullable(Type.String({ maxLength: 128 }))),
    target: Type.String({ maxLength: 64 }),
    intermediates: Type.Optional(
      Type.Array(Type.String({ maxLength: 64 }), {
        maxItems: MAX_INTERMEDIATES,
        description: "versions a unit must pass through on its way (below 7.5 through 7.5.5)",
      }),
    ),
    downgradeRevLimit: Type.Optional(Nullable(Type.String({ maxLength: 64 }))),
    scheme: Type.Optional(Type.Union(UPGRADE_SCHEMES.map((s) => Type.Literal(s)))),
    baseUrl: Type.Optional(
      Nullable(Type.String({ maxLength: 300, description: "scheme://host[:port] of the images" })),
    ),
    staged: Type.Optional(
      Type.Boolean({ description: "offer nothing until a rollout admits the unit" }),
    ),
  },
  { additionalProperties: false },
);
type PolicyBody = Static<typeof PolicyBody>;

const WaveSchema = Type.Object({
  wave: Type.Integer({ description: "1-based" }),
  percent: Type.Integer({ description: "cumulative share of the units" }),
  size: Type.Integer(),
  waiting: Type.Integer(),
  offered: Type.Integer(),
  upgraded: Type.Integer(),
  failed: Type.Integer(),
  unreached: Type.Integer(),
});

const RolloutSchema = Type.Object(
  {
    id: Type.String(),
    tenant: Type.String(),
    policy: Type.String(),
    policyName: Type.Optional(Type.String()),
    target: Type.Optional(Type.String()),
    state: Type.String(),
    wave: Type.Integer({ description: "current wave, 1-based" }),
    waves: Type.Array(Type.Integer()),
    failureThreshold: Type.Integer(),
    silenceSeconds: Type.Integer(),
    reason: Nullable(Type.String()),
    createdAt: Type.String({ format: "date-time" }),
    updatedAt: Type.String({ format: "date-time" }),
    progress: Type.Optional(Type.Array(WaveSchema)),
  },
  { title: "Rollout" },
);

const RolloutBody = Type.Object(
  {
    policy: Type.String({ maxLength: 128, description: "policy id" }),
    waves: Type.Optional(
      Type.Array(Type.Integer({ minimum: 1, maximum: 100 }), {
        minItems: 1,
        maxItems: MAX_WAVES,
        default: [1, 10, 50, 100],
        description: "cumulative percentages of the eligible units; the last is 100",
      }),
    ),
    failureThreshold: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 100,
        default: 10,
        description: "percent of a wave that may fail before the rollout halts",
      }),
    ),
    silenceSeconds: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 30 * 86_400,
        default: 86_400,
        description: "an offered unit silent this long counts as failed",
      }),
    ),
  },
  { additionalProperties: false },
);
type RolloutBody = Static<typeof RolloutBody>;

export function imageJson(i: FirmwareImageRecord) {
  return {
    id: i.id,
    tenant: i.tenantId,
    version: i.version,
    models: [...i.models],
    fileName: i.fileName,
    path: `/firmware/${i.fileName}`,
    sha256: i.sha256,
    bytes: i.bytes,
    createdAt: i.createdAt.toISOString(),
    createdBy: i.createdBy,
  };
}

export function policyJson(p: UpgradePolicy) {
  return {
    id: p.id,
    tenant: p.tenantId,
    name: p.name,
    model: p.modelPn,
    group: p.groupId,
    target: p.target,
    intermediates: [...p.intermediates],
    downgradeRevLimit: p.downgradeRevLimit,
    scheme: p.scheme,
    baseUrl: p.baseUrl,
    staged: p.staged,
    createdAt: p.createdAt.toISOString(),
    updatedAt: p.updatedAt.toISOString(),
  };
}

export function rolloutJson(r: Rollout) {
  return {
    id: r.id,
    tenant: r.tenantId,
    policy: r.policyId,
    state: r.state,
    wave: r.wave + 1,
    waves: [...r.waves],
    failureThreshold: r.failureThreshold,
    silenceSeconds: Math.round(r.silenceMs / 1000),
    reason: r.reason,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}

async function visiblePolicy(store: Store, principal: Principal, id: string) {
  const policy = await store.firmware.getPolicy(id).catch(() => null);
  if (policy === null) throw notFound("upgrade policy", id);
  assertVisible(principal, policy.tenantId, "upgrade policy", id);
  return policy;
}

async function visibleRollout(store: Store, principal: Principal, id: string) {
  const rollout = await store.rollouts.get(id).catch(() => null);
  if (rollout === null) throw notFound("rollout", id);
  assertVisible(principal, rollout.tenantId, "rollout", id);
  return rollout;
}

export function firmwareRoutes(
  app: FastifyInstance,
  ctx: RouteContext & { filesDir: string },
): void {
  const { store, filesDir } = ctx;
  const tags = ["firmware"];
  // No bodyLimit on the parser: a parser's limit applies to every route without its own, so
  // it would let any admin route buffer 256 MiB. The upload route raises its own limit below;
  // the rest keep the listener's.
  app.addContentTypeParser(
    "application/octet-stream",
    { parseAs: "buffer" },
    (_request, body, done) => done(null, body),
  );

  app.post<{ Querystring: UploadQuery; Body: Buffer }>(
    "/api/v1/firmware",
    {
      bodyLimit: MAX_FIRMWARE_BYTES,
      schema: {
        tags,
        summary: "Upload a firmware image (body: the image, application/octet-stream)",
        security: bearer,
        querystring: UploadQuery,
        response: responses({ 201: ImageSchema }),
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const tenant = await targetTenant(store, principal, request.query.tenant);
      const body = request.body;
      const image = await uploadFirmware(
        store,
        filesDir,
        {
          tenantId: tenant.id,
          version: request.query.version,
          models: request.query.models
            .split(",")
            .map((m) => m.trim())
            .filter((m) => m !== ""),
          fileName: request.query.fileName,
          sha256: request.query.sha256,
          bytes: Buffer.isBuffer(body) ? body : Buffer.alloc(0),
        },
        principal.actor,
      );
      reply.code(201);
      return imageJson(image);
    },
  );

  app.get<{ Querystring: { tenant?: string } }>(
    "/api/v1/firmware",
    {
      schema: {
        tags,
        summary: "Firmware images",
        security: bearer,
        querystring: Type.Object(
          { tenant: Type.Optional(Type.String({ maxLength: 64 })) },
          { additionalProperties: false },
        ),
        response: responses({ 200: Type.Array(ImageSchema) }),
      },
    },
    async (request) => {
      const tenantId = await listTenant(store, principalOf(request), request.query.tenant);
      const images = await store.firmware.listImages({
        ...(tenantId === undefined ? {} : { tenantId }),
        limit: 10_000,
      });
      return images.map(imageJson);
    },
  );

  app.delete<{ Params: IdParams }>(
    "/api/v1/firmware/:id",
    {
      schema: {
        tags,
        summary: "Remove an image (registry and file)",
        security: bearer,
        params: IdParams,
        response: responses({ 204: Type.Null() }),
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const image = await store.firmware.getImage(request.params.id).catch(() => null);
      if (image === null) throw notFound("firmware image", request.params.id);
      assertVisible(principal, image.tenantId, "firmware image", request.params.id);
      await removeFirmware(store, filesDir, image.id, principal.actor);
      reply.code(204);
      return null;
    },
  );

  app.put<{ Body: PolicyBody }>(
    "/api/v1/upgrade-policies",
    {
      schema: {
        tags,
        summary: "Create or replace a tenant's upgrade policy (by name)",
        security: bearer,
        body: PolicyBody,
        response: responses({ 200: PolicySchema }),
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const b = request.body;
      const tenant = await targetTenant(store, principal, b.tenant);
      const policy = await setUpgradePolicy(
        store,
        {
          tenantId: tenant.id,
          name: b.name,
          target: b.target,
          ...(b.model === undefined ? {} : { modelPn: b.model }),
          ...(b.group === undefined ? {} : { groupId: b.group }),
          ...(b.intermediates === undefined ? {} : { intermediates: b.intermediates }),
          ...(b.downgradeRevLimit === undefined ? {} : { downgradeRevLimit: b.downgradeRevLimit }),
          ...(b.scheme === undefined ? {} : { scheme: b.scheme }),
          ...(b.baseUrl === undefined ? {} : { baseUrl: b.baseUrl }),
          ...(b.staged === undefined ? {} : { staged: b.staged }),
        },
        principal.actor,
      );
      return policyJson(policy);
    },
  );

  app.get<{ Querystring: { tenant?: string } }>(
    "/api/v1/upgrade-policies",
    {
      schema: {
        tags,
        summary: "Upgrade policies",
        security: bearer,
        querystring: Type.Object(
          { tenant: Type.Optional(Type.String({ maxLength: 64 })) },
          { additionalProperties: false },
        ),
        response: responses({ 200: Type.Array(PolicySchema) }),
      },
    },
    async (request) => {
      const tenantId = await listTenant(store, principalOf(request), request.query.tenant);
      const policies = await store.firmware.listPolicies(
        tenantId === undefined ? {} : { tenantId },
      );
      return policies.map(policyJson);
    },
  );

  app.delete<{ Params: IdParams }>(
    "/api/v1/upgrade-policies/:id",
    {
      schema: {
        tags,
        summary: "Remove an upgrade policy (and its rollouts)",
        security: bearer,
        params: IdParams,
        response: responses({ 204: Type.Null() }),
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const policy = await visiblePolicy(store, principal, request.params.id);
      await store.firmware.removePolicy(policy.id, { actor: principal.actor });
      reply.code(204);
      return null;
    },
  );

  app.post<{ Body: RolloutBody }>(
    "/api/v1/rollouts",
    {
      schema: {
        tags,
        summary: "Start a staged rollout of a policy over its units below the target",
        security: bearer,
        body: RolloutBody,
        response: responses({ 201: RolloutSchema }),
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const b = request.body;
      const policy = await visiblePolicy(store, principal, b.policy);
      const { rollout } = await startRollout(
        store,
        {
          policyId: policy.id,
          waves: b.waves ?? [1, 10, 50, 100],
          failureThreshold: b.failureThreshold ?? 10,
          silenceMs: (b.silenceSeconds ?? 86_400) * 1000,
        },
        principal.actor,
      );
      reply.code(201);
      return await viewJson(store, rollout.id);
    },
  );

  app.get<{ Querystring: { tenant?: string } }>(
    "/api/v1/rollouts",
    {
      schema: {
        tags,
        summary: "Rollouts",
        security: bearer,
        querystring: Type.Object(
          { tenant: Type.Optional(Type.String({ maxLength: 64 })) },
          { additionalProperties: false },
        ),
        response: responses({ 200: Type.Array(RolloutSchema) }),
      },
    },
    async (request) => {
      const tenantId = await listTenant(store, principalOf(request), request.query.tenant);
      const rollouts = await store.rollouts.list(tenantId === undefined ? {} : { tenantId });
      return rollouts.map(rolloutJson);
    },
  );

  app.get<{ Params: IdParams }>(
    "/api/v1/rollouts/:id",
    {
      schema: {
        tags,
        summary: "A rollout with its progress per wave",
        security: bearer,
        params: IdParams,
        response: responses({ 200: RolloutSchema }),
      },
    },
    async (request) => {
      const rollout = await visibleRollout(store, principalOf(request), request.params.id);
      return viewJson(store, rollout.id);
    },
  );

  const summaries: Record<RolloutAction, string> = {
    halt: "Halt a running rollout (nothing new is offered until it is resumed)",
    resume: "Resume a halted rollout (its current wave's failed units are offered again)",
    abort: "Abort a rollout (nothing more is offered)",
  };
  for (const action of ROLLOUT_ACTIONS) {
    app.post<{ Params: IdParams }>(
      `/api/v1/rollouts/:id/${action}`,
      {
        schema: {
          tags,
          summary: summaries[action],
          security: bearer,
          params: IdParams,
          response: responses({ 200: RolloutSchema }),
        },
      },
      async (request) => {
        const principal = principalOf(request);
        const rollout = await visibleRollout(store, principal, request.params.id);
        await moveRollout(store, rollout.id, action, principal.actor);
        return viewJson(store, rollout.id);
      },
    );
  }
}

async function viewJson(store: Store, id: string) {
  const view = await rolloutView(store, id);
  return {
    ...rolloutJson(view.rollout),
    policyName: view.policy,
    target: view.target,
    progress: view.waves.map((w) => ({
      wave: w.wave + 1,
      percent: w.percent,
      size: w.size,
      ...w.counts,
    })),
  };
}
