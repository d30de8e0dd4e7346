/**
 * Secure provisioning's per-device keys (SEC-PRV): the 256-bit key and the random directory a
 * device holds, and during a rotation the pair it is moving to. Status, not configuration:
 * writes bump no revision and leave every cached profile alone (a device's profile under its
 * secure directory is rendered per request, see the server's secure provisioning flow).
 *
 * Lock-out freedom is a property of this table: a device only ever holds its current pair or
 * its next one, and both stay valid until it fetched with the next one (`promote`). A rotation
 * asked for while one is under way keeps the pair already on its way to the device (it may
 * have been delivered), so any number of missed rotations leaves the device one step behind,
 * never stranded. Every transition is one conditional update, so processes racing on one
 * device cannot fork its pairs.
 */
import { randomBytes } from "node:crypto";
import type { Kysely, Selectable } from "kysely";
import type { MacAddress } from "../mac_address.ts";
import { type Core, chunks } from "./core.ts";
import { notFound } from "./errors.ts";
import type { Database, DeviceKeyTable } from "./schema.ts";
import { Secret, sealContext } from "./secret.ts";
import * as v from "./validate.ts";

export type SecureKeyStatus = "bootstrap" | "active";
/** How a device's first pair reached it. */
export type SecureBootstrapVia = "https" | "targeted" | "lan";
export const SECURE_BOOTSTRAP_VIAS: readonly SecureBootstrapVia[] = ["https", "targeted", "lan"];

/** Random bytes of a directory name (128 bits, written as 32 hex digits). */
export const SECURE_DIRECTORY_BYTES = 16;
/** Bytes of a key (256 bits, written as 64 hex digits: the `--key` passphrase). */
export const SECURE_KEY_BYTES = 32;

export interface SecureKeyPair {
  /** 64 hex digits; the passphrase of the openssl envelope (`--key $SA`). */
  readonly key: Secret;
  readonly directory: string;
  /** 1 for the bootstrap pair, +1 per rotation. */
  readonly generation: number;
  readonly createdAt: Date;
}

export interface DeviceSecureKeys {
  readonly mac: MacAddress;
  readonly status: SecureKeyStatus;
  readonly via: SecureBootstrapVia;
  /** The pair the device is known to hold (or, in `bootstrap`, was sent). */
  readonly current: SecureKeyPair;
  /** The pair a rotation moves it to; null when none is under way. */
  readonly next: SecureKeyPair | null;
  /** When the old location first served the next pair (null: not yet). */
  readonly nextDeliveredAt: Date | null;
  /** Rotations completed. */
  readonly rotations: number;
  readonly createdAt: Date;
  /** When the device first fetched with its first pair. */
  readonly confirmedAt: Date | null;
  /** When its last rotation completed. */
  readonly rotatedAt: Date | null;
}

/** Which devices a rotation is for: some devices, a group's, or a tenant's. */
export type RotationScope =
  | { readonly macs: readonly MacAddress[] }
  | { readonly groupId: string }
  | { readonly tenantId: string };

export interface RotationResult {
  /** Devices that got a next pair now. */
  readonly started: number;
  /** Devices already rotating (their next pair stays: it may be on its way). */
  readonly alreadyRotating: number;
}

export interface DeviceKeyQuery {
  readonly tenantId?: string;
  readonly groupId?: string;
  readonly macs?: readonly MacAddress[];
  /** Only devices with a rotation under way. */
  readonly rotating?: boolean;
  /** Keyset pagination: MACs after this one. */
  readonly after?: MacAddress;
  readonly limit?: number;
}

export interface DeviceKeyRepository {
  get(mac: MacAddress): Promise<DeviceSecureKeys | null>;
  /** The device whose current or next directory this is, and which of its pairs. One read. */
  byDirectory(
    directory: string,
  ): Promise<{ readonly keys: DeviceSecureKeys; readonly pair: "current" | "next" } | null>;
  /**
   * The device's pair for a bootstrap: a fresh one (status `bootstrap`) when it has none,
   * else the stored record unchanged (the caller decides whether to answer it).
   */
  bootstrap(mac: MacAddress, via: SecureBootstrapVia, now: number): Promise<DeviceSecureKeys>;
  /** `bootstrap` → `active`: the device fetched with its first pair. False if already done. */
  confirm(mac: MacAddress, generation: number, now: number): Promise<boolean>;
  /** Notes the first time the old location served the next pair. */
  delivered(mac: MacAddress, nextGeneration: number, now: number): Promise<void>;
  /** The device fetched with its next pair: it becomes current, the old one is retired. */
  promote(mac: MacAddress, nextGeneration: number, now: number): Promise<boolean>;
  /** Starts a rotation for the scope's devices (those with keys and none under way). */
  rotate(scope: RotationScope, now: number): Promise<RotationResult>;
  /**
   * Starts a rotation for this device if its current pair is older than `maxAgeMs` and none is
   * under way (the schedule, taken at the device's next fetch). True when it started one.
   */
  rotateIfDue(mac: MacAddress, maxAgeMs: number, now: number): Promise<boolean>;
  /** Forgets the device's keys: its next bootstrap is answered again (a factory-reset unit). */
  reset(mac: MacAddress): Promise<boolean>;
  list(query: DeviceKeyQuery): Promise<DeviceSecureKeys[]>;
  /** Counts by status, and how many are rotating. */
  counts(query?: {
    readonly tenantId?: string;
  }): Promise<{ bootstrap: number; active: number; rotating: number }>;
}

type Row = Selectable<DeviceKeyTable>;

const num = (value: number | string | null): number | null =>
  value === null ? null : Number(value);
const date = (value: number | string | null): Date | null =>
  value === null ? null : new Date(Number(value));

function newKey(): string {
  return randomBytes(SECURE_KEY_BYTES).toString("hex");
}

function newDirectory(): string {
  return randomBytes(SECURE_DIRECTORY_BYTES).toString("hex");
}

/** A directory name as this table writes them (so a lookup of anything else reads nothing). */
export function looksLikeSecureDirectory(text: string): boolean {
  return text.length === SECURE_DIRECTORY_BYTES * 2 && /^[0-9a-f]+$/.test(text);
}

export class DeviceKeys implements DeviceKeyRepository {
  readonly #core: Core;

  constructor(core: Core) {
    this.#core = core;
  }

  #seal(mac: string, generation: number, key: string): string {
    return this.#core.sealer.seal(key, sealContext.secureKey(mac, generation));
  }

  #toRecord(row: Row): DeviceSecureKeys {
    const sealer = this.#core.sealer;
    const nextGeneration = num(row.next_generation);
    const next =
      row.next_key_sealed === null || row.next_directory === null || nextGeneration === null
        ? null
        : {
            key: Secret.sealed(
              row.next_key_sealed,
              sealer,
              sealContext.secureKey(row.mac, nextGeneration),
            ),
            directory: row.next_directory,
            generation: nextGeneration,
            createdAt: date(row.next_created_at) ?? new Date(0),
          };
    const generation = Number(row.generation);
    return {
      mac: row.mac as MacAddress,
      status: row.status === "active" ? "active" : "bootstrap",
      via: (SECURE_BOOTSTRAP_VIAS as readonly string[]).includes(row.via)
        ? (row.via as SecureBootstrapVia)
        : "https",
      current: {
        key: Secret.sealed(row.key_sealed, sealer, sealContext.secureKey(row.mac, generation)),
        directory: row.directory,
        generation,
        createdAt: new Date(Number(row.key_created_at)),
      },
      next,
      nextDeliveredAt: date(row.next_delivered_at),
      rotations: Number(row.rotations),
      createdAt: new Date(Number(row.created_at)),
      confirmedAt: date(row.confirmed_at),
      rotatedAt: date(row.rotated_at),
    };
  }

  async get(mac: MacAddress): Promise<DeviceSecureKeys | null> {
    const row = await this.#core.run(() =>
      this.#core.db.selectFrom("device_keys").selectAll().where("mac", "=", mac).executeTakeFirst(),
    );
    return row === undefined ? null : this.#toRecord(row);
  }

  async byDirectory(
    directory: string,
  ): Promise<{ keys: DeviceSecureKeys; pair: "current" | "next" } | null> {
    if (!looksLikeSecureDirectory(directory)) return null;
    const row = await this.#core.run(() =>
      this.#core.db
        .selectFrom("device_keys")
        .selectAll()
        .where((eb) =>
          eb.or([eb("directory", "=", directory), eb("next_directory", "=", directory)]),
        )
        .executeTakeFirst(),
    );
    if (row === undefined) return null;
    return { keys: this.#toRecord(row), pair: row.directory === directory ? "current" : "next" };
  }

  async bootstrap(
    mac: MacAddress,
    via: SecureBootstrapVia,
    now: number,
  ): Promise<DeviceSecureKeys> {
    v.oneOf(via, SECURE_BOOTSTRAP_VIAS, "via");
    const existing = await this.get(mac);
    if (existing !== null) return existing;
    await this.#core.run(() =>
      this.#core.dialect.writeTransaction((conn) =>
        conn
          .insertInto("device_keys")
          .values({
            mac,
            status: "bootstrap",
            via,
            key_sealed: this.#seal(mac, 1, newKey()),
            directory: newDirectory(),
            generation: 1,
            key_created_at: now,
            rotations: 0,
            created_at: now,
          })
          // Another process bootstrapped it meanwhile: its pair wins.
          .onConflict((oc) => oc.column("mac").doNothing())
          .execute(),
      ),
    );
    const stored = await this.get(mac);
    // Deleted (with its device) between the insert and this read.
    if (stored === null) throw notFound("device", mac);
    return stored;
  }

  async #update(
    work: (conn: Kysely<Database>) => Promise<{ numUpdatedRows: bigint }>,
  ): Promise<boolean> {
    const result = await this.#core.run(() => this.#core.dialect.writeTransaction(work));
    return Number(result.numUpdatedRows) > 0;
  }

  confirm(mac: MacAddress, generation: number, now: number): Promise<boolean> {
    return this.#update((conn) =>
      conn
        .updateTable("device_keys")
        .set({ status: "active", confirmed_at: now })
        .where("mac", "=", mac)
        .where("generation", "=", generation)
        .where("status", "=", "bootstrap")
        .executeTakeFirst(),
    );
  }

  async delivered(mac: MacAddress, nextGeneration: number, now: number): Promise<void> {
    await this.#update((conn) =>
      conn
        .updateTable("device_keys")
        .set({ next_delivered_at: now })
        .where("mac", "=", mac)
        .where("next_generation", "=", nextGeneration)
        .where("next_delivered_at", "is", null)
        .executeTakeFirst(),
    );
  }

  promote(mac: MacAddress, nextGeneration: number, now: number): Promise<boolean> {
    return this.#update((conn) =>
      conn
        .updateTable("device_keys")
        .set((eb) => ({
          status: "active",
          key_sealed: eb.ref("next_key_sealed") as never,
          directory: eb.ref("next_directory") as never,
          generation: eb.ref("next_generation") as never,
          key_created_at: eb.ref("next_created_at") as never,
          next_key_sealed: null,
          next_directory: null,
          next_generation: null,
          next_created_at: null,
          next_delivered_at: null,
          rotations: eb("rotations", "+", 1),
          rotated_at: now,
          confirmed_at: eb.fn.coalesce("confirmed_at", eb.val(now)),
        }))
        .where("mac", "=", mac)
        .where("next_generation", "=", nextGeneration)
        .executeTakeFirst(),
    );
  }

  /** Gives each of these devices (keys, no rotation under way) a next pair; returns how many. */
  async #start(conn: Kysely<Database>, rows: readonly Row[], now: number): Promise<number> {
    let started = 0;
    for (const row of rows) {
      const generation = Number(row.generation) + 1;
      const result = await conn
        .updateTable("device_keys")
        .set({
          next_key_sealed: this.#seal(row.mac, generation, newKey()),
          next_directory: newDirectory(),
          next_generation: generation,
          next_created_at: now,
          next_delivered_at: null,
        })
        .where("mac", "=", row.mac)
        .where("generation", "=", row.generation)
        .where("next_generation", "is", null)
        .executeTakeFirst();
      started += Number(result.numUpdatedRows);
    }
    return started;
  }

  async rotate(scope: RotationScope, now: number): Promise<RotationResult> {
    let started = 0;
    let alreadyRotating = 0;
    let after = "";
    const page = 500;
    for (;;) {
      let q = this.#core.db
        .selectFrom("device_keys as k")
        .innerJoin("devices as d", "d.mac", "k.mac")
        .selectAll("k")
        .where("k.mac", ">", after)
        .orderBy("k.mac")
        .limit(page);
      if ("macs" in scope) {
        if (scope.macs.length === 0) break;
        q = q.where("k.mac", "in", [...scope.macs]);
      } else if ("groupId" in scope) q = q.where("d.group_id", "=", scope.groupId);
      else q = q.where("d.tenant_id", "=", scope.tenantId);
      const rows = await this.#core.run(() => q.execute());
      if (rows.length === 0) break;
      after = rows.at(-1)!.mac;
      const idle = rows.filter((r) => r.next_generation === null);
      alreadyRotating += rows.length - idle.length;
      if (idle.length > 0) {
        const n = await this.#core.run(() =>
          this.#core.dialect.writeTransaction((conn) => this.#start(conn, idle, now)),
        );
        started += n;
        // A row that changed between the read and the write started its own rotation.
        alreadyRotating += idle.length - n;
      }
      if (rows.length < page) break;
    }
    return { started, alreadyRotating };
  }

  async rotateIfDue(mac: MacAddress, maxAgeMs: number, now: number): Promise<boolean> {
    const row = await this.#core.run(() =>
      this.#core.db
        .selectFrom("device_keys")
        .selectAll()
        .where("mac", "=", mac)
        .where("next_generation", "is", null)
        .where("key_created_at", "<=", now - maxAgeMs)
        .executeTakeFirst(),
    );
    if (row === undefined) return false;
    const n = await this.#core.run(() =>
      this.#core.dialect.writeTransaction((conn) => this.#start(conn, [row], now)),
    );
    return n > 0;
  }

  async reset(mac: MacAddress): Promise<boolean> {
    const result = await this.#core.run(() =>
      this.#core.dialect.writeTransaction((conn) =>
        conn.deleteFrom("device_keys").where("mac", "=", mac).executeTakeFirst(),
      ),
    );
    return Number(result.numDeletedRows) > 0;
  }

  async list(query: DeviceKeyQuery): Promise<DeviceSecureKeys[]> {
    let q = this.#core.db
      .selectFrom("device_keys as k")
      .innerJoin("devices as d", "d.mac", "k.mac")
      .selectAll("k")
      .orderBy("k.mac")
      .limit(v.limit(query.limit, 1_000, 100_000));
    if (query.tenantId !== undefined) q = q.where("d.tenant_id", "=", query.tenantId);
    if (query.groupId !== undefined) q = q.where("d.group_id", "=", query.groupId);
    if (query.after !== undefined) q = q.where("k.mac", ">", query.after);
    if (query.rotating === true) q = q.where("k.next_generation", "is not", null);
    if (query.macs !== undefined) {
      if (query.macs.length === 0) return [];
      const out: DeviceSecureKeys[] = [];
      for (const part of chunks(query.macs, 500)) {
        const rows = await this.#core.run(() => q.where("k.mac", "in", [...part]).execute());
        out.push(...rows.map((r) => this.#toRecord(r)));
      }
      return out;
    }
    const rows = await this.#core.run(() => q.execute());
    return rows.map((r) => this.#toRecord(r));
  }

  async counts(
    query: { readonly tenantId?: string } = {},
  ): Promise<{ bootstrap: number; active: number; rotating: number }> {
    let q = this.#core.db
      .selectFrom("device_keys as k")
      .innerJoin("devices as d", "d.mac", "k.mac")
      .select((eb) => [
        "k.status",
        eb.fn.countAll<number>().as("n"),
        eb.fn.count<number>("k.next_generation").as("rotating"),
      ])
      .groupBy("k.status");
    if (query.tenantId !== undefined) q = q.where("d.tenant_id", "=", query.tenantId);
    const rows = await this.#core.run(() => q.execute());
    const out = { bootstrap: 0, active: 0, rotating: 0 };
    for (const row of rows) {
      if (row.status === "active") out.active += Number(row.n);
      else out.bootstrap += Number(row.n);
      out.rotating += Number(row.rotating);
    }
    return out;
  }
}

/**
 * Master-key rotation of these keys: seals again the current and next key of every row the
 * sealer reports stale, a page per transaction (`reseal.ts`). Returns how many keys.
 */
export async function resealDeviceKeys(
  core: Core,
  stale: (sealed: string) => boolean,
): Promise<number> {
  const sealer = core.sealer;
  let done = 0;
  let after = "";
  for (;;) {
    const rows = await core.run(() =>
      core.db
        .selectFrom("device_keys")
        .select(["mac", "generation", "key_sealed", "next_generation", "next_key_sealed"])
        .where("mac", ">", after)
        .orderBy("mac")
        .limit(1_000)
        .execute(),
    );
    if (rows.length === 0) return done;
    after = rows.at(-1)!.mac;
    const todo = rows.filter(
      (r) => stale(r.key_sealed) || (r.next_key_sealed !== null && stale(r.next_key_sealed)),
    );
    if (todo.length === 0) continue;
    done += await core.run(() =>
      core.dialect.writeTransaction(async (conn) => {
        let sealed = 0;
        for (const row of todo) {
          const again = (text: string, generation: number): string => {
            const context = sealContext.secureKey(row.mac, generation);
            return stale(text) ? sealer.seal(sealer.open(text, context), context) : text;
          };
          const nextGeneration = num(row.next_generation);
          const key = again(row.key_sealed, Number(row.generation));
          const next =
            row.next_key_sealed === null || nextGeneration === null
              ? null
              : again(row.next_key_sealed, nextGeneration);
          // Conditional on what was read: a rotation or promotion meanwhile sealed its own.
          let update = conn
            .updateTable("device_keys")
            .set({ key_sealed: key, next_key_sealed: next })
            .where("mac", "=", row.mac)
            .where("key_sealed", "=", row.key_sealed);
          update =
            row.next_key_sealed === null
              ? update.where("next_key_sealed", "is", null)
              : update.where("next_key_sealed", "=", row.next_key_sealed);
          const result = await update.executeTakeFirst();
          if (Number(result.numUpdatedRows) > 0) {
            sealed += (key === row.key_sealed ? 0 : 1) + (next === row.next_key_sealed ? 0 : 1);
          }
        }
        return sealed;
      }),
    );
  }
}
