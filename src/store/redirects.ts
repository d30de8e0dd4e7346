/**
 * The redirect (RC) service's records: providers' redirect profiles and the MACs they
 * registered (one owner per MAC), with each unit's customization status. A MAC another
 * provider holds is a conflict that names no owner; a transfer or release is audited with
 * the previous and the new owner, and announced on the change feed (entity `redirect`), so
 * every server stops redirecting for the previous owner at once.
 */
import { randomUUID } from "node:crypto";
import type { Selectable } from "kysely";
import type { MacAddress } from "../mac_address.ts";
import { type ChangeContext, type Core, chunks } from "./core.ts";
import { notFound, storeError } from "./errors.ts";
import {
  parseRedirectProfile,
  type RedirectProfile,
  type RedirectProfileInput,
} from "./redirect_profile.ts";
import type { RedirectGrantTable, RedirectProfileTable, RedirectUnitTable } from "./schema.ts";
import type { WriteOptions } from "./store.ts";
import * as v from "./validate.ts";

/**
 * A unit's customization status as the redirect service tracks it: `open` (registered, not
 * yet seen), `pending` (its redirect profile was served), `custom-pending` (served again
 * after that: it came back instead of going to its provider), `acquired` (its provider's
 * server served it after the redirect), `aborted` (its provider's server saw it without the
 * redirect: other provisioning won), `unavailable` (set by an operator: the unit is not to
 * be redirected any more; the service answers it as an unknown unit).
 */
export type CustomizationStatus =
  | "open"
  | "pending"
  | "custom-pending"
  | "acquired"
  | "aborted"
  | "unavailable";

export const CUSTOMIZATION_STATUSES: readonly CustomizationStatus[] = [
  "open",
  "pending",
  "custom-pending",
  "acquired",
  "aborted",
  "unavailable",
];

export interface RedirectUnit {
  readonly mac: MacAddress;
  readonly tenantId: string;
  readonly profileId: string;
  readonly status: CustomizationStatus;
  readonly statusAt: Date;
  readonly version: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export interface RedirectUnitQuery {
  readonly tenantId?: string;
  readonly profileId?: string;
  readonly status?: CustomizationStatus;
  readonly after?: MacAddress;
  readonly limit?: number;
}

export interface RedirectRegisterOptions extends WriteOptions {
  /** MACs per transaction; default 1,000. */
  readonly batchSize?: number;
  /**
   * Only MACs inside the tenant's grants are registered; the others are reported as `outside`
   * (a provider's own token: it may claim only the units it was granted).
   */
  readonly grantedOnly?: boolean;
  /** After each committed batch. */
  readonly onProgress?: (progress: { done: number; total: number }) => void;
}

export interface RedirectRegisterResult {
  /** Newly registered, or moved to this profile. */
  readonly registered: number;
  /** Already registered to this profile. */
  readonly unchanged: number;
  /** Held by another provider: left alone (the owner is not named). */
  readonly conflicts: readonly MacAddress[];
  /** Outside the tenant's granted ranges (with `grantedOnly`): left alone. */
  readonly outside: readonly MacAddress[];
}

/** A MAC range the installation granted a provider: its token registers MACs inside it. */
export interface RedirectGrant {
  readonly id: string;
  readonly tenantId: string;
  readonly first: MacAddress;
  readonly last: MacAddress;
  /** How many MACs the range holds. */
  readonly size: number;
  readonly note: string | null;
  readonly createdAt: Date;
}

export interface RedirectGrantInput {
  readonly tenantId: string;
  readonly first: MacAddress;
  readonly last: MacAddress;
  readonly note?: string | null | undefined;
}

export interface RedirectRepository {
  listProfiles(tenantId?: string): Promise<RedirectProfile[]>;
  findProfile(tenantId: string, name: string): Promise<RedirectProfile | null>;
  profileById(id: string): Promise<RedirectProfile | null>;
  /** Creates or replaces the tenant's profile of that name. */
  setProfile(input: RedirectProfileInput, options?: WriteOptions): Promise<RedirectProfile>;
  /** `STORE_CONFLICT` while units use it. */
  deleteProfile(tenantId: string, name: string, options?: WriteOptions): Promise<void>;
  find(mac: MacAddress): Promise<RedirectUnit | null>;
  list(query?: RedirectUnitQuery): Promise<RedirectUnit[]>;
  count(query?: Omit<RedirectUnitQuery, "after" | "limit">): Promise<number>;
  /** Registers MACs to the tenant's profile, in batches; another provider's MACs are skipped. */
  register(
    tenantId: string,
    profileName: string,
    macs: readonly MacAddress[],
    options?: RedirectRegisterOptions,
  ): Promise<RedirectRegisterResult>;
  /** Grants, by first MAC; one tenant's or all. */
  listGrants(tenantId?: string): Promise<RedirectGrant[]>;
  /** Grants a MAC range (`STORE_CONFLICT` when it overlaps another provider's). */
  grant(input: RedirectGrantInput, options?: WriteOptions): Promise<RedirectGrant>;
  /** Takes a grant back; the units registered under it stay registered. */
  revokeGrant(id: string, options?: WriteOptions): Promise<RedirectGrant>;
  /** The owner gives the MAC up (`STORE_NOT_FOUND` when `tenantId` does not hold it). */
  release(mac: MacAddress, tenantId: string | undefined, options?: WriteOptions): Promise<void>;
  /** Moves the MAC to another provider's profile (status back to `open`), audited. */
  transfer(
    mac: MacAddress,
    toTenantId: string,
    profileName: string,
    options?: WriteOptions,
  ): Promise<RedirectUnit>;
  /**
   * Sets the status when the current one is among `from` (any when omitted); false when it
   * was not (or the MAC is not registered). Announced, audited as `system` unless told.
   */
  setStatus(
    mac: MacAddress,
    status: CustomizationStatus,
    from?: readonly CustomizationStatus[],
    options?: WriteOptions,
  ): Promise<RedirectUnit | null>;
}

export function toRedirectProfile(row: Selectable<RedirectProfileTable>): RedirectProfile {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    name: row.name,
    restrictedDomains: JSON.parse(row.restricted_domains) as string[],
    primaryDns: row.primary_dns,
    secondaryDns: row.secondary_dns,
    provisionEnable: row.provision_enable === "No" ? "No" : "Yes",
    resyncPeriodic: row.resync_periodic,
    resyncErrorRetryDelay: row.resync_error_retry_delay,
    profileRule: row.profile_rule,
    version: row.version,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
}

function toUnit(row: Selectable<RedirectUnitTable>): RedirectUnit {
  return {
    mac: row.mac as MacAddress,
    tenantId: row.tenant_id,
    profileId: row.profile_id,
    status: (CUSTOMIZATION_STATUSES as readonly string[]).includes(row.status)
      ? (row.status as CustomizationStatus)
      : "open",
    statusAt: new Date(row.status_at),
    version: row.version,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
}

function toGrant(row: Selectable<RedirectGrantTable>): RedirectGrant {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    first: row.first_mac as MacAddress,
    last: row.last_mac as MacAddress,
    size: Number.parseInt(row.last_mac, 16) - Number.parseInt(row.first_mac, 16) + 1,
    note: row.note,
    createdAt: new Date(row.created_at),
  };
}

/** Whether a MAC falls in one of the ranges (canonical MACs sort as the numbers they are). */
function inGrants(mac: string, grants: readonly Selectable<RedirectGrantTable>[]): boolean {
  return grants.some((g) => g.first_mac <= mac && mac <= g.last_mac);
}

/** The one message for a MAC another provider holds: it names nobody. */
const HELD_ELSEWHERE = "is registered to another provider";

export class Redirects implements RedirectRepository {
  readonly #core: Core;

  constructor(core: Core) {
    this.#core = core;
  }

  async listProfiles(tenantId?: string): Promise<RedirectProfile[]> {
    let q = this.#core.db.selectFrom("redirect_profiles").selectAll();
    if (tenantId !== undefined) q = q.where("tenant_id", "=", tenantId);
    return (await q.orderBy("tenant_id").orderBy("name").execute()).map(toRedirectProfile);
  }

  async findProfile(tenantId: string, name: string): Promise<RedirectProfile | null> {
    const row = await this.#core.db
      .selectFrom("redirect_profiles")
      .selectAll()
      .where("tenant_id", "=", tenantId)
      .where("name", "=", name)
      .executeTakeFirst();
    return row === undefined ? null : toRedirectProfile(row);
  }

  async profileById(id: string): Promise<RedirectProfile | null> {
    const row = await this.#core.db
      .selectFrom("redirect_profiles")
      .selectAll()
      .where("id", "=", id)
      .executeTakeFirst();
    return row === undefined ? null : toRedirectProfile(row);
  }

  async setProfile(input: RedirectProfileInput, options?: WriteOptions): Promise<RedirectProfile> {
    const name = v.text(input.name, "name", 64);
    const fields = parseRedirectProfile(input);
    return this.#core.change(options, async (ctx) => {
      await this.#tenantExists(ctx, input.tenantId);
      const current = await ctx.conn
        .selectFrom("redirect_profiles")
        .selectAll()
        .where("tenant_id", "=", input.tenantId)
        .where("name", "=", name)
        .executeTakeFirst();
      if (current !== undefined)
        this.#core.expectVersion(options, "redirect profile", name, current.version);
      const row: RedirectProfileTable = {
        id: current?.id ?? randomUUID(),
        tenant_id: input.tenantId,
        name,
        restricted_domains: JSON.stringify(fields.restrictedDomains),
        primary_dns: fields.primaryDns,
        secondary_dns: fields.secondaryDns,
        provision_enable: fields.provisionEnable,
        resync_periodic: fields.resyncPeriodic,
        resync_error_retry_delay: fields.resyncErrorRetryDelay,
        profile_rule: fields.profileRule,
        version: ctx.revision,
        created_at: current?.created_at ?? ctx.now,
        updated_at: ctx.now,
      };
      if (current === undefined) {
        await ctx.conn.insertInto("redirect_profiles").values(row).execute();
      } else {
        await ctx.conn.updateTable("redirect_profiles").set(row).where("id", "=", row.id).execute();
      }
      const profile = toRedirectProfile(row);
      ctx.touch("redirect", [`profile:${row.id}`]);
      ctx.audit({
        action: current === undefined ? "redirect-profile.create" : "redirect-profile.update",
        entity: "redirect-profile",
        key: row.id,
        tenantId: input.tenantId,
        before: current === undefined ? undefined : toRedirectProfile(current),
        after: profile,
      });
      return profile;
    });
  }

  async deleteProfile(tenantId: string, name: string, options?: WriteOptions): Promise<void> {
    await this.#core.change(options, async (ctx) => {
      const row = await ctx.conn
        .selectFrom("redirect_profiles")
        .selectAll()
        .where("tenant_id", "=", tenantId)
        .where("name", "=", name)
        .executeTakeFirst();
      if (row === undefined) throw notFound("redirect profile", name);
      const used = await ctx.conn
        .selectFrom("redirect_units")
        .select("mac")
        .where("profile_id", "=", row.id)
        .limit(1)
        .executeTakeFirst();
      if (used !== undefined) {
        throw storeError(
          "STORE_CONFLICT",
          `redirect profile ${JSON.stringify(name)} still has registered units; move or release them first`,
        );
      }
      await ctx.conn.deleteFrom("redirect_profiles").where("id", "=", row.id).execute();
      ctx.touch("redirect", [`profile:${row.id}`]);
      ctx.audit({
        action: "redirect-profile.delete",
        entity: "redirect-profile",
        key: row.id,
        tenantId,
        before: toRedirectProfile(row),
      });
    });
  }

  async find(mac: MacAddress): Promise<RedirectUnit | null> {
    const row = await this.#core.db
      .selectFrom("redirect_units")
      .selectAll()
      .where("mac", "=", mac)
      .executeTakeFirst();
    return row === undefined ? null : toUnit(row);
  }

  async list(query: RedirectUnitQuery = {}): Promise<RedirectUnit[]> {
    let q = this.#core.db.selectFrom("redirect_units").selectAll();
    if (query.tenantId !== undefined) q = q.where("tenant_id", "=", query.tenantId);
    if (query.profileId !== undefined) q = q.where("profile_id", "=", query.profileId);
    if (query.status !== undefined) q = q.where("status", "=", query.status);
    if (query.after !== undefined) q = q.where("mac", ">", query.after);
    const rows = await q.orderBy("mac").limit(v.limit(query.limit)).execute();
    return rows.map(toUnit);
  }

  async count(query: Omit<RedirectUnitQuery, "after" | "limit"> = {}): Promise<number> {
    let q = this.#core.db
      .selectFrom("redirect_units")
      .select((eb) => eb.fn.countAll<number | string | bigint>().as("n"));
    if (query.tenantId !== undefined) q = q.where("tenant_id", "=", query.tenantId);
    if (query.profileId !== undefined) q = q.where("profile_id", "=", query.profileId);
    if (query.status !== undefined) q = q.where("status", "=", query.status);
    const row = await q.executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async register(
    tenantId: string,
    profileName: string,
    macs: readonly MacAddress[],
    options: RedirectRegisterOptions = {},
  ): Promise<RedirectRegisterResult> {
    const unique = [...new Set(macs)];
    const size = this.#core.rowsPerStatement(8, options.batchSize ?? 1_000);
    let registered = 0;
    let unchanged = 0;
    const conflicts: MacAddress[] = [];
    const outside: MacAddress[] = [];
    let done = 0;
    for (const all of chunks(unique, size)) {
      const result = await this.#core.change(options, async (ctx) => {
        const profile = await this.#profileOf(ctx, tenantId, profileName);
        // Read in the transaction: a grant revoked meanwhile is not used.
        const grants =
          options.grantedOnly === true
            ? await ctx.conn
                .selectFrom("redirect_grants")
                .selectAll()
                .where("tenant_id", "=", tenantId)
                .execute()
            : undefined;
        // Outside the grants first: whether another provider holds such a MAC is not said.
        const batch = grants === undefined ? all : all.filter((mac) => inGrants(mac, grants));
        const beyond = grants === undefined ? [] : all.filter((mac) => !inGrants(mac, grants));
        if (batch.length === 0) return { registered: 0, unchanged: 0, conflicts: [], beyond };
        const existing = await ctx.conn
          .selectFrom("redirect_units")
          .selectAll()
          .where("mac", "in", batch)
          .execute();
        const held = new Map(existing.map((r) => [r.mac, r]));
        const fresh: RedirectUnitTable[] = [];
        const moved: string[] = [];
        const skipped: MacAddress[] = [];
        let same = 0;
        for (const mac of batch) {
          const row = held.get(mac);
          if (row === undefined) {
            fresh.push({
              mac,
              tenant_id: tenantId,
              profile_id: profile.id,
              status: "open",
              status_at: ctx.now,
              version: ctx.revision,
              created_at: ctx.now,
              updated_at: ctx.now,
            });
          } else if (row.tenant_id !== tenantId) {
            skipped.push(mac);
          } else if (row.profile_id === profile.id) {
            same++;
          } else {
            moved.push(mac);
          }
        }
        if (fresh.length > 0) await ctx.conn.insertInto("redirect_units").values(fresh).execute();
        if (moved.length > 0) {
          await ctx.conn
            .updateTable("redirect_units")
            .set({ profile_id: profile.id, version: ctx.revision, updated_at: ctx.now })
            .where("mac", "in", moved)
            .execute();
        }
        const touched = [...fresh.map((r) => r.mac), ...moved];
        if (touched.length > 0) ctx.touch("redirect", touched);
        for (const mac of touched) {
          ctx.audit({
            action: "redirect.register",
            entity: "redirect",
            key: mac,
            tenantId,
            after: { mac, tenantId, profile: profile.name },
          });
        }
        return { registered: touched.length, unchanged: same, conflicts: skipped, beyond };
      });
      registered += result.registered;
      unchanged += result.unchanged;
      conflicts.push(...result.conflicts);
      outside.push(...result.beyond);
      done += all.length;
      options.onProgress?.({ done, total: unique.length });
    }
    return { registered, unchanged, conflicts, outside };
  }

  async listGrants(tenantId?: string): Promise<RedirectGrant[]> {
    let q = this.#core.db.selectFrom("redirect_grants").selectAll();
    if (tenantId !== undefined) q = q.where("tenant_id", "=", tenantId);
    return (await q.orderBy("first_mac").orderBy("id").execute()).map(toGrant);
  }

  async grant(input: RedirectGrantInput, options?: WriteOptions): Promise<RedirectGrant> {
    if (input.first > input.last) {
      throw storeError(
        "STORE_INVALID_INPUT",
        `a MAC range runs from its first to its last MAC: ${input.first} is after ${input.last}`,
      );
    }
    const note = input.note == null ? null : v.text(input.note, "note", 200);
    return this.#core.change(options, async (ctx) => {
      await this.#tenantExists(ctx, input.tenantId);
      const overlap = await ctx.conn
        .selectFrom("redirect_grants")
        .select(["id", "first_mac", "last_mac"])
        .where("tenant_id", "!=", input.tenantId)
        .where("first_mac", "<=", input.last)
        .where("last_mac", ">=", input.first)
        .executeTakeFirst();
      if (overlap !== undefined) {
        throw storeError(
          "STORE_CONFLICT",
          `${input.first}-${input.last} overlaps ${overlap.first_mac}-${overlap.last_mac}, granted to another provider (grant ${overlap.id})`,
        );
      }
      const row: RedirectGrantTable = {
        id: randomUUID(),
        tenant_id: input.tenantId,
        first_mac: input.first,
        last_mac: input.last,
        note,
        created_at: ctx.now,
      };
      await ctx.conn.insertInto("redirect_grants").values(row).execute();
      const grant = toGrant(row);
      ctx.audit({
        action: "redirect-grant.create",
        entity: "redirect-grant",
        key: row.id,
        tenantId: input.tenantId,
        after: grant,
      });
      return grant;
    });
  }

  async revokeGrant(id: string, options?: WriteOptions): Promise<RedirectGrant> {
    return this.#core.change(options, async (ctx) => {
      const row = await ctx.conn
        .selectFrom("redirect_grants")
        .selectAll()
        .where("id", "=", id)
        .executeTakeFirst();
      if (row === undefined) throw notFound("redirect grant", id);
      await ctx.conn.deleteFrom("redirect_grants").where("id", "=", id).execute();
      const grant = toGrant(row);
      ctx.audit({
        action: "redirect-grant.delete",
        entity: "redirect-grant",
        key: id,
        tenantId: row.tenant_id,
        before: grant,
      });
      return grant;
    });
  }

  async release(
    mac: MacAddress,
    tenantId: string | undefined,
    options?: WriteOptions,
  ): Promise<void> {
    await this.#core.change(options, async (ctx) => {
      const row = await this.#unit(ctx, mac);
      // Another provider's MAC is answered as an unregistered one.
      if (row === undefined || (tenantId !== undefined && row.tenant_id !== tenantId)) {
        throw notFound("redirect registration", mac);
      }
      await ctx.conn.deleteFrom("redirect_units").where("mac", "=", mac).execute();
      ctx.touch("redirect", [mac]);
      ctx.audit({
        action: "redirect.release",
        entity: "redirect",
        key: mac,
        tenantId: row.tenant_id,
        before: toUnit(row),
      });
    });
  }

  async transfer(
    mac: MacAddress,
    toTenantId: string,
    profileName: string,
    options?: WriteOptions,
  ): Promise<RedirectUnit> {
    return this.#core.change(options, async (ctx) => {
      const profile = await this.#profileOf(ctx, toTenantId, profileName);
      const row = await this.#unit(ctx, mac);
      const next: RedirectUnitTable = {
        mac,
        tenant_id: toTenantId,
        profile_id: profile.id,
        status: "open",
        status_at: ctx.now,
        version: ctx.revision,
        created_at: row?.created_at ?? ctx.now,
        updated_at: ctx.now,
      };
      if (row === undefined) await ctx.conn.insertInto("redirect_units").values(next).execute();
      else await ctx.conn.updateTable("redirect_units").set(next).where("mac", "=", mac).execute();
      ctx.touch("redirect", [mac]);
      const after = toUnit(next);
      const foreign = row !== undefined && row.tenant_id !== toTenantId;
      // Audited under both owners, so each provider's audit trail shows the move; neither
      // entry names the other provider (the new owner reads only that it came from another).
      ctx.audit({
        action: "redirect.transfer",
        entity: "redirect",
        key: mac,
        tenantId: toTenantId,
        before:
          row === undefined ? undefined : foreign ? { mac, from: "another provider" } : toUnit(row),
        after,
      });
      if (foreign) {
        ctx.audit({
          action: "redirect.transfer-out",
          entity: "redirect",
          key: mac,
          tenantId: row.tenant_id,
          before: toUnit(row),
        });
      }
      return after;
    });
  }

  async setStatus(
    mac: MacAddress,
    status: CustomizationStatus,
    from?: readonly CustomizationStatus[],
    options?: WriteOptions,
  ): Promise<RedirectUnit | null> {
    v.oneOf(status, CUSTOMIZATION_STATUSES, "status");
    return this.#core.change(options, async (ctx) => {
      const row = await this.#unit(ctx, mac);
      if (row === undefined || row.status === status) return null;
      if (from !== undefined && !(from as readonly string[]).includes(row.status)) return null;
      const next = {
        ...row,
        status,
        status_at: ctx.now,
        version: ctx.revision,
        updated_at: ctx.now,
      };
      // Conditional on the status read: a concurrent change from another node wins.
      const updated = await ctx.conn
        .updateTable("redirect_units")
        .set({ status, status_at: ctx.now, version: ctx.revision, updated_at: ctx.now })
        .where("mac", "=", mac)
        .where("status", "=", row.status)
        .returning("mac")
        .execute();
      if (updated.length === 0) return null;
      ctx.touch("redirect", [mac]);
      ctx.audit({
        action: "redirect.status",
        entity: "redirect",
        key: mac,
        tenantId: row.tenant_id,
        before: { status: row.status },
        after: { status },
      });
      return toUnit(next);
    });
  }

  async #tenantExists(ctx: ChangeContext, tenantId: string): Promise<void> {
    const tenant = await ctx.conn
      .selectFrom("tenants")
      .select("id")
      .where("id", "=", tenantId)
      .executeTakeFirst();
    if (tenant === undefined) throw notFound("tenant", tenantId);
  }

  async #profileOf(
    ctx: ChangeContext,
    tenantId: string,
    name: string,
  ): Promise<Selectable<RedirectProfileTable>> {
    const row = await ctx.conn
      .selectFrom("redirect_profiles")
      .selectAll()
      .where("tenant_id", "=", tenantId)
      .where("name", "=", name)
      .executeTakeFirst();
    if (row === undefined) throw notFound("redirect profile", name);
    return row;
  }

  #unit(ctx: ChangeContext, mac: MacAddress): Promise<Selectable<RedirectUnitTable> | undefined> {
    return ctx.conn
      .selectFrom("redirect_units")
      .selectAll()
      .where("mac", "=", mac)
      .executeTakeFirst() as Promise<Selectable<RedirectUnitTable> | undefined>;
  }
}

/** The conflict a provider gets for a MAC another provider holds. */
export function heldElsewhere(mac: MacAddress): ReturnType<typeof storeError> {
  return storeError("STORE_CONFLICT", `MAC ${mac} ${HELD_ELSEWHERE}`, { mac });
}
