/**
 * Key and directory rotation without lock-out, across a fleet, over real sockets:
 *
 *   npx tsx bench/secprv_rotation.ts [--devices 10000] [--offline 0.05] [--concurrency 32] [--seed 1]
 *   [--database postgres://…]   (default: SQLite in a temp directory)
 *
 * Scenario: one node (HTTP on loopback, one device-plane process), a tenant with secure
 * provisioning on, N SPA112 units. Each unit is a minimal client that behaves as the emulator
 * does with keys: it fetches `/profile/<mac>.xml` once (the bootstrap, a file targeted to its
 * MAC, opened with the installation's targeting secret), then only `/secure/$B/<mac>.cfg`,
 * decrypting with `$SA` (`src/crypto`'s device-side decoder, MD5 KDF) and taking the
 * `GPP_SA`/`GPP_B` the file sets (`src/profile`'s XML parser). After every unit fetched once
 * with its first pair:
 *
 *   1. rotation 1 for the whole tenant; a random 5 % go offline;
 *   2. the online units fetch at random times (0–3 fetches each, shuffled over the fleet);
 *      rotation 2 is asked for half-way, while many units hold a pair they have not fetched
 *      with yet;
 *   3. rotation 3; another round of random fetches;
 *   4. the offline units come back (three rotations later) and everyone fetches until the
 *      server has no rotation pending for it (at most 6 fetches).
 *
 * A unit is locked out when a fetch with the pair it holds is not answered 200 or does not
 * decrypt with its key. Prints the counts, requests, wall and CPU seconds and the load
 * average; exits 1 when any unit was locked out. `runRotationScenario` is also the smaller
 * test (test/e2e/secure_provisioning_rotation.test.ts).
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import pg from "pg";
import pino from "pino";
import {
  decodeProfileBytes,
  isSpcContainer,
  openSpcContainer,
  parseInstallationSecret,
} from "../src/crypto/index.ts";
import { parseXmlProfile } from "../src/profile/index.ts";
import { loadServeConfig, startNode } from "../src/server/index.ts";
import { type MacAddress, parseMac } from "../src/store/index.ts";

export interface RotationScenarioOptions {
  readonly devices: number;
  /** Fraction of units offline from rotation 1 until after rotation 3. */
  readonly offline: number;
  readonly concurrency: number;
  readonly seed: number;
  /** PostgreSQL URL; SQLite in a temp directory without. */
  readonly database?: string | undefined;
  readonly log?: (line: string) => void;
}

export interface RotationScenarioResult {
  readonly devices: number;
  readonly offline: number;
  readonly lockedOut: number;
  /** Units whose final pair differs from the server's current one, or that still rotate. */
  readonly unsettled: number;
  readonly requests: number;
  readonly failures: readonly string[];
  readonly rotationsCompleted: number;
  readonly maxGenerationsBehind: number;
  readonly seconds: number;
  readonly cpuSeconds: number;
}

/** A small deterministic PRNG (mulberry32): the same seed, the same schedule. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffle<T>(items: T[], rand: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

interface Unit {
  readonly mac: MacAddress;
  key: string;
  dir: string;
  lockedOut: boolean;
}

function pairOf(xml: string): { key: string; dir: string } {
  const parsed = parseXmlProfile(xml);
  const value = (name: string) => parsed.entries.find((e) => e.name === name)?.value;
  const key = value("GPP_SA");
  const dir = value("GPP_B");
  if (key === undefined || dir === undefined) throw new Error("the profile sets no key pair");
  return { key, dir };
}

/**
 * GET with the units' patience: a 503 or 429 (an overloaded server's "come back later") is
 * retried after a short wait, as a unit retries on its error schedule; anything else is the
 * answer.
 */
async function get(url: string): Promise<Response> {
  for (let attempt = 0; ; attempt++) {
    const res = await fetch(url);
    if ((res.status !== 503 && res.status !== 429) || attempt >= 50) return res;
    await res.arrayBuffer();
    await new Promise((r) => setTimeout(r, 50 + attempt * 20));
  }
}

/** Runs `work` over `items` with at most `limit` in flight. */
async function pool<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>) {
  let next = 0;
  const runners = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await work(items[next++]!);
  });
  await Promise.all(runners);
}

export async function runRotationScenario(
  options: RotationScenarioOptions,
): Promise<RotationScenarioResult> {
  const log = options.log ?? (() => undefined);
  const rand = random(options.seed);
  const dir = mkdtempSync(join(tmpdir(), "provisio-secprv-"));
  // Its own schema on PostgreSQL (created by the store), so no run meets another's records.
  const schema = `secprv_${process.pid}_${options.seed}_${Date.now() % 1e6}`;
  const config = loadServeConfig({
    flags: {
      data: join(dir, "data"),
      host: "127.0.0.1",
      httpPort: "0",
      httpsPort: "off",
      adminPort: "off",
      tftpPort: "off",
      ...(options.database === undefined ? {} : { database: options.database }),
    },
    env: {
      PROVISIO_LOG_ACCESS: "false",
      PROVISIO_WORKERS: "1",
      ...(options.database === undefined ? {} : { PROVISIO_DATABASE_SCHEMA: schema }),
    },
    cwd: dir,
  });
  const node = await startNode(config, {
    logger: pino({ level: "silent" }),
    issueInitialToken: false,
  });
  const started = performance.now();
  const cpuStart = process.cpuUsage();
  const base = `http://127.0.0.1:${node.addresses.http!.port}`;
  const { store } = node;
  const failures: string[] = [];
  let requests = 0;
  try {
    await store.tenants.update("default", {
      settings: { profilePaths: ["/profile/$MA.xml"], secureProvisioning: "on" },
    });
    await store.layers.set({ scope: "tenant", tenantId: "default" }, [
      { name: "Resync_Periodic", value: "3600", access: "na" },
      { name: "Proxy_1_", value: "sip.example.net", access: "na" },
      { name: "Admin_Passwd", value: "r0tation-admin", access: "na" },
    ]);
    const macs = Array.from({ length: options.devices }, (_, i) =>
      parseMac(`0e${(0x5ec000000 + i).toString(16).padStart(10, "0")}`),
    );
    for (let i = 0; i < macs.length; i += 5_000) {
      await store.devices.bulkUpsert(
        macs.slice(i, i + 5_000).map((mac) => ({ mac, modelPn: "SPA112" })),
      );
    }
    await node.cache.settled();

    const units: Unit[] = [];
    let secret: Buffer | undefined;
    await pool(macs, options.concurrency, async (mac) => {
      requests++;
      const res = await get(`${base}/profile/${mac}.xml`);
      if (res.status !== 200) throw new Error(`bootstrap of ${mac}: ${res.status}`);
      const body = Buffer.from(await res.arrayBuffer());
      if (!isSpcContainer(body)) throw new Error(`bootstrap of ${mac}: not a targeted file`);
      // The unit opens it with its MAC and the installation's targeting secret (firmware).
      secret ??= parseInstallationSecret(readFileSync(join(config.dataDir, "target.key"), "utf8"));
      const opened = openSpcContainer(body, { mac, installationSecret: secret });
      const pair = pairOf(opened.payload.toString("utf8"));
      units.push({ mac, ...pair, lockedOut: false });
    });
    log(`bootstrapped ${units.length} units`);

    /**
     * One fetch with the pair the unit holds; it takes the pair the file sets. A unit does one
     * resync at a time: a second fetch of the same unit waits for the first.
     */
    const busy = new Map<MacAddress, Promise<void>>();
    const fetchOnce = (unit: Unit): Promise<void> => {
      const run = async (): Promise<void> => {
        const { key, dir } = unit;
        requests++;
        const res = await get(`${base}/secure/${dir}/${unit.mac}.cfg`);
        const body = Buffer.from(await res.arrayBuffer());
        if (res.status !== 200) {
          unit.lockedOut = true;
          if (failures.length < 20) failures.push(`${unit.mac}: ${res.status} at its directory`);
          return;
        }
        try {
          const decoded = decodeProfileBytes(body, { key, digests: ["md5"] });
          const pair = pairOf(decoded.bytes.toString("utf8"));
          unit.key = pair.key;
          unit.dir = pair.dir;
        } catch (error) {
          unit.lockedOut = true;
          if (failures.length < 20) failures.push(`${unit.mac}: ${String(error)}`);
        }
      };
      const next = (busy.get(unit.mac) ?? Promise.resolve()).then(run);
      busy.set(unit.mac, next);
      return next;
    };
    await pool(units, options.concurrency, fetchOnce);
    log("every unit fetched with its first pair");

    const offline = new Set(
      shuffle([...units], rand).slice(0, Math.round(units.length * options.offline)),
    );
    const online = units.filter((u) => !offline.has(u));
    const randomFetches = (): Unit[] =>
      shuffle(
        online.flatMap((u) => Array.from({ length: Math.floor(rand() * 4) }, () => u)),
        rand,
      );

    await store.deviceKeys.rotate({ tenantId: "default" }, Date.now());
    const round1 = randomFetches();
    const half = Math.floor(round1.length / 2);
    await pool(round1.slice(0, half), options.concurrency, fetchOnce);
    await store.deviceKeys.rotate({ tenantId: "default" }, Date.now());
    await pool(round1.slice(half), options.concurrency, fetchOnce);
    log(`rotations 1 and 2: ${round1.length} random fetches`);
    await store.deviceKeys.rotate({ tenantId: "default" }, Date.now());
    const round2 = randomFetches();
    await pool(round2, options.concurrency, fetchOnce);
    log(`rotation 3: ${round2.length} random fetches; ${offline.size} units come back`);

    // Everyone, the returning units included, fetches until nothing is pending for it.
    for (let i = 0; i < 6; i++) {
      const rotating = new Set(
        (await store.deviceKeys.list({ rotating: true, limit: 100_000 })).map((k) => k.mac),
      );
      const todo = i === 0 ? units : units.filter((u) => rotating.has(u.mac));
      if (todo.length === 0) break;
      await pool(todo, options.concurrency, fetchOnce);
    }

    const stored = new Map(
      (await store.deviceKeys.list({ limit: 100_000 })).map((k) => [k.mac, k] as const),
    );
    let unsettled = 0;
    let rotationsCompleted = 0;
    let maxBehind = 0;
    for (const unit of units) {
      const keys = stored.get(unit.mac);
      if (
        keys === undefined ||
        keys.next !== null ||
        keys.current.directory !== unit.dir ||
        keys.current.key.reveal() !== unit.key
      ) {
        unsettled++;
      }
      rotationsCompleted += keys?.rotations ?? 0;
      maxBehind = Math.max(maxBehind, 3 - (keys?.rotations ?? 0));
    }
    const cpu = process.cpuUsage(cpuStart);
    return {
      devices: units.length,
      offline: offline.size,
      lockedOut: units.filter((u) => u.lockedOut).length,
      unsettled,
      requests,
      failures,
      rotationsCompleted,
      maxGenerationsBehind: maxBehind,
      seconds: (performance.now() - started) / 1000,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
    };
  } finally {
    await node.close();
    rmSync(dir, { recursive: true, force: true });
    if (options.database !== undefined) {
      const admin = new pg.Client({ connectionString: options.database });
      await admin.connect();
      await admin.query(`drop schema if exists ${schema} cascade`).finally(() => admin.end());
    }
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      devices: { type: "string", default: "10000" },
      offline: { type: "string", default: "0.05" },
      concurrency: { type: "string", default: "32" },
      seed: { type: "string", default: "1" },
      database: { type: "string" },
    },
  });
  const load = loadavg()
    .map((l) => l.toFixed(1))
    .join(" ");
  const result = await runRotationScenario({
    devices: Number(values.devices),
    offline: Number(values.offline),
    concurrency: Number(values.concurrency),
    seed: Number(values.seed),
    database: values.database,
    log: (line) => process.stdout.write(`  ${line}\n`),
  });
  process.stdout.write(
    `${JSON.stringify(result, null, 2)}\nload average at start ${load}, at end ${loadavg()
      .map((l) => l.toFixed(1))
      .join(" ")}\n`,
  );
  process.exit(result.lockedOut === 0 && result.unsettled === 0 ? 0 : 1);
}
