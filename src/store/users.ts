/**
 * Admin users: a user name and a password (scrypt, `passwords.ts`), a role and an optional
 * tenant scope exactly as API tokens have them, a disabled flag. The record handed out never
 * carries the hash. Creating, changing and removing users are configuration changes (one
 * transaction, audited); disabling a user, or giving it a new password, ends its sessions in
 * that transaction, and removing it removes them (the sessions' foreign key).
 *
 * Changes are announced as `token` changes keyed `user:<id>`: users are credentials, like
 * tokens, and no cache depends on either.
 */
import { randomUUID } from "node:crypto";
import type { Selectable } from "kysely";
import { isProvisioError } from "../errors.ts";
import { tenantExists } from "./api_tokens.ts";
import type { ChangeContext, Core } from "./core.ts";
import { invalid, notFound, storeError } from "./errors.ts";
import { checkPasswordPolicy, hashPassword, needsRehash, verifyPassword } from "./passwords.ts";
import type { UserTable } from "./schema.ts";
import type { WriteOptions } from "./store.ts";
import { API_ROLES, type ApiRole } from "./types.ts";
import * as v from "./validate.ts";

export interface User {
  readonly id: string;
  /** Lower case: `[a-z0-9][a-z0-9._@-]*`, at most 64 characters; unique. */
  readonly username: string;
  readonly role: ApiRole;
  /** null = every tenant (installation-wide). */
  readonly tenantId: string | null;
  readonly disabled: boolean;
  readonly createdAt: Date;
  readonly lastLoginAt: Date | null;
}

export interface UserInput {
  readonly username: string;
  /** Checked against the policy (`MIN_PASSWORD_LENGTH`, `MAX_PASSWORD_BYTES`), then hashed. */
  readonly password: string;
  readonly role: ApiRole;
  readonly tenantId?: string | null;
}

export interface UserPatch {
  readonly role?: ApiRole;
  readonly tenantId?: string | null;
  /** true ends the user's sessions. */
  readonly disabled?: boolean;
  /** A new password (policy checked); ends the user's sessions except `keepSession`. */
  readonly password?: string;
}

export interface UserRepository {
  /** `STORE_CONFLICT` when the user name is taken. */
  create(input: UserInput, options?: WriteOptions): Promise<User>;
  /** `STORE_NOT_FOUND` when there is no such user. */
  get(id: string): Promise<User>;
  /** By user name (any case). */
  findByUsername(username: string): Promise<User | null>;
  /** Ordered by user name. */
  list(): Promise<User[]>;
  update(
    id: string,
    patch: UserPatch,
    options?: WriteOptions & {
      /** SHA-256 of a session to keep when the password changes (the user's own). */
      readonly keepSession?: string;
    },
  ): Promise<User>;
  /** Removes the user and its sessions. */
  remove(id: string, options?: WriteOptions): Promise<void>;
  /**
   * The enabled user whose password this is, else null — the same scrypt work whether the user
   * exists or not. Records the login time; replaces a hash made with older parameters.
   */
  authenticate(username: string, password: string): Promise<User | null>;
  /** Whether the password is the user's current one (no side effect). */
  checkPassword(id: string, password: string): Promise<boolean>;
}

const USERNAME = /^[a-z0-9][a-z0-9._@-]{0,63}$/;

/** The canonical (lower-case) user name, or `STORE_INVALID_INPUT`. */
export function parseUsername(value: unknown): string {
  const name = typeof value === "string" ? value.trim().toLowerCase() : "";
  if (!USERNAME.test(name)) {
    throw invalid(
      "username must be 1 to 64 characters of a-z, 0-9, '.', '_', '@' or '-', starting with a letter or digit",
      { field: "username" },
    );
  }
  return name;
}

export function toUser(row: Omit<Selectable<UserTable>, "password_hash">): User {
  return {
    id: row.id,
    username: row.username,
    role: v.oneOf(row.role, API_ROLES, "role"),
    tenantId: row.tenant_id,
    disabled: Number(row.disabled) !== 0,
    createdAt: new Date(Number(row.created_at)),
    lastLoginAt: row.last_login_at === null ? null : new Date(Number(row.last_login_at)),
  };
}

export class Users implements UserRepository {
  readonly #core: Core;

  constructor(core: Core) {
    this.#core = core;
  }

  async create(input: UserInput, options?: WriteOptions): Promise<User> {
    const username = parseUsername(input.username);
    const role = v.oneOf(input.role, API_ROLES, "role");
    const tenantId = input.tenantId ?? null;
    // Hashed before the transaction: 0.2–0.5 s of CPU must not hold the write lock.
    const hash = await hashPassword(checkPasswordPolicy(input.password));
    return this.#core.change(options, async (ctx) => {
      if (tenantId !== null) await tenantExists(ctx, tenantId);
      const taken = await ctx.conn
        .selectFrom("users")
        .select("id")
        .where("username", "=", username)
        .executeTakeFirst();
      if (taken !== undefined) {
        throw storeError("STORE_CONFLICT", `user ${JSON.stringify(username)} already exists`, {
          username,
        });
      }
      const row: UserTable = {
        id: randomUUID(),
        username,
        password_hash: hash,
        role,
        tenant_id: tenantId,
        disabled: 0,
        created_at: ctx.now,
        last_login_at: null,
      };
      await ctx.conn.insertInto("users").values(row).execute();
      const user = toUser(row);
      ctx.touch("token", [`user:${row.id}`]);
      ctx.audit({ action: "user.create", entity: "user", key: row.id, tenantId, after: user });
      return user;
    });
  }

  async get(id: string): Promise<User> {
    const row = await this.#row(id);
    if (row === undefined) throw notFound("user", id);
    return toUser(row);
  }

  async findByUsername(username: string): Promise<User | null> {
    const row = await this.#byName(username);
    return row === undefined ? null : toUser(row);
  }

  async list(): Promise<User[]> {
    const rows = await this.#core.run(() =>
      this.#core.db.selectFrom("users").selectAll().orderBy("username").execute(),
    );
    return rows.map(toUser);
  }

  async update(
    id: string,
    patch: UserPatch,
    options?: WriteOptions & { readonly keepSession?: string },
  ): Promise<User> {
    const role = patch.role === undefined ? undefined : v.oneOf(patch.role, API_ROLES, "role");
    const hash =
      patch.password === undefined
        ? undefined
        : await hashPassword(checkPasswordPolicy(patch.password));
    return this.#core.change(options, async (ctx) => {
      const row = await existing(ctx, id);
      if (patch.tenantId !== undefined && patch.tenantId !== null) {
        await tenantExists(ctx, patch.tenantId);
      }
      const next: UserTable = {
        ...row,
        role: role ?? row.role,
        tenant_id: patch.tenantId === undefined ? row.tenant_id : patch.tenantId,
        disabled: patch.disabled === undefined ? Number(row.disabled) : patch.disabled ? 1 : 0,
        password_hash: hash ?? row.password_hash,
      };
      await ctx.conn
        .updateTable("users")
        .set({
          role: next.role,
          tenant_id: next.tenant_id,
          disabled: next.disabled,
          password_hash: next.password_hash,
        })
        .where("id", "=", id)
        .execute();
      if (next.disabled === 1) {
        await ctx.conn.deleteFrom("sessions").where("user_id", "=", id).execute();
      } else if (hash !== undefined) {
        let ended = ctx.conn.deleteFrom("sessions").where("user_id", "=", id);
        if (options?.keepSession !== undefined) {
          ended = ended.where("id_hash", "!=", options.keepSession);
        }
        await ended.execute();
      }
      const after = toUser(next);
      ctx.touch("token", [`user:${id}`]);
      ctx.audit({
        action: "user.update",
        entity: "user",
        key: id,
        tenantId: next.tenant_id,
        before: toUser(row),
        // The audit says that the password changed, never what to.
        after: hash === undefined ? after : { ...after, credentials: "changed" },
      });
      return after;
    });
  }

  async remove(id: string, options?: WriteOptions): Promise<void> {
    return this.#core.change(options, async (ctx) => {
      const row = await existing(ctx, id);
      await ctx.conn.deleteFrom("sessions").where("user_id", "=", id).execute();
      await ctx.conn.deleteFrom("users").where("id", "=", id).execute();
      ctx.touch("token", [`user:${id}`]);
      ctx.audit({
        action: "user.remove",
        entity: "user",
        key: id,
        tenantId: row.tenant_id,
        before: toUser(row),
      });
    });
  }

  async authenticate(username: string, password: string): Promise<User | null> {
    let row: Selectable<UserTable> | undefined;
    try {
      row = await this.#byName(username);
    } catch (error) {
      // A malformed name is an unknown user: the same work, the same answer.
      if (!isProvisioError(error) || error.code !== "STORE_INVALID_INPUT") throw error;
    }
    const ok = await verifyPassword(password, row?.password_hash ?? null);
    if (!ok || row === undefined || Number(row.disabled) !== 0) return null;
    const now = this.#core.now();
    const rehash = needsRehash(row.password_hash) ? await hashPassword(password) : undefined;
    await this.#core.run(() =>
      this.#core.db
        .updateTable("users")
        .set({ last_login_at: now, ...(rehash === undefined ? {} : { password_hash: rehash }) })
        .where("id", "=", row.id)
        .execute(),
    );
    return toUser({ ...row, last_login_at: now });
  }

  async checkPassword(id: string, password: string): Promise<boolean> {
    const row = await this.#row(id);
    return verifyPassword(password, row?.password_hash ?? null);
  }

  #row(id: string): Promise<Selectable<UserTable> | undefined> {
    return this.#core.run(() =>
      this.#core.db.selectFrom("users").selectAll().where("id", "=", id).executeTakeFirst(),
    );
  }

  #byName(username: string): Promise<Selectable<UserTable> | undefined> {
    const name = parseUsername(username);
    return this.#core.run(() =>
      this.#core.db.selectFrom("users").selectAll().where("username", "=", name).executeTakeFirst(),
    );
  }
}

/** The user's row inside a change, or `STORE_NOT_FOUND`. */
async function existing(ctx: ChangeContext, id: string): Promise<Selectable<UserTable>> {
  const row = await ctx.conn
    .selectFrom("users")
    .selectAll()
    .where("id", "=", id)
    .executeTakeFirst();
  if (row === undefined) throw notFound("user", id);
  return row;
}
