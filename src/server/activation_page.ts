/**
 * The customer's activation page on the device-facing listeners (HTTP and HTTPS; never the
 * admin port, never TFTP): the built `ui/activation` application (`dist/ui/activation`) at
 * `/activate/`, and its status endpoint `POST /activate/status` (`activation_status.ts`).
 *
 * It answers exactly its own paths — `/activate` (a redirect to `/activate/`), `/activate/`,
 * `/activate/index.html`, `/activate/status` and the build's files under `/activate/assets/`
 * — and hands every other request, `/activate/anything-else` included, to the resync
 * pipeline unchanged: a tenant profile path that would be one of these exact paths is
 * shadowed (docs/activation.md). A page request is not a resync: it is neither counted in
 * the resync metrics nor written to the event log.
 *
 * The files are read once, at start, into memory (a few kilobytes). Without a build the page
 * answers `503` with a short page saying so.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { extname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ActivationStatus } from "./activation_status.ts";
import type { ResyncHandler } from "./http_adapter.ts";
import type { ResyncHeaders, ResyncRequest, ResyncResponse } from "./resync_request.ts";

/** Where the page lives on the device-facing listeners. */
export const ACTIVATION_PAGE_PATH = "/activate/";
const STATUS_PATH = "/activate/status";

/** Candidate locations: from src/server/ (sources) and from dist/ (the bundle). */
export function defaultActivationUiDir(): string | undefined {
  return ["../../dist/ui/activation", "./ui/activation"]
    .map((p) => fileURLToPath(new URL(p, import.meta.url)))
    .find((p) => existsSync(join(p, "index.html")));
}

/**
 * The page runs its own script only (no inline code or style, no other origin), talks only to
 * this server, and cannot be framed. Opening the unit's resync URL is a navigation the
 * customer starts (a link), which no policy here restricts.
 */
const PAGE_HEADERS: ResyncHeaders = {
  "content-security-policy":
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'",
  "x-frame-options": "DENY",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
};

const TYPES: Readonly<Record<string, string>> = {
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".woff2": "font/woff2",
};

const NOT_BUILT = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Activation</title><link rel="icon" href="data:,"></head>
<body><main><h1>Activation is not available yet</h1><p>This server's activation page is not installed. Please try again later or contact your provider.</p><p>(Operators: run <code>npm run build</code> in the Provisio folder, which builds <code>dist/ui/activation</code>, and restart the server.)</p></main></body></html>
`;

interface StaticFile {
  readonly status: number;
  readonly headers: ResyncHeaders;
  readonly body: Buffer;
}

function page(status: number, body: Buffer, headers: ResyncHeaders): ResyncResponse {
  return { status, headers, body, result: status === 200 ? "ok" : "error" };
}

export interface ActivationPageOptions {
  /** The built application (`index.html`, `assets/`); none: the "not built" page. */
  readonly dir: string | undefined;
  readonly status: ActivationStatus;
}

export class ActivationPage {
  readonly #status: ActivationStatus;
  readonly #files = new Map<string, StaticFile>();

  constructor(options: ActivationPageOptions) {
    this.#status = options.status;
    const { dir } = options;
    const index: StaticFile =
      dir === undefined
        ? {
            status: 503,
            headers: {
              ...PAGE_HEADERS,
              "content-type": "text/html; charset=utf-8",
              "cache-control": "no-store",
            },
            body: Buffer.from(NOT_BUILT),
          }
        : {
            status: 200,
            headers: {
              ...PAGE_HEADERS,
              "content-type": "text/html; charset=utf-8",
              "cache-control": "no-cache",
            },
            body: readFileSync(join(dir, "index.html")),
          };
    this.#files.set(ACTIVATION_PAGE_PATH, index);
    this.#files.set(`${ACTIVATION_PAGE_PATH}index.html`, index);
    const assets = dir === undefined ? undefined : join(dir, "assets");
    if (assets === undefined || !existsSync(assets)) return;
    for (const entry of readdirSync(assets, { withFileTypes: true })) {
      const type = TYPES[extname(entry.name)];
      // Only what a build makes: hashed names of known types (no source maps, no dot files).
      if (!entry.isFile() || type === undefined || !/^[\w.-]+$/.test(entry.name)) continue;
      this.#files.set(`${ACTIVATION_PAGE_PATH}assets/${entry.name}`, {
        status: 200,
        headers: {
          "content-type": type,
          "cache-control": "public, max-age=31536000, immutable",
          "x-content-type-options": "nosniff",
        },
        body: readFileSync(join(assets, entry.name)),
      });
    }
  }

  /** The answer to one of the page's exact paths; undefined for every other request. */
  answer(request: ResyncRequest): Promise<ResyncResponse> | ResyncResponse | undefined {
    const { path, method } = request;
    // One cheap test for every device request; the exact paths below.
    if (!path.startsWith("/activate") || request.transport === "tftp") return undefined;
    if (path === STATUS_PATH) {
      if (method === "POST") return this.#status.answer(request);
      return methodNotAllowed("POST");
    }
    if (path === "/activate") {
      return page(308, Buffer.from("see /activate/\n"), {
        "content-type": "text/plain; charset=utf-8",
        "cache-control": "no-store",
        location: ACTIVATION_PAGE_PATH,
      });
    }
    const file = this.#files.get(path);
    if (file === undefined) return undefined;
    if (method !== "GET" && method !== "HEAD") return methodNotAllowed("GET, HEAD");
    return page(file.status, file.body, file.headers);
  }

  /** A device-listener handler answering the page's paths and passing the rest to `next`. */
  wrap(next: ResyncHandler): ResyncHandler {
    return {
      handle: (request) => this.answer(request) ?? next.handle(request),
    };
  }
}

function methodNotAllowed(allow: string): ResyncResponse {
  return page(405, Buffer.from("method not allowed\n"), {
    "content-type": "text/plain; charset=utf-8",
    "cache-control": "no-store",
    allow,
  });
}
