import { randomUUID } from "node:crypto";
import type { Selectable } from "kysely";
import { type CaIdentity, caIdentities } from "./client_ca.ts";
import type { Core } from "./core.ts";
import { notFound, storeError } from "./errors.ts";
import type { TenantTable } from "./schema.ts";
import type { TenantInput, TenantPatch, TenantRepository, WriteOptions } from "./store.ts";
import { checkTenantIsolation } from "./tenant_isolation.ts";
import { parseTenantSettings, readTenantSettings } from "./tenant_settings.ts";
import { DEFAULT_TENANT_ID, type Tenant, type TenantSettings } from "./types.ts";
import * as v from "./validate.ts";

export function toTenant(row: Selectable<TenantTable>): Tenant {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    settings: readTenantSettings(row.settings),
    version: row.version,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
}

export class Tenants implements TenantRepository {
  readonly #core: Core;
  readonly #reservedClientCas: readonly string[];
  /** Parsed on the first tenant write that needs them: opening the store parses no certificate. */
  #reservedCas: readonly CaIdentity[] | undefined;

  /** `reservedClientCas`: built-in CAs (the device CA) no tenant's CA may collide with. */
  constructor(core: Core, reservedClientCas: readonly string[] = []) {
    this.#core = core;
    this.#reservedClientCas = reservedClientCas;
  }

  async list(): Promise<Tenant[]> {
    const rows = await this.#core.db.selectFrom("tenants").selectAll().orderBy("slug").execute();
    return rows.map(toTenant);
  }

  async find(id: string): Promise<Tenant | null> {
    const row = await this.#core.db
      .selectFrom("tenants")
      .selectAll()
      .where("id", "=", id)
      .executeTakeFirst();
    return row === undefined ? null : toTenant(row);
  }

  async findBySlug(slug: string): Promise<Tenant | null> {
    const row = await this.#core.db
      .selectFrom("tenants")
      .selectAll()
      .where("slug", "=", slug)
      .executeTakeFirst();
    return row === undefined ? null : toTenant(row);
  }

  async get(id: string): Promise<Tenant> {
    const tenant = await this.find(id);
    if (tenant === null) throw notFound("tenant", id);
    return tenant;
  }

  async create(input: TenantInput, options?: WriteOptions): Promise<Tenant> {
    const slug = v.slug(input.slug);
    const name = v.text(input.name, "name");
    const settings = parseTenantSettings(input.settings);
    return this.#core.change(options, async (ctx) => {
      await this.#slugFree(ctx.conn, slug, null);
      await this.#isolated(ctx.conn, null, settings, undefined);
      const row: TenantTable = {
        id: randomUUID(),
        slug,
        name,
        settings: JSON.stringify(settings),
        version: ctx.revision,
        created_at: ctx.now,
        updated_at: ctx.now,
      };
      await ctx.conn.insertInto("tenants").values(row).execute();
      const tenant = toTenant(row);
      ctx.touch("tenant", [row.id]);
      ctx.audit({
        action: "tenant.create",
        entity: "tenant",
        key: row.id,
        tenantId: row.id,
        after: tenant,
      });
      return tenant;
    });
  }

  async update(id: string, patch: TenantPatch, options?: WriteOptions): Promise<Tenant> {
    const slug = patch.slug === undefined ? undefined : v.slug(patch.slug);
    const name = patch.name === undefined ? undefined : v.text(patch.name, "name");
    return this.#core.change(options, async (ctx) => {
      const row = await ctx.conn
        .selectFrom("tenants")
        .selectAll()
        .where("id", "=", id)
        .executeTakeFirst();
      if (row === undefined) throw notFound("tenant", id);
      const before = toTenant(row);
      this.#core.expectVersion(options, "tenant", id, row.version);
      if (slug !== undefined && slug !== row.slug) await this.#slugFree(ctx.conn, slug, id);
      const settings = parseTenantSettings(patch.settings, before.settings);
      if (patch.settings !== undefined) {
        await this.#isolated(ctx.conn, id, settings, before.settings);
      }
      const next: TenantTable = {
        ...row,
        slug: slug ?? row.slug,
        name: name ?? row.name,
        settings: JSON.stringify(settings),
        version: ctx.revision,
        updated_at: ctx.now,
      };
      await ctx.conn.updateTable("tenants").set(next).where("id", "=", id).execute();
      const after = toTenant(next);
      ctx.touch("tenant", [id]);
      ctx.audit({
        action: "tenant.update",
        entity: "tenant",
        key: id,
        tenantId: id,
        before,
        after,
      });
      return after;
    });
  }

  async delete(id: string, options?: WriteOptions): Promise<void> {
    if (id === DEFAULT_TENANT_ID) {
      throw storeError("STORE_CONFLICT", "the default tenant cannot be deleted");
    }
    return this.#core.change(options, async (ctx) => {
      const row = await ctx.conn
        .selectFrom("tenants")
        .selectAll()
        .where("id", "=", id)
        .executeTakeFirst();
      if (row === undefined) throw notFound("tenant", id);
      this.#core.expectVersion(options, "tenant", id, row.version);
      for (const table of ["devices", "accounts", "groups"] as const) {
        const used = await ctx.conn
          .selectFrom(table)
          .select("tenant_id")
          .where("tenant_id", "=", id)
          .limit(1)
          .executeTakeFirst();
        if (used !== undefined) {
          throw storeError(
            "STORE_CONFLICT",
            `tenant ${JSON.stringify(row.slug)} still has ${table}`,
            {
              table,
            },
          );
        }
      }
      const layers = await ctx.conn
        .deleteFrom("layers")
        .where("tenant_id", "=", id)
        .returning("key")
        .execute();
      const tokens = await ctx.conn
        .deleteFrom("api_tokens")
        .where("tenant_id", "=", id)
        .returning("id")
        .execute();
      await ctx.conn.deleteFrom("tenants").where("id", "=", id).execute();
      ctx.touch("tenant", [id]);
      if (layers.length > 0)
        ctx.touch(
          "layer",
          layers.map((l) => l.key),
        );
      if (tokens.length > 0)
        ctx.touch(
          "token",
          tokens.map((t) => t.id),
        );
      ctx.audit({
        action: "tenant.delete",
        entity: "tenant",
        key: id,
        tenantId: id,
        before: toTenant(row),
      });
    });
  }

  /**
   * Refuses settings that would share a profile path or a trusted CA with another tenant. Runs
   * inside the change transaction, which every configuration write serialises on (the revision
   * row), so two tenants cannot each pass the check against the other's uncommitted settings.
   */
  async #isolated(
    conn: Core["db"],
    self: string | null,
    next: TenantSettings,
    before: TenantSettings | undefined,
  ): Promise<void> {
    let query = conn.selectFrom("tenants").select(["id", "settings"]);
    if (self !== null) query = query.where("id", "!=", self);
    const others = (await query.execute()).map((row) => readTenantSettings(row.settings));
    this.#reservedCas ??= this.#reservedClientCas.flatMap(caIdentities);
    checkTenantIsolation(next, before, others, this.#reservedCas);
  }

  async #slugFree(conn: Core["db"], slug: string, self: string | null): Promise<void> {
    const taken = await conn
      .selectFrom("tenants")
      .select("id")
      .where("slug", "=", slug)
      .executeTakeFirst();
    if (taken !== undefined && taken.id !== self) {
      throw storeError("STORE_CONFLICT", `tenant slug ${JSON.stringify(slug)} is taken`, { slug });
    }
  }
}
