/**
 * Shared helpers for the store tests. Like Kysely's test suite, every store test runs on every
 * dialect: `for (const dialect of dialects()) describe(dialect.name, …)`. PostgreSQL is never
 * skipped: when it is unreachable the PostgreSQL tests fail (with or without CI=true), because
 * a green run must mean both dialects work.
 */
import { createCipheriv, createDecipheriv, randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import type { SecretSealer } from "../../src/store/secret.ts";
import { openStore, type Store, type StoreDeps, type StoreOptions } from "../../src/store/store.ts";

export const PG_URL = process.env.PROVISIO_TEST_PG ?? "postgres://postgres@127.0.0.1:5432/test";

/**
 * AES-256-GCM, the shape of `src/crypto`'s sealer, for tests: `v1.<key id>.<base64>`, the seal
 * context bound as additional data, older keys (`previous`) still open, `needsReseal` when a
 * value names another key than the current one.
 */
export function testSealer(
  key: Buffer = randomBytes(32),
  options: { id?: string; previous?: Readonly<Record<string, Buffer>> } = {},
): SecretSealer {
  const id = options.id ?? "k1";
  const keys: Record<string, Buffer> = { ...options.previous, [id]: key };
  return {
    seal(plaintext, context) {
      const iv = randomBytes(12);
      const cipher = createCipheriv("aes-256-gcm", key, iv);
      cipher.setAAD(Buffer.from(context ?? ""));
      const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
      return `v1.${id}.${Buffer.concat([iv, cipher.getAuthTag(), body]).toString("base64")}`;
    },
    open(sealed, context) {
      const [, keyId = "", data = ""] = sealed.split(".");
      const raw = Buffer.from(data, "base64");
      const decipher = createDecipheriv("aes-256-gcm", keys[keyId]!, raw.subarray(0, 12));
      decipher.setAAD(Buffer.from(context ?? ""));
      decipher.setAuthTag(raw.subarray(12, 28));
      return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString("utf8");
    },
    needsReseal(sealed) {
      return sealed.split(".")[1] !== id;
    },
  };
}

/** A database of its own: a temp SQLite file, or a fresh PostgreSQL schema. */
export interface Fresh {
  readonly options: StoreOptions;
  /** Opens a Store on this database (call twice for two "processes"). */
  open(deps?: Partial<StoreDeps>): Promise<Store>;
  /** Runs raw SQL against the database, bypassing the store (to inspect or tamper with rows). */
  raw<R>(query: string): Promise<R[]>;
  /** Closes what `open` opened and deletes the database. */
  dispose(): Promise<void>;
}

export interface TestDialect {
  readonly name: "sqlite" | "postgres";
  fresh(): Promise<Fresh>;
}

const sealer = testSealer();

function sqliteDialect(): TestDialect {
  return {
    name: "sqlite",
    async fresh() {
      const dir = mkdtempSync(join(tmpdir(), "provisio-store-"));
      const file = join(dir, "provisio.db");
      const options: StoreOptions = { kind: "sqlite", file };
      const opened: Store[] = [];
      return {
        options,
        async open(deps) {
          const store = await openStore(options, { sealer, ...deps });
          opened.push(store);
          return store;
        },
        async raw<R>(query: string) {
          const { default: Database } = await import("better-sqlite3");
          const db = new Database(file);
          try {
            const statement = db.prepare(query);
            if (!statement.reader) {
              statement.run();
              return [];
            }
            return statement.all() as R[];
          } finally {
            db.close();
          }
        },
        async dispose() {
          await Promise.all(opened.map((s) => s.close()));
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  };
}

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(
      `PostgreSQL is required for the store tests (${PG_URL}${process.env.CI ? ", CI=true" : ""}) ` +
        `and is unreachable: ${String(error)}`,
    );
  }
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

function postgresDialect(): TestDialect {
  return {
    name: "postgres",
    async fresh() {
      const schema = `t_${randomUUID().replaceAll("-", "").slice(0, 16)}`;
      await admin((c) => c.query(`create schema ${schema}`));
      const options: StoreOptions = {
        kind: "postgres",
        connectionString: PG_URL,
        schema,
        maxConnections: 4,
      };
      const opened: Store[] = [];
      return {
        options,
        async open(deps) {
          const store = await openStore(options, { sealer, pollIntervalMs: 60_000, ...deps });
          opened.push(store);
          return store;
        },
        raw<R>(query: string) {
          return admin(async (c) => {
            await c.query(`set search_path = ${schema}`);
            return (await c.query(query)).rows as R[];
          });
        },
        async dispose() {
          await Promise.all(opened.map((s) => s.close()));
          await admin((c) => c.query(`drop schema ${schema} cascade`));
        },
      };
    },
  };
}

/** Every dialect, always both. */
export function dialects(): TestDialect[] {
  return [sqliteDialect(), postgresDialect()];
}

/** Deterministic distinct MACs: `02` (locally administered) + 40 bits of `n`. */
export function macFor(n: number): string {
  return `02${n.toString(16).padStart(10, "0")}`;
}

/** Resolves when `predicate` holds, polling every 10 ms; rejects after `ms`. */
export async function until(predicate: () => boolean, ms: number): Promise<number> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > ms) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return Date.now() - start;
}
