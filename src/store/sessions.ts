/**
 * Browser sessions of the admin UI. A session id is 32 random bytes (base64url, 43 characters),
 * handed out once; only its SHA-256 is stored, like a token's, so a copy of the database opens
 * no session. A session stands for a user or an API token and lives while both hold:
 *
 * - idle expiry: `idleMs` after its last use (moved at most once a minute, so a busy UI does
 *   not write on every request), never past
 * - absolute expiry: `absoluteMs` after it was opened (and never past its token's expiry);
 * - its user is enabled and exists, its token exists (removing either removes its sessions).
 *
 * An owner holds at most `maxPerOwner` sessions: opening one more ends its oldest. Sessions are
 * not configuration: no revision bump, no change notice. `prune` deletes expired ones.
 */
import { createHash, randomBytes } from "node:crypto";
import type { Selectable } from "kysely";
import { toApiToken } from "./api_tokens.ts";
import type { Core } from "./core.ts";
import { invalid } from "./errors.ts";
import type { SessionTable } from "./schema.ts";
import type { ApiToken } from "./types.ts";
import { toUser, type User } from "./users.ts";

export interface SessionLimits {
  /** Ends after this long unused (default 12 h). */
  readonly idleMs: number;
  /** Ends this long after it was opened, used or not (default 7 days). */
  readonly absoluteMs: number;
  /** Sessions one user or token may hold; opening another ends the oldest (default 20). */
  readonly maxPerOwner: number;
}

export const DEFAULT_SESSION_LIMITS: SessionLimits = {
  idleMs: 12 * 3_600_000,
  absoluteMs: 7 * 86_400_000,
  maxPerOwner: 20,
};

/** How often at most the idle expiry of a session in use is moved (one write per minute). */
const TOUCH_EVERY_MS = 60_000;
/** Rows deleted per statement when pruning. */
const PRUNE_SLICE = 5_000;

export type SessionOwner = { readonly userId: string } | { readonly tokenId: string };

export interface Session {
  /** SHA-256 (lower-case hex) of the session id: how the session is named in logs and calls. */
  readonly idHash: string;
  readonly userId: string | null;
  readonly tokenId: string | null;
  readonly createdAt: Date;
  readonly lastSeenAt: Date;
  readonly idleExpiresAt: Date;
  readonly expiresAt: Date;
}

/** A live session and what it stands for: its user, or its token. */
export type ResolvedSession =
  | { readonly session: Session; readonly user: User; readonly token?: undefined }
  | { readonly session: Session; readonly token: ApiToken; readonly user?: undefined };

export interface SessionRepository {
  /** Opens a session; the secret (the cookie value) is returned only here. */
  open(
    owner: SessionOwner,
    limits?: Partial<SessionLimits>,
  ): Promise<{ readonly secret: string; readonly session: Session }>;
  /**
   * The live session with this secret and its owner, its idle expiry moved on; null when the
   * secret is unknown, the session expired (it is deleted), its user is disabled or its token
   * expired.
   */
  resolve(secret: string): Promise<ResolvedSession | null>;
  /** Ends the session with this secret; whether there was one. */
  close(secret: string): Promise<boolean>;
  /** The owner's sessions, newest first. */
  list(owner: SessionOwner): Promise<Session[]>;
  /** Deletes every expired session; returns how many. */
  prune(): Promise<number>;
}

/** SHA-256 (lower-case hex) of a session id. */
export function hashSessionId(secret: string): string {
  return createHash("sha256").update(secret, "utf8").digest("hex");
}

function toSession(row: Selectable<SessionTable>): Session {
  return {
    idHash: row.id_hash,
    userId: row.user_id,
    tokenId: row.token_id,
    createdAt: new Date(Number(row.created_at)),
    lastSeenAt: new Date(Number(row.last_seen_at)),
    idleExpiresAt: new Date(Number(row.idle_expires_at)),
    expiresAt: new Date(Number(row.expires_at)),
  };
}

function positive(value: number | undefined, fallback: number, field: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) throw invalid(`${field} must be a positive integer`);
  return value;
}

export class Sessions implements SessionRepository {
  readonly #core: Core;

  constructor(core: Core) {
    this.#core = core;
  }

  async open(
    owner: SessionOwner,
    limits: Partial<SessionLimits> = {},
  ): Promise<{ secret: string; session: Session }> {
    const idleMs = positive(limits.idleMs, DEFAULT_SESSION_LIMITS.idleMs, "idleMs");
    const absoluteMs = positive(limits.absoluteMs, DEFAULT_SESSION_LIMITS.absoluteMs, "absoluteMs");
    const max = positive(limits.maxPerOwner, DEFAULT_SESSION_LIMITS.maxPerOwner, "maxPerOwner");
    const secret = randomBytes(32).toString("base64url");
    const column = "userId" in owner ? "user_id" : "token_id";
    const ownerId = "userId" in owner ? owner.userId : owner.tokenId;
    return this.#core.run(() =>
      this.#core.dialect.writeTransaction(async (conn) => {
        const now = this.#core.now();
        let expiresAt = now + absoluteMs;
        if (column === "token_id") {
          const token = await conn
            .selectFrom("api_tokens")
            .select("expires_at")
            .where("id", "=", ownerId)
            .executeTakeFirst();
          if (token === undefined) throw invalid("the session's token does not exist");
          if (token.expires_at !== null) expiresAt = Math.min(expiresAt, Number(token.expires_at));
        }
        const row: SessionTable = {
          id_hash: hashSessionId(secret),
          user_id: column === "user_id" ? ownerId : null,
          token_id: column === "token_id" ? ownerId : null,
          created_at: now,
          last_seen_at: now,
          idle_ms: idleMs,
          idle_expires_at: Math.min(now + idleMs, expiresAt),
          expires_at: expiresAt,
        };
        await conn.insertInto("sessions").values(row).execute();
        // The owner's oldest sessions beyond the bound end (and expired ones with them).
        const keep = await conn
          .selectFrom("sessions")
          .select("id_hash")
          .where(column, "=", ownerId)
          .where("expires_at", ">", now)
          .where("idle_expires_at", ">", now)
          .orderBy("created_at", "desc")
          .orderBy("id_hash")
          .limit(max)
          .execute();
        await conn
          .deleteFrom("sessions")
          .where(column, "=", ownerId)
          .where(
            "id_hash",
            "not in",
            keep.map((k) => k.id_hash),
          )
          .execute();
        return { secret, session: toSession(row) };
      }),
    );
  }

  async resolve(secret: string): Promise<ResolvedSession | null> {
    const idHash = hashSessionId(secret);
    const row = await this.#core.run(() =>
      this.#core.db
        .selectFrom("sessions as s")
        .leftJoin("users as u", "u.id", "s.user_id")
        .leftJoin("api_tokens as t", "t.id", "s.token_id")
        .selectAll("s")
        .select([
          "u.id as u_id",
          "u.username as u_username",
          "u.role as u_role",
          "u.tenant_id as u_tenant_id",
          "u.disabled as u_disabled",
          "u.created_at as u_created_at",
          "u.last_login_at as u_last_login_at",
          "t.id as t_id",
          "t.name as t_name",
          "t.role as t_role",
          "t.tenant_id as t_tenant_id",
          "t.hash as t_hash",
          "t.created_at as t_created_at",
          "t.expires_at as t_expires_at",
        ])
        .where("s.id_hash", "=", idHash)
        .executeTakeFirst(),
    );
    if (row === undefined) return null;
    const now = this.#core.now();
    const live =
      Number(row.idle_expires_at) > now &&
      Number(row.expires_at) > now &&
      (row.u_id === null || Number(row.u_disabled) === 0) &&
      (row.t_id === null || row.t_expires_at === null || Number(row.t_expires_at) > now);
    if (!live || (row.u_id === null && row.t_id === null)) {
      await this.close(secret);
      return null;
    }
    let session = toSession(row);
    if (now - Number(row.last_seen_at) >= TOUCH_EVERY_MS) {
      const idleExpiresAt = Math.min(now + Number(row.idle_ms), Number(row.expires_at));
      await this.#core.run(() =>
        this.#core.db
          .updateTable("sessions")
          .set({ last_seen_at: now, idle_expires_at: idleExpiresAt })
          .where("id_hash", "=", idHash)
          .execute(),
      );
      session = { ...session, lastSeenAt: new Date(now), idleExpiresAt: new Date(idleExpiresAt) };
    }
    if (row.u_id !== null) {
      const user = toUser({
        id: row.u_id,
        username: row.u_username!,
        role: row.u_role!,
        tenant_id: row.u_tenant_id,
        disabled: row.u_disabled!,
        created_at: row.u_created_at!,
        last_login_at: row.u_last_login_at,
      });
      return { session, user };
    }
    const token = toApiToken({
      id: row.t_id!,
      name: row.t_name!,
      role: row.t_role!,
      tenant_id: row.t_tenant_id,
      hash: row.t_hash!,
      created_at: row.t_created_at!,
      expires_at: row.t_expires_at,
    });
    return { session, token };
  }

  async close(secret: string): Promise<boolean> {
    const result = await this.#core.run(() =>
      this.#core.db
        .deleteFrom("sessions")
        .where("id_hash", "=", hashSessionId(secret))
        .executeTakeFirst(),
    );
    return Number(result.numDeletedRows) > 0;
  }

  async list(owner: SessionOwner): Promise<Session[]> {
    const rows = await this.#core.run(() =>
      this.#core.db
        .selectFrom("sessions")
        .selectAll()
        .where(
          "userId" in owner ? "user_id" : "token_id",
          "=",
          "userId" in owner ? owner.userId : owner.tokenId,
        )
        .orderBy("created_at", "desc")
        .execute(),
    );
    return rows.map(toSession);
  }

  async prune(): Promise<number> {
    const now = this.#core.now();
    let total = 0;
    for (;;) {
      const result = await this.#core.run(() =>
        this.#core.db
          .deleteFrom("sessions")
          .where("id_hash", "in", (eb) =>
            eb
              .selectFrom("sessions")
              .select("id_hash")
              .where((w) => w.or([w("idle_expires_at", "<=", now), w("expires_at", "<=", now)]))
              .limit(PRUNE_SLICE),
          )
          .executeTakeFirst(),
      );
      const deleted = Number(result.numDeletedRows);
      total += deleted;
      if (deleted < PRUNE_SLICE) return total;
    }
  }
}
