import { type CompiledQuery, type Kysely, type Selectable, sql } from "kysely";
import {
  parseCertificateFingerprint,
  tryParseCertificateFingerprint,
} from "../certificate_fingerprint.ts";
import { type MacAddress, tryParseMac } from "../mac_address.ts";
import { type ActivityBatch, writeActivity } from "./activity.ts";
import { type ChangeContext, type Core, chunks, dropLayer } from "./core.ts";
import { type DeviceSearchPage, type DeviceSearchQuery, searchDevices } from "./device_search.ts";
import { invalid, notFound, storeError } from "./errors.ts";
import { InQueries } from "./in_queries.ts";
import { toLifecycle } from "./lifecycle.ts";
import type { Database, DeviceTable } from "./schema.ts";
import { isSecret, Secret, sealContext } from "./secret.ts";
import type {
  BulkUpsertOptions,
  BulkUpsertResult,
  DeviceInput,
  DevicePatch,
  DeviceQuery,
  DeviceRepository,
  DeviceStatusUpdate,
  WriteOptions,
} from "./store.ts";
import { DEFAULT_TENANT_ID, type Device, ENCRYPTION_MODES, type EncryptionMode } from "./types.ts";
import * as v from "./validate.ts";

/** Device columns an input can set (everything but the key and bookkeeping). */
type DeviceFields = Omit<DeviceTable, "mac" | "version" | "created_at" | "updated_at">;
type FieldName = keyof DeviceFields;

const DEVICE_COLUMNS = 15;
/** MACs per query of `findMany`. */
const FIND_MANY_CHUNK = 512;
/** Stands for the MAC in the compiled `findByMac` query (replaced by each lookup's MAC). */
const MAC_SLOT = "\u0000mac";

interface Prepared {
  readonly mac: MacAddress;
  /** Only the fields the input set (undefined = keep). */
  readonly set: Partial<DeviceFields>;
}

export function selectDevices(db: Kysely<Database>) {
  return db
    .selectFrom("devices")
    .leftJoin("device_status as s", "s.mac", "devices.mac")
    .leftJoin("device_lifecycle as l", "l.mac", "devices.mac")
    .selectAll("devices")
    .select([
      "s.at as s_at",
      "s.remote_address as s_remote_address",
      "s.user_agent as s_user_agent",
      "s.firmware as s_firmware",
      "s.result as s_result",
      "s.transport as s_transport",
      "l.state as l_state",
      "l.since as l_since",
      "l.cause as l_cause",
    ]);
}

export type DeviceRow = Selectable<DeviceTable> & {
  s_at: number | null;
  s_remote_address: string | null;
  s_user_agent: string | null;
  s_firmware: string | null;
  s_result: string | null;
  s_transport: string | null;
  l_state: string | null;
  l_since: number | null;
  l_cause: string | null;
};

export class Devices implements DeviceRepository {
  readonly #core: Core;
  #byMac: CompiledQuery<DeviceRow> | undefined;
  readonly #byMacs: InQueries<DeviceRow>;

  constructor(core: Core) {
    this.#core = core;
    this.#byMacs = new InQueries((slots) =>
      selectDevices(core.db).where("devices.mac", "in", slots).compile(),
    );
  }

  #toDevice(row: DeviceRow): Device {
    const mac = tryParseMac(row.mac);
    if (mac === undefined) throw storeError("STORE_CORRUPT", `devices row with bad MAC ${row.mac}`);
    return {
      mac,
      tenantId: row.tenant_id,
      modelPn: row.model_pn,
      serial: row.serial,
      accountId: row.account_id,
      groupId: row.group_id,
      label: row.label,
      certSubject: row.cert_subject,
      certFingerprint: row.cert_fingerprint,
      state: row.state,
      deviceKey:
        row.device_key === null
          ? null
          : Secret.sealed(row.device_key, this.#core.sealer, sealContext.deviceKey(mac)),
      encryption: (ENCRYPTION_MODES as readonly string[]).includes(row.encryption ?? "")
        ? (row.encryption as EncryptionMode)
        : null,
      version: row.version,
      createdAt: new Date(row.created_at),
      updatedAt: new Date(row.updated_at),
      status:
        row.s_at === null
          ? null
          : {
              at: new Date(row.s_at),
              remoteAddress: row.s_remote_address,
              userAgent: row.s_user_agent,
              firmware: row.s_firmware,
              result: row.s_result ?? "",
              transport: row.s_transport,
            },
      lifecycle: toLifecycle(row.l_state, row.l_since, row.l_cause),
    };
  }

  async #findIn(conn: Kysely<Database>, mac: string): Promise<Device | null> {
    const row = await selectDevices(conn).where("devices.mac", "=", mac).executeTakeFirst();
    return row === undefined ? null : this.#toDevice(row);
  }

  /**
   * A device's first fetch reads it here: the query is compiled once (Kysely's compile cost
   * more than SQLite's lookup) and run with each MAC in place of its slot.
   */
  async findByMac(mac: MacAddress): Promise<Device | null> {
    const db = this.#core.db;
    this.#byMac ??= selectDevices(db).where("devices.mac", "=", MAC_SLOT).compile();
    const compiled = this.#byMac;
    const { rows } = await db.executeQuery<DeviceRow>({
      ...compiled,
      parameters: compiled.parameters.map((p) => (p === MAC_SLOT ? mac : p)),
    });
    const row = rows[0];
    return row === undefined ? null : this.#toDevice(row);
  }

  /** A storm's first fetches read their devices here, a batch per event-loop turn. */
  async findMany(macs: readonly MacAddress[]): Promise<Map<MacAddress, Device>> {
    const unique = [...new Set(macs)];
    const found = new Map<string, Device>();
    for (const chunk of chunks(unique, FIND_MANY_CHUNK)) {
      const rows = await this.#byMacs.rows(this.#core.dialect, chunk);
      for (const row of rows) found.set(row.mac, this.#toDevice(row));
    }
    const out = new Map<MacAddress, Device>();
    for (const mac of unique) {
      const device = found.get(mac);
      if (device !== undefined) out.set(mac, device);
    }
    return out;
  }

  async findByCertFingerprint(fingerprint: string): Promise<Device | null> {
    const normalized = tryParseCertificateFingerprint(fingerprint);
    if (normalized === undefined) return null;
    const row = await selectDevices(this.#core.db)
      .where("devices.cert_fingerprint", "=", normalized)
      .orderBy("devices.mac")
      .executeTakeFirst();
    return row === undefined ? null : this.#toDevice(row);
  }

  async findBySerial(serial: string): Promise<Device[]> {
    const rows = await selectDevices(this.#core.db)
      .where("devices.serial", "=", serial)
      .orderBy("devices.mac")
      .limit(100)
      .execute();
    return rows.map((row) => this.#toDevice(row));
  }

  async get(mac: MacAddress): Promise<Device> {
    const device = await this.findByMac(mac);
    if (device === null) throw notFound("device", mac);
    return device;
  }

  async list(query: DeviceQuery = {}): Promise<Device[]> {
    let q = selectDevices(this.#core.db);
    if (query.tenantId !== undefined) q = q.where("devices.tenant_id", "=", query.tenantId);
    if (query.accountId !== undefined) q = q.where("devices.account_id", "=", query.accountId);
    if (query.groupId !== undefined) q = q.where("devices.group_id", "=", query.groupId);
    if (query.modelPn !== undefined) q = q.where("devices.model_pn", "=", query.modelPn);
    if (query.state !== undefined) q = q.where("devices.state", "=", query.state);
    if (query.lifecycle === "none") q = q.where("l.state", "is", null);
    else if (query.lifecycle !== undefined) q = q.where("l.state", "=", query.lifecycle);
    if (query.after !== undefined) q = q.where("devices.mac", ">", query.after);
    const rows = await q.orderBy("devices.mac").limit(v.limit(query.limit)).execute();
    return rows.map((row) => this.#toDevice(row));
  }

  search(query: DeviceSearchQuery = {}): Promise<DeviceSearchPage> {
    return this.#core.run(() =>
      searchDevices(this.#core.db, query, v.limit(query.limit, 100, 1_000), (row) =>
        this.#toDevice(row),
      ),
    );
  }

  async count(query: Omit<DeviceQuery, "after" | "limit"> = {}): Promise<number> {
    // The lifecycle table is joined only when asked about (the gauge counts every device).
    let q = this.#core.db.selectFrom("devices").select((eb) => eb.fn.countAll<number>().as("n"));
    if (query.lifecycle === "none") {
      q = q.where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom("device_lifecycle as l")
              .select("l.mac")
              .whereRef("l.mac", "=", "devices.mac"),
          ),
        ),
      );
    } else if (query.lifecycle !== undefined) {
      const state = query.lifecycle;
      q = q.where((eb) =>
        eb.exists(
          eb
            .selectFrom("device_lifecycle as l")
            .select("l.mac")
            .whereRef("l.mac", "=", "devices.mac")
            .where("l.state", "=", state),
        ),
      );
    }
    if (query.tenantId !== undefined) q = q.where("tenant_id", "=", query.tenantId);
    if (query.accountId !== undefined) q = q.where("account_id", "=", query.accountId);
    if (query.groupId !== undefined) q = q.where("group_id", "=", query.groupId);
    if (query.modelPn !== undefined) q = q.where("model_pn", "=", query.modelPn);
    if (query.state !== undefined) q = q.where("state", "=", query.state);
    const row = await q.executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async create(input: DeviceInput, options?: WriteOptions): Promise<Device> {
    const prepared = this.#prepare(input);
    return this.#core.change(options, async (ctx) => {
      const existing = await this.#findIn(ctx.conn, prepared.mac);
      if (existing !== null) {
        throw storeError("STORE_CONFLICT", `device ${prepared.mac} already exists`, {
          mac: prepared.mac,
        });
      }
      await this.#write(ctx, [prepared]);
      const after = (await this.#findIn(ctx.conn, prepared.mac))!;
      ctx.audit({
        action: "device.create",
        entity: "device",
        key: prepared.mac,
        tenantId: after.tenantId,
        after,
      });
      return after;
    });
  }

  async upsert(input: DeviceInput, options?: WriteOptions): Promise<Device> {
    const prepared = this.#prepare(input);
    return this.#core.change(options, async (ctx) => {
      const before = await this.#findIn(ctx.conn, prepared.mac);
      this.#core.expectVersion(options, "device", prepared.mac, before?.version ?? 0);
      await this.#write(ctx, [prepared]);
      const after = (await this.#findIn(ctx.conn, prepared.mac))!;
      ctx.audit({
        action: before === null ? "device.create" : "device.update",
        entity: "device",
        key: prepared.mac,
        tenantId: after.tenantId,
        before: before ?? undefined,
        after,
      });
      return after;
    });
  }

  async update(mac: MacAddress, patch: DevicePatch, options?: WriteOptions): Promise<Device> {
    const prepared = this.#prepare({ ...patch, mac });
    return this.#core.change(options, async (ctx) => {
      const before = await this.#findIn(ctx.conn, mac);
      if (before === null) throw notFound("device", mac);
      this.#core.expectVersion(options, "device", mac, before.version);
      await this.#write(ctx, [prepared]);
      const after = (await this.#findIn(ctx.conn, mac))!;
      ctx.audit({
        action: "device.update",
        entity: "device",
        key: mac,
        tenantId: after.tenantId,
        before,
        after,
      });
      return after;
    });
  }

  async delete(mac: MacAddress, options?: WriteOptions): Promise<void> {
    return this.#core.change(options, async (ctx) => {
      const before = await this.#findIn(ctx.conn, mac);
      if (before === null) throw notFound("device", mac);
      this.#core.expectVersion(options, "device", mac, before.version);
      await dropLayer(ctx, { scope: "device", mac });
      await ctx.conn.deleteFrom("device_status").where("mac", "=", mac).execute();
      await ctx.conn.deleteFrom("device_lifecycle").where("mac", "=", mac).execute();
      await ctx.conn.deleteFrom("devices").where("mac", "=", mac).execute();
      ctx.touch("device", [mac]);
      ctx.audit({
        action: "device.delete",
        entity: "device",
        key: mac,
        tenantId: before.tenantId,
        before,
      });
    });
  }

  async bulkUpsert(
    devices: Iterable<DeviceInput> | AsyncIterable<DeviceInput>,
    options: BulkUpsertOptions = {},
  ): Promise<BulkUpsertResult> {
    const batchSize =
      options.batchSize === undefined
        ? 1_000
        : v.integer(options.batchSize, "batchSize", 1, 10_000);
    let count = 0;
    let revision = await this.#core.hub.currentRevision();
    let batch: Prepared[] = [];
    const flush = async (): Promise<void> => {
      if (batch.length === 0) return;
      const current = batch;
      batch = [];
      revision = await this.#core.change({ actor: options.actor ?? "system" }, async (ctx) => {
        await this.#write(ctx, current);
        // One entry per row, keyed by MAC: `audit --entity device --key MAC` finds imported
        // devices like added ones. The fields the row set (the audit writer redacts the device key).
        for (const p of current) {
          ctx.audit({
            action: "device.bulk_upsert",
            entity: "device",
            key: p.mac,
            tenantId: p.set.tenant_id ?? null,
            after: p.set,
          });
        }
        return ctx.revision;
      });
      count += current.length;
      options.onProgress?.({ done: count, batch: current.map((p) => p.mac), revision });
    };
    for await (const input of devices) {
      batch.push(this.#prepare(input));
      if (batch.length >= batchSize) await flush();
    }
    await flush();
    return { count, revision };
  }

  recordStatusBatch(statuses: readonly DeviceStatusUpdate[]): Promise<void> {
    return writeActivity(this.#core, { statuses });
  }

  recordActivity(batch: ActivityBatch): Promise<void> {
    return writeActivity(this.#core, batch);
  }

  /** Validates an input into the columns it sets; seals the device key. */
  #prepare(input: DeviceInput): Prepared {
    const mac = tryParseMac(String(input.mac));
    if (mac === undefined)
      throw storeError("STORE_INVALID_MAC", `not a MAC address: ${String(input.mac)}`);
    const set: Partial<DeviceFields> = {};
    if (input.tenantId !== undefined) set.tenant_id = v.text(input.tenantId, "tenantId", 64);
    assign(set, "model_pn", v.optionalText(input.modelPn, "modelPn", 64));
    assign(set, "serial", v.optionalText(input.serial, "serial", 64));
    assign(set, "account_id", v.optionalText(input.accountId, "accountId", 64));
    assign(set, "group_id", v.optionalText(input.groupId, "groupId", 64));
    assign(set, "label", v.optionalText(input.label, "label", 255));
    assign(set, "cert_subject", v.optionalText(input.certSubject, "certSubject", 1024));
    if (input.certFingerprint !== undefined) {
      set.cert_fingerprint =
        input.certFingerprint === null || input.certFingerprint === ""
          ? null
          : parseCertificateFingerprint(input.certFingerprint, "STORE_INVALID_INPUT", {
              field: "certFingerprint",
            });
    }
    if (input.state !== undefined) set.state = v.state(input.state);
    if (input.deviceKey !== undefined) {
      const key = input.deviceKey;
      set.device_key =
        key === null
          ? null
          : this.#core.sealer.seal(
              isSecret(key) ? key.reveal() : v.text(key, "deviceKey", 1024),
              sealContext.deviceKey(mac),
            );
    }
    if (input.encryption !== undefined) {
      set.encryption =
        input.encryption === null
          ? null
          : v.oneOf(input.encryption, ENCRYPTION_MODES, "encryption");
    }
    return { mac, set };
  }

  /**
   * Inserts or updates prepared devices (upsert: fields an input did not set keep their value).
   * Checks that tenants, accounts and groups exist and that a device's account and group belong
   * to its tenant. Returns the MACs written.
   */
  async #write(ctx: ChangeContext, input: readonly Prepared[]): Promise<MacAddress[]> {
    // One row per MAC: later inputs override earlier ones field by field.
    const merged = new Map<MacAddress, Partial<DeviceFields>>();
    for (const p of input) merged.set(p.mac, { ...merged.get(p.mac), ...p.set });
    const items = [...merged].map(([mac, set]) => ({ mac, set }));
    await this.#checkReferences(ctx.conn, items);

    const groups = new Map<string, Prepared[]>();
    for (const item of items) {
      const signature = Object.keys(item.set).sort().join(",");
      const group = groups.get(signature);
      if (group === undefined) groups.set(signature, [item]);
      else group.push(item);
    }
    for (const [signature, group] of groups) {
      const fields = signature === "" ? [] : (signature.split(",") as FieldName[]);
      for (const chunk of chunks(group, this.#core.rowsPerStatement(DEVICE_COLUMNS))) {
        await ctx.conn
          .insertInto("devices")
          .values(chunk.map((item) => fullRow(item, ctx)))
          .onConflict((oc) =>
            oc.column("mac").doUpdateSet((eb) => {
              const update: Record<string, unknown> = {
                version: eb.ref("excluded.version"),
                updated_at: eb.ref("excluded.updated_at"),
              };
              for (const field of fields) update[field] = sql.ref(`excluded.${field}`);
              return update as { version: never };
            }),
          )
          .execute();
      }
    }
    const macs = items.map((item) => item.mac);
    ctx.touch("device", macs);
    return macs;
  }

  async #checkReferences(conn: Kysely<Database>, items: readonly Prepared[]): Promise<void> {
    const relevant = items.filter(
      (item) =>
        item.set.tenant_id !== undefined ||
        (item.set.account_id ?? null) !== null ||
        (item.set.group_id ?? null) !== null,
    );
    if (relevant.length === 0) return;
    const existing = new Map<
      string,
      { tenant_id: string; account_id: string | null; group_id: string | null }
    >();
    for (const chunk of chunks(relevant, 1_000)) {
      const rows = await conn
        .selectFrom("devices")
        .select(["mac", "tenant_id", "account_id", "group_id"])
        .where(
          "mac",
          "in",
          chunk.map((item) => item.mac),
        )
        .execute();
      for (const row of rows) existing.set(row.mac, row);
    }
    const finals = relevant.map((item) => {
      const old = existing.get(item.mac);
      return {
        mac: item.mac,
        tenant: item.set.tenant_id ?? old?.tenant_id ?? DEFAULT_TENANT_ID,
        account:
          item.set.account_id === undefined ? (old?.account_id ?? null) : item.set.account_id,
        group: item.set.group_id === undefined ? (old?.group_id ?? null) : item.set.group_id,
      };
    });
    const tenantIds = [...new Set(finals.map((f) => f.tenant))];
    const accountIds = [...new Set(finals.flatMap((f) => (f.account === null ? [] : [f.account])))];
    const groupIds = [...new Set(finals.flatMap((f) => (f.group === null ? [] : [f.group])))];
    const tenants = new Set(
      (await conn.selectFrom("tenants").select("id").where("id", "in", tenantIds).execute()).map(
        (r) => r.id,
      ),
    );
    const accounts = new Map<string, string>();
    for (const chunk of chunks(accountIds, 1_000)) {
      const rows = await conn
        .selectFrom("accounts")
        .select(["id", "tenant_id"])
        .where("id", "in", chunk)
        .execute();
      for (const row of rows) accounts.set(row.id, row.tenant_id);
    }
    const groups = new Map<string, string>();
    for (const chunk of chunks(groupIds, 1_000)) {
      const rows = await conn
        .selectFrom("groups")
        .select(["id", "tenant_id"])
        .where("id", "in", chunk)
        .execute();
      for (const row of rows) groups.set(row.id, row.tenant_id);
    }
    for (const f of finals) {
      if (!tenants.has(f.tenant)) throw notFound("tenant", f.tenant);
      if (f.account !== null) {
        const owner = accounts.get(f.account);
        if (owner === undefined) throw notFound("account", f.account);
        if (owner !== f.tenant) {
          throw invalid(`device ${f.mac}: account ${f.account} belongs to another tenant`, {
            mac: f.mac,
          });
        }
      }
      if (f.group !== null) {
        const owner = groups.get(f.group);
        if (owner === undefined) throw notFound("group", f.group);
        if (owner !== f.tenant) {
          throw invalid(`device ${f.mac}: group ${f.group} belongs to another tenant`, {
            mac: f.mac,
          });
        }
      }
    }
  }
}

function assign<K extends FieldName>(
  set: Partial<DeviceFields>,
  key: K,
  value: DeviceFields[K] | undefined,
): void {
  if (value !== undefined) set[key] = value;
}

function fullRow(item: Prepared, ctx: ChangeContext): DeviceTable {
  return {
    mac: item.mac,
    tenant_id: DEFAULT_TENANT_ID,
    model_pn: null,
    serial: null,
    account_id: null,
    group_id: null,
    label: null,
    cert_subject: null,
    cert_fingerprint: null,
    state: "factory",
    device_key: null,
    encryption: null,
    ...item.set,
    version: ctx.revision,
    created_at: ctx.now,
    updated_at: ctx.now,
  };
}
