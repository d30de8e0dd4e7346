import { setImmediate as nextTick } from "node:timers/promises";
import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import {
  apiError,
  decodeCursor,
  deviceJson,
  encodeCursor,
  importDevicesCsv,
  notFound,
  parseLifecycleFilter,
  parseMacFragment,
  parseMacParam,
  resolveAccount,
  resolveGroup,
} from "../../admin/index.ts";
import type { DeviceInput, DevicePatch, Store, Tenant } from "../../store/index.ts";
import { assertVisible, listTenant, type Principal, principalOf, targetTenant } from "../auth.ts";
import { operationJson } from "../operations.ts";
import {
  DeviceCreate,
  DevicePatchBody,
  DeviceSchema,
  DeviceSearchPage,
  DeviceSearchQuery,
  EffectiveConfigSchema,
  IdParams,
  ImportQuery,
  MacParams,
  OperationSchema,
} from "../schemas.ts";
import { bearer, type RouteContext, responses } from "./context.ts";

type Writable<T> = { -readonly [K in keyof T]: T[K] };

/** Body fields shared by create and patch → store input (references resolved in `tenant`). */
async function deviceFields(
  store: Store,
  tenant: Tenant,
  body: DevicePatchBody,
): Promise<Writable<DevicePatch>> {
  const input: Writable<DevicePatch> = {};
  if (body.model !== undefined) input.modelPn = body.model === "" ? null : body.model;
  if (body.serial !== undefined) input.serial = body.serial;
  if (body.label !== undefined) input.label = body.label;
  if (body.state !== undefined) input.state = body.state;
  if (body.encryption !== undefined) input.encryption = body.encryption;
  if (body.deviceKey !== undefined) input.deviceKey = body.deviceKey;
  if (body.account !== undefined) {
    input.accountId =
      body.account === null || body.account === ""
        ? null
        : (await resolveAccount(store, tenant.id, body.account)).id;
  }
  if (body.group !== undefined) {
    input.groupId =
      body.group === null || body.group === ""
        ? null
        : (await resolveGroup(store, tenant.id, body.group)).id;
  }
  return input;
}

export async function visibleDevice(store: Store, principal: Principal, macText: string) {
  const mac = parseMacParam(macText);
  const device = await store.devices.findByMac(mac);
  if (device === null) throw notFound("device", mac);
  assertVisible(principal, device.tenantId, "device", mac);
  return device;
}

export function deviceRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { store } = ctx;
  const tags = ["devices"];

  app.get<{ Querystring: DeviceSearchQuery }>(
    "/api/v1/devices",
    {
      schema: {
        tags,
        summary: "Search devices: filters, free text, four orders, keyset pages, a total",
        description:
          "Filters combine with AND. `q` matches a MAC fragment in any notation (`00:0e:08`, `0E-08-AB`, `000e.08ab`, `e08ab`: its hex digits anywhere in the MAC), a serial or account reference equal to it (as typed, upper or lower case), or a label containing it (any case). `sort` orders by MAC, last resync (`last_seen`; devices never seen come last in either direction), model (devices without one last) or state, then by MAC; pass the page's `cursor` as `cursor` for the next page (it is tied to the order). `after` (a MAC) still pages the MAC order. `total` counts matches exactly up to 10,000; above, `total` is 10,000 and `total_exact` false (the count's work stays bounded like the page's).",
        security: bearer,
        querystring: DeviceSearchQuery,
        response: responses({ 200: DeviceSearchPage }),
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const q = request.query;
      const tenantId = await listTenant(store, principal, q.tenant);
      const limit = q.limit ?? 100;
      const sort = q.sort ?? "mac";
      const descending = q.order === "desc";
      if (q.after !== undefined && q.cursor !== undefined) {
        throw apiError("API_VALIDATION", "pass either `after` or `cursor`, not both");
      }
      if (q.after !== undefined && (sort !== "mac" || descending)) {
        throw apiError("API_VALIDATION", "`after` pages the MAC order only; use `cursor`");
      }
      const after =
        q.cursor !== undefined
          ? decodeCursor(q.cursor, sort, descending)
          : q.after === undefined
            ? undefined
            : (() => {
                const mac = parseMacParam(q.after);
                return { value: mac, mac };
              })();
      // By reference/name within the listed tenant (default tenant when listing all); by id
      // in any visible tenant.
      const accountId =
        q.account === undefined
          ? undefined
          : ((tenantId === undefined ? await store.accounts.find(q.account) : null)?.id ??
            (await resolveAccount(store, tenantId ?? "default", q.account)).id);
      const groupId =
        q.group === undefined
          ? undefined
          : ((tenantId === undefined ? await store.groups.find(q.group) : null)?.id ??
            (await resolveGroup(store, tenantId ?? "default", q.group)).id);
      const text = q.q?.trim();
      const fragment = text === undefined ? undefined : parseMacFragment(text);
      const page = await store.devices.search({
        ...(tenantId === undefined ? {} : { tenantId }),
        ...(accountId === undefined ? {} : { accountId }),
        ...(groupId === undefined ? {} : { groupId }),
        ...(q.model === undefined ? {} : { modelPn: q.model }),
        ...(q.state === undefined ? {} : { state: q.state }),
        ...(q.lifecycle === undefined ? {} : { lifecycle: parseLifecycleFilter(q.lifecycle) }),
        ...(text === undefined || text === "" ? {} : { text }),
        ...(fragment === undefined ? {} : { macFragment: fragment }),
        ...(q.firmware === undefined ? {} : { firmware: q.firmware }),
        ...(q.seen_before === undefined
          ? {}
          : { seenBefore: isoTime(q.seen_before, "seen_before") }),
        ...(q.seen_after === undefined ? {} : { seenAfter: isoTime(q.seen_after, "seen_after") }),
        ...(q.never_seen === undefined ? {} : { neverSeen: q.never_seen }),
        ...(after === undefined ? {} : { after }),
        sort,
        descending,
        limit,
      });
      const last = page.devices.at(-1);
      return {
        items: page.devices.map(deviceJson),
        next: page.next !== null && sort === "mac" && !descending ? (last?.mac ?? null) : null,
        cursor: page.next === null ? null : encodeCursor(page.next, sort, descending),
        total: page.total,
        total_exact: page.totalExact,
      };
    },
  );

  app.post<{ Body: DeviceCreate }>(
    "/api/v1/devices",
    {
      schema: {
        tags,
        summary: "Create a device (409 when the MAC exists)",
        security: bearer,
        body: DeviceCreate,
        response: responses({ 201: DeviceSchema }),
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const mac = parseMacParam(request.body.mac);
      const tenant = await targetTenant(store, principal, request.body.tenant);
      // A MAC registered anywhere — this tenant or another — gets the store's one answer
      // (409 STORE_CONFLICT "device … already exists"), by the same path: nothing says where.
      const fields = await deviceFields(store, tenant, request.body);
      const input: DeviceInput = { ...fields, mac, tenantId: tenant.id };
      const device = await store.devices.create(input, { actor: principal.actor });
      reply.code(201).header("location", `/api/v1/devices/${device.mac}`);
      return deviceJson(device);
    },
  );

  app.get<{ Params: MacParams }>(
    "/api/v1/devices/:mac",
    {
      schema: {
        tags,
        summary: "One device (any MAC form) with its last resync status",
        security: bearer,
        params: MacParams,
        response: responses({ 200: DeviceSchema }),
      },
    },
    async (request) =>
      deviceJson(await visibleDevice(store, principalOf(request), request.params.mac)),
  );

  app.patch<{ Params: MacParams; Body: DevicePatchBody }>(
    "/api/v1/devices/:mac",
    {
      schema: {
        tags,
        summary: "Change a device; null clears a field, absent keeps it",
        security: bearer,
        params: MacParams,
        body: DevicePatchBody,
        response: responses({ 200: DeviceSchema }),
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const device = await visibleDevice(store, principal, request.params.mac);
      const tenant = await targetTenant(store, principal, request.body.tenant ?? device.tenantId);
      const patch = await deviceFields(store, tenant, request.body);
      if (tenant.id !== device.tenantId) {
        patch.tenantId = tenant.id;
        // References do not travel between tenants.
        if (patch.accountId === undefined && device.accountId !== null) patch.accountId = null;
        if (patch.groupId === undefined && device.groupId !== null) patch.groupId = null;
      }
      const updated = await store.devices.update(device.mac, patch, { actor: principal.actor });
      return deviceJson(updated);
    },
  );

  app.delete<{ Params: MacParams }>(
    "/api/v1/devices/:mac",
    {
      schema: {
        tags,
        summary: "Delete a device (with its layer and status)",
        security: bearer,
        params: MacParams,
        response: responses({ 204: Type.Null() }),
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const device = await visibleDevice(store, principal, request.params.mac);
      await store.devices.delete(device.mac, { actor: principal.actor });
      return reply.code(204).send();
    },
  );

  app.get<{ Params: MacParams }>(
    "/api/v1/devices/:mac/config",
    {
      schema: {
        tags,
        summary: "The device's effective configuration, each value with its provenance",
        description:
          "Layers merge tenant < model < group < account < device, later wins, value and access independently; value templates are rendered. `valueFrom`/`accessFrom` name the winning layer; `setBy` lists every layer that touches the parameter. Secret values (passwords) are withheld.",
        security: bearer,
        params: MacParams,
        response: responses({ 200: EffectiveConfigSchema }),
      },
    },
    async (request) => {
      const device = await visibleDevice(store, principalOf(request), request.params.mac);
      return ctx.effective.resolve(device);
    },
  );

  app.post<{ Querystring: ImportQuery; Body: string }>(
    "/api/v1/devices/import",
    {
      bodyLimit: ctx.importBodyLimit,
      schema: {
        tags,
        summary: "Bulk import from CSV (asynchronous: poll the operation)",
        description:
          "Body: `text/csv` with a header row; columns `mac` (required), `model`, `serial`, `account` (reference or id), `group` (name or id), `label`, any order. Each row is an upsert into the tenant; an empty cell keeps the current value. Answers 202 with an operation; `GET /api/v1/operations/{id}` reports progress (`committed` counts rows durably written) and the rows refused, with their line numbers.",
        security: bearer,
        querystring: ImportQuery,
        consumes: ["text/csv"],
        body: Type.String({
          description: "CSV text: header row, then one device per row",
          examples: [
            "mac,model,serial,account,group,label\n000e08abcdef,SPA112,CBT1234,1001,lobby,Front desk\n",
          ],
        }),
        response: responses({ 202: Type.Object({ operation: OperationSchema }) }),
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const tenant = await targetTenant(store, principal, request.query.tenant);
      const body = request.body;
      if (typeof body !== "string") {
        throw apiError("API_UNSUPPORTED_MEDIA_TYPE", "send the CSV as Content-Type: text/csv");
      }
      const log = request.log;
      const operation = ctx.operations.start("device-import", tenant.id, async (op) => {
        await nextTick();
        try {
          const result = await importDevicesCsv(chunked(body), {
            store,
            tenantId: tenant.id,
            actor: principal.actor,
            signal: op.signal,
            ...(request.query.batchSize === undefined
              ? {}
              : { batchSize: request.query.batchSize }),
            onProgress: (p) => {
              op.progress = p;
            },
            onRowError: (e) => {
              op.progress = { ...op.progress, rejected: op.progress.rejected + 1 };
              if (op.errors.length < 1000) op.errors.push(e);
            },
          });
          op.progress = result;
          log.info(
            { operation: op.id, committed: result.committed, rejected: result.rejected },
            "device import finished",
          );
        } catch (error) {
          log.warn({ operation: op.id, err: error }, "device import failed");
          throw error;
        }
      });
      reply.code(202).header("location", `/api/v1/operations/${operation.id}`);
      return { operation: operationJson(operation) };
    },
  );

  app.get<{ Params: IdParams }>(
    "/api/v1/operations/:id",
    {
      schema: {
        tags: ["operations"],
        summary: "Progress and result of an asynchronous operation",
        security: bearer,
        params: IdParams,
        response: responses({ 200: OperationSchema }),
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const operation = ctx.operations.get(request.params.id);
      if (operation === undefined) throw notFound("operation", request.params.id);
      assertVisible(principal, operation.tenantId, "operation", request.params.id);
      return operationJson(operation);
    },
  );
}

/** An ISO 8601 time of a query parameter (400 naming the parameter otherwise). */
function isoTime(text: string, field: string): Date {
  const at = /^\d{4}-\d{2}-\d{2}(?:T[\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$/.test(text)
    ? new Date(text)
    : undefined;
  if (at === undefined || Number.isNaN(at.getTime())) {
    throw apiError("API_VALIDATION", `${field} must be an ISO 8601 time (2026-01-31T12:00:00Z)`, {
      details: { field },
    });
  }
  return at;
}

/** Hands a large body over in slices, yielding to the event loop between them. */
async function* chunked(text: string, size = 64 * 1024): AsyncGenerator<string> {
  for (let i = 0; i < text.length; i += size) {
    yield text.slice(i, i + size);
    await nextTick();
  }
}
