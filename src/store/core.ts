import type { Kysely } from "kysely";
import { isProvisioError } from "../errors.ts";
import type { ChangeHub } from "./changes.ts";
import type { StoreDialect } from "./dialect.ts";
import { storeError } from "./errors.ts";
import { layerKey } from "./layer_key.ts";
import { redact } from "./redact.ts";
import type { Database } from "./schema.ts";
import type { SecretSealer } from "./secret.ts";
import type { WriteOptions } from "./store.ts";
import type { ChangeEntity, LayerTarget } from "./types.ts";

/** More keys than this in one notice: send null ("drop the entity's caches"). */
const MAX_NOTICE_KEYS = 1_000;
/** Change-log rows kept (by revision) for processes catching up. */
const CHANGE_LOG_RETENTION = 10_000;

export interface AuditRecord {
  readonly action: string;
  readonly entity: string;
  readonly key: string | null;
  readonly tenantId?: string | null;
  readonly before?: unknown;
  readonly after?: unknown;
}

/** What a configuration change's body can do, inside its transaction. */
export interface ChangeContext {
  readonly conn: Kysely<Database>;
  /** The revision this change produces: write it as the `version` of every touched row. */
  readonly revision: number;
  /** Epoch ms. */
  readonly now: number;
  readonly actor: string;
  /** Announce changed keys (null = too many / everything of the entity). */
  touch(entity: ChangeEntity, keys: readonly string[] | null): void;
  audit(record: AuditRecord): void;
}

/** Shared machinery of the repositories: the dialect, the clock, secrets, change transactions. */
export class Core {
  readonly dialect: StoreDialect;
  readonly sealer: SecretSealer;
  readonly hub: ChangeHub;
  readonly #now: () => number;

  constructor(dialect: StoreDialect, sealer: SecretSealer, now: () => number, hub: ChangeHub) {
    this.dialect = dialect;
    this.sealer = sealer;
    this.#now = now;
    this.hub = hub;
  }

  get db(): Kysely<Database> {
    return this.dialect.db;
  }

  now(): number {
    return this.#now();
  }

  /**
   * Runs a configuration change: one transaction that bumps the revision, runs `body`, records
   * the touched keys in the change log, writes the audit entries and notifies other processes;
   * after commit, wakes this process's change feed.
   */
  async change<T>(
    options: WriteOptions | undefined,
    body: (ctx: ChangeContext) => Promise<T>,
  ): Promise<T> {
    const actor = options?.actor ?? "system";
    let result: T;
    try {
      result = await this.run(() =>
        this.dialect.writeTransaction(async (conn) => {
          const bumped = await conn
            .updateTable("revision")
            .set((eb) => ({ value: eb("value", "+", 1) }))
            .where("id", "=", 1)
            .returning("value")
            .executeTakeFirstOrThrow();
          const revision = bumped.value;
          const now = this.#now();
          const touched = new Map<ChangeEntity, Set<string> | null>();
          const audits: AuditRecord[] = [];
          const ctx: ChangeContext = {
            conn,
            revision,
            now,
            actor,
            touch(entity, keys) {
              const current = touched.get(entity);
              if (keys === null || current === null) {
                touched.set(entity, null);
                return;
              }
              const set = current ?? new Set<string>();
              for (const key of keys) set.add(key);
              touched.set(entity, set.size > MAX_NOTICE_KEYS ? null : set);
            },
            audit(record) {
              audits.push(record);
            },
          };
          const value = await body(ctx);
          // Nothing changed (e.g. unsetting a layer that does not exist): roll back, so the
          // revision does not move and no cache is invalidated for nothing.
          if (touched.size === 0 && audits.length === 0) throw new NoChange(value);
          if (touched.size === 0) touched.set("all", null);
          await conn
            .insertInto("change_log")
            .values(
              [...touched].map(([entity, keys]) => ({
                revision,
                entity,
                keys: keys === null ? null : JSON.stringify([...keys]),
                at: now,
              })),
            )
            .execute();
          // A bulk import audits each row: several statements when they exceed the
          // dialect's parameter limit.
          for (const part of chunks(audits, this.rowsPerStatement(AUDIT_COLUMNS))) {
            await conn
              .insertInto("audit_log")
              .values(
                part.map((record) => ({
                  at: now,
                  actor,
                  action: record.action,
                  entity: record.entity,
                  key: record.key,
                  tenant_id: record.tenantId ?? null,
                  before: json(record.before),
                  after: json(record.after),
                })),
              )
              .execute();
          }
          if (revision % 100 === 0) {
            await conn
              .deleteFrom("change_log")
              .where("revision", "<=", revision - CHANGE_LOG_RETENTION)
              .execute();
          }
          await this.dialect.announce(conn, revision);
          return value;
        }),
      );
    } catch (error) {
      if (error instanceof NoChange) return error.value as T;
      throw error;
    }
    // Deliver to this process's subscribers before the caller continues, so a cache in this
    // process never serves the old value after the change returned (read-your-writes).
    await this.hub.wake();
    return result;
  }

  /** Runs a database operation, mapping driver errors to store errors. */
  async run<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      throw this.translate(error);
    }
  }

  translate(error: unknown): unknown {
    if (isProvisioError(error)) return error;
    switch (this.dialect.classify(error)) {
      case "unique":
        return storeError(
          "STORE_CONFLICT",
          "a record with that key already exists",
          undefined,
          error,
        );
      case "foreign-key":
        return storeError(
          "STORE_CONFLICT",
          "the change refers to a record that does not exist, or removes one still referenced",
          undefined,
          error,
        );
      case "busy":
        return storeError("STORE_UNAVAILABLE", "the database is busy; try again", undefined, error);
      default:
        return error;
    }
  }

  /** Throws `STORE_CONFLICT` when an expected version is given and differs. */
  expectVersion(
    options: WriteOptions | undefined,
    entity: string,
    key: string,
    version: number,
  ): void {
    if (options?.expectedVersion !== undefined && options.expectedVersion !== version) {
      throw storeError(
        "STORE_CONFLICT",
        `${entity} ${JSON.stringify(key)} changed (version ${version}, expected ${options.expectedVersion})`,
        { entity, key, version, expectedVersion: options.expectedVersion },
      );
    }
  }

  /** How many rows of `columns` columns fit in one statement (at most `cap`). */
  rowsPerStatement(columns: number, cap = 1_000): number {
    return Math.max(1, Math.min(cap, Math.floor(this.dialect.maxParameters / columns)));
  }
}

/** Columns of one `audit_log` row written by a change. */
const AUDIT_COLUMNS = 8;

/** Thrown inside a change's transaction to roll it back when the body changed nothing. */
class NoChange {
  readonly value: unknown;
  constructor(value: unknown) {
    this.value = value;
  }
}

function json(value: unknown): string | null {
  const redacted = redact(value);
  return redacted === undefined ? null : JSON.stringify(redacted);
}

/**
 * Deleting an account or group: detaches its devices (`column` cleared, their version bumped,
 * announced) and removes its layer (announced when there was one).
 */
export async function detachAndDropLayer(
  ctx: ChangeContext,
  column: "account_id" | "group_id",
  id: string,
  layer: LayerTarget,
): Promise<void> {
  const detached = await ctx.conn
    .updateTable("devices")
    .set({ [column]: null, version: ctx.revision, updated_at: ctx.now })
    .where(column, "=", id)
    .returning("mac")
    .execute();
  if (detached.length > 0)
    ctx.touch(
      "device",
      detached.map((d) => d.mac),
    );
  await dropLayer(ctx, layer);
}

/** Removes a layer with the record it belongs to; announced when there was one. */
export async function dropLayer(ctx: ChangeContext, target: LayerTarget): Promise<void> {
  const key = layerKey(target);
  const dropped = await ctx.conn
    .deleteFrom("layers")
    .where("key", "=", key)
    .returning("key")
    .execute();
  if (dropped.length > 0) ctx.touch("layer", [key]);
}

export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
