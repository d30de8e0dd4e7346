/**
 * The admin UI's files (built by `scripts/build_ui.mjs` into `dist/ui/admin`), served by the
 * admin listener at `/`: hashed assets under `/assets/` cached for a year, and `index.html`
 * for every other browser navigation outside `/api`, so the UI's own routes load on refresh.
 * The UI is an ordinary API client (the same routes, the session cookie), so this file only
 * serves bytes. Headers keep the page out of frames and other origins' scripts out of it.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";

/** Candidate locations: from src/api/ (sources) and from dist/ (the bundle). */
export function defaultUiDir(): string | undefined {
  return ["../../dist/ui/admin", "./ui/admin"]
    .map((p) => fileURLToPath(new URL(p, import.meta.url)))
    .find((p) => existsSync(join(p, "index.html")));
}

const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "content-security-policy":
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  "x-frame-options": "DENY",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
};

const NOT_BUILT = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Provisio</title></head>
<body><main><h1>The admin UI is not built</h1><p>Run <code>npm run build</code> in the Provisio folder, then reload. The REST API is at <code>/api/v1</code>.</p></main></body></html>`;

export interface UiAssets {
  /** Answers a browser navigation that matched no route, or returns false. */
  page(request: FastifyRequest, reply: FastifyReply): boolean;
}

function isNavigation(request: FastifyRequest): boolean {
  if (request.method !== "GET" && request.method !== "HEAD") return false;
  const path = request.url.split("?")[0] ?? "";
  if (path.startsWith("/api/") || path === "/api" || path === "/metrics" || path === "/healthz")
    return false;
  return (request.headers.accept ?? "").includes("text/html");
}

export async function registerUiAssets(
  app: FastifyInstance,
  dir: string | undefined,
): Promise<UiAssets> {
  if (dir === undefined) {
    return {
      page(request, reply) {
        if (!isNavigation(request)) return false;
        void reply
          .code(503)
          .headers(SECURITY_HEADERS)
          .type("text/html; charset=utf-8")
          .send(NOT_BUILT);
        return true;
      },
    };
  }
  const index = readFileSync(join(dir, "index.html"));
  // The UI's files are public (the sign-in page needs them); the API's routes keep their access.
  await app.register(async (scope) => {
    scope.addHook("onRoute", (route) => {
      route.config = { ...route.config, access: "public" };
      route.schema = { ...route.schema, hide: true };
    });
    await scope.register(fastifyStatic, {
      root: join(dir, "assets"),
      prefix: "/assets/",
      // Hashed file names: a new build is a new name.
      immutable: true,
      maxAge: "365d",
      index: false,
      list: false,
      dotfiles: "deny",
      setHeaders: (res) => {
        res.setHeader("x-content-type-options", "nosniff");
      },
    });
  });
  return {
    page(request, reply) {
      if (!isNavigation(request)) return false;
      void reply
        .code(200)
        .headers(SECURITY_HEADERS)
        .header("cache-control", "no-cache")
        .type("text/html; charset=utf-8")
        .send(index);
      return true;
    },
  };
}
