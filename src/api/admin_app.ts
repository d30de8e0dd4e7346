/**
 * The admin application on the admin listener: the REST API under `/api/v1`, its OpenAPI
 * document at `/api/openapi.json`, `/healthz` and `/metrics`.
 *
 * ```ts
 * const app = await createAdminApp({ store, registry, logger, dataDir });
 * await app.listen({ port: 8081, host: "127.0.0.1" });
 * ```
 *
 * The server node calls this factory (`startNode(config, { createAdmin: createAdminApp })`);
 * the admin surface never shares a socket with the device-facing listeners.
 *
 * Errors: a `ProvisioError` answers its `status` with `{ error: { code, message, details? } }`;
 * schema violations answer 400 `API_VALIDATION` in the same shape; unknown routes 404; bodies
 * over the limit 413; anything unexpected 500 `API_INTERNAL` without internals (logged).
 */
import { join } from "node:path";
import swagger from "@fastify/swagger";
import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  LogController,
} from "fastify";
import type { Logger } from "pino";
import { Counter, Histogram, type Registry } from "prom-client";
import { apiError, EffectiveConfigResolver } from "../admin/index.ts";
import { isProvisioError } from "../errors.ts";
import { type Catalogue, defaultCatalogue } from "../profile/index.ts";
import type { Store } from "../store/index.ts";
import { authenticate, routeAccess } from "./auth.ts";
import { OperationRegistry } from "./operations.ts";
import { accountRoutes } from "./routes/account_routes.ts";
import { activationRoutes } from "./routes/activation_routes.ts";
import type { RouteContext } from "./routes/context.ts";
import { dashboardRoutes } from "./routes/dashboard_routes.ts";
import { deviceRoutes } from "./routes/device_routes.ts";
import { editorRoutes } from "./routes/editor_routes.ts";
import { eventRoutes } from "./routes/event_routes.ts";
import { firmwareRoutes } from "./routes/firmware_routes.ts";
import { groupRoutes } from "./routes/group_routes.ts";
import { layerRoutes } from "./routes/layer_routes.ts";
import { modelRoutes } from "./routes/model_routes.ts";
import { redirectRoutes } from "./routes/redirect_routes.ts";
import { reportRoutes } from "./routes/report_routes.ts";
import { secureProvisioningRoutes } from "./routes/secure_provisioning_routes.ts";
import { type SessionOptions, sessionRoutes } from "./routes/session_routes.ts";
import { tenantRoutes } from "./routes/tenant_routes.ts";
import { tokenRoutes } from "./routes/token_routes.ts";
import { userRoutes } from "./routes/user_routes.ts";
import { defaultUiDir, registerUiAssets } from "./ui_assets.ts";

export interface AdminDeps {
  readonly store: Store;
  /** The node's prom-client registry (device-plane metrics); API metrics are added to it. */
  readonly registry: Registry;
  readonly logger: Logger;
  readonly dataDir: string;
  /** Where firmware images are written (the node's files directory; default DATA/files). */
  readonly filesDir?: string;
  /** `/metrics` needs a bearer token (any role) when true; default false. */
  readonly metricsRequireToken?: boolean;
  /** Largest JSON body, in bytes (default 1 MiB). */
  readonly bodyLimit?: number;
  /** Largest CSV import body, in bytes (default 64 MiB: ~1,000,000 rows). */
  readonly importBodyLimit?: number;
  readonly catalogue?: Catalogue;
  /** Operations registry (tests); default a new one. */
  readonly operations?: OperationRegistry;
  /** Session expiry, sign-in throttle and sweep (defaults: 12 h idle, 7 days, 10 failures / 10 min). */
  readonly sessions?: SessionOptions;
  /** The built admin UI (`dist/ui/admin`); default the package's own, when built. */
  readonly uiDir?: string;
}

/** The part of a reply the pre-routing error hook uses (its generic type is unwieldy). */
interface SimpleReply {
  code(status: number): { send(body: unknown): unknown };
}

export const API_METRIC_NAMES = {
  requests: "provisio_api_requests_total",
  duration: "provisio_api_request_duration_seconds",
} as const;

function apiMetrics(registry: Registry) {
  const requests =
    (registry.getSingleMetric(API_METRIC_NAMES.requests) as
      | Counter<"method" | "route" | "status">
      | undefined) ??
    new Counter({
      name: API_METRIC_NAMES.requests,
      help: "Admin API requests, by method, route and status",
      labelNames: ["method", "route", "status"],
      registers: [registry],
    });
  const duration =
    (registry.getSingleMetric(API_METRIC_NAMES.duration) as
      | Histogram<"method" | "route">
      | undefined) ??
    new Histogram({
      name: API_METRIC_NAMES.duration,
      help: "Admin API request duration",
      labelNames: ["method", "route"],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
      registers: [registry],
    });
  return { requests, duration };
}

const FASTIFY_CODES: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: "API_BODY_TOO_LARGE",
  FST_ERR_CTP_INVALID_MEDIA_TYPE: "API_UNSUPPORTED_MEDIA_TYPE",
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: "API_VALIDATION",
  FST_ERR_CTP_EMPTY_JSON_BODY: "API_VALIDATION",
  FST_ERR_CTP_INVALID_JSON_BODY: "API_VALIDATION",
  FST_ERR_MAX_PARAM_LENGTH: "API_URL_TOO_LONG",
  FST_ERR_BAD_URL: "API_VALIDATION",
  FST_ERR_ASYNC_CONSTRAINT: "API_VALIDATION",
};

export async function createAdminApp(deps: AdminDeps): Promise<FastifyInstance> {
  const { store } = deps;
  const importBodyLimit = deps.importBodyLimit ?? 64 * 1024 * 1024;
  const app = Fastify({
    loggerInstance: deps.logger.child({ listener: "admin" }) as FastifyBaseLogger,
    // One line per request, written when it completes (the onResponse hook), instead of
    // Fastify's "incoming request" + "request completed" pair.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: deps.bodyLimit ?? 1024 * 1024,
    routerOptions: { maxParamLength: 256 },
    return503OnClosing: true,
    // Errors Fastify raises before routing (bad URL encoding, over-long parameters).
    frameworkErrors: (error, _request, rawReply) => {
      const status = error.statusCode ?? 400;
      const reply = rawReply as unknown as SimpleReply;
      reply.code(status >= 400 && status < 500 ? status : 400).send({
        error: {
          code: FASTIFY_CODES[error.code] ?? "API_VALIDATION",
          message: error.message.slice(0, 200),
        },
      });
    },
    ajv: {
      customOptions: {
        // Unknown fields are errors, not silently dropped: a typo must not look like success.
        removeAdditional: false,
        coerceTypes: "array",
        useDefaults: true,
        allErrors: false,
      },
    },
  });
  const metrics = apiMetrics(deps.registry);
  const ctx: RouteContext = {
    store,
    catalogue: deps.catalogue ?? defaultCatalogue,
    effective: new EffectiveConfigResolver(store, deps.catalogue ?? defaultCatalogue),
    operations: deps.operations ?? new OperationRegistry(),
    importBodyLimit,
  };

  await app.register(swagger, {
    openapi: {
      openapi: "3.0.3",
      info: {
        title: "Provisio admin API",
        version: "1",
        description:
          "Tenants, device models, devices, accounts, groups, configuration layers, resync events, audit log and API tokens of a Provisio installation. Authenticate with `Authorization: Bearer <token>` (`provisio token create` issues one), or sign in with `POST /api/v1/session` (a user name and password, or a token) and send the `provisio_session` cookie it sets; with the cookie, POST/PUT/PATCH/DELETE requests must carry `X-Provisio-Request: 1`.",
      },
      components: {
        securitySchemes: {
          bearer: { type: "http", scheme: "bearer" },
          session: { type: "apiKey", in: "cookie", name: "provisio_session" },
        },
      },
    },
  });

  app.decorateRequest("principal", null);
  // Shutdown: running imports stop after their current batch (what they committed stays).
  app.addHook("onClose", () => ctx.operations.close());
  // No bodyLimit here: a parser's limit applies to every route without its own, so any route
  // would buffer an import-sized CSV before refusing it. The import routes raise theirs.
  app.addContentTypeParser("text/csv", { parseAs: "string" }, (_request, body, done) =>
    done(null, body),
  );

  app.addHook("onRequest", async (request, reply) => {
    // API answers may carry secrets (an admin's read of secret layer values, a new token):
    // no browser or proxy cache keeps them; and no answer is sniffed into another type.
    if (request.url.startsWith("/api/")) {
      reply.header("cache-control", "no-store").header("x-content-type-options", "nosniff");
    }
    request.principal = null;
    const url = request.routeOptions.url;
    if (url === undefined) return; // 404 handler
    const access = routeAccess(request);
    if (access === "public") return;
    request.principal = await authenticate(store, request, access);
  });

  app.addHook("onResponse", async (request, reply) => {
    const route = request.routeOptions.url ?? "unmatched";
    metrics.requests.labels(request.method, route, String(reply.statusCode)).inc();
    metrics.duration.labels(request.method, route).observe(reply.elapsedTime / 1000);
    const ms = Math.round(reply.elapsedTime * 1000) / 1000;
    const url = request.url.length > 256 ? `${request.url.slice(0, 256)}…` : request.url;
    request.log.info(
      {
        method: request.method,
        url,
        status: reply.statusCode,
        ms,
        src: request.ip,
        ...(request.principal === null ? {} : { actor: request.principal.actor }),
      },
      `${request.method} ${url} ${reply.statusCode} ${ms} ms`,
    );
  });

  app.setErrorHandler((error: FastifyError | Error, request, reply) => {
    if (isProvisioError(error)) {
      if (error.status >= 500) request.log.error({ err: error }, "request failed");
      if (error.code === "API_UNAUTHORIZED") reply.header("www-authenticate", "Bearer");
      return reply.code(error.status).send({
        error: {
          code: error.code,
          message: error.message,
          ...(error.details === undefined ? {} : { details: error.details }),
        },
      });
    }
    const fastifyError = error as FastifyError;
    if (fastifyError.validation !== undefined) {
      const where = fastifyError.validationContext ?? "request";
      return reply.code(400).send({
        error: { code: "API_VALIDATION", message: `${where}: ${fastifyError.message}` },
      });
    }
    const status = fastifyError.statusCode;
    if (status !== undefined && status >= 400 && status < 500) {
      const code = FASTIFY_CODES[fastifyError.code] ?? "API_VALIDATION";
      return reply.code(status).send({ error: { code, message: fastifyError.message } });
    }
    request.log.error({ err: error }, "unexpected error");
    return reply.code(500).send({
      error: { code: "API_INTERNAL", message: "internal error; see the server log" },
    });
  });

  const ui = await registerUiAssets(app, deps.uiDir ?? defaultUiDir());
  app.setNotFoundHandler((request, reply) => {
    if (ui.page(request, reply)) return;
    reply.code(404).send({
      error: {
        code: "API_NOT_FOUND",
        message: `no route ${request.method} ${request.url.split("?")[0]!.slice(0, 200)}`,
      },
    });
  });

  app.get(
    "/healthz",
    {
      config: { access: "public" },
      schema: { tags: ["operations"], summary: "Liveness and database reachability (no token)" },
    },
    async (_request, reply) => {
      try {
        const revision = await withTimeout(store.changes.currentRevision(), 2_000);
        return { status: "ok", database: store.kind, revision };
      } catch (error) {
        reply.code(503);
        return {
          status: "unavailable",
          error: {
            code: "API_UNAVAILABLE",
            message: `database unreachable: ${error instanceof Error ? error.message : String(error)}`,
          },
        };
      }
    },
  );

  app.get(
    "/metrics",
    {
      config: { access: deps.metricsRequireToken === true ? "read" : "public" },
      schema: { tags: ["operations"], summary: "Prometheus metrics (device plane and admin API)" },
    },
    async (_request, reply) => {
      const text = await deps.registry.metrics();
      return reply.type(deps.registry.contentType).send(text);
    },
  );

  app.get("/api/openapi.json", { config: { access: "public" }, schema: { hide: true } }, async () =>
    app.swagger(),
  );

  tenantRoutes(app, ctx);
  modelRoutes(app, ctx);
  deviceRoutes(app, ctx);
  dashboardRoutes(app, ctx);
  editorRoutes(app, ctx);
  accountRoutes(app, ctx);
  groupRoutes(app, ctx);
  layerRoutes(app, ctx);
  eventRoutes(app, ctx);
  tokenRoutes(app, ctx);
  sessionRoutes(app, ctx, deps.sessions);
  userRoutes(app, ctx);
  redirectRoutes(app, ctx);
  reportRoutes(app, ctx);
  activationRoutes(app, ctx);
  firmwareRoutes(app, { ...ctx, filesDir: deps.filesDir ?? join(deps.dataDir, "files") });
  secureProvisioningRoutes(app, ctx);

  await app.ready();
  return app;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(apiError("API_UNAVAILABLE", `no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
