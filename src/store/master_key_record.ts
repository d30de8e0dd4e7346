/**
 * One master key per installation, enforced by the database: it records which key sealed its
 * secrets (`master_key_id`, a fingerprint the sealer computes — never the key), and a process
 * whose sealer does not hold that key cannot open it. Without this, a management command run
 * against a shared PostgreSQL from the wrong directory would seal new secrets under its own
 * `./data/master.key`, and the devices would get errors nobody could trace.
 *
 * An online rotation (`provisio master-key rotate`, `reseal.ts`) moves the record while nodes
 * keep serving. The installation table holds its state:
 * - `master_key_next`: the key being moved to is announced; every process loads it (from
 *   `<its key file>.next`) so it can open values sealed under it, but still seals under the
 *   current key;
 * - `master_key_sealing`: once every running process holds it, every process seals under it;
 * - `master_key_ping`: a nonce the rotation writes to learn which processes follow; each
 *   answers in its own row `master_key_process:<id>` (what it holds, what it seals under),
 *   written when it opens the store and removed when it closes it.
 * Each process reads this state when it opens the store and every second after
 * ({@link KeyWatch}); a process that lacks the announced key keeps serving what it can open and
 * says so (the rotation refuses to go on while such a process answers).
 */
import { hostname } from "node:os";
import type { Kysely } from "kysely";
import { storeError } from "./errors.ts";
import type { Database } from "./schema.ts";
import { type SealerKeyRing, type SecretSealer, sealContext } from "./secret.ts";

const CURRENT = "master_key_id";
const NEXT = "master_key_next";
const SEALING = "master_key_sealing";
const PING = "master_key_ping";
const PROCESS = "master_key_process:";

/** How often a process reads the installation's key state. */
export const KEY_WATCH_INTERVAL_MS = 1_000;

export interface MasterKeyState {
  /** The installation's key: what every secret is sealed under outside a rotation. */
  readonly current: string | undefined;
  /** A rotation's key, announced. */
  readonly next: string | undefined;
  /** Set when every process was told to seal under `next`. */
  readonly sealing: string | undefined;
  readonly ping: string | undefined;
}

/** What a process that opened the store says about its keys (its row). */
export interface KeyProcess {
  readonly id: string;
  readonly host: string;
  readonly pid: number;
  /** The command line's verb (`serve`, `device set`, …). */
  readonly command: string;
  /** Fingerprints of the keys it holds. */
  readonly holds: readonly string[];
  readonly seals: string;
  /** Where it looks for a new key. */
  readonly nextFile: string | null;
  /** The last ping it answered. */
  readonly ping: string | null;
  /** Epoch ms of its last answer (its own clock). */
  readonly at: number;
}

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

export async function readKeyState(db: Kysely<Database>): Promise<MasterKeyState> {
  const rows = await db
    .selectFrom("installation")
    .select(["name", "value"])
    .where("name", "in", [CURRENT, NEXT, SEALING, PING])
    .execute();
  const value = (name: string) => rows.find((r) => r.name === name)?.value;
  return { current: value(CURRENT), next: value(NEXT), sealing: value(SEALING), ping: value(PING) };
}

export async function listKeyProcesses(db: Kysely<Database>): Promise<KeyProcess[]> {
  const rows = await db
    .selectFrom("installation")
    .select(["name", "value"])
    .where("name", "like", `${PROCESS}%`)
    .execute();
  return rows.flatMap((row) => {
    try {
      return [{ ...(JSON.parse(row.value) as KeyProcess), id: row.name.slice(PROCESS.length) }];
    } catch {
      return [];
    }
  });
}

export async function forgetKeyProcess(db: Kysely<Database>, id: string): Promise<void> {
  await db.deleteFrom("installation").where("name", "=", `${PROCESS}${id}`).execute();
}

/** Announces `next` (nothing when it is announced already); refuses another rotation's key. */
export async function announceNextKey(db: Kysely<Database>, next: string): Promise<void> {
  await db
    .insertInto("installation")
    .values({ name: NEXT, value: next })
    .onConflict((oc) => oc.column("name").doNothing())
    .execute();
  const announced = await read(db, NEXT);
  if (announced !== next) {
    throw storeError(
      "STORE_MASTER_KEY_ROTATION_BLOCKED",
      `a rotation to master key ${announced} was started and has not finished; run "provisio master-key rotate" with that key in MASTER_KEY_FILE.next to finish it`,
      { announced: announced ?? null, next },
    );
  }
}

export async function sealUnderNextKey(db: Kysely<Database>, next: string): Promise<void> {
  await write(db, SEALING, next);
}

/** Asks every process to answer; returns the nonce their rows carry once they did. */
export async function pingKeyProcesses(db: Kysely<Database>, ping: string): Promise<void> {
  await write(db, PING, ping);
}

/** Every secret is sealed under `next`: it is the installation's key. */
export async function completeRotation(db: Kysely<Database>, next: string): Promise<void> {
  // Record first: interrupted between the two, the state still says "seal under next".
  await write(db, CURRENT, next);
  await db.deleteFrom("installation").where("name", "in", [NEXT, SEALING]).execute();
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
 * `STORE_MASTER_KEY_MISMATCH` naming the fix; does nothing for a sealer without `keyId`. A
 * sealer with a key ring passes when it holds the installation's key, and is set to seal
 * under the key the installation chooses.
 */
export async function checkMasterKey(
  db: Kysely<Database>,
  sealer: SecretSealer,
): Promise<KeyFollower | undefined> {
  const keyId = sealer.keyId;
  if (keyId === undefined) return undefined;
  let state = await readKeyState(db);
  if (state.current === undefined) {
    if (!(await opensExisting(db, sealer))) {
      throw mismatch(sealer, undefined);
    }
    // Two first openers at once: the first insert wins, the other compares against it.
    await db
      .insertInto("installation")
      .values({ name: CURRENT, value: keyId })
      .onConflict((oc) => oc.column("name").doNothing())
      .execute();
    state = await readKeyState(db);
  }
  const recorded = state.current ?? keyId;
  const ring = sealer.keyRing;
  const holds = ring === undefined ? recorded === keyId : ring.acquire(recorded);
  if (!holds) {
    throw mismatch(
      sealer,
      recorded,
      state.next === keyId
        ? `A rotation to this key was started and has not finished: run "provisio master-key rotate" again (it resumes). `
        : "",
    );
  }
  if (ring === undefined) return undefined;
  const follower = new KeyFollower(ring);
  follower.apply(state);
  return follower;
}

/** Applies the installation's key state to a process's ring, telling the operator once. */
export class KeyFollower {
  readonly #ring: SealerKeyRing;
  #told = "";

  constructor(ring: SealerKeyRing) {
    this.#ring = ring;
  }

  apply(state: MasterKeyState): void {
    const ring = this.#ring;
    const wanted = state.sealing ?? state.current;
    const needed = [state.current, state.next, state.sealing].filter(
      (id): id is string => id !== undefined,
    );
    const missing = [...new Set(needed)].filter((id) => !ring.acquire(id));
    if (wanted !== undefined && ring.held().includes(wanted) && ring.sealing() !== wanted) {
      ring.sealWith(wanted);
      ring.notify({
        level: "info",
        message: `sealing new secrets under master key ${wanted}`,
        details: { keyId: wanted },
      });
    }
    const told = missing.join(",");
    if (told === this.#told) return;
    this.#told = told;
    if (missing.length > 0) {
      ring.notify({
        level: "error",
        message:
          `the installation is moving to master key ${missing.join(", ")}, which this process does not have: ` +
          `copy the new key (MASTER_KEY_FILE.next where "provisio master-key rotate" runs) to ${ring.nextFile ?? "<master_key_file>.next"}. ` +
          "Until then it serves only the secrets sealed under the keys it holds, and the rotation waits for it.",
        details: { missing, nextFile: ring.nextFile ?? null },
      });
    } else if (state.next !== undefined && state.next !== state.sealing) {
      ring.notify({
        level: "info",
        message: `master key ${state.next} announced and loaded; sealing stays under ${ring.sealing()} until every process has it`,
        details: { keyId: state.next },
      });
    }
  }
}

/**
 * A process's side of the rotation: reads the key state every second, follows it, and answers
 * the rotation's pings in its own row. Errors (the database away) are retried on the next tick.
 */
export class KeyWatch {
  readonly id: string;
  readonly #db: Kysely<Database>;
  readonly #ring: SealerKeyRing;
  readonly #follower: KeyFollower;
  #timer: ReturnType<typeof setInterval> | undefined;
  #running: Promise<void> | undefined;
  #written = "";
  #stopped = false;

  constructor(db: Kysely<Database>, ring: SealerKeyRing, id: string, follower?: KeyFollower) {
    this.id = id;
    this.#db = db;
    this.#ring = ring;
    this.#follower = follower ?? new KeyFollower(ring);
  }

  async start(): Promise<void> {
    await this.tick();
    this.#timer = setInterval(() => void this.tick(), KEY_WATCH_INTERVAL_MS);
    this.#timer.unref();
  }

  /** Reads the state, follows it, answers (also called by the rotation on its own process). */
  tick(): Promise<void> {
    this.#running ??= this.#tick()
      .catch(() => undefined)
      .finally(() => {
        this.#running = undefined;
      });
    return this.#running;
  }

  async #tick(): Promise<void> {
    if (this.#stopped) return;
    const state = await readKeyState(this.#db);
    this.#follower.apply(state);
    const row = {
      host: hostname(),
      pid: process.pid,
      command: process.argv.slice(2, 4).join(" "),
      holds: [...this.#ring.held()].sort(),
      seals: this.#ring.sealing(),
      nextFile: this.#ring.nextFile ?? null,
      ping: state.ping ?? null,
    };
    const text = JSON.stringify(row);
    if (text === this.#written || this.#stopped) return;
    await write(this.#db, `${PROCESS}${this.id}`, JSON.stringify({ ...row, at: Date.now() }));
    this.#written = text;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== undefined) clearInterval(this.#timer);
    await this.#running;
    await forgetKeyProcess(this.#db, this.id).catch(() => undefined);
  }
}
