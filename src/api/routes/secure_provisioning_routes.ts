/**
 * Secure provisioning: each device's key state (never a key or a directory), rotations on
 * demand for a device, a group or a tenant, and resetting a device so its bootstrap answers it
 * again. The tenant setting itself (`secureProvisioning`, `keyRotationDays`) is a tenant
 * setting like the others (PATCH /api/v1/tenants/{id}).
 */
import { type Static, Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import {
  apiError,
  notFound,
  parseMacParam,
  resetSecureKeys,
  rotateSecureKeys,
  secureKeysJson,
} from "../../admin/index.ts";
import type { RotationScope } from "../../store/index.ts";
import { listTenant, principalOf, targetTenant } from "../auth.ts";
import { Limit, MacParams } from "../schemas.ts";
import { bearer, type RouteContext, responses } from "./context.ts";
import { visibleDevice } from "./device_routes.ts";
import { visibleGroup } from "./group_routes.ts";

const Timestamp = Type.String({ format: "date-time" });
const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);

const SecureKeysSchema = Type.Object(
  {
    mac: Type.String(),
    state: Type.Union(
      [
        Type.Literal("bootstrap"),
        Type.Literal("active"),
        Type.Literal("rotation-pending"),
        Type.Literal("rotation-delivered"),
      ],
      {
        description:
          "bootstrap: sent its first key, not fetched with it yet; active: fetches with its key; rotation-pending: a new key waits for its next fetch; rotation-delivered: its old location handed it the new key, it has not fetched with it yet (both keys still work)",
      },
    ),
    bootstrapVia: Type.Union([
      Type.Literal("https"),
      Type.Literal("targeted"),
      Type.Literal("lan"),
    ]),
    generation: Type.Integer({ description: "1 for the first key, +1 per rotation" }),
    keyCreatedAt: Timestamp,
    createdAt: Timestamp,
    confirmedAt: Nullable(Timestamp),
    rotations: Type.Integer(),
    rotatedAt: Nullable(Timestamp),
    rotation: Type.Union([
      Type.Object({
        generation: Type.Integer(),
        requestedAt: Timestamp,
        deliveredAt: Nullable(Timestamp),
      }),
      Type.Null(),
    ]),
  },
  { title: "SecureKeys" },
);

const ListQuery = Type.Object(
  {
    tenant: Type.Optional(Type.String({ maxLength: 64 })),
    group: Type.Optional(Type.String({ maxLength: 128 })),
    rotating: Type.Optional(Type.Boolean()),
    after: Type.Optional(Type.String({ maxLength: 32 })),
    limit: Type.Optional(Limit),
  },
  { additionalProperties: false },
);
type ListQuery = Static<typeof ListQuery>;

const RotateBody = Type.Object(
  {
    macs: Type.Optional(
      Type.Array(Type.String({ maxLength: 17 }), { minItems: 1, maxItems: 10_000 }),
    ),
    group: Type.Optional(Type.String({ maxLength: 128 })),
    tenant: Type.Optional(Type.String({ maxLength: 64 })),
  },
  {
    additionalProperties: false,
    description: "exactly one of macs, group, tenant",
  },
);
type RotateBody = Static<typeof RotateBody>;

const RotateResult = Type.Object({
  started: Type.Integer({ description: "devices given a new key and directory now" }),
  alreadyRotating: Type.Integer({
    description: "devices whose earlier rotation is still under way (their new key stays)",
  }),
});

export function secureProvisioningRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { store } = ctx;
  const tags = ["secure provisioning"];

  app.get<{ Querystring: ListQuery }>(
    "/api/v1/secure-provisioning/devices",
    {
      schema: {
        tags,
        summary: "Devices with secure-provisioning keys and their rotation state (ordered by MAC)",
        security: bearer,
        querystring: ListQuery,
        response: responses({ 200: Type.Array(SecureKeysSchema) }),
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const q = request.query;
      const tenantId = await listTenant(store, principal, q.tenant);
      const groupId =
        q.group === undefined ? undefined : (await visibleGroup(store, principal, q.group)).id;
      const list = await store.deviceKeys.list({
        ...(tenantId === undefined ? {} : { tenantId }),
        ...(groupId === undefined ? {} : { groupId }),
        ...(q.rotating === true ? { rotating: true } : {}),
        ...(q.after === undefined ? {} : { after: parseMacParam(q.after) }),
        limit: q.limit ?? 100,
      });
      return list.map((k) => secureKeysJson(k));
    },
  );

  app.get<{ Params: MacParams }>(
    "/api/v1/devices/:mac/secure-provisioning",
    {
      schema: {
        tags,
        summary: "The device's secure-provisioning key state (404 when it has no keys)",
        security: bearer,
        params: MacParams,
        response: responses({ 200: SecureKeysSchema }),
      },
    },
    async (request) => {
      const device = await visibleDevice(store, principalOf(request), request.params.mac);
      const keys = await store.deviceKeys.get(device.mac);
      if (keys === null) throw notFound("secure-provisioning keys of device", device.mac);
      return secureKeysJson(keys);
    },
  );

  app.post<{ Body: RotateBody }>(
    "/api/v1/secure-provisioning/rotate",
    {
      schema: {
        tags,
        summary:
          "Rotate the keys and directories of some devices, a group or a tenant; each device gets its new pair at its next fetch, the old one works until it fetched with the new one",
        security: bearer,
        body: RotateBody,
        response: responses({ 200: RotateResult }),
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const body = request.body;
      const given = [body.macs, body.group, body.tenant].filter((x) => x !== undefined).length;
      if (given !== 1) {
        throw apiError("API_VALIDATION", "give exactly one of macs, group, tenant");
      }
      let scope: RotationScope;
      let tenantId: string | null;
      if (body.macs !== undefined) {
        const devices = [];
        for (const text of body.macs) devices.push(await visibleDevice(store, principal, text));
        scope = { macs: devices.map((d) => d.mac) };
        tenantId = devices.length === 1 ? devices[0]!.tenantId : principal.tenantId;
      } else if (body.group !== undefined) {
        const group = await visibleGroup(store, principal, body.group);
        scope = { groupId: group.id };
        tenantId = group.tenantId;
      } else {
        const tenant = await targetTenant(store, principal, body.tenant);
        scope = { tenantId: tenant.id };
        tenantId = tenant.id;
      }
      return rotateSecureKeys(store, scope, { actor: principal.actor, tenantId });
    },
  );

  app.delete<{ Params: MacParams }>(
    "/api/v1/devices/:mac/secure-provisioning",
    {
      schema: {
        tags,
        summary:
          "Forget the device's keys: its bootstrap answers it again (a factory-reset unit); 404 when it has none",
        security: bearer,
        params: MacParams,
        response: responses({ 204: Type.Null() }),
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const device = await visibleDevice(store, principal, request.params.mac);
      const removed = await resetSecureKeys(store, device.mac, {
        actor: principal.actor,
        tenantId: device.tenantId,
      });
      if (!removed) throw notFound("secure-provisioning keys of device", device.mac);
      reply.code(204);
      return null;
    },
  );
}
