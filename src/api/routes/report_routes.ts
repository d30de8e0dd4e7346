/**
 * Configuration reports, drift and push resync in the admin API:
 * `GET /devices/{mac}/report` (latest), `/reports` (history), `/drift`;
 * `POST /devices/{mac}/push` (one device, answered when it answered) and `POST /push` (a
 * group, a list, or a tenant: a background operation, paced, with progress and one result per
 * device at `GET /operations/{id}`; a bounded number run at once).
 */
import { type Static, Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import {
  apiError,
  deviceDrift,
  MAX_PUSH_DEVICES,
  MAX_RUNNING_PUSHES,
  MAX_RUNNING_PUSHES_PER_TENANT,
  MAX_SINGLE_PUSHES,
  MAX_SINGLE_PUSHES_PER_TENANT,
  notFound,
  PUSH_EVENTS,
  parseContact,
  parseMacParam,
  pushDevices,
  pushProgress,
  reportJson,
  resolveGroup,
  SinglePushGate,
} from "../../admin/index.ts";
import { isNotifyEvent } from "../../sip/index.ts";
import { type Device, type MacAddress, REPORT_KINDS, type ReportKind } from "../../store/index.ts";
import { assertVisible, principalOf, targetTenant } from "../auth.ts";
import { operationJson } from "../operations.ts";
import { MacParams, OperationSchema } from "../schemas.ts";
import { bearer, type RouteContext, responses } from "./context.ts";
import { visibleDevice } from "./device_routes.ts";

const ReportQuery = Type.Object({
  kind: Type.Optional(Type.Union(REPORT_KINDS.map((k) => Type.Literal(k)))),
});
type ReportQuery = Static<typeof ReportQuery>;
const HistoryQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
});
type HistoryQuery = Static<typeof HistoryQuery>;

const Event = Type.Union(PUSH_EVENTS.map((e) => Type.Literal(e)));
const PushOne = Type.Object(
  {
    event: Event,
    via: Type.Optional(Type.Union([Type.Literal("sip"), Type.Literal("http")])),
    contact: Type.Optional(
      Type.String({
        maxLength: 270,
        description:
          "host[:port]; default: the address the device last resynced from (a tenant's token may change only the port)",
      }),
    ),
    line: Type.Optional(Type.Integer({ minimum: 1, maximum: 16 })),
  },
  { additionalProperties: false },
);
type PushOne = Static<typeof PushOne>;
const PushMany = Type.Object(
  {
    event: Event,
    via: Type.Optional(Type.Union([Type.Literal("sip"), Type.Literal("http")])),
    tenant: Type.Optional(Type.String({ maxLength: 128 })),
    group: Type.Optional(Type.String({ maxLength: 128 })),
    macs: Type.Optional(Type.Array(Type.String({ maxLength: 32 }), { maxItems: MAX_PUSH_DEVICES })),
    line: Type.Optional(Type.Integer({ minimum: 1, maximum: 16 })),
    perSecond: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
  },
  { additionalProperties: false },
);
type PushMany = Static<typeof PushMany>;
const Json = Type.Unknown();
/** Finished push operations kept with their results (one per device: up to 10,000 each). */
const KEEP_FINISHED_PUSHES = 10;

export function reportRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { store } = ctx;
  const tags = ["reports"];
  const singlePushes = new SinglePushGate();

  app.get<{ Params: MacParams; Querystring: ReportQuery }>(
    "/api/v1/devices/:mac/report",
    {
      schema: {
        tags,
        summary: "The device's latest uploaded report (Report_Rule); secret values withheld",
        security: bearer,
        params: MacParams,
        querystring: ReportQuery,
        response: responses({ 200: Json }),
      },
    },
    async (request) => {
      const device = await visibleDevice(store, principalOf(request), request.params.mac);
      const kinds: ReportKind[] | undefined =
        request.query.kind === undefined ? undefined : [request.query.kind];
      const report = await store.reports.latest(device.mac, kinds);
      if (report === null) throw notFound("report of device", device.mac);
      return reportJson(report);
    },
  );

  app.get<{ Params: MacParams; Querystring: HistoryQuery }>(
    "/api/v1/devices/:mac/reports",
    {
      schema: {
        tags,
        summary: "The device's stored reports, newest first, without their entries",
        security: bearer,
        params: MacParams,
        querystring: HistoryQuery,
        response: responses({ 200: Json }),
      },
    },
    async (request) => {
      const device = await visibleDevice(store, principalOf(request), request.params.mac);
      const history = await store.reports.history(device.mac, request.query.limit ?? 20);
      return history.map((h) => ({ ...h, receivedAt: h.receivedAt.toISOString() }));
    },
  );

  app.get<{ Params: MacParams }>(
    "/api/v1/devices/:mac/drift",
    {
      schema: {
        tags,
        summary: "Parameters the device reports differently from its effective configuration",
        description:
          "`differs`: the server sets the value and the unit holds another one its user cannot change; `changed-on-device`: a value the unit's user may change (ua=rw) differs from what the server sets, or from the factory default. Built from the latest full report and the --delta reports after it. Secret values are compared, never shown.",
        security: bearer,
        params: MacParams,
        response: responses({ 200: Json }),
      },
    },
    async (request) => {
      const device = await visibleDevice(store, principalOf(request), request.params.mac);
      return deviceDrift(store, ctx.effective, device, ctx.catalogue);
    },
  );

  app.post<{ Params: MacParams; Body: PushOne }>(
    "/api/v1/devices/:mac/push",
    {
      schema: {
        tags,
        summary: "Make the device resync, reboot or report now (SIP NOTIFY, or its admin URL)",
        description: `Answered when the device answered (about 32 s for one that never does). At most ${MAX_SINGLE_PUSHES_PER_TENANT} such pushes wait for their answers at once per tenant, ${MAX_SINGLE_PUSHES} in all on a node: beyond, 429 API_BUSY.`,
        security: bearer,
        params: MacParams,
        body: PushOne,
        response: responses({ 200: Json }),
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const device = await visibleDevice(store, principal, request.params.mac);
      const { event, via, contact, line } = request.body;
      if (!isNotifyEvent(event)) throw apiError("API_VALIDATION", "unknown event");
      const given =
        contact === undefined ? undefined : parseContact(contact, via === "http" ? 80 : 5060);
      // A tenant's token may name a port, not a host: any host would let it aim the server's
      // NOTIFYs (answered with the line's Digest) and admin-URL calls at anyone's address.
      const seen = device.status?.remoteAddress?.replace(/^::ffff:/, "") ?? null;
      if (given !== undefined && principal.tenantId !== null && given.host !== seen) {
        throw apiError(
          "API_FORBIDDEN",
          "a tenant's token may push only to the address the device last resynced from",
        );
      }
      // Each answer may wait 32 s with a socket open: bounded per tenant and in all.
      const leave = singlePushes.enter(device.tenantId);
      if (typeof leave === "string") {
        throw apiError(
          "API_BUSY",
          `${leave === "tenant" ? `${MAX_SINGLE_PUSHES_PER_TENANT} pushes to devices of this tenant are` : `${MAX_SINGLE_PUSHES} pushes to single devices are`} waiting for their answers; retry when one has finished`,
        );
      }
      try {
        const results = await pushDevices(store, ctx.effective, [device], {
          event,
          actor: principal.actor,
          ...(via === undefined ? {} : { via }),
          ...(given === undefined ? {} : { contact: given }),
          ...(line === undefined ? {} : { line }),
        });
        return { results };
      } finally {
        leave();
      }
    },
  );

  app.post<{ Body: PushMany }>(
    "/api/v1/push",
    {
      schema: {
        tags,
        summary:
          "Push to many devices: listed MACs, a group, or a whole tenant — paced, in the background",
        description: `Answers 202 with an operation at once; \`GET /api/v1/operations/{id}\` shows its \`push\` progress (devices done, results so far by outcome) and one result per device as each finishes (about 32 s for one that never answers). Pushes start at \`perSecond\` (default 20) with a bounded number in flight. At most ${MAX_RUNNING_PUSHES} push operations run at once (${MAX_RUNNING_PUSHES_PER_TENANT} per tenant): beyond, 429 API_BUSY.`,
        security: bearer,
        body: PushMany,
        response: responses({ 202: Type.Object({ operation: OperationSchema }) }),
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const body = request.body;
      const tenant = await targetTenant(store, principal, body.tenant ?? null);
      let devices: Device[];
      if (body.macs !== undefined) {
        const macs = body.macs.map((m) => parseMacParam(m));
        const found = await store.devices.findMany(macs);
        devices = [];
        for (const mac of macs) {
          const d = found.get(mac as MacAddress);
          if (d === undefined) throw notFound("device", mac);
          assertVisible(principal, d.tenantId, "device", mac);
          if (d.tenantId !== tenant.id) throw notFound("device", mac);
          devices.push(d);
        }
      } else {
        const groupId =
          body.group === undefined
            ? undefined
            : (await resolveGroup(store, tenant.id, body.group)).id;
        const query = { tenantId: tenant.id, ...(groupId === undefined ? {} : { groupId }) };
        if ((await store.devices.count(query)) > MAX_PUSH_DEVICES) {
          throw apiError(
            "API_VALIDATION",
            `more than ${MAX_PUSH_DEVICES} devices: push a group or a list of MACs`,
          );
        }
        devices = await store.devices.list({ ...query, limit: MAX_PUSH_DEVICES });
      }
      const event = body.event;
      if (!isNotifyEvent(event)) throw apiError("API_VALIDATION", "unknown event");
      const via = body.via ?? "sip";
      if (via === "http" && event === "report") {
        throw apiError("API_VALIDATION", "a report can only be asked for over SIP");
      }
      // Checked and started with no await between: two requests cannot both take the last slot.
      const operations = ctx.operations;
      if (
        operations.running("push") >= MAX_RUNNING_PUSHES ||
        operations.running("push", tenant.id) >= MAX_RUNNING_PUSHES_PER_TENANT
      ) {
        throw apiError(
          "API_BUSY",
          `${operations.running("push", tenant.id) >= MAX_RUNNING_PUSHES_PER_TENANT ? `${MAX_RUNNING_PUSHES_PER_TENANT} pushes of this tenant are` : `${MAX_RUNNING_PUSHES} pushes are`} running; retry when one has finished`,
        );
      }
      operations.forgetFinished("push", KEEP_FINISHED_PUSHES);
      const { progress, onResult } = pushProgress(event, via, devices.length);
      const log = request.log;
      const operation = operations.start("push", tenant.id, async (op) => {
        op.push = progress;
        await pushDevices(store, ctx.effective, devices, {
          event,
          via,
          actor: principal.actor,
          signal: op.signal,
          onResult,
          ...(body.line === undefined ? {} : { line: body.line }),
          ...(body.perSecond === undefined ? {} : { perSecond: body.perSecond }),
        });
        log.info(
          { operation: op.id, event, devices: devices.length, outcomes: progress.outcomes },
          "push finished",
        );
      });
      reply.code(202).header("location", `/api/v1/operations/${operation.id}`);
      return { operation: operationJson(operation) };
    },
  );
}
