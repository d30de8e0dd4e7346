/**
 * Device models: the catalogue's built-in models merged at read time with the stored rows.
 *
 * Built-in models (`BUILT_IN_MODELS` in the profile catalogue) are code, not rows: a fresh
 * install lists them without a migration or a write on open, they follow the catalogue when
 * it is updated, and several nodes opening one PostgreSQL database never race to seed it.
 * A stored row with a built-in product name overrides it (lines, PSN, description, family);
 * deleting that row restores the built-in one. A built-in model without a row has version 0
 * and cannot be deleted.
 */
import type { Selectable } from "kysely";
import { BUILT_IN_MODELS, type BuiltInModel, builtInModel } from "../profile/index.ts";
import type { Core } from "./core.ts";
import { notFound, storeError } from "./errors.ts";
import type { DeviceModelTable } from "./schema.ts";
import type { DeviceModelInput, DeviceModelRepository, WriteOptions } from "./store.ts";
import type { DeviceModel } from "./types.ts";
import * as v from "./validate.ts";

const EPOCH = new Date(0);

/** A built-in model as listed when no row overrides it. */
export function builtInDeviceModel(model: BuiltInModel): DeviceModel {
  return {
    pn: model.pn,
    psn: model.psn,
    family: model.family,
    description: model.description,
    lines: model.lines,
    fxsPorts: model.fxsPorts,
    lineKeys: model.lineKeys,
    factoryProfileRule: model.factoryProfileRule,
    builtIn: true,
    version: 0,
    createdAt: EPOCH,
    updatedAt: EPOCH,
  };
}

export function toDeviceModel(row: Selectable<DeviceModelTable>): DeviceModel {
  const builtIn = builtInModel(row.pn);
  return {
    pn: row.pn,
    psn: row.psn,
    family: row.family,
    description: row.description,
    lines: row.lines,
    fxsPorts: builtIn?.fxsPorts ?? 0,
    lineKeys: builtIn?.lineKeys ?? 0,
    factoryProfileRule: builtIn?.factoryProfileRule ?? null,
    builtIn: builtIn !== undefined,
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
    const stored = new Map(rows.map((row) => [row.pn, toDeviceModel(row)]));
    const merged = BUILT_IN_MODELS.map((m) => stored.get(m.pn) ?? builtInDeviceModel(m));
    for (const model of stored.values()) if (!model.builtIn) merged.push(model);
    return merged.sort((a, b) => (a.pn < b.pn ? -1 : a.pn > b.pn ? 1 : 0));
  }

  async find(pn: string): Promise<DeviceModel | null> {
    const row = await this.#core.db
      .selectFrom("device_models")
      .selectAll()
      .where("pn", "=", pn)
      .executeTakeFirst();
    if (row !== undefined) return toDeviceModel(row);
    const builtIn = builtInModel(pn);
    return builtIn === undefined ? null : builtInDeviceModel(builtIn);
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
    const lines =
      input.lines === undefined
        ? (builtInModel(pn)?.lines ?? 1)
        : v.integer(input.lines, "lines", 0, 64);
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
      if (row === undefined) {
        if (builtInModel(pn) !== undefined) {
          throw storeError(
            "STORE_CONFLICT",
            `model ${JSON.stringify(pn)} is built in (only a stored override of it can be deleted)`,
            { pn },
          );
        }
        throw notFound("model", pn);
      }
      this.#core.expectVersion(options, "model", pn, row.version);
      // Deleting an override of a built-in model restores the built-in one: devices keep a model.
      const used =
        builtInModel(pn) !== undefined
          ? undefined
          : await ctx.conn
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
