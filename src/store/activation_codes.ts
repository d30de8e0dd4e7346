/**
 * Retail activation codes. A code is random digits (crypto-random, default 16), shown once
 * when issued; only its keyed hash is stored (HMAC-SHA-256 under the installation's
 * `activation_salt`), so the table does not hold usable codes. A code is single use
 * (consumed by a conditional update: two devices racing for one code, one wins) and expires.
 */
import { createHmac, randomInt, randomUUID, timingSafeEqual } from "node:crypto";
import type { Selectable } from "kysely";
import type { MacAddress } from "../mac_address.ts";
import type { Core } from "./core.ts";
import { notFound, storeError } from "./errors.ts";
import type { ActivationCodeTable } from "./schema.ts";
import type { WriteOptions } from "./store.ts";
import * as v from "./validate.ts";

export const DEFAULT_ACTIVATION_CODE_LENGTH = 16;
export const DEFAULT_ACTIVATION_CODE_TTL_MS = 7 * 24 * 3600_000;
export const MIN_ACTIVATION_CODE_LENGTH = 10;
export const MAX_ACTIVATION_CODE_LENGTH = 32;

export type ActivationCodeState = "active" | "used" | "expired";

export interface ActivationCode {
  readonly id: string;
  readonly tenantId: string;
  readonly accountId: string;
  readonly createdAt: Date;
  readonly expiresAt: Date;
  readonly usedAt: Date | null;
  /** The device the code bound (once used). */
  readonly boundMac: MacAddress | null;
  readonly createdBy: string;
}

export interface ActivationCodeInput {
  readonly accountId: string;
  /** Digits; default 16. */
  readonly length?: number;
  /** Default 7 days. */
  readonly ttlMs?: number;
}

export interface ActivationCodeRepository {
  /** Issues a code for the account; the code itself is returned only here. */
  issue(
    input: ActivationCodeInput,
    options?: WriteOptions,
  ): Promise<{ code: ActivationCode; secret: string }>;
  list(query: { accountId?: string; tenantId?: string; limit?: number }): Promise<ActivationCode[]>;
  get(id: string): Promise<ActivationCode>;
  /** Removes an unused code (a used one stays as the record of its binding). */
  revoke(id: string, options?: WriteOptions): Promise<void>;
  /** The code whose hash matches (whatever its state); null when none. One indexed read. */
  lookup(secret: string): Promise<ActivationCode | null>;
  /**
   * Marks the code used by `mac` if it is still unused and unexpired at `now`; false when
   * another request consumed it first or it expired.
   */
  consume(id: string, mac: MacAddress, now: number, options?: WriteOptions): Promise<boolean>;
}

export function activationCodeState(code: ActivationCode, now: number): ActivationCodeState {
  if (code.usedAt !== null) return "used";
  return code.expiresAt.getTime() <= now ? "expired" : "active";
}

function toCode(row: Selectable<ActivationCodeTable>): ActivationCode {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    accountId: row.account_id,
    createdAt: new Date(row.created_at),
    expiresAt: new Date(row.expires_at),
    usedAt: row.used_at === null ? null : new Date(row.used_at),
    boundMac: row.bound_mac as MacAddress | null,
    createdBy: row.created_by,
  };
}

/** What a code looks like on the wire: digits only, within the allowed lengths. */
export function looksLikeActivationCode(text: string): boolean {
  return (
    text.length >= MIN_ACTIVATION_CODE_LENGTH &&
    text.length <= MAX_ACTIVATION_CODE_LENGTH &&
    /^[0-9]+$/.test(text)
  );
}

export class ActivationCodes implements ActivationCodeRepository {
  readonly #core: Core;
  #salt: Promise<Buffer> | undefined;

  constructor(core: Core) {
    this.#core = core;
  }

  async issue(
    input: ActivationCodeInput,
    options?: WriteOptions,
  ): Promise<{ code: ActivationCode; secret: string }> {
    const length = v.integer(
      input.length ?? DEFAULT_ACTIVATION_CODE_LENGTH,
      "length",
      MIN_ACTIVATION_CODE_LENGTH,
      MAX_ACTIVATION_CODE_LENGTH,
    );
    const ttlMs = v.integer(
      input.ttlMs ?? DEFAULT_ACTIVATION_CODE_TTL_MS,
      "ttlMs",
      60_000,
      366 * 24 * 3600_000,
    );
    let secret = "";
    for (let i = 0; i < length; i++) secret += String(randomInt(10));
    const hash = await this.#hash(secret);
    const code = await this.#core.change(options, async (ctx) => {
      const account = await ctx.conn
        .selectFrom("accounts")
        .select(["id", "tenant_id"])
        .where("id", "=", input.accountId)
        .executeTakeFirst();
      if (account === undefined) throw notFound("account", input.accountId);
      const row: ActivationCodeTable = {
        id: randomUUID(),
        tenant_id: account.tenant_id,
        account_id: account.id,
        code_hash: hash,
        created_at: ctx.now,
        expires_at: ctx.now + ttlMs,
        used_at: null,
        bound_mac: null,
        created_by: ctx.actor,
      };
      await ctx.conn.insertInto("activation_codes").values(row).execute();
      const created = toCode(row);
      ctx.touch("activation", [row.id]);
      ctx.audit({
        action: "activation-code.issue",
        entity: "activation-code",
        key: row.id,
        tenantId: row.tenant_id,
        after: created,
      });
      return created;
    });
    return { code, secret };
  }

  async list(query: {
    accountId?: string;
    tenantId?: string;
    limit?: number;
  }): Promise<ActivationCode[]> {
    let q = this.#core.db.selectFrom("activation_codes").selectAll();
    if (query.accountId !== undefined) q = q.where("account_id", "=", query.accountId);
    if (query.tenantId !== undefined) q = q.where("tenant_id", "=", query.tenantId);
    const rows = await q
      .orderBy("created_at", "desc")
      .orderBy("id")
      .limit(v.limit(query.limit))
      .execute();
    return rows.map(toCode);
  }

  async get(id: string): Promise<ActivationCode> {
    const row = await this.#core.db
      .selectFrom("activation_codes")
      .selectAll()
      .where("id", "=", id)
      .executeTakeFirst();
    if (row === undefined) throw notFound("activation code", id);
    return toCode(row);
  }

  async revoke(id: string, options?: WriteOptions): Promise<void> {
    await this.#core.change(options, async (ctx) => {
      const row = await ctx.conn
        .selectFrom("activation_codes")
        .selectAll()
        .where("id", "=", id)
        .executeTakeFirst();
      if (row === undefined) throw notFound("activation code", id);
      if (row.used_at !== null) {
        throw storeError(
          "STORE_CONFLICT",
          "the activation code was used; it stays as the record of the binding",
        );
      }
      await ctx.conn.deleteFrom("activation_codes").where("id", "=", id).execute();
      ctx.touch("activation", [id]);
      ctx.audit({
        action: "activation-code.revoke",
        entity: "activation-code",
        key: id,
        tenantId: row.tenant_id,
        before: toCode(row),
      });
    });
  }

  async lookup(secret: string): Promise<ActivationCode | null> {
    if (!looksLikeActivationCode(secret)) return null;
    const hash = await this.#hash(secret);
    const row = await this.#core.db
      .selectFrom("activation_codes")
      .selectAll()
      .where("code_hash", "=", hash)
      .executeTakeFirst();
    if (row === undefined) return null;
    // The index found it by equality; compare again in constant time, so no code path
    // depends on how much of a guess matched.
    const a = Buffer.from(row.code_hash);
    const b = Buffer.from(hash);
    return a.length === b.length && timingSafeEqual(a, b) ? toCode(row) : null;
  }

  async consume(
    id: string,
    mac: MacAddress,
    now: number,
    options?: WriteOptions,
  ): Promise<boolean> {
    return this.#core.change(options, async (ctx) => {
      const done = await ctx.conn
        .updateTable("activation_codes")
        .set({ used_at: now, bound_mac: mac })
        .where("id", "=", id)
        .where("used_at", "is", null)
        .where("expires_at", ">", now)
        .returning(["id", "tenant_id"])
        .execute();
      const row = done[0];
      if (row === undefined) return false;
      ctx.touch("activation", [id]);
      ctx.audit({
        action: "activation-code.use",
        entity: "activation-code",
        key: id,
        tenantId: row.tenant_id,
        after: { usedAt: new Date(now), boundMac: mac },
      });
      return true;
    });
  }

  #hash(secret: string): Promise<string> {
    this.#salt ??= this.#core.db
      .selectFrom("installation")
      .select("value")
      .where("name", "=", "activation_salt")
      .executeTakeFirst()
      .then((row) => {
        if (row === undefined) {
          throw storeError("STORE_CORRUPT", "the installation has no activation salt");
        }
        return Buffer.from(row.value, "base64url");
      });
    this.#salt.catch(() => {
      this.#salt = undefined;
    });
    return this.#salt.then((salt) => createHmac("sha256", salt).update(secret).digest("hex"));
  }
}
