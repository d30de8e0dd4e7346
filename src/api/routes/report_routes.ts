/**
 * Configuration reports, drift and push resync in the admin API:
 * `GET /devices/{mac}/report` (latest), `/reports` (history), `/drift`;
 * `POST /devices/{mac}/push` (one device) and `POST /push` (a group, a list, or a tenant),
 * paced, one result per device.
 */
import { type Static, Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import {
  apiError,
  deviceDrift,
  MAX_PUSH_DEVICES,
  notFound,
  PUSH_EVENTS,
  parseContact,
  parseMacParam,
  pushDevices,
  reportJson,
  resolveGroup,
} from "../../admin/index.ts";
import { isNotifyEvent } from "../../sip/index.ts";
import { type Device, type MacAddress, REPORT_KINDS, type ReportKind } from "../../store/index.ts";
import { assertVisible, principalOf, targetTenant } from "../auth.ts";
import { MacParams } from "../schemas.ts";
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

export function reportRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { store } = ctx;
  const tags = ["reports"];

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
      if (given !== undefined && principal.token.tenantId !== null && given.host !== seen) {
        throw apiError(
          "API_FORBIDDEN",
          "a tenant's token may push only to the address the device last resynced from",
        );
      }
      const results = await pushDevices(store, ctx.effective, [device], {
        event,
        actor: principal.actor,
        ...(via === undefined ? {} : { via }),
        ...(given === undefined ? {} : { contact: given }),
        ...(line === undefined ? {} : { line }),
      });
      return { results };
    },
  );

  app.post<{ Body: PushMany }>(
    "/api/v1/push",
    {
      schema: {
        tags,
        summary: "Push to many devices: listed MACs, a group, or a whole tenant — paced",
        description:
          "Pushes start at `perSecond` (default 20) with a bounded number in flight; the answer comes when every device has answered or timed out (about 32 s for one that never answers), one result per device.",
        security: bearer,
        body: PushMany,
        response: responses({ 200: Json }),
      },
    },
    async (request) => {
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
      if (!isNotifyEvent(body.event)) throw apiError("API_VALIDATION", "unknown event");
      const results = await pushDevices(store, ctx.effective, devices, {
        event: body.event,
        actor: principal.actor,
        ...(body.via === undefined ? {} : { via: body.via }),
        ...(body.line === undefined ? {} : { line: body.line }),
        ...(body.perSecond === undefined ? {} : { perSecond: body.perSecond }),
      });
      const outcomes: Record<string, number> = {};
      for (const r of results) outcomes[r.outcome] = (outcomes[r.outcome] ?? 0) + 1;
      return { tenant: tenant.slug, devices: results.length, outcomes, results };
    },
  );
}
