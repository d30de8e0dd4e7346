/**
 * Online master-key rotation with real processes: `provisio serve` nodes keep answering every
 * device throughout `provisio master-key rotate` — profiles carrying SIP passwords and a secret
 * parameter, AES profiles encrypted with each device's key — while the rotation is blocked by
 * a node with its own key file, killed with SIGKILL midway and run again. At the end every
 * sealed value (secure-provisioning keys and a secret written through the API during the
 * rotation included) is under the new key, none under the old one.
 * PostgreSQL (two nodes, a schema of its own) and SQLite (one node).
 */
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { gzipDecompress, isGzip, opensslDecrypt } from "../../src/crypto/index.ts";
import { keyFileSealer, masterKeyId, readMasterKey } from "../../src/server/index.ts";
import { type MacAddress, openStore, parseMac, type Store } from "../../src/store/index.ts";
import { BIN, macFor, provisio, tempDir } from "../cli/helpers.ts";
import { type ServeProcess, startServeProcess } from "../server/serve_process.ts";

const PG_URL = process.env.PROVISIO_TEST_PG ?? "postgres://postgres@127.0.0.1:5432/test";
const schemas: string[] = [];

async function pgAdmin(query: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    await client.query(query);
  } finally {
    await client.end();
  }
}

afterAll(async () => {
  for (const schema of schemas) await pgAdmin(`drop schema if exists ${schema} cascade`);
});

/** Devices whose profiles the load checks: every third one gets AES profiles. */
const SERVED = 24;
/** More device keys, so the rotation has several pages to seal (and can be killed midway). */
const BULK = 3_000;

interface Expected {
  password: string;
  admin: string;
  aesKey: string | null;
}

function servedMac(i: number): MacAddress {
  return parseMac(`000e08${(0xaa0000 + i).toString(16)}`);
}

async function populate(store: Store): Promise<Map<MacAddress, Expected>> {
  await store.models.upsert({ pn: "SPA962", psn: "962", family: "spa", lines: 6 });
  const expected = new Map<MacAddress, Expected>();
  for (let i = 0; i < SERVED; i++) {
    const mac = servedMac(i);
    const account = await store.accounts.create({
      reference: `A-${i}`,
      lines: [{ line: 1, userId: `10${i}`, password: `sip-pw-${i}` }],
    });
    const aesKey = i % 3 === 0 ? `device-key-${i}` : null;
    await store.devices.create({
      mac,
      modelPn: "SPA962",
      accountId: account.id,
      ...(aesKey === null ? {} : { deviceKey: aesKey, encryption: "aes" as const }),
    });
    await store.layers.set({ scope: "device", mac }, [
      { name: "Admin_Passwd", value: `admin-${i}`, access: "na" },
    ]);
    expected.set(mac, { password: `sip-pw-${i}`, admin: `admin-${i}`, aesKey });
  }
  await store.devices.bulkUpsert(
    Array.from({ length: BULK }, (_, i) => ({ mac: parseMac(macFor(i)), deviceKey: `bulk-${i}` })),
  );
  return expected;
}

/** The value of one element of a rendered flat profile. */
function element(xml: string, name: string): string | undefined {
  return new RegExp(`<${name} ua="[a-z]+">([^<]*)</${name}>`).exec(xml)?.[1];
}

/**
 * Fetches every served profile from each node in turn until stopped; each answer must be
 * 200 with the device's own secrets (`admin` may be either of two values for a device whose
 * secret is changed meanwhile).
 */
function load(
  nodes: readonly ServeProcess[],
  expected: Map<MacAddress, Expected>,
  alsoAccepted: Map<MacAddress, string>,
): { stop: () => Promise<{ requests: number; failures: string[] }> } {
  let running = true;
  let requests = 0;
  const failures: string[] = [];
  const loop = (async () => {
    while (running) {
      for (const node of nodes) {
        for (const [mac, want] of expected) {
          if (!running) return;
          requests++;
          try {
            const response = await fetch(`${node.http}/profile/${mac}.xml`);
            const body = Buffer.from(await response.arrayBuffer());
            if (response.status !== 200) {
              failures.push(`${mac} ${response.status} ${body.toString().slice(0, 200)}`);
              continue;
            }
            let xml: string;
            if (want.aesKey !== null) {
              const plain = opensslDecrypt(body, want.aesKey);
              xml = (isGzip(plain) ? gzipDecompress(plain) : plain).toString("utf8");
            } else xml = body.toString("utf8");
            const admin = element(xml, "Admin_Passwd");
            if (element(xml, "Password_1_") !== want.password) {
              failures.push(`${mac}: Password_1_ ${element(xml, "Password_1_")}`);
            }
            if (admin !== want.admin && admin !== alsoAccepted.get(mac)) {
              failures.push(`${mac}: Admin_Passwd ${admin}`);
            }
          } catch (error) {
            failures.push(`${mac}: ${String(error)}`);
          }
        }
      }
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return { requests, failures };
    },
  };
}

/**
 * Changes the served devices, their layers and accounts over and over (the secrets keep their
 * values): the nodes drop their cached records and read them again, opening secrets sealed
 * under whichever key sealed them last — without this, a node's caches would answer from
 * secrets opened before the rotation.
 */
function churn(
  store: Store,
  expected: Map<MacAddress, Expected>,
  skip: MacAddress,
): { stop: () => Promise<number> } {
  let running = true;
  let changes = 0;
  const loop = (async () => {
    while (running) {
      for (const [mac, want] of expected) {
        if (!running) return;
        if (mac === skip) continue;
        const device = await store.devices.get(mac);
        await store.devices.update(mac, { label: `churn-${changes}` });
        await store.layers.set({ scope: "device", mac }, [
          { name: "Admin_Passwd", value: want.admin, access: "na" },
        ]);
        const account = await store.accounts.get(device.accountId!);
        await store.accounts.update(account.id, {
          lines: [{ line: 1, userId: account.lines[0]!.userId, password: want.password }],
        });
        changes++;
        // better-sqlite3 answers synchronously: without a pause this loop would starve
        // the process's timers and sockets (the load, the store's own key watch).
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return changes;
    },
  };
}

/**
 * `provisio master-key rotate`, killed with SIGKILL once its stderr shows `killAt`. A shell
 * watches its stderr file and kills it, so the kill does not wait for this process's event
 * loop (busy with the load and, on SQLite, synchronous database calls).
 */
async function rotateKilledAt(
  args: readonly string[],
  env: Record<string, string>,
  killAt: string,
  dir: string,
): Promise<{ killed: boolean; stderr: string }> {
  const clean: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !k.startsWith("PROVISIO_")) clean[k] = v;
  }
  const err = join(dir, `rotate-${randomUUID()}.err`);
  const command = [process.execPath, BIN, "master-key", "rotate", "--wait", "10", ...args]
    .map((a) => `'${a.replaceAll("'", "'\\''")}'`)
    .join(" ");
  const script =
    `${command} 2>'${err}' & pid=$!; ` +
    `while kill -0 $pid 2>/dev/null; do ` +
    `if grep -q '${killAt}' '${err}'; then kill -9 $pid; echo killed; break; fi; sleep 0.02; done; ` +
    "wait $pid; true";
  const child = spawn("sh", ["-c", script], {
    cwd: tmpdir(),
    env: { ...clean, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout.setEncoding("utf8").on("data", (d: string) => {
    out += d;
  });
  await new Promise((resolve) => child.on("close", resolve));
  return { killed: out.includes("killed"), stderr: readFileSync(err, "utf8") };
}

async function scenario(kind: "postgres" | "sqlite"): Promise<void> {
  const dir = tempDir(`mk-online-${kind}`);
  const data = join(dir, "data");
  const env: Record<string, string> = {};
  const dbArgs: string[] = [];
  if (kind === "postgres") {
    const schema = `t_mkr_${randomUUID().replaceAll("-", "").slice(0, 12)}`;
    await pgAdmin(`create schema ${schema}`);
    schemas.push(schema);
    env.PROVISIO_DATABASE_SCHEMA = schema;
    dbArgs.push("--database", PG_URL);
  }
  const nodes: ServeProcess[] = [];
  let store: Store | undefined;
  let stopChurn: (() => Promise<number>) | undefined;
  let stopTraffic: (() => Promise<unknown>) | undefined;
  try {
    nodes.push(await startServeProcess(data, dbArgs, env));
    const keyFile = join(data, "master.key");
    const ownKey = join(dir, "b", "master.key");
    if (kind === "postgres") {
      // The second node has its own copy of the key, as on another machine.
      mkdirSync(join(dir, "b"));
      copyFileSync(keyFile, ownKey);
      nodes.push(
        await startServeProcess(data, dbArgs, { ...env, PROVISIO_MASTER_KEY_FILE: ownKey }),
      );
    }
    store = await openStore(
      kind === "postgres"
        ? { kind, connectionString: PG_URL, schema: env.PROVISIO_DATABASE_SCHEMA! }
        : { kind, file: join(data, "provisio.db") },
      { sealer: keyFileSealer(keyFile) },
    );
    const expected = await populate(store);
    const secure = await store.deviceKeys.bootstrap(servedMac(1), "https", Date.now());
    const secureKey = secure.current.key.reveal();
    const oldId = masterKeyId(readMasterKey(keyFile));
    const token = readFileSync(join(data, "initial-admin-token"), "utf8").trim();

    const changed = servedMac(2);
    const alsoAccepted = new Map([[changed, "changed-during-rotation"]]);
    const traffic = load(nodes, expected, alsoAccepted);
    const changes = churn(store, expected, changed);
    stopChurn = changes.stop;
    stopTraffic = traffic.stop;

    if (kind === "postgres") {
      // The node with its own key file does not have the new key: the rotation stops before
      // anything is sealed under it, naming where to copy it.
      const blocked = await provisio(
        ["master-key", "rotate", "--wait", "10", "--data", data, ...dbArgs],
        {
          env,
        },
      );
      expect(blocked.code, blocked.stderr).not.toBe(0);
      expect(blocked.stderr).toContain("STORE_MASTER_KEY_ROTATION_BLOCKED");
      expect(blocked.stderr).toContain(`${ownKey}.next`);
      expect(Object.keys(await store.masterKey.countByKey())).toEqual([oldId]);
      copyFileSync(`${keyFile}.next`, `${ownKey}.next`);
    }

    // Killed after its first page of secrets sealed again.
    const first = await rotateKilledAt(["--data", data, ...dbArgs], env, "a page of", dir);
    expect(first.killed, first.stderr).toBe(true);
    const newId = masterKeyId(readMasterKey(`${keyFile}.next`));
    const midway = await store.masterKey.countByKey();
    expect(midway[newId]).toBeGreaterThan(0);
    expect(midway[oldId]).toBeGreaterThan(0);
    expect(await store.masterKey.state()).toMatchObject({ current: oldId, sealing: newId });
    // A secret written through a node's API while the rotation is under way.
    const put = await fetch(
      `${nodes.at(-1)!.admin}/api/v1/devices/${changed}/layer/parameters/Admin_Passwd`,
      {
        method: "PUT",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({ value: "changed-during-rotation" }),
      },
    );
    expect(put.status).toBe(200);

    const again = await provisio(
      ["master-key", "rotate", "--json", "--wait", "10", "--data", data, ...dbArgs],
      { env },
    );
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ keyId: newId, processes: nodes.length + 1 });
    // Traffic goes on a little after the rotation finished, then stops.
    await new Promise((r) => setTimeout(r, 1_500));
    const churned = await changes.stop();
    const { requests, failures } = await traffic.stop();
    expect(failures).toEqual([]);
    expect(churned).toBeGreaterThan(0);
    expect(requests).toBeGreaterThan(SERVED * nodes.length);

    const counts = await store.masterKey.countByKey();
    // SERVED passwords + SERVED secret parameters + AES device keys + BULK keys + 1 secure key.
    expect(counts).toEqual({ [newId]: SERVED * 2 + SERVED / 3 + BULK + 1 });
    expect(counts[oldId] ?? 0).toBe(0);
    expect(await store.masterKey.state()).toMatchObject({ current: newId, next: null });
    expect(masterKeyId(readMasterKey(keyFile))).toBe(newId);
    expect(masterKeyId(readMasterKey(`${keyFile}.retired`))).toBe(oldId);
    expect(existsSync(`${keyFile}.next`)).toBe(false);
    expect((await store.deviceKeys.get(servedMac(1)))!.current.key.reveal()).toBe(secureKey);
    const layer = await store.layers.get({ scope: "device", mac: changed });
    expect(layer?.parameters.find((p) => p.name === "Admin_Passwd")?.value).toBe(
      "changed-during-rotation",
    );
    for (const node of nodes) {
      const xml = await (await fetch(`${node.http}/profile/${changed}.xml`)).text();
      expect(element(xml, "Admin_Passwd")).toBe("changed-during-rotation");
    }
    if (kind === "postgres") {
      // The node without the key said so in its log, and followed once it was copied.
      const said = nodes[1]!
        .logLines()
        .filter((l) => String(l.msg).includes("which this process does not have"));
      expect(said.length).toBeGreaterThan(0);
      // Restarted before its key file was replaced, it reads the new key from .next.
      await nodes[1]!.stop();
      nodes[1] = await startServeProcess(data, dbArgs, {
        ...env,
        PROVISIO_MASTER_KEY_FILE: ownKey,
      });
      const xml = await (await fetch(`${nodes[1].http}/profile/${servedMac(4)}.xml`)).text();
      expect(element(xml, "Password_1_")).toBe("sip-pw-4");
    }
  } finally {
    await stopChurn?.().catch(() => 0);
    await stopTraffic?.();
    await store?.close();
    for (const node of nodes) await node.stop();
  }
}

describe("provisio master-key rotate while nodes serve", () => {
  it("PostgreSQL, two nodes (one with its own key file): every request answered, nothing left under the old key", async () => {
    await scenario("postgres");
  }, 600_000);

  it("SQLite, one node: every request answered, nothing left under the old key", async () => {
    await scenario("sqlite");
  }, 600_000);
});
