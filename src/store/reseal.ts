import type { Kysely } from "kysely";
import type { Core } from "./core.ts";
import { resealDeviceKeys } from "./device_keys.ts";
import { resealParameters } from "./layer_codec.ts";
import type { Database } from "./schema.ts";
import { type SecretSealer, sealContext } from "./secret.ts";

const PAGE = 1_000;

export interface ResealResult {
  readonly deviceKeys: number;
  readonly passwords: number;
  /** Secret parameter values in layers sealed again (or sealed for the first time). */
  readonly layerValues: number;
  /** Secure-provisioning keys (current and next pairs). */
  readonly secureKeys: number;
}

/**
 * Walks a table in pages of `PAGE` rows (keyset pagination: `page(cursor)` returns the rows
 * after `cursor`, `next` the cursor of a row); the rows `stale` selects are rewritten by `write`
 * in one transaction per page, which returns how many secrets it sealed again.
 */
async function resealPages<R, C>(
  core: Core,
  start: C,
  page: (cursor: C) => Promise<R[]>,
  next: (row: R) => C,
  stale: (row: R) => boolean,
  write: (conn: Kysely<Database>, row: R) => Promise<number>,
): Promise<number> {
  let done = 0;
  let cursor = start;
  for (;;) {
    const rows = await page(cursor);
    if (rows.length === 0) return done;
    cursor = next(rows.at(-1)!);
    const todo = rows.filter(stale);
    if (todo.length === 0) continue;
    done += await core.run(() =>
      core.dialect.writeTransaction(async (conn) => {
        let sealed = 0;
        for (const row of todo) sealed += await write(conn, row);
        return sealed;
      }),
    );
  }
}

function reseal(sealer: SecretSealer, sealed: string, context: string): string {
  return sealer.seal(sealer.open(sealed, context), context);
}

/**
 * Master-key rotation: seals again every device key, SIP password and secret layer value the
 * sealer says needs it (`needsReseal`; every one when the sealer has no such method), and
 * seals secret layer values still stored in plaintext (parameters marked secret since they were
 * written), a page of 1,000 rows per transaction. The plaintexts do not change, so neither the
 * revision nor any version moves. A row changed meanwhile is left alone (its new value was
 * sealed with the current key).
 */
export async function resealSecrets(core: Core): Promise<ResealResult> {
  const sealer = core.sealer;
  const stale = (sealed: string): boolean => sealer.needsReseal?.(sealed) ?? true;

  const deviceKeys = await resealPages(
    core,
    "",
    (after) =>
      core.db
        .selectFrom("devices")
        .select(["mac", "device_key"])
        .where("device_key", "is not", null)
        .where("mac", ">", after)
        .orderBy("mac")
        .limit(PAGE)
        .execute(),
    (row) => row.mac,
    (row) => stale(row.device_key!),
    async (conn, row) => {
      const result = await conn
        .updateTable("devices")
        .set({ device_key: reseal(sealer, row.device_key!, sealContext.deviceKey(row.mac)) })
        .where("mac", "=", row.mac)
        .where("device_key", "=", row.device_key)
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },
  );

  const passwords = await resealPages(
    core,
    { account: "", line: 0 },
    (after) =>
      core.db
        .selectFrom("account_lines")
        .select(["account_id", "line", "password"])
        .where("password", "is not", null)
        .where((eb) =>
          eb.or([
            eb("account_id", ">", after.account),
            eb.and([eb("account_id", "=", after.account), eb("line", ">", after.line)]),
          ]),
        )
        .orderBy("account_id")
        .orderBy("line")
        .limit(PAGE)
        .execute(),
    (row) => ({ account: row.account_id, line: row.line }),
    (row) => stale(row.password!),
    async (conn, row) => {
      const context = sealContext.linePassword(row.account_id, row.line);
      const result = await conn
        .updateTable("account_lines")
        .set({ password: reseal(sealer, row.password!, context) })
        .where("account_id", "=", row.account_id)
        .where("line", "=", row.line)
        .where("password", "=", row.password)
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },
  );

  const layerValues = await resealLayerValues(core.db, sealer, stale, (work) =>
    core.run(() => core.dialect.writeTransaction(work)),
  );
  const secureKeys = await resealDeviceKeys(core, stale);
  return { deviceKeys, passwords, layerValues, secureKeys };
}

/**
 * Seals the secret values of every layer under the current key (see `resealParameters`), a
 * page of rows per `transaction`; also the migration that sealed existing layers
 * (`0002_seal_layer_secrets`, inside the migration's own transaction). Returns how many
 * values it sealed.
 */
export async function resealLayerValues(
  db: Kysely<Database>,
  sealer: SecretSealer,
  stale: (sealed: string) => boolean,
  transaction: <T>(work: (conn: Kysely<Database>) => Promise<T>) => Promise<T>,
): Promise<number> {
  let done = 0;
  let after = "";
  for (;;) {
    const rows = await db
      .selectFrom("layers")
      .select(["key", "parameters"])
      .where("key", ">", after)
      .orderBy("key")
      .limit(PAGE)
      .execute();
    if (rows.length === 0) return done;
    after = rows.at(-1)!.key;
    const todo = rows.flatMap((row) => {
      const resealed = resealParameters(row.key, row.parameters, sealer, stale);
      return resealed === null ? [] : [{ ...row, ...resealed }];
    });
    if (todo.length === 0) continue;
    done += await transaction(async (conn) => {
      let sealed = 0;
      for (const row of todo) {
        const result = await conn
          .updateTable("layers")
          .set({ parameters: row.json })
          .where("key", "=", row.key)
          .where("parameters", "=", row.parameters)
          .executeTakeFirst();
        if (Number(result.numUpdatedRows) > 0) sealed += row.count;
      }
      return sealed;
    });
  }
}
