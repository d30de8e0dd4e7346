/**
 * The admin dashboard's data: fleet state counts, firmware versions, rollouts not finished
 * (`summary`); resyncs and failures per hour over the last 24 hours and per day over the last 7
 * (`activity`); the newest refusals (`security`). Tenant-scoped like every list: a scoped token
 * sees its tenant, an installation-wide one every tenant or the one named. Each answer is a
 * few grouped queries over indexes (see `src/store/fleet_stats.ts` and decision D40).
 */
import { type Static, type TSchema, Type } from "@sinclair/typebox";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { eventJson } from "../../admin/index.ts";
import { type ActivityBucket, LIFECYCLE_STATES } from "../../store/index.ts";
import { listTenant, principalOf } from "../auth.ts";
import { EventSchema } from "../schemas.ts";
import { bearer, type RouteContext, responses } from "./context.ts";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const TenantQuery = Type.Object(
  { tenant: Type.Optional(Type.String({ maxLength: 64 })) },
  { additionalProperties: false },
);
type TenantQuery = Static<typeof TenantQuery>;

const SecurityQuery = Type.Object(
  {
    tenant: Type.Optional(Type.String({ maxLength: 64 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 20 })),
  },
  { additionalProperties: false },
);
type SecurityQuery = Static<typeof SecurityQuery>;

const Count = <T extends TSchema>(key: string, keySchema: T) =>
  Type.Object({ [key]: keySchema, count: Type.Integer() });

const Summary = Type.Object({
  devices: Type.Object({
    total: Type.Integer(),
    byState: Type.Array(Count("state", Type.String())),
    byLifecycle: Type.Array(Count("state", Type.String()), {
      description: "MFG-RESET … SEC-PRV-2, then `none`: devices the server never saw",
    }),
    neverSeen: Type.Integer({ description: "devices without any resync" }),
  }),
  firmware: Type.Array(Count("version", Type.Union([Type.String(), Type.Null()])), {
    description:
      "firmware versions the devices last reported, most common first (null: none reported)",
  }),
  rollouts: Type.Object({
    inProgress: Type.Integer({ description: "running or halted" }),
    items: Type.Array(
      Type.Object({
        id: Type.String(),
        policy: Type.String(),
        state: Type.String(),
        wave: Type.Integer({ description: "current wave, 1-based" }),
        waves: Type.Integer(),
      }),
    ),
  }),
});

const Bucket = Type.Object({
  start: Type.String({ description: "bucket start (UTC, aligned to the hour or day)" }),
  resyncs: Type.Integer({ description: "ok + not-modified" }),
  failures: Type.Integer({ description: "error" }),
  refusals: Type.Integer({ description: "denied, rate-limited, not-found, bad-request" }),
  results: Type.Record(Type.String(), Type.Integer(), { description: "every result's count" }),
});

const Activity = Type.Object({
  hours: Type.Array(Bucket, {
    description: "the last 24 hours, oldest first (the last is partial)",
  }),
  days: Type.Array(Bucket, {
    description: "the last 7 days (UTC), oldest first (the last is today)",
  }),
});

const OK_RESULTS = new Set(["ok", "not-modified"]);
const REFUSAL_RESULTS = new Set(["denied", "rate-limited", "not-found", "bad-request"]);

function bucketJson(bucket: ActivityBucket) {
  let resyncs = 0;
  let failures = 0;
  let refusals = 0;
  for (const [result, n] of Object.entries(bucket.results)) {
    if (OK_RESULTS.has(result)) resyncs += n;
    else if (REFUSAL_RESULTS.has(result)) refusals += n;
    else if (result === "error") failures += n;
  }
  return {
    start: new Date(bucket.start).toISOString(),
    resyncs,
    failures,
    refusals,
    results: { ...bucket.results },
  };
}

/** Hour buckets folded into the (UTC) days they belong to. */
function days(hours: readonly ActivityBucket[], from: number): ActivityBucket[] {
  const out = new Map<number, Record<string, number>>();
  for (let d = from; d <= hours.at(-1)!.start; d += DAY) out.set(d, {});
  for (const hour of hours) {
    const day = hour.start - (hour.start % DAY);
    const results = out.get(day);
    if (results === undefined) continue;
    for (const [result, n] of Object.entries(hour.results)) {
      results[result] = (results[result] ?? 0) + n;
    }
  }
  return [...out].map(([start, results]) => ({ start, results }));
}

export function dashboardRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { store } = ctx;
  const tags = ["dashboard"];
  const tenantOf = (request: FastifyRequest<{ Querystring: TenantQuery }>) =>
    listTenant(store, principalOf(request), request.query.tenant);

  app.get<{ Querystring: TenantQuery }>(
    "/api/v1/dashboard/summary",
    {
      schema: {
        tags,
        summary: "Devices per state and lifecycle, firmware versions, rollouts in progress",
        security: bearer,
        querystring: TenantQuery,
        response: responses({ 200: Summary }),
      },
    },
    async (request) => {
      const tenantId = await tenantOf(request);
      const [states, lifecycle, firmware, rollouts] = await Promise.all([
        store.stats.deviceStates(tenantId),
        store.stats.lifecycle(tenantId),
        store.stats.firmware(tenantId),
        store.stats.activeRollouts(tenantId),
      ]);
      const known = new Map(lifecycle.map((l) => [l.key, l.count]));
      const seen = lifecycle.reduce((sum, l) => sum + l.count, 0);
      return {
        devices: {
          total: states.total,
          byState: states.byState.map((s) => ({ state: s.key, count: s.count })),
          byLifecycle: [
            ...LIFECYCLE_STATES.map((state) => ({
              state: state.toUpperCase(),
              count: known.get(state) ?? 0,
            })),
            { state: "none", count: Math.max(0, states.total - seen) },
          ],
          neverSeen: states.neverSeen,
        },
        firmware: firmware.map((f) => ({ version: f.key, count: f.count })),
        rollouts: {
          inProgress: rollouts.length,
          items: rollouts.map((r) => ({
            id: r.id,
            policy: r.policyName,
            state: r.state,
            wave: r.wave + 1,
            waves: r.waves,
          })),
        },
      };
    },
  );

  app.get<{ Querystring: TenantQuery }>(
    "/api/v1/dashboard/activity",
    {
      schema: {
        tags,
        summary: "Resyncs, failures and refusals per hour (24 h) and per day (7 days)",
        description:
          "From the resync event log: a resync the server repeated within its repeat window is not logged again, and refusals are aggregated per source and minute (their `results` count rows, not requests).",
        security: bearer,
        querystring: TenantQuery,
        response: responses({ 200: Activity }),
      },
    },
    async (request) => {
      const tenantId = await tenantOf(request);
      const now = Date.now();
      const fromDay = now - (now % DAY) - 6 * DAY;
      const hours = await store.stats.activity(fromDay, HOUR, tenantId);
      const fromHour = now - (now % HOUR) - 23 * HOUR;
      return {
        hours: hours.filter((h) => h.start >= fromHour).map(bucketJson),
        days: days(hours, fromDay).map(bucketJson),
      };
    },
  );

  app.get<{ Querystring: SecurityQuery }>(
    "/api/v1/dashboard/security",
    {
      schema: {
        tags,
        summary: "The newest refusals (denied, rate-limited) of the last 7 days",
        description:
          "Device-plane requests refused for a security reason (untrusted or missing client certificate, a device naming another's MAC, rate limits, scans); `message` says why. Refusals naming no known tenant are visible to installation-wide tokens only.",
        security: bearer,
        querystring: SecurityQuery,
        response: responses({
          200: Type.Object({ items: Type.Array(EventSchema) }),
        }),
      },
    },
    async (request) => {
      const tenantId = await tenantOf(request);
      const events = await store.stats.refusals(
        Date.now() - 7 * DAY,
        request.query.limit ?? 20,
        tenantId,
      );
      return { items: events.map(eventJson) };
    },
  );
}
