import type { Selectable } from "kysely";
import type { Core } from "./core.ts";
import { notFound, storeError } from "./errors.ts";
import type { DeviceModelTable } from "./schema.ts";
import type { DeviceModelInput, DeviceModelRepository, WriteOptions } from "./store.ts";
import type { DeviceModel } from "./types.ts";
import * as v from "./validate.ts";

export function toDeviceModel(row: Selectable<DeviceModelTable>): DeviceModel {
  return {
    pn: row.pn,
    psn: row.psn,
    family: row.family,
    description: row.description,
    lines: row.lines,
    version: row.version,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
}

export class DeviceModels implements DeviceModelRepository {
  readonly #core: Core;

  constructor(core: Core) {
    this.#core = core;
  }

  async list(): Promise<DeviceModel[]> {
    const rows = await this.#core.db
      .selectFrom("device_models")
      .selectAll()
      .orderBy("pn")
      .execute();
    return rows.map(toDeviceModel);
  }

  async find(pn: string): Promise<DeviceModel | null> {
    const row = await this.#core.db
      .selectFrom("device_models")
      .selectAll()
      .where("pn", "=", pn)
      .executeTakeFirst();
    return row === undefined ? null : toDeviceModel(row);
  }

  async get(pn: string): Promise<DeviceModel> {
    const model = await this.find(pn);
    if (model === null) throw notFound("model", pn);
    return model;
  }

  async upsert(input: DeviceModelInput, options?: WriteOptions): Promise<DeviceModel> {
    const pn = v.text(input.pn, "pn", 64);
    const family = v.text(input.family, "family", 64);
    const psn = v.optionalText(input.psn, "psn", 64) ?? null;
    const description = v.optionalText(input.description, "description", 1024) ?? null;
    const lines = input.lines === undefined ? 1 : v.integer(input.lines, "lines", 0, 64);
    return this.#core.change(options, async (ctx) => {
      const existing = await ctx.conn
        .selectFrom("device_models")
        .selectAll()
        .where("pn", "=", pn)
        .executeTakeFirst();
      this.#core.expectVersion(options, "model", pn, existing?.version ?? 0);
      const row: DeviceModelTable = {
        pn,
        psn,
        family,
        description,
        lines,
        version: ctx.revision,
        created_at: existing?.created_at ?? ctx.now,
        updated_at: ctx.now,
      };
      if (existing === undefined) {
        await ctx.conn.insertInto("device_models").values(row).execute();
      } else {
        await ctx.conn.updateTable("device_models").set(row).where("pn", "=", pn).execute();
      }
      const after = toDeviceModel(row);
      ctx.touch("model", [pn]);
      ctx.audit({
        action: existing === undefined ? "model.create" : "model.update",
        entity: "model",
        key: pn,
        before: existing === undefined ? undefined : toDeviceModel(existing),
        after,
      });
      return after;
    });
  }

  async delete(pn: string, options?: WriteOptions): Promise<void> {
    return this.#core.change(options, async (ctx) => {
      const row = await ctx.conn
        .selectFrom("device_models")
        .selectAll()
        .where("pn", "=", pn)
        .executeTakeFirst();
      if (row === undefined) throw notFound("model", pn);
      this.#core.expectVersion(options, "model", pn, row.version);
      const used = await ctx.conn
        .selectFrom("devices")
        .select("mac")
        .where("model_pn", "=", pn)
        .limit(1)
        .executeTakeFirst();
      if (used !== undefined) {
        throw storeError("STORE_CONFLICT", `model ${JSON.stringify(pn)} is used by devices`, {
          pn,
        });
      }
      await ctx.conn.deleteFrom("device_models").where("pn", "=", pn).execute();
      ctx.touch("model", [pn]);
      ctx.audit({ action: "model.delete", entity: "model", key: pn, before: toDeviceModel(row) });
    });
  }
}
