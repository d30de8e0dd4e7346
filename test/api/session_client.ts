/**
 * The admin app on a real socket over a store with a movable clock, its log lines captured, and
 * a client that keeps a session cookie the way a browser does and can speak from any loopback
 * address (the sign-in throttle counts per source).
 */
import { request } from "node:http";
import { Writable } from "node:stream";
import pino from "pino";
import { Registry } from "prom-client";
import { type AdminDeps, createAdminApp } from "../../src/api/index.ts";
import type { Store } from "../../src/store/index.ts";
import type { Fresh } from "../store/dialects.ts";

// biome-ignore lint/suspicious/noExplicitAny: JSON bodies in tests are read field by field.
type Json = any;

export interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Json;
  readonly text: string;
}

export interface CallOptions {
  readonly body?: unknown;
  readonly raw?: string;
  readonly contentType?: string;
  readonly token?: string;
  readonly cookie?: string;
  readonly headers?: Record<string, string>;
  /** Loopback address to send from (default 127.0.0.1). */
  readonly from?: string;
}

export function call(
  base: string,
  method: string,
  path: string,
  o: CallOptions = {},
): Promise<Answer> {
  const headers: Record<string, string> = { ...o.headers };
  if (o.token !== undefined) headers.authorization = `Bearer ${o.token}`;
  if (o.cookie !== undefined) headers.cookie = o.cookie;
  const payload = o.raw ?? (o.body === undefined ? undefined : JSON.stringify(o.body));
  if (payload !== undefined) {
    headers["content-type"] = o.contentType ?? "application/json";
    headers["content-length"] = String(Buffer.byteLength(payload));
  }
  return new Promise((resolve, reject) => {
    const req = request(
      `${base}${path}`,
      { method, headers, localAddress: o.from ?? "127.0.0.1" },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let body: unknown;
          try {
            body = text === "" ? undefined : JSON.parse(text);
          } catch {
            body = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text });
        });
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(payload);
  });
}

/** The `name=value` of the session cookie a response set, or undefined. */
export function setCookieOf(answer: Answer): string | undefined {
  const raw = answer.headers["set-cookie"];
  const list = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  return list.find((c) => c.startsWith("provisio_session="));
}

/** A browser: signs in, keeps the cookie, adds the CSRF header to unsafe requests. */
export class Browser {
  cookie: string | undefined;
  readonly #base: string;
  readonly #from: string | undefined;

  constructor(base: string, from?: string) {
    this.#base = base;
    this.#from = from;
  }

  async signIn(body: unknown): Promise<Answer> {
    const answer = await call(this.#base, "POST", "/api/v1/session", {
      body,
      ...(this.#from === undefined ? {} : { from: this.#from }),
    });
    const set = setCookieOf(answer);
    if (set !== undefined) this.cookie = set.split(";")[0];
    return answer;
  }

  /** A request with the cookie; `csrf: false` leaves the X-Provisio-Request header out. */
  send(method: string, path: string, o: CallOptions & { csrf?: boolean } = {}): Promise<Answer> {
    const csrf = o.csrf ?? method !== "GET";
    return call(this.#base, method, path, {
      ...o,
      ...(this.cookie === undefined ? {} : { cookie: this.cookie }),
      headers: { ...o.headers, ...(csrf ? { "x-provisio-request": "1" } : {}) },
      ...(this.#from === undefined ? {} : { from: this.#from }),
    });
  }
}

export interface SessionApi {
  readonly url: string;
  readonly store: Store;
  /** The store's clock (epoch ms): move it to expire sessions. */
  clock: number;
  /** Every log line the app wrote. */
  readonly logs: string[];
  /** An installation-wide admin token. */
  readonly adminToken: string;
  close(): Promise<void>;
}

export async function startSessionApi(
  fresh: Fresh,
  deps: Partial<AdminDeps> = {},
): Promise<SessionApi> {
  const logs: string[] = [];
  const api = { clock: Date.UTC(2026, 2, 1, 8, 0, 0) } as { clock: number };
  const store = await fresh.open({ now: () => api.clock });
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(
        ...chunk
          .toString("utf8")
          .split("\n")
          .filter((l) => l !== ""),
      );
      done();
    },
  });
  const app = await createAdminApp({
    store,
    registry: new Registry(),
    logger: pino({ level: "debug" }, sink),
    dataDir: "/nonexistent",
    ...deps,
  });
  const url = await app.listen({ port: 0, host: "127.0.0.1" });
  const admin = await store.tokens.issue({ name: "test admin", role: "admin" });
  return Object.assign(api, {
    url,
    store,
    logs,
    adminToken: admin.secret,
    async close() {
      await app.close();
    },
  });
}
