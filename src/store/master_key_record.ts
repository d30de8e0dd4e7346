/**
 * One master key per installation, enforced by the database: it records which key sealed its
 * secrets (`master_key_id`, a fingerprint the sealer computes — never the key), and a process
 * whose sealer names another key cannot open it. Without this, a management command run
 * against a shared PostgreSQL from the wrong directory would seal new secrets under its own
 * `./data/master.key`, and the devices would get errors nobody could trace.
 *
 * A re-seal (`provisio master-key rotate`) uses a sealer with `previousKeyId`: it may open a
 * database recorded under the previous key, marks the new one as `master_key_next` while the
 * secrets are sealed again, and moves the record when they all are ({@link completeReseal}).
 */
import type { Kysely } from "kysely";
import { storeError } from "./errors.ts";
import type { Database } from "./schema.ts";
import { type SecretSealer, sealContext } from "./secret.ts";

const CURRENT = "master_key_id";
const NEXT = "master_key_next";

async function read(db: Kysely<Database>, name: string): Promise<string | undefined> {
  const row = await db
    .selectFrom("installation")
    .select("value")
    .where("name", "=", name)
    .executeTakeFirst();
  return row?.value;
}

async function write(db: Kysely<Database>, name: string, value: string): Promise<void> {
  await db
    .insertInto("installation")
    .values({ name, value })
    .onConflict((oc) => oc.column("name").doUpdateSet({ value }))
    .execute();
}

function mismatch(sealer: SecretSealer, recorded: string | undefined, extra = ""): Error {
  const mine = sealer.keySource === undefined ? "" : ` from ${sealer.keySource}`;
  return storeError(
    "STORE_MASTER_KEY_MISMATCH",
    `this database's secrets are sealed under ${recorded === undefined ? "another master key (an existing secret does not open under this one)" : `master key ${recorded}`}, but this process has master key ${sealer.keyId}${mine}. ` +
      `${extra}Use the installation's own key: pass --data DIR (its data directory) or set master_key_file ` +
      "(PROVISIO_MASTER_KEY_FILE) to the key file the server uses; to move an installation to a new key, " +
      'run "provisio master-key rotate" with the current one. Nothing was written.',
    { recorded: recorded ?? null, keyId: sealer.keyId },
  );
}

/**
 * A database sealed before keys were recorded: does an existing secret open under this key?
 * (One device key or SIP password is enough; a database with neither has nothing to protect.)
 */
async function opensExisting(db: Kysely<Database>, sealer: SecretSealer): Promise<boolean> {
  const device = await db
    .selectFrom("devices")
    .select(["mac", "device_key"])
    .where("device_key", "is not", null)
    .limit(1)
    .executeTakeFirst();
  const line =
    device === undefined
      ? await db
          .selectFrom("account_lines")
          .select(["account_id", "line", "password"])
          .where("password", "is not", null)
          .limit(1)
          .executeTakeFirst()
      : undefined;
  try {
    if (device !== undefined) sealer.open(device.device_key!, sealContext.deviceKey(device.mac));
    else if (line !== undefined) {
      sealer.open(line.password!, sealContext.linePassword(line.account_id, line.line));
    }
    return true;
  } catch {
    return false;
  }
}

/**
 * Checks (and on first use records) the database's master key against the sealer's. Throws
 * `STORE_MASTER_KEY_MISMATCH` naming the fix; does nothing for a sealer without `keyId`.
 */
export async function checkMasterKey(db: Kysely<Database>, sealer: SecretSealer): Promise<void> {
  const keyId = sealer.keyId;
  if (keyId === undefined) return;
  let recorded = await read(db, CURRENT);
  if (recorded === undefined) {
    if (!(await opensExisting(db, sealer))) {
      throw mismatch(sealer, undefined);
    }
    // Two first openers at once: the first insert wins, the other compares against it.
    await db
      .insertInto("installation")
      .values({ name: CURRENT, value: keyId })
      .onConflict((oc) => oc.column("name").doNothing())
      .execute();
    recorded = (await read(db, CURRENT)) ?? keyId;
  }
  if (recorded === keyId) return;
  if (sealer.previousKeyId !== undefined && recorded === sealer.previousKeyId) {
    await write(db, NEXT, keyId);
    return;
  }
  const next = await read(db, NEXT);
  throw mismatch(
    sealer,
    recorded,
    next === keyId
      ? `A re-seal to this key was started and has not finished: run "provisio master-key rotate" again (it resumes). `
      : "",
  );
}

/** After every secret was sealed again under the sealer's key: the record names that key. */
export async function completeReseal(db: Kysely<Database>, sealer: SecretSealer): Promise<void> {
  if (sealer.keyId === undefined || sealer.previousKeyId === undefined) return;
  await write(db, CURRENT, sealer.keyId);
  await db.deleteFrom("installation").where("name", "=", NEXT).execute();
}
