/**
 * The firmware registry and upgrade policies. An image row says what a file in the files
 * directory is (version, models, SHA-256, size); the bytes are written there by whoever
 * uploads (checksum verified first), so the database never carries firmware. An image
 * belongs to its tenant: its file name is unique within the tenant only, so no tenant can
 * take a name another will need, nor learn which names others use. A policy names a
 * target version and the intermediate versions a unit must pass through, for a whole tenant,
 * one model or one group (the most specific applies).
 */
import { randomUUID } from "node:crypto";
import type { Selectable } from "kysely";
import type { Core } from "./core.ts";
import { invalid, notFound, storeError } from "./errors.ts";
import type { FirmwareImageTable, UpgradePolicyTable } from "./schema.ts";
import type { WriteOptions } from "./store.ts";
import * as v from "./validate.ts";

export interface FirmwareImageRecord {
  readonly id: string;
  readonly tenantId: string;
  readonly version: string;
  readonly models: readonly string[];
  /** Under the files directory's `firmware/<tenant id>/` folder; unique within the tenant. */
  readonly fileName: string;
  readonly sha256: string;
  readonly bytes: number;
  readonly createdAt: Date;
  readonly createdBy: string;
}

export interface FirmwareImageInput {
  readonly tenantId: string;
  readonly version: string;
  readonly models: readonly string[];
  readonly fileName: string;
  readonly sha256: string;
  readonly bytes: number;
}

export type UpgradeSchemeName = "http" | "https" | "tftp";
export const UPGRADE_SCHEMES: readonly UpgradeSchemeName[] = ["http", "https", "tftp"];

export interface UpgradePolicy {
  readonly id: string;
  readonly tenantId: string;
  readonly name: string;
  /** Only this model; null: every model. */
  readonly modelPn: string | null;
  /** Only this group; null: every group. */
  readonly groupId: string | null;
  readonly target: string;
  readonly intermediates: readonly string[];
  readonly downgradeRevLimit: string | null;
  readonly scheme: UpgradeSchemeName;
  /** `scheme://host[:port]` of the image URLs; null: the node's public URL or the request's host. */
  readonly baseUrl: string | null;
  /** Nothing is offered until a rollout admits the unit. */
  readonly staged: boolean;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export interface UpgradePolicyInput {
  readonly tenantId: string;
  readonly name: string;
  readonly modelPn?: string | null;
  readonly groupId?: string | null;
  readonly target: string;
  readonly intermediates?: readonly string[];
  readonly downgradeRevLimit?: string | null;
  readonly scheme?: UpgradeSchemeName;
  readonly baseUrl?: string | null;
  readonly staged?: boolean;
}

export interface FirmwareRepository {
  addImage(input: FirmwareImageInput, options?: WriteOptions): Promise<FirmwareImageRecord>;
  listImages(query?: { tenantId?: string; limit?: number }): Promise<FirmwareImageRecord[]>;
  getImage(id: string): Promise<FirmwareImageRecord>;
  /** The tenant's image of this file name, if any. */
  imageByFile(tenantId: string, fileName: string): Promise<FirmwareImageRecord | null>;
  removeImage(id: string, options?: WriteOptions): Promise<FirmwareImageRecord>;
  /** Creates or replaces the tenant's policy of this name. */
  setPolicy(input: UpgradePolicyInput, options?: WriteOptions): Promise<UpgradePolicy>;
  listPolicies(query?: { tenantId?: string }): Promise<UpgradePolicy[]>;
  getPolicy(id: string): Promise<UpgradePolicy>;
  removePolicy(id: string, options?: WriteOptions): Promise<void>;
}

/** A file name in the firmware folder: no path, no leading dot, printable. */
const FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const MODEL = /^(\*|[A-Za-z0-9][A-Za-z0-9._-]{0,31})$/;
const SHA256 = /^[0-9a-f]{64}$/;
/** Version text as stored; its grammar is the server's (firmware_version.ts). */
const VERSION = /^[A-Za-z0-9][A-Za-z0-9._()-]{0,63}$/;
export const MAX_FIRMWARE_MODELS = 64;
export const MAX_INTERMEDIATES = 16;

const BASE_URL = /^(https?|tftp):\/\/[A-Za-z0-9.-]{1,253}(:\d{1,5})?$/;

function validBaseUrl(url: string, scheme: UpgradeSchemeName): boolean {
  const m = BASE_URL.exec(url);
  return m !== null && m[1] === scheme;
}

export function isFirmwareFileName(name: string): boolean {
  return FILE_NAME.test(name) && !name.includes("..");
}

function version(value: unknown, field: string): string {
  if (typeof value !== "string" || !VERSION.test(value)) {
    throw invalid(`${field} must be a firmware version such as 7.5.5 or sip88xx.11-3-1MPP-678`, {
      field,
    });
  }
  return value;
}

function toImage(row: Selectable<FirmwareImageTable>): FirmwareImageRecord {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    version: row.version,
    models: JSON.parse(row.models) as string[],
    fileName: row.file_name,
    sha256: row.sha256,
    bytes: Number(row.bytes),
    createdAt: new Date(Number(row.created_at)),
    createdBy: row.created_by,
  };
}

function toPolicy(row: Selectable<UpgradePolicyTable>): UpgradePolicy {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    name: row.name,
    modelPn: row.model_pn,
    groupId: row.group_id,
    target: row.target_version,
    intermediates: JSON.parse(row.intermediates) as string[],
    downgradeRevLimit: row.downgrade_rev_limit,
    scheme: row.scheme as UpgradeSchemeName,
    baseUrl: row.base_url,
    staged: Number(row.staged) === 1,
    createdAt: new Date(Number(row.created_at)),
    updatedAt: new Date(Number(row.updated_at)),
  };
}

export class Firmware implements FirmwareRepository {
  readonly #core: Core;

  constructor(core: Core) {
    this.#core = core;
  }

  async addImage(input: FirmwareImageInput, options?: WriteOptions): Promise<FirmwareImageRecord> {
    const ver = version(input.version, "version");
    if (!Array.isArray(input.models) || input.models.length === 0) {
      throw invalid("models must name at least one model (or *)", { field: "models" });
    }
    if (input.models.length > MAX_FIRMWARE_MODELS) {
      throw invalid(`at most ${MAX_FIRMWARE_MODELS} models per image`, { field: "models" });
    }
    for (const m of input.models) {
      if (typeof m !== "string" || !MODEL.test(m)) {
        throw invalid("a model is a product name (SPA962), a series (962) or *", {
          field: "models",
        });
      }
    }
    if (!isFirmwareFileName(input.fileName)) {
      throw invalid("the file name may hold letters, digits, '.', '-' and '_' only", {
        field: "fileName",
      });
    }
    if (!SHA256.test(input.sha256)) {
      throw invalid("sha256 must be 64 lower-case hex digits", { field: "sha256" });
    }
    const bytes = v.integer(input.bytes, "bytes", 1, Number.MAX_SAFE_INTEGER);
    return this.#core.change(options, async (ctx) => {
      const tenant = await ctx.conn
        .selectFrom("tenants")
        .select("id")
        .where("id", "=", input.tenantId)
        .executeTakeFirst();
      if (tenant === undefined) throw notFound("tenant", input.tenantId);
      const taken = await ctx.conn
        .selectFrom("firmware_images")
        .select("id")
        .where("tenant_id", "=", input.tenantId)
        .where("file_name", "=", input.fileName)
        .executeTakeFirst();
      if (taken !== undefined) {
        throw storeError(
          "STORE_CONFLICT",
          `this tenant has an image named ${input.fileName} already`,
        );
      }
      const row: FirmwareImageTable = {
        id: randomUUID(),
        tenant_id: input.tenantId,
        version: ver,
        models: JSON.stringify(input.models),
        file_name: input.fileName,
        sha256: input.sha256,
        bytes,
        created_at: ctx.now,
        created_by: ctx.actor,
      };
      await ctx.conn.insertInto("firmware_images").values(row).execute();
      const image = toImage(row);
      ctx.touch("firmware", [row.id]);
      ctx.audit({
        action: "firmware.add",
        entity: "firmware-image",
        key: row.id,
        tenantId: row.tenant_id,
        after: image,
      });
      return image;
    });
  }

  async listImages(query: { tenantId?: string; limit?: number } = {}) {
    let q = this.#core.db.selectFrom("firmware_images").selectAll();
    if (query.tenantId !== undefined) q = q.where("tenant_id", "=", query.tenantId);
    const rows = await q
      .orderBy("created_at")
      .orderBy("id")
      .limit(v.limit(query.limit, 1000))
      .execute();
    return rows.map(toImage);
  }

  async getImage(id: string): Promise<FirmwareImageRecord> {
    const row = await this.#core.db
      .selectFrom("firmware_images")
      .selectAll()
      .where("id", "=", id)
      .executeTakeFirst();
    if (row === undefined) throw notFound("firmware image", id);
    return toImage(row);
  }

  async imageByFile(tenantId: string, fileName: string): Promise<FirmwareImageRecord | null> {
    const row = await this.#core.db
      .selectFrom("firmware_images")
      .selectAll()
      .where("tenant_id", "=", tenantId)
      .where("file_name", "=", fileName)
      .executeTakeFirst();
    return row === undefined ? null : toImage(row);
  }

  async removeImage(id: string, options?: WriteOptions): Promise<FirmwareImageRecord> {
    return this.#core.change(options, async (ctx) => {
      const row = await ctx.conn
        .selectFrom("firmware_images")
        .selectAll()
        .where("id", "=", id)
        .executeTakeFirst();
      if (row === undefined) throw notFound("firmware image", id);
      await ctx.conn.deleteFrom("firmware_images").where("id", "=", id).execute();
      const image = toImage(row);
      ctx.touch("firmware", [id]);
      ctx.audit({
        action: "firmware.remove",
        entity: "firmware-image",
        key: id,
        tenantId: row.tenant_id,
        before: image,
      });
      return image;
    });
  }

  async setPolicy(input: UpgradePolicyInput, options?: WriteOptions): Promise<UpgradePolicy> {
    const name = v.slug(input.name, "name");
    const target = version(input.target, "target");
    const intermediates = input.intermediates ?? [];
    if (!Array.isArray(intermediates) || intermediates.length > MAX_INTERMEDIATES) {
      throw invalid(`at most ${MAX_INTERMEDIATES} intermediate versions`, {
        field: "intermediates",
      });
    }
    for (const i of intermediates) version(i, "intermediates");
    const limit =
      input.downgradeRevLimit === undefined || input.downgradeRevLimit === null
        ? null
        : input.downgradeRevLimit === ""
          ? null
          : version(input.downgradeRevLimit, "downgradeRevLimit");
    const scheme = v.oneOf(input.scheme ?? "http", UPGRADE_SCHEMES, "scheme");
    const baseUrl = input.baseUrl === undefined || input.baseUrl === "" ? null : input.baseUrl;
    if (baseUrl !== null && !validBaseUrl(baseUrl, scheme)) {
      throw invalid(`baseUrl must be ${scheme}://host[:port] (no path)`, { field: "baseUrl" });
    }
    return this.#core.change(options, async (ctx) => {
      const tenant = await ctx.conn
        .selectFrom("tenants")
        .select("id")
        .where("id", "=", input.tenantId)
        .executeTakeFirst();
      if (tenant === undefined) throw notFound("tenant", input.tenantId);
      const groupId = input.groupId ?? null;
      if (groupId !== null) {
        const group = await ctx.conn
          .selectFrom("groups")
          .select(["id", "tenant_id"])
          .where("id", "=", groupId)
          .executeTakeFirst();
        // Another tenant's group is as unknown as a missing one.
        if (group === undefined || group.tenant_id !== input.tenantId) {
          throw notFound("group", groupId);
        }
      }
      const existing = await ctx.conn
        .selectFrom("upgrade_policies")
        .selectAll()
        .where("tenant_id", "=", input.tenantId)
        .where("name", "=", name)
        .executeTakeFirst();
      const row: UpgradePolicyTable = {
        id: existing?.id ?? randomUUID(),
        tenant_id: input.tenantId,
        name,
        model_pn: input.modelPn ?? null,
        group_id: groupId,
        target_version: target,
        intermediates: JSON.stringify(intermediates),
        downgrade_rev_limit: limit,
        scheme,
        base_url: baseUrl,
        staged: input.staged === true ? 1 : 0,
        created_at: existing === undefined ? ctx.now : Number(existing.created_at),
        updated_at: ctx.now,
      };
      if (existing === undefined) {
        await ctx.conn.insertInto("upgrade_policies").values(row).execute();
      } else {
        await ctx.conn.updateTable("upgrade_policies").set(row).where("id", "=", row.id).execute();
      }
      const policy = toPolicy(row);
      ctx.touch("firmware", [row.id]);
      ctx.audit({
        action: existing === undefined ? "upgrade-policy.create" : "upgrade-policy.update",
        entity: "upgrade-policy",
        key: row.id,
        tenantId: row.tenant_id,
        before: existing === undefined ? null : toPolicy(existing),
        after: policy,
      });
      return policy;
    });
  }

  async listPolicies(query: { tenantId?: string } = {}): Promise<UpgradePolicy[]> {
    let q = this.#core.db.selectFrom("upgrade_policies").selectAll();
    if (query.tenantId !== undefined) q = q.where("tenant_id", "=", query.tenantId);
    const rows = await q.orderBy("created_at").orderBy("id").limit(10_000).execute();
    return rows.map(toPolicy);
  }

  async getPolicy(id: string): Promise<UpgradePolicy> {
    const row = await this.#core.db
      .selectFrom("upgrade_policies")
      .selectAll()
      .where("id", "=", id)
      .executeTakeFirst();
    if (row === undefined) throw notFound("upgrade policy", id);
    return toPolicy(row);
  }

  async removePolicy(id: string, options?: WriteOptions): Promise<void> {
    await this.#core.change(options, async (ctx) => {
      const row = await ctx.conn
        .selectFrom("upgrade_policies")
        .selectAll()
        .where("id", "=", id)
        .executeTakeFirst();
      if (row === undefined) throw notFound("upgrade policy", id);
      await ctx.conn.deleteFrom("upgrade_policies").where("id", "=", id).execute();
      ctx.touch("firmware", [id]);
      ctx.audit({
        action: "upgrade-policy.remove",
        entity: "upgrade-policy",
        key: id,
        tenantId: row.tenant_id,
        before: toPolicy(row),
      });
    });
  }
}
