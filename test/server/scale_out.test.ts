/**
 * Two `provisio serve` processes on one PostgreSQL database (a schema of its own): a layer
 * changed through the first node's admin API is served by both within one second
 * (LISTEN/NOTIFY), and both stop cleanly on SIGTERM. PostgreSQL at 127.0.0.1:5432 (database `test`), as for the store tests.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseMasterKey } from "../../src/crypto/index.ts";
import { sealerFor } from "../../src/server/index.ts";
import { openStore, parseMac, type Store } from "../../src/store/index.ts";
import { curl, tempDir } from "./helpers.ts";

const PG_URL = process.env.PROVISIO_TEST_PG ?? "postgres://postgres@127.0.0.1:5432/test";
const ROOT = join(import.meta.dirname, "..", "..");
const MAC = parseMac("000e08cc0001");

interface ServeProcess {
  readonly child: ChildProcess;
  readonly http: string;
  readonly admin: string;
  readonly output: () => string;
  readonly exited: Promise<number | null>;
}

async function admin(query: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    await client.query(query);
  } finally {
    await client.end();
  }
}

function serve(dataDir: string, schema: string): Promise<ServeProcess> {
  const child = spawn(
    process.execPath,
    [
      join(ROOT, "bin", "provisio.js"),
      "serve",
      "--data",
      dataDir,
      "--host",
      "127.0.0.1",
      "--http-port",
      "0",
      "--https-port",
      "0",
      "--admin-port",
      "0",
      "--tftp-port",
      "off",
      "--database",
      PG_URL,
      "--workers",
      "1",
    ],
    {
      env: { ...process.env, PROVISIO_DATABASE_SCHEMA: schema, PROVISIO_FROM_SOURCE: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  child.stdout!.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start:\n${output}`)), 30_000);
    const check = (): void => {
      for (const line of output.split("\n")) {
        if (!line.startsWith("{")) continue;
        const entry = JSON.parse(line) as { msg?: string; http?: string; admin?: string };
        if (entry.msg === "provisio listening" && entry.http && entry.admin) {
          clearTimeout(timer);
          child.stdout!.off("data", check);
          resolve({ child, http: entry.http, admin: entry.admin, output: () => output, exited });
          return;
        }
      }
    };
    child.stdout!.on("data", check);
    void exited.then((code) => reject(new Error(`serve exited (${code}):\n${output}`)));
  });
}

const schema = `t_${randomUUID().replaceAll("-", "").slice(0, 16)}`;
const dataDir = join(tempDir("scale"), "data");
const nodes: ServeProcess[] = [];
let store: Store;

beforeAll(async () => {
  await admin(`create schema ${schema}`);
  // The first node bootstraps the shared data dir (master key, PKI); the second reuses it.
  nodes.push(await serve(dataDir, schema));
  nodes.push(await serve(dataDir, schema));
  const key = parseMasterKey("k1", readFileSync(join(dataDir, "master.key"), "utf8"));
  // A management connection, like `provisio layer set` from another machine.
  store = await openStore(
    { kind: "postgres", connectionString: PG_URL, schema },
    { sealer: sealerFor(key) },
  );
  await store.devices.create({ mac: MAC });
  await store.layers.set({ scope: "tenant", tenantId: "default" }, [
    { name: "Resync_Periodic", value: "3600", access: "na" },
  ]);
}, 120_000);

afterAll(async () => {
  for (const n of nodes) if (n.child.exitCode === null) n.child.kill("SIGKILL");
  await store?.close();
  await admin(`drop schema if exists ${schema} cascade`);
});

async function periodicOn(node: ServeProcess): Promise<string | undefined> {
  const r = await curl([`${node.http}/profile/${MAC}.xml`]);
  return /<Resync_Periodic ua="na">(\d+)<\/Resync_Periodic>/.exec(r.body)?.[1];
}

describe("two serve processes on one PostgreSQL", () => {
  it("serve a layer changed through one node's API on both nodes, through the change feed (no cache expires)", async () => {
    // Warm both caches.
    expect(await periodicOn(nodes[0]!)).toBe("3600");
    expect(await periodicOn(nodes[1]!)).toBe("3600");
    expect(await periodicOn(nodes[1]!)).toBe("3600");

    // The first start wrote the admin token to a 0600 file (no terminal; never on stdout).
    const token = readFileSync(join(dataDir, "initial-admin-token"), "utf8").trim();
    expect(token).toMatch(/^pvo_/);
    const put = await curl([
      "-X",
      "PUT",
      "-H",
      `Authorization: Bearer ${token}`,
      "-H",
      "Content-Type: application/json",
      "--data",
      '{"value":"900"}',
      `${nodes[0]!.admin}/api/v1/devices/${MAC}/layer/parameters/Resync_Periodic`,
    ]);
    expect(put.status).toBe(200);
    const changedAt = Date.now();
    const seen = await Promise.all(
      nodes.map(async (n) => {
        for (;;) {
          if ((await periodicOn(n)) === "900") return Date.now() - changedAt;
          // No cache here expires by age: without the change feed neither node would ever
          // serve 900, so a generous bound (a loaded CI box) still tells the two apart.
          if (Date.now() - changedAt > 20_000) return Number.POSITIVE_INFINITY;
          await new Promise((r) => setTimeout(r, 25));
        }
      }),
    );
    for (const ms of seen) expect(ms).not.toBe(Number.POSITIVE_INFINITY);
  }, 120_000);

  it("stop gracefully on SIGTERM, flushing the batched status writes", async () => {
    for (const n of nodes) n.child.kill("SIGTERM");
    const codes = await Promise.all(nodes.map((n) => n.exited));
    expect(codes).toEqual([0, 0]);
    for (const n of nodes) expect(n.output()).toContain('"msg":"stopped"');
    const device = await store.devices.get(MAC);
    expect(device.status?.result).toBe("ok");
    expect(device.status?.transport).toBe("http");
  }, 120_000);
});
