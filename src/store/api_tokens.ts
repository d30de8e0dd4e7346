import { randomUUID } from "node:crypto";
import type { Selectable } from "kysely";
import type { ChangeContext, Core } from "./core.ts";
import { notFound } from "./errors.ts";
import type { ApiTokenTable } from "./schema.ts";
import type { TokenInput, TokenPatch, TokenRepository, WriteOptions } from "./store.ts";
import { generateToken, hashToken } from "./tokens.ts";
import { API_ROLES, type ApiToken } from "./types.ts";
import * as v from "./validate.ts";

export function toApiToken(row: Selectable<ApiTokenTable>): ApiToken {
  return {
    id: row.id,
    name: row.name,
    role: v.oneOf(row.role, API_ROLES, "role"),
    tenantId: row.tenant_id,
    hash: row.hash,
    createdAt: new Date(row.created_at),
    expiresAt: row.expires_at === null ? null : new Date(row.expires_at),
  };
}

/** Bearer tokens: only their SHA-256 is stored. */
export class ApiTokens implements TokenRepository {
  readonly #core: Core;

  constructor(core: Core) {
    this.#core = core;
  }

  async issue(
    input: TokenInput,
    options?: WriteOptions,
  ): Promise<{ token: ApiToken; secret: string }> {
    const name = v.text(input.name, "name", 128);
    const role = v.oneOf(input.role, API_ROLES, "role");
    const tenantId = input.tenantId ?? null;
    return this.#core.change(options, async (ctx) => {
      if (tenantId !== null) await tenantExists(ctx, tenantId);
      const secret = generateToken();
      const row: ApiTokenTable = {
        id: randomUUID(),
        name,
        role,
        tenant_id: tenantId,
        hash: hashToken(secret),
        created_at: ctx.now,
        expires_at: input.expiresAt?.getTime() ?? null,
      };
      await ctx.conn.insertInto("api_tokens").values(row).execute();
      const token = toApiToken(row);
      ctx.touch("token", [row.id]);
      ctx.audit({ action: "token.issue", entity: "token", key: row.id, tenantId, after: token });
      return { token, secret };
    });
  }

  async findByHash(hash: string): Promise<ApiToken | null> {
    const row = await this.#core.db
      .selectFrom("api_tokens")
      .selectAll()
      .where("hash", "=", hash.toLowerCase())
      .executeTakeFirst();
    return row === undefined ? null : toApiToken(row);
  }

  async verify(secret: string): Promise<ApiToken | null> {
    const token = await this.findByHash(hashToken(secret));
    if (token === null) return null;
    if (token.expiresAt !== null && token.expiresAt.getTime() <= this.#core.now()) return null;
    return token;
  }

  async list(): Promise<ApiToken[]> {
    const rows = await this.#core.db
      .selectFrom("api_tokens")
      .selectAll()
      .orderBy("created_at")
      .execute();
    return rows.map(toApiToken);
  }

  async update(id: string, patch: TokenPatch, options?: WriteOptions): Promise<ApiToken> {
    const name = patch.name === undefined ? undefined : v.text(patch.name, "name", 128);
    const role = patch.role === undefined ? undefined : v.oneOf(patch.role, API_ROLES, "role");
    return this.#core.change(options, async (ctx) => {
      const row = await ctx.conn
        .selectFrom("api_tokens")
        .selectAll()
        .where("id", "=", id)
        .executeTakeFirst();
      if (row === undefined) throw notFound("token", id);
      if (patch.tenantId !== undefined && patch.tenantId !== null) {
        await tenantExists(ctx, patch.tenantId);
      }
      const next: ApiTokenTable = {
        ...row,
        name: name ?? row.name,
        role: role ?? row.role,
        tenant_id: patch.tenantId === undefined ? row.tenant_id : patch.tenantId,
        expires_at:
          patch.expiresAt === undefined ? row.expires_at : (patch.expiresAt?.getTime() ?? null),
      };
      await ctx.conn
        .updateTable("api_tokens")
        .set({
          name: next.name,
          role: next.role,
          tenant_id: next.tenant_id,
          expires_at: next.expires_at,
        })
        .where("id", "=", id)
        .execute();
      const after = toApiToken(next);
      ctx.touch("token", [id]);
      ctx.audit({
        action: "token.update",
        entity: "token",
        key: id,
        // A token moved between tenants is a change to both: the audit names the new one,
        // its before snapshot the old one.
        tenantId: next.tenant_id,
        before: toApiToken(row),
        after,
      });
      return after;
    });
  }

  async revoke(id: string, options?: WriteOptions): Promise<void> {
    return this.#core.change(options, async (ctx) => {
      const row = await ctx.conn
        .selectFrom("api_tokens")
        .selectAll()
        .where("id", "=", id)
        .executeTakeFirst();
      if (row === undefined) throw notFound("token", id);
      await ctx.conn.deleteFrom("api_tokens").where("id", "=", id).execute();
      ctx.touch("token", [id]);
      ctx.audit({
        action: "token.revoke",
        entity: "token",
        key: id,
        tenantId: row.tenant_id,
        before: toApiToken(row),
      });
    });
  }
}

/** `STORE_NOT_FOUND` unless the tenant exists (tokens and users name one). */
export async function tenantExists(ctx: ChangeContext, tenantId: string): Promise<void> {
  const tenant = await ctx.conn
    .selectFrom("tenants")
    .select("id")
    .where("id", "=", tenantId)
    .executeTakeFirst();
  if (tenant === undefined) throw notFound("tenant", tenantId);
}
