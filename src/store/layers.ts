import type { Kysely, Selectable } from "kysely";
import { tryParseMac } from "../mac_address.ts";
import type { Core } from "./core.ts";
import { chunks } from "./core.ts";
import { notFound, storeError } from "./errors.ts";
import { InQueries } from "./in_queries.ts";
import {
  decodeParameters,
  encodeParameters,
  PARAMETER_ACCESS,
  redactParameters,
} from "./layer_codec.ts";
import { layerKey } from "./layer_key.ts";
import type { Database, LayerTable } from "./schema.ts";
import type { SecretSealer } from "./secret.ts";
import type { LayerRepository, WriteOptions } from "./store.ts";
import {
  LAYER_SCOPES,
  type Layer,
  type LayerParameter,
  type LayerScope,
  type LayerTarget,
} from "./types.ts";
import * as v from "./validate.ts";

const MAX_PARAMETERS = 10_000;
const MAX_VALUE = 65_536;
const NAME = /^[^\s\u0000-\u001f\u007f<>&"']{1,128}$/;
const ACCESS = PARAMETER_ACCESS;

function badLayer(message: string, details?: Record<string, unknown>): never {
  throw storeError("STORE_INVALID_LAYER", message, details);
}

/** Inverse of `layerKey`. */
export function parseLayerKey(key: string): LayerTarget {
  const colon = key.indexOf(":");
  const scope = key.slice(0, colon);
  const rest = key.slice(colon + 1);
  switch (scope) {
    case "tenant":
      return { scope, tenantId: rest };
    case "model": {
      const slash = rest.indexOf("/");
      return { scope, tenantId: rest.slice(0, slash), pn: rest.slice(slash + 1) };
    }
    case "group":
      return { scope, groupId: rest };
    case "staging":
      return { scope, tenantId: rest };
    case "account":
      return { scope, accountId: rest };
    case "device": {
      const mac = tryParseMac(rest);
      if (mac !== undefined) return { scope, mac };
      break;
    }
  }
  throw storeError("STORE_CORRUPT", `bad layer key ${JSON.stringify(key)}`);
}

function toLayer(row: Selectable<LayerTable>, sealer: SecretSealer | "redacted"): Layer {
  return {
    target: parseLayerKey(row.key),
    parameters: decodeParameters(row.key, row.parameters, sealer),
    version: row.version,
    updatedAt: new Date(row.updated_at),
  };
}

function changed(key: string): never {
  throw storeError("STORE_CONFLICT", `layer ${JSON.stringify(key)} changed meanwhile`, {
    entity: "layer",
    key,
  });
}

/** Parses parameters from a caller: names unique and sane, values text or null, ua tags known. */
export function prepareParameters(parameters: readonly LayerParameter[]): LayerParameter[] {
  if (!Array.isArray(parameters)) badLayer("parameters must be a list");
  if (parameters.length > MAX_PARAMETERS)
    badLayer(`a layer holds at most ${MAX_PARAMETERS} parameters`);
  const seen = new Set<string>();
  return parameters.map((p, index) => {
    if (typeof p !== "object" || p === null)
      badLayer(`parameter ${index} is not an object`, { index });
    if (typeof p.name !== "string" || !NAME.test(p.name)) {
      badLayer(`parameter ${index}: invalid name ${JSON.stringify(p.name)}`, { index });
    }
    if (seen.has(p.name)) badLayer(`parameter ${p.name} appears twice`, { name: p.name });
    seen.add(p.name);
    const value = p.value ?? null;
    if (value !== null && (typeof value !== "string" || value.length > MAX_VALUE)) {
      badLayer(`parameter ${p.name}: value must be a text of at most ${MAX_VALUE} characters`, {
        name: p.name,
      });
    }
    const access = p.access ?? null;
    if (access !== null && !ACCESS.includes(access)) {
      badLayer(`parameter ${p.name}: access must be na, ro or rw`, { name: p.name });
    }
    if (value === null && access === null) {
      badLayer(`parameter ${p.name} sets neither a value nor an access tag`, { name: p.name });
    }
    return { name: p.name, value, access };
  });
}

export class Layers implements LayerRepository {
  readonly #core: Core;
  /** The batched reads of a storm's first fetches (`listForTargets`). */
  readonly #byKeys: InQueries<Selectable<LayerTable>>;

  constructor(core: Core) {
    this.#core = core;
    this.#byKeys = new InQueries((slots) =>
      core.db.selectFrom("layers").selectAll().where("key", "in", slots).compile(),
    );
  }

  async get(target: LayerTarget): Promise<Layer | null> {
    const row = await this.#core.db
      .selectFrom("layers")
      .selectAll()
      .where("key", "=", layerKey(target))
      .executeTakeFirst();
    return row === undefined ? null : toLayer(row, this.#core.sealer);
  }

  async listForTargets(targets: readonly LayerTarget[]): Promise<Layer[]> {
    if (targets.length === 0) return [];
    const keys = [...new Set(targets.map(layerKey))];
    const out: Layer[] = [];
    for (const chunk of chunks(keys, 512)) {
      const rows = await this.#byKeys.rows(this.#core.dialect, chunk);
      for (const row of rows) out.push(toLayer(row, this.#core.sealer));
    }
    const order = new Map(LAYER_SCOPES.map((scope, index) => [scope, index]));
    return out.sort((a, b) => order.get(a.target.scope)! - order.get(b.target.scope)!);
  }

  async list(query: { scope?: LayerScope; after?: string; limit?: number } = {}): Promise<Layer[]> {
    let q = this.#core.db.selectFrom("layers").selectAll();
    if (query.scope !== undefined)
      q = q.where("scope", "=", v.oneOf(query.scope, LAYER_SCOPES, "scope"));
    if (query.after !== undefined) q = q.where("key", ">", query.after);
    const rows = await q.orderBy("key").limit(v.limit(query.limit)).execute();
    return rows.map((row) => toLayer(row, this.#core.sealer));
  }

  async set(
    target: LayerTarget,
    parameters: readonly LayerParameter[],
    options?: WriteOptions,
  ): Promise<Layer> {
    const prepared = prepareParameters(parameters);
    const key = layerKey(target);
    return this.#core.change(options, async (ctx) => {
      const tenantId = await this.#resolveTarget(ctx.conn, target);
      const existing = await ctx.conn
        .selectFrom("layers")
        .selectAll()
        .where("key", "=", key)
        .executeTakeFirst();
      this.#core.expectVersion(options, "layer", key, existing?.version ?? 0);
      const row: LayerTable = {
        key,
        scope: target.scope,
        tenant_id:
          target.scope === "tenant" || target.scope === "model" || target.scope === "staging"
            ? target.tenantId
            : null,
        parameters: encodeParameters(key, prepared, this.#core.sealer),
        version: ctx.revision,
        updated_at: ctx.now,
      };
      // Compare-and-set, not an upsert: creating writes only when the layer is still absent,
      // replacing only when it still has the version read above. (The revision row lock that
      // every change takes first already orders concurrent changes; this keeps "expectedVersion
      // 0 = only if absent" true by itself, so no interleaving can overwrite an edit.)
      if (existing === undefined) {
        const inserted = await ctx.conn
          .insertInto("layers")
          .values(row)
          .onConflict((oc) => oc.column("key").doNothing())
          .returning("key")
          .execute();
        if (inserted.length === 0) changed(key);
      } else {
        const updated = await ctx.conn
          .updateTable("layers")
          .set({ parameters: row.parameters, version: row.version, updated_at: row.updated_at })
          .where("key", "=", key)
          .where("version", "=", existing.version)
          .executeTakeFirst();
        if (Number(updated.numUpdatedRows) === 0) changed(key);
      }
      ctx.touch("layer", [key]);
      ctx.audit({
        action: "layer.set",
        entity: "layer",
        key,
        tenantId,
        before: existing === undefined ? undefined : toLayer(existing, "redacted").parameters,
        after: redactParameters(prepared),
      });
      return {
        target: parseLayerKey(key),
        parameters: prepared,
        version: row.version,
        updatedAt: new Date(row.updated_at),
      };
    });
  }

  async unset(target: LayerTarget, options?: WriteOptions): Promise<boolean> {
    const key = layerKey(target);
    return this.#core.change(options, async (ctx) => {
      const existing = await ctx.conn
        .selectFrom("layers")
        .selectAll()
        .where("key", "=", key)
        .executeTakeFirst();
      if (existing === undefined) return false;
      this.#core.expectVersion(options, "layer", key, existing.version);
      const deleted = await ctx.conn
        .deleteFrom("layers")
        .where("key", "=", key)
        .where("version", "=", existing.version)
        .executeTakeFirst();
      if (Number(deleted.numDeletedRows) === 0) changed(key);
      ctx.touch("layer", [key]);
      ctx.audit({
        action: "layer.unset",
        entity: "layer",
        key,
        tenantId: existing.tenant_id,
        before: toLayer(existing, "redacted").parameters,
      });
      return true;
    });
  }

  /** The target must exist; returns its tenant (for the audit log). */
  async #resolveTarget(conn: Kysely<Database>, target: LayerTarget): Promise<string> {
    let row: { tenant_id: string } | undefined;
    switch (target.scope) {
      case "tenant":
      case "model":
      case "staging":
        row = await conn
          .selectFrom("tenants")
          .select("id as tenant_id")
          .where("id", "=", target.tenantId)
          .executeTakeFirst();
        if (target.scope === "model") v.text(target.pn, "pn", 64);
        if (row === undefined) throw notFound("tenant", target.tenantId);
        return row.tenant_id;
      case "group":
        row = await conn
          .selectFrom("groups")
          .select("tenant_id")
          .where("id", "=", target.groupId)
          .executeTakeFirst();
        if (row === undefined) throw notFound("group", target.groupId);
        return row.tenant_id;
      case "account":
        row = await conn
          .selectFrom("accounts")
          .select("tenant_id")
          .where("id", "=", target.accountId)
          .executeTakeFirst();
        if (row === undefined) throw notFound("account", target.accountId);
        return row.tenant_id;
      case "device":
        row = await conn
          .selectFrom("devices")
          .select("tenant_id")
          .where("mac", "=", target.mac)
          .executeTakeFirst();
        if (row === undefined) throw notFound("device", target.mac);
        return row.tenant_id;
    }
  }
}
