import type { Core } from "./core.ts";
import { sealContext } from "./secret.ts";

const PAGE = 1_000;

export interface ResealResult {
  readonly deviceKeys: number;
  readonly passwords: number;
}

/**
 * Master-key rotation: seals again every device key and SIP password the sealer says needs it
 * (`needsReseal`; every one when the sealer has no such method), a page of 1,000 rows per
 * transaction. The plaintexts do not change, so neither the revision nor any version moves.
 * A row changed meanwhile is left alone (its new value was sealed with the current key).
 */
export async function resealSecrets(core: Core): Promise<ResealResult> {
  const sealer = core.sealer;
  const stale = (sealed: string): boolean => sealer.needsReseal?.(sealed) ?? true;
  let deviceKeys = 0;
  let passwords = 0;

  let afterMac = "";
  for (;;) {
    const rows = await core.db
      .selectFrom("devices")
      .select(["mac", "device_key"])
      .where("device_key", "is not", null)
      .where("mac", ">", afterMac)
      .orderBy("mac")
      .limit(PAGE)
      .execute();
    if (rows.length === 0) break;
    afterMac = rows.at(-1)!.mac;
    const todo = rows.filter((r) => stale(r.device_key!));
    if (todo.length === 0) continue;
    deviceKeys += await core.run(() =>
      core.dialect.writeTransaction(async (conn) => {
        let done = 0;
        for (const row of todo) {
          const context = sealContext.deviceKey(row.mac);
          const fresh = sealer.seal(sealer.open(row.device_key!, context), context);
          const result = await conn
            .updateTable("devices")
            .set({ device_key: fresh })
            .where("mac", "=", row.mac)
            .where("device_key", "=", row.device_key)
            .executeTakeFirst();
          done += Number(result.numUpdatedRows);
        }
        return done;
      }),
    );
  }

  let after = { account: "", line: 0 };
  for (;;) {
    const cursor = after;
    const rows = await core.db
      .selectFrom("account_lines")
      .select(["account_id", "line", "password"])
      .where("password", "is not", null)
      .where((eb) =>
        eb.or([
          eb("account_id", ">", cursor.account),
          eb.and([eb("account_id", "=", cursor.account), eb("line", ">", cursor.line)]),
        ]),
      )
      .orderBy("account_id")
      .orderBy("line")
      .limit(PAGE)
      .execute();
    if (rows.length === 0) break;
    const last = rows.at(-1)!;
    after = { account: last.account_id, line: last.line };
    const todo = rows.filter((r) => stale(r.password!));
    if (todo.length === 0) continue;
    passwords += await core.run(() =>
      core.dialect.writeTransaction(async (conn) => {
        let done = 0;
        for (const row of todo) {
          const context = sealContext.linePassword(row.account_id, row.line);
          const fresh = sealer.seal(sealer.open(row.password!, context), context);
          const result = await conn
            .updateTable("account_lines")
            .set({ password: fresh })
            .where("account_id", "=", row.account_id)
            .where("line", "=", row.line)
            .where("password", "=", row.password)
            .executeTakeFirst();
          done += Number(result.numUpdatedRows);
        }
        return done;
      }),
    );
  }
  return { deviceKeys, passwords };
}
