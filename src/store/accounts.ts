import { randomUUID } from "node:crypto";
import type { Kysely, Selectable } from "kysely";
import { defaultCatalogue } from "../profile/index.ts";
import { type Core, detachAndDropLayer } from "./core.ts";
import { like, likeLiteral } from "./device_search.ts";
import { invalid, notFound, storeError } from "./errors.ts";
import { isSecretParameter } from "./redact.ts";
import type { AccountLineTable, AccountTable, Database } from "./schema.ts";
import { isSecret, Secret, sealContext } from "./secret.ts";
import type {
  AccountInput,
  AccountLineInput,
  AccountPatch,
  AccountRepository,
  PageQuery,
  WriteOptions,
} from "./store.ts";
import { type Account, type AccountLine, DEFAULT_TENANT_ID } from "./types.ts";
import * as v from "./validate.ts";

const MAX_LINES = 64;
const MAX_EXTRAS = 32;
/** A parameter base name: `Register_Expires` (a trailing `_` is dropped), not a full `_N_` name. */
const EXTRA_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;
/**
 * Parameters a line's own fields set; as extras they would bypass them (and the sealing).
 * Lower case: names are compared without regard to case, as `password` must not slip by.
 */
const LINE_FIELD_PARAMETERS = new Set(
  [
    "Line_Enable",
    "User_ID",
    "Auth_ID",
    "Use_Auth_ID",
    "Password",
    "Display_Name",
    "Proxy",
    "Outbound_Proxy",
    "Use_Outbound_Proxy",
    "Mailbox_ID",
  ].map((name) => name.toLowerCase()),
);

let secretBaseNames: ReadonlySet<string> | undefined;

/**
 * Whether an extra's base name is a secret parameter: its name looks like one, or the
 * catalogue marks a parameter of that name secret (in any case). Extras are stored as plain
 * JSON, so a secret there would sit unsealed in the database.
 */
function isSecretExtra(base: string): boolean {
  if (isSecretParameter(base) || isSecretParameter(`${base}_1_`)) return true;
  secretBaseNames ??= new Set(
    defaultCatalogue.definitions
      .filter((d) => d.secret === true)
      // Some are listed by their full name (`pskKey_2_`): their base name counts too.
      .map((d) => d.name.toLowerCase().replace(/_\d+_$/, "")),
  );
  return secretBaseNames.has(base.toLowerCase());
}

type LineFields = Omit<AccountLineTable, "account_id">;

/** A page of accounts, optionally only those matching free text. */
export interface AccountListQuery extends PageQuery {
  /** A reference or line user-id prefix, or a name substring (any case). */
  readonly text?: string;
}

export class Accounts implements AccountRepository {
  readonly #core: Core;

  constructor(core: Core) {
    this.#core = core;
  }

  #toLine(accountId: string, row: LineFields): AccountLine {
    return {
      line: row.line,
      userId: row.user_id,
      authId: row.auth_id,
      password:
        row.password === null
          ? null
          : Secret.sealed(
              row.password,
              this.#core.sealer,
              sealContext.linePassword(accountId, row.line),
            ),
      displayName: row.display_name,
      proxy: row.proxy,
      outboundProxy: row.outbound_proxy,
      voicemailId: row.voicemail_id,
      extras: row.extras === null ? {} : (JSON.parse(row.extras) as Record<string, string>),
    };
  }

  #toAccount(row: Selectable<AccountTable>, lines: readonly LineFields[]): Account {
    return {
      id: row.id,
      tenantId: row.tenant_id,
      reference: row.reference,
      name: row.name,
      lines: [...lines].sort((a, b) => a.line - b.line).map((line) => this.#toLine(row.id, line)),
      version: row.version,
      createdAt: new Date(row.created_at),
      updatedAt: new Date(row.updated_at),
    };
  }

  /** One query: the account joined with its lines. */
  async #findWhere(
    conn: Kysely<Database>,
    column: "id" | "reference",
    value: string,
    tenantId?: string,
  ) {
    let q = conn
      .selectFrom("accounts")
      .leftJoin("account_lines as l", "l.account_id", "accounts.id")
      .selectAll("accounts")
      .select([
        "l.line as l_line",
        "l.user_id as l_user_id",
        "l.auth_id as l_auth_id",
        "l.password as l_password",
        "l.display_name as l_display_name",
        "l.proxy as l_proxy",
        "l.outbound_proxy as l_outbound_proxy",
        "l.voicemail_id as l_voicemail_id",
        "l.extras as l_extras",
      ])
      .where(`accounts.${column}`, "=", value);
    if (tenantId !== undefined) q = q.where("accounts.tenant_id", "=", tenantId);
    const rows = await q.execute();
    const first = rows[0];
    if (first === undefined) return null;
    const lines: LineFields[] = [];
    for (const row of rows) {
      if (row.l_line === null) continue;
      lines.push({
        line: row.l_line,
        user_id: row.l_user_id ?? "",
        auth_id: row.l_auth_id,
        password: row.l_password,
        display_name: row.l_display_name,
        proxy: row.l_proxy,
        outbound_proxy: row.l_outbound_proxy,
        voicemail_id: row.l_voicemail_id,
        extras: row.l_extras,
      });
    }
    return this.#toAccount(first, lines);
  }

  async list(query: AccountListQuery = {}): Promise<Account[]> {
    let q = this.#core.db.selectFrom("accounts").selectAll();
    if (query.tenantId !== undefined) q = q.where("tenant_id", "=", query.tenantId);
    const text = query.text?.trim().toLowerCase();
    if (text !== undefined && text !== "") {
      const prefix = `${likeLiteral(text)}%`;
      q = q.where((eb) =>
        eb.or([
          like("accounts.reference", prefix),
          like("accounts.name", `%${likeLiteral(text)}%`),
          eb(
            "accounts.id",
            "in",
            eb
              .selectFrom("account_lines as l")
              .select("l.account_id")
              .where(() => like("l.user_id", prefix)),
          ),
        ]),
      );
    }
    if (query.after !== undefined) q = q.where("id", ">", query.after);
    const rows = await q.orderBy("id").limit(v.limit(query.limit)).execute();
    if (rows.length === 0) return [];
    const lines = await this.#core.db
      .selectFrom("account_lines")
      .selectAll()
      .where(
        "account_id",
        "in",
        rows.map((r) => r.id),
      )
      .execute();
    const byAccount = new Map<string, LineFields[]>();
    for (const line of lines) {
      const list = byAccount.get(line.account_id) ?? [];
      list.push(line);
      byAccount.set(line.account_id, list);
    }
    return rows.map((row) => this.#toAccount(row, byAccount.get(row.id) ?? []));
  }

  find(id: string): Promise<Account | null> {
    return this.#findWhere(this.#core.db, "id", id);
  }

  findByReference(tenantId: string, reference: string): Promise<Account | null> {
    return this.#findWhere(this.#core.db, "reference", reference, tenantId);
  }

  async get(id: string): Promise<Account> {
    const account = await this.find(id);
    if (account === null) throw notFound("account", id);
    return account;
  }

  async create(input: AccountInput, options?: WriteOptions): Promise<Account> {
    const tenantId = input.tenantId ?? DEFAULT_TENANT_ID;
    const reference = v.text(input.reference, "reference", 128);
    const name = v.optionalText(input.name, "name", 255) ?? null;
    const id = randomUUID();
    const lines = this.#prepareLines(id, input.lines ?? [], []);
    return this.#core.change(options, async (ctx) => {
      const tenant = await ctx.conn
        .selectFrom("tenants")
        .select("id")
        .where("id", "=", tenantId)
        .executeTakeFirst();
      if (tenant === undefined) throw notFound("tenant", tenantId);
      await this.#referenceFree(ctx.conn, tenantId, reference, null);
      const row: AccountTable = {
        id,
        tenant_id: tenantId,
        reference,
        name,
        version: ctx.revision,
        created_at: ctx.now,
        updated_at: ctx.now,
      };
      await ctx.conn.insertInto("accounts").values(row).execute();
      if (lines.length > 0) {
        await ctx.conn
          .insertInto("account_lines")
          .values(lines.map((line) => ({ ...line, account_id: row.id })))
          .execute();
      }
      const account = this.#toAccount(row, lines);
      ctx.touch("account", [row.id]);
      ctx.audit({
        action: "account.create",
        entity: "account",
        key: row.id,
        tenantId,
        after: account,
      });
      return account;
    });
  }

  async update(id: string, patch: AccountPatch, options?: WriteOptions): Promise<Account> {
    const reference =
      patch.reference === undefined ? undefined : v.text(patch.reference, "reference", 128);
    const name = v.optionalText(patch.name, "name", 255);
    return this.#core.change(options, async (ctx) => {
      const before = await this.#findWhere(ctx.conn, "id", id);
      if (before === null) throw notFound("account", id);
      this.#core.expectVersion(options, "account", id, before.version);
      if (reference !== undefined && reference !== before.reference) {
        await this.#referenceFree(ctx.conn, before.tenantId, reference, id);
      }
      await ctx.conn
        .updateTable("accounts")
        .set({
          reference: reference ?? before.reference,
          name: name === undefined ? before.name : name,
          version: ctx.revision,
          updated_at: ctx.now,
        })
        .where("id", "=", id)
        .execute();
      if (patch.lines !== undefined) {
        const old = await ctx.conn
          .selectFrom("account_lines")
          .selectAll()
          .where("account_id", "=", id)
          .execute();
        const lines = this.#prepareLines(id, patch.lines, old);
        await ctx.conn.deleteFrom("account_lines").where("account_id", "=", id).execute();
        if (lines.length > 0) {
          await ctx.conn
            .insertInto("account_lines")
            .values(lines.map((line) => ({ ...line, account_id: id })))
            .execute();
        }
      }
      const after = (await this.#findWhere(ctx.conn, "id", id))!;
      ctx.touch("account", [id]);
      ctx.audit({
        action: "account.update",
        entity: "account",
        key: id,
        tenantId: before.tenantId,
        before,
        after,
      });
      return after;
    });
  }

  async delete(id: string, options?: WriteOptions): Promise<void> {
    return this.#core.change(options, async (ctx) => {
      const before = await this.#findWhere(ctx.conn, "id", id);
      if (before === null) throw notFound("account", id);
      this.#core.expectVersion(options, "account", id, before.version);
      await detachAndDropLayer(ctx, "account_id", id, { scope: "account", accountId: id });
      await ctx.conn.deleteFrom("account_lines").where("account_id", "=", id).execute();
      await ctx.conn.deleteFrom("accounts").where("id", "=", id).execute();
      ctx.touch("account", [id]);
      ctx.audit({
        action: "account.delete",
        entity: "account",
        key: id,
        tenantId: before.tenantId,
        before,
      });
    });
  }

  /** Validates lines and seals passwords; a line without `password` keeps its old one. */
  #prepareLines(
    accountId: string,
    inputs: readonly AccountLineInput[],
    old: readonly LineFields[],
  ): LineFields[] {
    if (inputs.length > MAX_LINES) throw invalid(`an account has at most ${MAX_LINES} lines`);
    const seen = new Set<number>();
    return inputs.map((input) => {
      const line = v.integer(input.line, "line", 1, MAX_LINES);
      if (seen.has(line)) throw invalid(`line ${line} appears twice`, { line });
      seen.add(line);
      let password: string | null;
      if (input.password === undefined) {
        password = old.find((o) => o.line === line)?.password ?? null;
      } else if (input.password === null || input.password === "") {
        password = null;
      } else {
        const plain = isSecret(input.password)
          ? input.password.reveal()
          : v.text(input.password, "password", 255);
        password = this.#core.sealer.seal(plain, sealContext.linePassword(accountId, line));
      }
      return {
        line,
        user_id: v.text(input.userId, "userId", 128),
        auth_id: v.optionalText(input.authId, "authId", 128) ?? null,
        password,
        display_name: v.optionalText(input.displayName, "displayName", 128) ?? null,
        proxy: v.optionalText(input.proxy, "proxy", 255) ?? null,
        outbound_proxy: v.optionalText(input.outboundProxy, "outboundProxy", 255) ?? null,
        voicemail_id: v.optionalText(input.voicemailId, "voicemailId", 128) ?? null,
        extras: lineExtras(input.extras, line),
      };
    });
  }

  async #referenceFree(
    conn: Kysely<Database>,
    tenantId: string,
    reference: string,
    self: string | null,
  ) {
    const taken = await conn
      .selectFrom("accounts")
      .select("id")
      .where("tenant_id", "=", tenantId)
      .where("reference", "=", reference)
      .executeTakeFirst();
    if (taken !== undefined && taken.id !== self) {
      throw storeError("STORE_CONFLICT", `account ${JSON.stringify(reference)} exists`, {
        reference,
      });
    }
  }
}

/**
 * A line's extras as stored: JSON with names in order, or null for none. Names are parameter
 * base names (`Register_Expires`, a trailing `_` dropped); whether the device's model has the
 * parameter is decided when its profile is rendered, as the model may change.
 */
function lineExtras(
  value: Readonly<Record<string, string>> | null | undefined,
  line: number,
): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== "object" || Array.isArray(value)) {
    throw invalid(`line ${line}: extras must be an object of parameter name → value`, {
      field: "extras",
      line,
    });
  }
  const entries = Object.entries(value);
  if (entries.length > MAX_EXTRAS) {
    throw invalid(`line ${line}: at most ${MAX_EXTRAS} extras`, { field: "extras", line });
  }
  const out: Record<string, string> = {};
  for (const [raw, text] of entries) {
    const name = raw.endsWith("_") ? raw.slice(0, -1) : raw;
    if (!EXTRA_NAME.test(name) || /_\d+$/.test(name)) {
      throw invalid(
        `line ${line}: extra ${JSON.stringify(raw)} must be a parameter base name such as Register_Expires (the line number is added)`,
        { field: "extras", line },
      );
    }
    if (LINE_FIELD_PARAMETERS.has(name.toLowerCase())) {
      throw invalid(
        `line ${line}: extra ${JSON.stringify(raw)} is set by the line's own fields, not an extra`,
        { field: "extras", line },
      );
    }
    if (isSecretExtra(name)) {
      throw invalid(
        `line ${line}: extra ${JSON.stringify(raw)} is a secret, and extras are not sealed: ` +
          "give a SIP password as the line's password, any other secret as a layer parameter " +
          `(${name}_${line}_ on the account's layer), where secret values are sealed`,
        { field: "extras", line },
      );
    }
    if (Object.keys(out).some((known) => known.toLowerCase() === name.toLowerCase())) {
      throw invalid(`line ${line}: extra ${name} appears twice`, { field: "extras", line });
    }
    if (typeof text !== "string" || text.length > 1024 || /[\u0000-\u001f\u007f]/.test(text)) {
      throw invalid(
        `line ${line}: extra ${name} must be a single-line text of at most 1024 characters`,
        {
          field: "extras",
          line,
        },
      );
    }
    out[name] = text;
  }
  if (Object.keys(out).length === 0) return null;
  const sorted = Object.fromEntries(
    Object.entries(out).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );
  return JSON.stringify(sorted);
}
