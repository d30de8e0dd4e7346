import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import type { Kysely } from "kysely";
import type { Core } from "./core.ts";
import { resealDeviceKeys } from "./device_keys.ts";
import { storeError } from "./errors.ts";
import { resealParameters } from "./layer_codec.ts";
import {
  announceNextKey,
  completeRotation,
  forgetKeyProcess,
  type KeyProcess,
  type KeyWatch,
  listKeyProcesses,
  pingKeyProcesses,
  readKeyState,
  sealUnderNextKey,
} from "./master_key_record.ts";
import type { Database } from "./schema.ts";
import { type SecretSealer, sealContext } from "./secret.ts";
import type { ResealResult } from "./store.ts";

const PAGE = 1_000;

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
  onPage?: (sealed: number) => void,
): Promise<number> {
  let done = 0;
  let cursor = start;
  for (;;) {
    const rows = await page(cursor);
    if (rows.length === 0) return done;
    cursor = next(rows.at(-1)!);
    const todo = rows.filter(stale);
    if (todo.length === 0) continue;
    const sealed = await core.run(() =>
      core.dialect.writeTransaction(async (conn) => {
        let sealed = 0;
        for (const row of todo) sealed += await write(conn, row);
        return sealed;
      }),
    );
    done += sealed;
    onPage?.(sealed);
  }
}

/** The pages both the rotation and the count walk: rows after a keyset cursor, in its order. */
function devicesWithKeys(db: Kysely<Database>, after: string) {
  return db
    .selectFrom("devices")
    .select(["mac", "device_key"])
    .where("device_key", "is not", null)
    .where("mac", ">", after)
    .orderBy("mac")
    .limit(PAGE)
    .execute();
}

interface LineCursor {
  readonly account: string;
  readonly line: number;
}

function linesWithPasswords(db: Kysely<Database>, after: LineCursor) {
  return db
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
    .execute();
}

function reportsAfter(db: Kysely<Database>, after: string) {
  return db
    .selectFrom("device_reports")
    .select(["id", "entries"])
    .where("id", ">", after)
    .orderBy("id")
    .limit(PAGE)
    .execute();
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
export async function resealSecrets(
  core: Core,
  onPage?: (sealed: number) => void,
): Promise<ResealResult> {
  const sealer = core.sealer;
  const stale = (sealed: string): boolean => sealer.needsReseal?.(sealed) ?? true;

  const deviceKeys = await resealPages(
    core,
    "",
    (after) => devicesWithKeys(core.db, after),
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
    onPage,
  );

  const passwords = await resealPages(
    core,
    { account: "", line: 0 },
    (after) => linesWithPasswords(core.db, after),
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
    onPage,
  );

  const layerValues = await resealLayerValues(core.db, sealer, stale, (work) =>
    core.run(() => core.dialect.writeTransaction(work)),
  );
  const secureKeys = await resealDeviceKeys(core, stale);
  const reportValues = await resealReports(core, stale, onPage);
  return { deviceKeys, passwords, layerValues, secureKeys, reportValues };
}

/** The seal context of a report's secret value (as `reports.ts` seals it). */
const reportContext = (id: string, name: string): string => `report:${id}:${name}`;

interface StoredReportEntry {
  readonly n: string;
  readonly s?: string;
}

function reportEntries(json: string): StoredReportEntry[] {
  try {
    const parsed: unknown = JSON.parse(json);
    return Array.isArray(parsed) ? (parsed as StoredReportEntry[]) : [];
  } catch {
    return [];
  }
}

/** Device reports' secret values; a value no held key opens stays as it is (it reads as null). */
async function resealReports(
  core: Core,
  stale: (sealed: string) => boolean,
  onPage?: (sealed: number) => void,
): Promise<number> {
  const sealer = core.sealer;
  return resealPages(
    core,
    "",
    (after) => reportsAfter(core.db, after),
    (row) => row.id,
    (row) => reportEntries(row.entries).some((e) => typeof e.s === "string" && stale(e.s)),
    async (conn, row) => {
      let count = 0;
      const entries = reportEntries(row.entries).map((e) => {
        if (typeof e.s !== "string" || !stale(e.s)) return e;
        const context = reportContext(row.id, e.n);
        try {
          const again = sealer.seal(sealer.open(e.s, context), context);
          count++;
          return { ...e, s: again };
        } catch {
          return e;
        }
      });
      if (count === 0) return 0;
      const result = await conn
        .updateTable("device_reports")
        .set({ entries: JSON.stringify(entries) })
        .where("id", "=", row.id)
        .where("entries", "=", row.entries)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0 ? count : 0;
    },
    onPage,
  );
}

/**
 * How many sealed values each key id names, over every sealed column (`legacy` ids such as
 * `k1` are values sealed before keys were named by their fingerprint).
 */
export async function countSealedByKey(core: Core): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  const idOf = (sealed: string) => core.sealer.keyIdOf?.(sealed) ?? "unknown";
  const add = (sealed: string | null | undefined): void => {
    if (typeof sealed !== "string") return;
    const id = idOf(sealed);
    counts[id] = (counts[id] ?? 0) + 1;
  };
  const scan = async <R, C = string>(
    start: C,
    page: (after: C) => Promise<R[]>,
    key: (row: R) => C,
    each: (row: R) => void,
  ): Promise<void> => {
    let after = start;
    for (;;) {
      const rows = await page(after);
      if (rows.length === 0) return;
      after = key(rows.at(-1)!);
      for (const row of rows) each(row);
    }
  };
  const db = core.db;
  await scan(
    "",
    (after) => devicesWithKeys(db, after),
    (r) => r.mac,
    (r) => add(r.device_key),
  );
  await scan(
    { account: "", line: 0 },
    (after) => linesWithPasswords(db, after),
    (r) => ({ account: r.account_id, line: r.line }),
    (r) => add(r.password),
  );
  await scan(
    "",
    (after) =>
      db
        .selectFrom("layers")
        .select(["key", "parameters"])
        .where("key", ">", after)
        .orderBy("key")
        .limit(PAGE)
        .execute(),
    (r) => r.key,
    (r) => {
      try {
        for (const p of JSON.parse(r.parameters) as { sealed?: unknown }[]) {
          if (typeof p.sealed === "string") add(p.sealed);
        }
      } catch {
        // a corrupt row is the integrity check's business
      }
    },
  );
  await scan(
    "",
    (after) =>
      db
        .selectFrom("device_keys")
        .select(["mac", "key_sealed", "next_key_sealed"])
        .where("mac", ">", after)
        .orderBy("mac")
        .limit(PAGE)
        .execute(),
    (r) => r.mac,
    (r) => {
      add(r.key_sealed);
      add(r.next_key_sealed);
    },
  );
  await scan(
    "",
    (after) => reportsAfter(db, after),
    (r) => r.id,
    (r) => {
      for (const e of reportEntries(r.entries)) add(e.s);
    },
  );
  return counts;
}

export interface RotateOptions {
  /** How long to wait for a process that does not answer before treating it as stopped. */
  readonly answerTimeoutMs?: number;
  /** Progress lines for the operator. */
  readonly onProgress?: (line: string) => void;
}

export interface RotateResult extends ResealResult {
  /** The processes that answered the last ping (this one excluded). */
  readonly processes: number;
}

function describe(p: KeyProcess): string {
  return `${p.command || "process"} on ${p.host} (pid ${p.pid})`;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Writes a new ping and waits until every other process that opened the store answered it.
 * A process on this host whose pid is gone is forgotten at once; one that does not answer in
 * `timeoutMs` is treated as stopped (its row removed; it writes it again if it was only slow,
 * and the next ping sees it).
 */
async function roundTrip(
  db: Kysely<Database>,
  self: string,
  timeoutMs: number,
  progress: (line: string) => void,
): Promise<KeyProcess[]> {
  const ping = randomUUID();
  await pingKeyProcesses(db, ping);
  const deadline = Date.now() + timeoutMs;
  let waited = false;
  for (;;) {
    const rows = (await listKeyProcesses(db)).filter((p) => p.id !== self);
    const pending: KeyProcess[] = [];
    for (const p of rows) {
      if (p.ping === ping) continue;
      if (p.host === hostname() && !alive(p.pid)) {
        await forgetKeyProcess(db, p.id);
        progress(`${describe(p)} is not running: forgotten`);
      } else pending.push(p);
    }
    if (pending.length === 0) return rows.filter((p) => p.ping === ping);
    if (Date.now() > deadline) {
      for (const p of pending) {
        await forgetKeyProcess(db, p.id);
        progress(
          `${describe(p)} did not answer in ${Math.round(timeoutMs / 1000)} s: treated as stopped`,
        );
      }
      return rows.filter((p) => p.ping === ping);
    }
    if (!waited) {
      progress(`waiting for ${pending.map(describe).join(", ")}`);
      waited = true;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

function blocked(next: string, lacking: readonly KeyProcess[], what: string): Error {
  const list = lacking
    .map((p) => `${describe(p)}: copy the key to ${p.nextFile ?? "<its master_key_file>.next"}`)
    .join("; ");
  return storeError(
    "STORE_MASTER_KEY_ROTATION_BLOCKED",
    `${lacking.length} running process(es) ${what} master key ${next}: ${list}. ` +
      "They keep serving meanwhile. Run the command again once the key is there: it resumes.",
    {
      next,
      processes: lacking.map((p) => ({ host: p.host, pid: p.pid, nextFile: p.nextFile })),
    },
  );
}

function add(a: ResealResult, b: ResealResult): ResealResult {
  return {
    deviceKeys: a.deviceKeys + b.deviceKeys,
    passwords: a.passwords + b.passwords,
    layerValues: a.layerValues + b.layerValues,
    secureKeys: a.secureKeys + b.secureKeys,
    reportValues: a.reportValues + b.reportValues,
  };
}

const total = (r: ResealResult): number =>
  r.deviceKeys + r.passwords + r.layerValues + r.secureKeys + r.reportValues;

/**
 * Online master-key rotation to `next` (a key this process's ring holds), resumable from any
 * point: announce it; once every running process holds it, have every process seal under it;
 * seal again every value under another key, a page per transaction; pass again until a pass
 * finds none (values a process sealed under the old key just before it switched); then record
 * it as the installation's key. Each step is recorded in the database before the next starts,
 * so running it again continues where it stopped.
 */
export async function rotateMasterKey(
  core: Core,
  watch: KeyWatch,
  next: string,
  options: RotateOptions = {},
): Promise<RotateResult> {
  const db = core.db;
  const ring = core.sealer.keyRing;
  if (ring === undefined || !ring.acquire(next)) {
    throw storeError("STORE_MASTER_KEY_MISMATCH", `this process does not hold master key ${next}`, {
      next,
    });
  }
  const progress = options.onProgress ?? (() => undefined);
  const timeout = options.answerTimeoutMs ?? 30_000;
  const state = await readKeyState(db);
  let result: ResealResult = {
    deviceKeys: 0,
    passwords: 0,
    layerValues: 0,
    secureKeys: 0,
    reportValues: 0,
  };
  let processes: KeyProcess[] = [];
  if (state.current !== next) {
    await announceNextKey(db, next);
    if (state.sealing !== next) {
      progress(`announced master key ${next}; asking every running process whether it has it`);
      await watch.tick();
      processes = await roundTrip(db, watch.id, timeout, progress);
      const lacking = processes.filter((p) => !p.holds.includes(next));
      if (lacking.length > 0) throw blocked(next, lacking, "do not have");
      await sealUnderNextKey(db, next);
    }
    await watch.tick();
    processes = await roundTrip(db, watch.id, timeout, progress);
    const lacking = processes.filter((p) => p.seals !== next);
    if (lacking.length > 0) throw blocked(next, lacking, "do not seal under");
    progress(
      `${processes.length} other running process(es) seal under master key ${next}; sealing every secret again`,
    );
  }
  // Pass until a pass after the first finds nothing: a value sealed under the old key by a
  // process just before it switched may land after the pass that read its row. The processes
  // answer a ping between passes, which also gives such a write time to land.
  for (let pass = 1; ; pass++) {
    const done = await resealSecrets(core, (sealed) =>
      progress(`pass ${pass}: a page of ${sealed} secrets sealed again`),
    );
    result = add(result, done);
    progress(`pass ${pass}: ${total(done)} secrets sealed again`);
    if (pass > 1 && total(done) === 0) break;
    processes = await roundTrip(db, watch.id, timeout, progress);
    const lacking = processes.filter((p) => p.seals !== next);
    if (lacking.length > 0) throw blocked(next, lacking, "do not seal under");
  }
  await completeRotation(db, next);
  await watch.tick();
  return { ...result, processes: processes.length };
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
