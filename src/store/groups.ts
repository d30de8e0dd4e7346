import { randomUUID } from "node:crypto";
import type { Selectable } from "kysely";
import { type Core, detachAndDropLayer } from "./core.ts";
import { notFound, storeError } from "./errors.ts";
import type { GroupTable } from "./schema.ts";
import type { GroupInput, GroupPatch, GroupRepository, PageQuery, WriteOptions } from "./store.ts";
import { DEFAULT_TENANT_ID, type Group } from "./types.ts";
import * as v from "./validate.ts";

export function toGroup(row: Selectable<GroupTable>): Group {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    name: row.name,
    description: row.description,
    version: row.version,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
}

export class Groups implements GroupRepository {
  readonly #core: Core;

  constructor(core: Core) {
    this.#core = core;
  }

  async list(query: PageQuery = {}): Promise<Group[]> {
    let q = this.#core.db.selectFrom("groups").selectAll();
    if (query.tenantId !== undefined) q = q.where("tenant_id", "=", query.tenantId);
    if (query.after !== undefined) q = q.where("id", ">", query.after);
    const rows = await q.orderBy("id").limit(v.limit(query.limit)).execute();
    return rows.map(toGroup);
  }

  async find(id: string): Promise<Group | null> {
    const row = await this.#core.db
      .selectFrom("groups")
      .selectAll()
      .where("id", "=", id)
      .executeTakeFirst();
    return row === undefined ? null : toGroup(row);
  }

  async findByName(tenantId: string, name: string): Promise<Group | null> {
    const row = await this.#core.db
      .selectFrom("groups")
      .selectAll()
      .where("tenant_id", "=", tenantId)
      .where("name", "=", name)
      .executeTakeFirst();
    return row === undefined ? null : toGroup(row);
  }

  async get(id: string): Promise<Group> {
    const group = await this.find(id);
    if (group === null) throw notFound("group", id);
    return group;
  }

  async create(input: GroupInput, options?: WriteOptions): Promise<Group> {
    const tenantId = input.tenantId ?? DEFAULT_TENANT_ID;
    const name = v.text(input.name, "name", 128);
    const description = v.optionalText(input.description, "description", 1024) ?? null;
    return this.#core.change(options, async (ctx) => {
      const tenant = await ctx.conn
        .selectFrom("tenants")
        .select("id")
        .where("id", "=", tenantId)
        .executeTakeFirst();
      if (tenant === undefined) throw notFound("tenant", tenantId);
      await this.#nameFree(ctx.conn, tenantId, name, null);
      const row: GroupTable = {
        id: randomUUID(),
        tenant_id: tenantId,
        name,
        description,
        version: ctx.revision,
        created_at: ctx.now,
        updated_at: ctx.now,
      };
      await ctx.conn.insertInto("groups").values(row).execute();
      const group = toGroup(row);
      ctx.touch("group", [row.id]);
      ctx.audit({ action: "group.create", entity: "group", key: row.id, tenantId, after: group });
      return group;
    });
  }

  async update(id: string, patch: GroupPatch, options?: WriteOptions): Promise<Group> {
    const name = patch.name === undefined ? undefined : v.text(patch.name, "name", 128);
    const description = v.optionalText(patch.description, "description", 1024);
    return this.#core.change(options, async (ctx) => {
      const row = await ctx.conn
        .selectFrom("groups")
        .selectAll()
        .where("id", "=", id)
        .executeTakeFirst();
      if (row === undefined) throw notFound("group", id);
      this.#core.expectVersion(options, "group", id, row.version);
      if (name !== undefined && name !== row.name)
        await this.#nameFree(ctx.conn, row.tenant_id, name, id);
      const next: GroupTable = {
        ...row,
        name: name ?? row.name,
        description: description === undefined ? row.description : description,
        version: ctx.revision,
        updated_at: ctx.now,
      };
      await ctx.conn.updateTable("groups").set(next).where("id", "=", id).execute();
      const after = toGroup(next);
      ctx.touch("group", [id]);
      ctx.audit({
        action: "group.update",
        entity: "group",
        key: id,
        tenantId: row.tenant_id,
        before: toGroup(row),
        after,
      });
      return after;
    });
  }

  async delete(id: string, options?: WriteOptions): Promise<void> {
    return this.#core.change(options, async (ctx) => {
      const row = await ctx.conn
        .selectFrom("groups")
        .selectAll()
        .where("id", "=", id)
        .executeTakeFirst();
      if (row === undefined) throw notFound("group", id);
      this.#core.expectVersion(options, "group", id, row.version);
      await detachAndDropLayer(ctx, "group_id", id, { scope: "group", groupId: id });
      await ctx.conn.deleteFrom("groups").where("id", "=", id).execute();
      ctx.touch("group", [id]);
      ctx.audit({
        action: "group.delete",
        entity: "group",
        key: id,
        tenantId: row.tenant_id,
        before: toGroup(row),
      });
    });
  }

  async #nameFree(
    conn: Core["db"],
    tenantId: string,
    name: string,
    self: string | null,
  ): Promise<void> {
    const taken = await conn
      .selectFrom("groups")
      .select("id")
      .where("tenant_id", "=", tenantId)
      .where("name", "=", name)
      .executeTakeFirst();
    if (taken !== undefined && taken.id !== self) {
      throw storeError("STORE_CONFLICT", `group ${JSON.stringify(name)} exists`, { name });
    }
  }
}
