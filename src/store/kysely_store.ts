import { randomUUID } from "node:crypto";
import { type Kysely, Migrator, sql } from "kysely";
import { Accounts } from "./accounts.ts";
import { ActivationCodes } from "./activation_codes.ts";
import { ApiTokens } from "./api_tokens.ts";
import { Audit } from "./audit.ts";
import { ChangeHub } from "./changes.ts";
import { Core } from "./core.ts";
import { DeviceKeys } from "./device_keys.ts";
import { DeviceModels } from "./device_models.ts";
import { Devices } from "./devices.ts";
import type { StoreDialect } from "./dialect.ts";
import { storeError } from "./errors.ts";
import { Events } from "./events.ts";
import { Firmware } from "./firmware.ts";
import { FleetStats } from "./fleet_stats.ts";
import { Groups } from "./groups.ts";
import { Layers } from "./layers.ts";
import { Lifecycles } from "./lifecycle.ts";
import { checkMasterKey, KeyWatch, listKeyProcesses, readKeyState } from "./master_key_record.ts";
import { migrationProvider } from "./migrations/index.ts";
import { Redirects } from "./redirects.ts";
import { Reports } from "./reports.ts";
import { countSealedByKey, resealSecrets, rotateMasterKey } from "./reseal.ts";
import { Rollouts } from "./rollouts.ts";
import type { Database } from "./schema.ts";
import type { SecretSealer } from "./secret.ts";
import { Sessions } from "./sessions.ts";
import type { Store, StoreCheckResult, StoreDeps, StoreOptions } from "./store.ts";
import { Tenants } from "./tenants.ts";
import { Users } from "./users.ts";

/**
 * Whether every migration has run already: the names recorded are exactly the provider's. One
 * query, where Kysely's migrator reads every table's metadata first — most of a management
 * command's time in the store. Anything unexpected (no table yet, a name missing or unknown)
 * answers no, and the migrator decides.
 */
async function upToDate(
  db: Kysely<Database>,
  schema: string | undefined,
  names: readonly string[],
): Promise<boolean> {
  const table =
    schema === undefined ? sql.table("kysely_migration") : sql.table(`${schema}.kysely_migration`);
  try {
    const { rows } = await sql<{ name: string }>`select name from ${table} order by name`.execute(
      db,
    );
    return rows.length === names.length && rows.every((r, i) => r.name === names[i]);
  } catch {
    return false;
  }
}

/**
 * Brings the schema to the latest migration (idempotent; concurrent openers serialise).
 * Answers whether it had to run the migrator.
 */
export async function migrate(dialect: StoreDialect, sealer: SecretSealer): Promise<boolean> {
  const provider = migrationProvider(dialect.kind, sealer);
  const names = Object.keys(await provider.getMigrations()).sort();
  if (await upToDate(dialect.db, dialect.migrationTableSchema, names)) return false;
  const { error, results } = await dialect.migrationScope((db) =>
    new Migrator({
      db,
      provider,
      ...(dialect.migrationTableSchema === undefined
        ? {}
        : { migrationTableSchema: dialect.migrationTableSchema }),
    }).migrateToLatest(),
  );
  if (error !== undefined) {
    const failed = results?.find((r) => r.status === "Error")?.migrationName ?? "unknown";
    throw storeError(
      "STORE_MIGRATION_FAILED",
      `migration ${failed} failed: ${String(error)}`,
      { failed },
      error,
    );
  }
  return true;
}

/** A reader's sealer: opens what the installation's keys open, refuses to seal. */
function readOnlySealer(sealer: SecretSealer): SecretSealer {
  const refuse = (): never => {
    throw storeError("STORE_READ_ONLY", "this store was opened read-only: it seals no secret");
  };
  return {
    seal: refuse,
    open: (sealed, context) => sealer.open(sealed, context),
    ...(sealer.needsReseal === undefined
      ? {}
      : { needsReseal: (sealed: string) => sealer.needsReseal!(sealed) }),
    ...(sealer.keyIdOf === undefined
      ? {}
      : { keyIdOf: (sealed: string) => sealer.keyIdOf!(sealed) }),
    ...(sealer.keyId === undefined ? {} : { keyId: sealer.keyId }),
    ...(sealer.keySource === undefined ? {} : { keySource: sealer.keySource }),
    ...(sealer.keyRing === undefined ? {} : { keyRing: sealer.keyRing }),
  };
}

export async function openKyselyStore(options: StoreOptions, deps: StoreDeps): Promise<Store> {
  // Each dialect loads its driver on demand: a SQLite installation never loads pg.
  const dialect =
    options.kind === "sqlite"
      ? (await import("./sqlite/dialect.ts")).openSqliteDialect(options)
      : await (await import("./postgres/dialect.ts")).openPostgresDialect(options);
  try {
    const migrated = await migrate(dialect, deps.sealer);
    const follower = await checkMasterKey(dialect.db, deps.sealer);
    // A reader seals nothing (its sealer refuses), so an online rotation has nothing to wait
    // for from it: no process row (a write transaction and an fsync on every open) and no watch.
    // An open that migrated announces itself like any other: a migration may seal.
    const readOnly = deps.readOnly === true && !migrated;
    const start = await dialect.db
      .selectFrom("revision")
      .select("value")
      .where("id", "=", 1)
      .executeTakeFirstOrThrow();
    const hub = new ChangeHub(dialect.db, start.value);
    const core = new Core(
      dialect,
      readOnly ? readOnlySealer(deps.sealer) : deps.sealer,
      deps.now ?? Date.now,
      hub,
    );
    const stopWatching = dialect.watch(() => void hub.wake(), deps.pollIntervalMs);
    // A sealer over several keys follows the installation's key state (online rotation).
    const ring = deps.sealer.keyRing;
    const keyWatch =
      ring === undefined || readOnly
        ? undefined
        : new KeyWatch(dialect.db, ring, randomUUID(), follower);
    await keyWatch?.start();
    let closed: Promise<void> | undefined;
    const tenants = new Tenants(core, deps.reservedClientCas);
    const models = new DeviceModels(core);
    const devices = new Devices(core);
    const accounts = new Accounts(core);
    const groups = new Groups(core);
    const layers = new Layers(core);
    const audit = new Audit(core);
    const store: Store = {
      kind: dialect.kind,
      tenants,
      models,
      devices,
      accounts,
      groups,
      layers,
      events: new Events(core),
      lifecycle: new Lifecycles(core),
      stats: new FleetStats(core),
      tokens: new ApiTokens(core),
      users: new Users(core),
      sessions: new Sessions(core),
      redirects: new Redirects(core),
      activationCodes: new ActivationCodes(core),
      reports: new Reports(core),
      deviceKeys: new DeviceKeys(core),
      firmware: new Firmware(core),
      rollouts: new Rollouts(core),
      audit,
      changes: hub,
      async resealSecrets(options) {
        const result = await resealSecrets(core);
        await audit.append({
          actor: options?.actor ?? "system",
          action: "secrets.reseal",
          entity: "store",
          after: result,
        });
        return result;
      },
      masterKey: {
        async state() {
          const state = await readKeyState(dialect.db);
          const processes = await listKeyProcesses(dialect.db);
          return {
            current: state.current ?? null,
            next: state.next ?? null,
            sealing: state.sealing ?? null,
            processes: processes.map(({ host, pid, command, holds, seals, nextFile }) => ({
              host,
              pid,
              command,
              holds,
              seals,
              nextFile,
            })),
          };
        },
        countByKey: () => core.run(() => countSealedByKey(core)),
        async rotate(next, options) {
          if (readOnly) throw storeError("STORE_READ_ONLY", "this store was opened read-only");
          if (keyWatch === undefined) {
            throw storeError("STORE_MASTER_KEY_MISMATCH", "this store's sealer holds one key only");
          }
          const result = await core.run(() => rotateMasterKey(core, keyWatch, next, options));
          await audit.append({
            actor: options?.actor ?? "system",
            action: "secrets.rotate",
            entity: "store",
            after: { keyId: next, ...result },
          });
          return result;
        },
      },
      async check(): Promise<StoreCheckResult> {
        const problems = await dialect.check();
        return { ok: problems.length === 0, problems };
      },
      close(): Promise<void> {
        closed ??= (async () => {
          await keyWatch?.stop();
          await stopWatching();
          await hub.close();
          await dialect.destroy();
        })();
        return closed;
      },
    };
    return store;
  } catch (error) {
    await dialect.destroy().catch(() => undefined);
    throw error;
  }
}
