import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { auditJson, eventJson, parseMacParam } from "../../admin/index.ts";
import { listTenant, principalOf } from "../auth.ts";
import { AuditQuery, AuditSchema, EventQuery, EventSchema, Page } from "../schemas.ts";
import { bearer, type RouteContext, responses } from "./context.ts";

export function eventRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { store } = ctx;

  app.get<{ Querystring: EventQuery }>(
    "/api/v1/events",
    {
      schema: {
        tags: ["events"],
        summary: "Resync events, newest first (keyset pagination with `after`)",
        security: bearer,
        querystring: EventQuery,
        response: responses({ 200: Page(EventSchema) }),
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const q = request.query;
      const tenantId = await listTenant(store, principal, q.tenant);
      const limit = q.limit ?? 100;
      let before: { at: Date; id: number } | undefined;
      if (q.after !== undefined) {
        const [at, id] = q.after.split(".");
        before = { at: new Date(Number(at)), id: Number(id) };
      }
      const events = await store.events.list({
        ...(tenantId === undefined ? {} : { tenantId }),
        ...(q.mac === undefined ? {} : { mac: parseMacParam(q.mac) }),
        ...(q.since === undefined ? {} : { since: new Date(q.since) }),
        ...(q.until === undefined ? {} : { until: new Date(q.until) }),
        ...(q.result === undefined ? {} : { result: q.result }),
        ...(before === undefined ? {} : { before }),
        limit,
      });
      const last = events.at(-1);
      return {
        items: events.map(eventJson),
        next:
          events.length === limit && last !== undefined ? `${last.at.getTime()}.${last.id}` : null,
      };
    },
  );

  app.get<{ Querystring: AuditQuery }>(
    "/api/v1/audit",
    {
      config: { access: "admin" },
      schema: {
        tags: ["audit"],
        summary: "The audit log, newest first (admin)",
        description:
          "Every change made through the API or the CLI: who (`token:<id>`, `cli:<user>`), what, before and after (secrets redacted).",
        security: bearer,
        querystring: AuditQuery,
        response: responses({ 200: Page(AuditSchema) }),
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const q = request.query;
      const limit = q.limit ?? 100;
      const tenantId = principal.tenantId;
      const entries = await store.audit.list({
        ...(tenantId === null ? {} : { tenantId }),
        ...(q.entity === undefined ? {} : { entity: q.entity }),
        ...(q.key === undefined ? {} : { key: q.key }),
        ...(q.actor === undefined ? {} : { actor: q.actor }),
        ...(q.after === undefined ? {} : { before: Number(q.after) }),
        limit,
      });
      const last = entries.at(-1);
      return {
        items: entries.map(auditJson),
        next: entries.length === limit && last !== undefined ? String(last.id) : null,
      };
    },
  );

  app.get(
    "/api/v1/whoami",
    {
      schema: {
        tags: ["tokens"],
        summary: "The token making the request",
        security: bearer,
        response: responses({
          200: Type.Object({
            id: Type.String(),
            name: Type.String(),
            role: Type.String(),
            tenantId: Type.Union([Type.String(), Type.Null()]),
          }),
        }),
      },
    },
    async (request) => {
      const p = principalOf(request);
      return { id: p.id, name: p.name, role: p.role, tenantId: p.tenantId };
    },
  );
}
