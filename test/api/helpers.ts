import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { Registry } from "prom-client";
import { type AdminDeps, createAdminApp } from "../../src/api/index.ts";
import { openStore, type Store, type StoreOptions } from "../../src/store/index.ts";
import { testSealer } from "../store/dialects.ts";

// biome-ignore lint/suspicious/noExplicitAny: JSON bodies in tests are read field by field.
type Json = any;

export interface ApiResponse {
  readonly status: number;
  readonly headers: Headers;
  /** Parsed JSON body (undefined when empty or not JSON). */
  readonly body: Json;
  readonly text: string;
}

export interface TestApi {
  readonly url: string;
  readonly store: Store;
  readonly registry: Registry;
  readonly tokens: {
    readonly admin: string;
    readonly adminId: string;
    readonly operator: string;
    readonly readOnly: string;
  };
  request(
    method: string,
    path: string,
    options?: { token?: string | null; body?: unknown; raw?: string; contentType?: string },
  ): Promise<ApiResponse>;
  close(): Promise<void>;
}

/** A real admin app on a loopback port, over a fresh SQLite store (or the given options). */
export async function startApi(
  options: { store?: StoreOptions; deps?: Partial<AdminDeps> } = {},
): Promise<TestApi> {
  const dir = mkdtempSync(join(tmpdir(), "provisio-api-"));
  const store = await openStore(
    options.store ?? { kind: "sqlite", file: join(dir, "provisio.db") },
    {
      sealer: testSealer(),
      pollIntervalMs: 50,
    },
  );
  const admin = await store.tokens.issue({ name: "test admin", role: "admin" });
  const operator = await store.tokens.issue({ name: "test operator", role: "operator" });
  const readOnly = await store.tokens.issue({ name: "test reader", role: "read-only" });
  const registry = new Registry();
  const app = await createAdminApp({
    store,
    registry,
    logger: pino({ level: "silent" }),
    dataDir: dir,
    ...options.deps,
  });
  const url = await app.listen({ port: 0, host: "127.0.0.1" });
  return {
    url,
    store,
    registry,
    tokens: {
      admin: admin.secret,
      adminId: admin.token.id,
      operator: operator.secret,
      readOnly: readOnly.secret,
    },
    async request(method, path, opts = {}) {
      const headers: Record<string, string> = {};
      const token = opts.token === undefined ? admin.secret : opts.token;
      if (token !== null) headers.authorization = `Bearer ${token}`;
      let body: string | undefined;
      if (opts.raw !== undefined) {
        body = opts.raw;
        headers["content-type"] = opts.contentType ?? "text/csv";
      } else if (opts.body !== undefined) {
        body = JSON.stringify(opts.body);
        headers["content-type"] = "application/json";
      }
      const res = await fetch(`${url}${path}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body }),
      });
      const text = await res.text();
      let parsed: unknown;
      try {
        parsed = text === "" ? undefined : JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      return { status: res.status, headers: res.headers, body: parsed, text };
    },
    async close() {
      await app.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Polls an operation until it is no longer running. */
export async function waitForOperation(api: TestApi, id: string, token?: string): Promise<Json> {
  for (let i = 0; i < 3000; i++) {
    const res = await api.request(
      "GET",
      `/api/v1/operations/${id}`,
      token === undefined ? {} : { token },
    );
    if (res.status !== 200) throw new Error(`operation poll: ${res.status} ${res.text}`);
    if (res.body.status !== "running") return res.body;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error("operation did not finish");
}
