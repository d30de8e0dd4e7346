/**
 * One master key per installation: the database records which key sealed its secrets (a
 * fingerprint), a process with another key refuses to open it — naming the fix — and a
 * re-seal moves an installation to a new key, resumably.
 *
 * The case first, through the real CLI on PostgreSQL: with PROVISIO_DATABASE_URL set,
 * a management command run from another directory without `--data` (so with a different
 * `./data/master.key`) must refuse instead of sealing secrets under the wrong key.
 */
import { randomUUID } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { generateMasterKey, type MasterKey, sealSecret } from "../../src/crypto/index.ts";
import { keyFileSealer, masterKeyId, sealerFor } from "../../src/server/index.ts";
import { openStore, parseMac, type Store, type StoreOptions } from "../../src/store/index.ts";
import { provisio, tempDir } from "../cli/helpers.ts";
import { startTestNode } from "../server/helpers.ts";
import { dialects, macFor, PG_URL } from "./dialects.ts";

const MAC = parseMac("000e08aa0001");

const schemas: string[] = [];

async function pgAdmin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

afterAll(async () => {
  for (const schema of schemas) await pgAdmin(`drop schema if exists ${schema} cascade`);
});

/** An installation's database as the CLI reaches it: PostgreSQL (env) or a SQLite file (flag). */
async function database(
  kind: "sqlite" | "postgres",
  dir: string,
): Promise<{ env: Record<string, string>; flags: string[] }> {
  if (kind === "postgres") {
    const schema = `t_mk_${randomUUID().replaceAll("-", "").slice(0, 12)}`;
    await pgAdmin(`create schema ${schema}`);
    schemas.push(schema);
    return {
      env: { PROVISIO_DATABASE_URL: PG_URL, PROVISIO_DATABASE_SCHEMA: schema },
      flags: [],
    };
  }
  return { env: {}, flags: ["--database", join(dir, "shared.db")] };
}

describe.each(["postgres", "sqlite"] as const)(
  "a management command with another master key (%s)",
  (kind) => {
    it("refuses to write, names the fix, and leaves the database as it was", async () => {
      const dir = tempDir(`mk-${kind}`);
      const db = await database(kind, dir);
      const installation = join(dir, "srv", "data");
      const added = await provisio(
        [
          "account",
          "add",
          "--id",
          "C-1",
          "--line",
          "1:user_id=1001,password=first-secret",
          "--data",
          installation,
          ...db.flags,
        ],
        { env: db.env },
      );
      expect(added.code, added.stderr).toBe(0);

      // Another directory, no --data: the command's own ./data/master.key is a different key.
      const elsewhere = join(dir, "elsewhere");
      mkdirSync(elsewhere);
      const wrong = await provisio(
        [
          "account",
          "add",
          "--id",
          "C-2",
          "--line",
          "1:user_id=1002,password=second-secret",
          ...db.flags,
        ],
        { env: db.env, cwd: elsewhere },
      );
      expect(wrong.code, wrong.stderr).not.toBe(0);
      expect(wrong.stderr).toContain("sealed under master key");
      expect(wrong.stderr).toContain("--data");
      expect(wrong.stderr).toContain("master_key_file");
      expect(wrong.stderr).toContain(join(elsewhere, "data", "master.key"));

      // Nothing was written: the installation still has exactly its one account, readable.
      const list = await provisio(
        ["account", "list", "--json", "--data", installation, ...db.flags],
        {
          env: db.env,
        },
      );
      expect(list.code, list.stderr).toBe(0);
      const refs = list.stdout
        .trim()
        .split("\n")
        .map((l) => (JSON.parse(l) as { reference: string }).reference);
      expect(refs).toEqual(["C-1"]);
      // And with the right key the command works, after the refusal as before it.
      const right = await provisio(
        ["account", "add", "--id", "C-3", "--data", installation, ...db.flags],
        { env: db.env },
      );
      expect(right.code, right.stderr).toBe(0);
    }, 120_000);
  },
);

function keys(): [MasterKey, MasterKey] {
  return [generateMasterKey("k1"), generateMasterKey("k1")];
}

for (const dialect of dialects()) {
  describe(`master key record (${dialect.name})`, () => {
    it("records the key on first open, refuses another key, and the record is not the key", async () => {
      const fresh = await dialect.fresh();
      try {
        const [a, b] = keys();
        const store = await fresh.open({ sealer: sealerFor(a, "/etc/provisio/master.key") });
        await store.accounts.create({
          reference: "C-1",
          lines: [{ line: 1, userId: "1", password: "pw" }],
        });
        await store.close();
        const rows = await fresh.raw<{ name: string; value: string }>(
          "select name, value from installation where name = 'master_key_id'",
        );
        expect(rows).toEqual([
          { name: "master_key_id", value: expect.stringMatching(/^[0-9a-f]{16}$/) },
        ]);
        expect(rows[0]!.value).not.toContain(Buffer.from(a.key).toString("hex").slice(0, 16));
        await expect(
          fresh.open({ sealer: sealerFor(b, "./data/master.key") }),
        ).rejects.toMatchObject({
          code: "STORE_MASTER_KEY_MISMATCH",
          message: expect.stringContaining("./data/master.key"),
        });
        // The right key still opens it.
        const again = await fresh.open({ sealer: sealerFor(a) });
        await again.close();
      } finally {
        await fresh.dispose();
      }
    });

    it("adopts a database sealed before keys were recorded only when its secrets open", async () => {
      const fresh = await dialect.fresh();
      try {
        const [a, b] = keys();
        const store = await fresh.open({ sealer: sealerFor(a) });
        await store.accounts.create({
          reference: "C-1",
          lines: [{ line: 1, userId: "1", password: "pw" }],
        });
        await store.close();
        await fresh.raw("delete from installation where name = 'master_key_id'"); // as written before this check existed
        await expect(fresh.open({ sealer: sealerFor(b) })).rejects.toMatchObject({
          code: "STORE_MASTER_KEY_MISMATCH",
        });
        expect(await fresh.raw("select * from installation where name = 'master_key_id'")).toEqual(
          [],
        );
        await (await fresh.open({ sealer: sealerFor(a) })).close();
        expect(
          await fresh.raw("select name from installation where name = 'master_key_id'"),
        ).toEqual([{ name: "master_key_id" }]);
      } finally {
        await fresh.dispose();
      }
    });

    it("rotates online: a process without the new key blocks it; every process follows; nothing stays under the old key", async () => {
      const fresh = await dialect.fresh();
      const dir = tempDir(`mk-ring-${dialect.name}`);
      const opened: Store[] = [];
      try {
        const [old, next] = keys();
        const fileA = join(dir, "a", "master.key");
        const fileC = join(dir, "c", "master.key");
        for (const file of [fileA, fileC]) {
          mkdirSync(dirname(file), { recursive: true });
          writeFileSync(file, Buffer.from(old.key).toString("hex"));
        }
        const open = async (file: string) => {
          const store = await fresh.open({ sealer: keyFileSealer(file) });
          opened.push(store);
          return store;
        };
        const a = await open(fileA);
        const account = await a.accounts.create({
          reference: "C-1",
          lines: [
            { line: 1, userId: "1", password: "line-one" },
            { line: 2, userId: "2", password: "line-two" },
          ],
        });
        await a.devices.create({ mac: MAC, deviceKey: "device-key", accountId: account.id });
        await a.layers.set({ scope: "device", mac: MAC }, [
          { name: "Admin_Passwd", value: "admin-secret", access: "na" },
        ]);
        // A value sealed before keys were named by their fingerprint (as every one was): `k1`.
        const legacy = sealSecret(old, "line-two", {
          context: `account:${account.id}:line:2:password`,
        });
        expect(legacy.startsWith("pv1:k1:")).toBe(true);
        await fresh.raw(
          `update account_lines set password = '${legacy}' where account_id = '${account.id}' and line = 2`,
        );
        const c = await open(fileC); // a node with its own key file
        const oldId = masterKeyId(old);
        const nextId = masterKeyId(next);
        writeFileSync(`${fileA}.next`, Buffer.from(next.key).toString("hex"));

        const rotator = await open(fileA);
        await expect(
          rotator.masterKey.rotate(nextId, { answerTimeoutMs: 10_000 }),
        ).rejects.toMatchObject({
          code: "STORE_MASTER_KEY_ROTATION_BLOCKED",
          message: expect.stringContaining(`${fileC}.next`),
        });
        // Nothing was sealed under the new key: the process without it still reads everything.
        expect(Object.keys(await rotator.masterKey.countByKey()).sort()).toEqual(
          [oldId, "k1"].sort(),
        );
        expect((await c.accounts.get(account.id)).lines[1]!.password!.reveal()).toBe("line-two");

        copyFileSync(`${fileA}.next`, `${fileC}.next`);
        // Written while the rotation runs, by either process, before and after they switch.
        // (PostgreSQL only: two SQLite connections in one process writing at once block each
        // other's event loop — better-sqlite3 waits synchronously; the process tests cover it.)
        const concurrent = dialect.name === "postgres";
        const during: Promise<unknown>[] = [];
        const result = await rotator.masterKey.rotate(nextId, {
          answerTimeoutMs: 10_000,
          onProgress: (line) => {
            if (!concurrent) return;
            if (line.startsWith("announced")) {
              during.push(c.devices.update(MAC, { deviceKey: "written-before-switch" }));
            }
            if (line.includes("sealing every secret again")) {
              during.push(
                a.accounts.update(account.id, {
                  lines: [
                    { line: 1, userId: "1", password: "written-during" },
                    { line: 2, userId: "2", password: "line-two" },
                  ],
                }),
              );
            }
          },
        });
        await Promise.all(during);
        expect(during).toHaveLength(concurrent ? 2 : 0);
        expect(result.processes).toBe(2);
        // Nothing under another key, what was written meanwhile included.
        expect(await rotator.masterKey.countByKey()).toEqual({ [nextId]: 4 });
        expect(await rotator.masterKey.state()).toMatchObject({
          current: nextId,
          next: null,
          sealing: null,
        });
        for (const store of [a, c]) {
          const lines = (await store.accounts.get(account.id)).lines;
          expect(lines.map((l) => l.password!.reveal())).toEqual([
            concurrent ? "written-during" : "line-one",
            "line-two",
          ]);
          expect((await store.devices.get(MAC)).deviceKey!.reveal()).toBe(
            concurrent ? "written-before-switch" : "device-key",
          );
          const layer = await store.layers.get({ scope: "device", mac: MAC });
          expect(layer?.parameters[0]?.value).toBe("admin-secret");
        }
        // Both seal under the new key now, and a process with only the old key is refused.
        await c.devices.update(MAC, { deviceKey: "after" });
        expect(await rotator.masterKey.countByKey()).toEqual({ [nextId]: 4 });
        await expect(fresh.open({ sealer: sealerFor(old) })).rejects.toMatchObject({
          code: "STORE_MASTER_KEY_MISMATCH",
        });
        await (await open(fileA)).close(); // master.key old, .next the installation's: opens
      } finally {
        for (const store of opened) await store.close();
        await fresh.dispose();
      }
    }, 120_000);

    it("a process that starts mid-rotation follows it; an interrupted rotation resumes", async () => {
      const fresh = await dialect.fresh();
      const dir = tempDir(`mk-mid-${dialect.name}`);
      const opened: Store[] = [];
      try {
        const [old, next] = keys();
        const file = join(dir, "master.key");
        writeFileSync(file, Buffer.from(old.key).toString("hex"));
        const a = await fresh.open({ sealer: keyFileSealer(file) });
        opened.push(a);
        await a.devices.bulkUpsert(
          Array.from({ length: 1_200 }, (_, i) => ({
            mac: parseMac(macFor(i)),
            deviceKey: `k${i}`,
          })),
        );
        writeFileSync(`${file}.next`, Buffer.from(next.key).toString("hex"));
        const nextId = masterKeyId(next);
        // Interrupted after the first page: the rotation's process stops there.
        const first = await fresh.open({ sealer: keyFileSealer(file) });
        await expect(
          first.masterKey.rotate(nextId, {
            onProgress: (line) => {
              if (line.includes("a page of")) throw new Error("interrupted");
            },
          }),
        ).rejects.toThrow("interrupted");
        await first.close();
        const counts = await a.masterKey.countByKey();
        expect(counts[nextId]).toBeGreaterThan(0);
        expect(counts[masterKeyId(old)]).toBeGreaterThan(0);
        // A process that starts now holds both keys, reads both, seals under the new one.
        const late = await fresh.open({ sealer: keyFileSealer(file) });
        opened.push(late);
        expect((await late.devices.get(parseMac(macFor(0)))).deviceKey!.reveal()).toBe("k0");
        expect((await late.devices.get(parseMac(macFor(1_199)))).deviceKey!.reveal()).toBe("k1199");
        await late.devices.update(parseMac(macFor(5)), { deviceKey: "late" });
        const [row] = await fresh.raw<{ device_key: string }>(
          `select device_key from devices where mac = '${parseMac(macFor(5))}'`,
        );
        expect(row!.device_key.startsWith(`pv1:${nextId}:`)).toBe(true);
        // Run again: it resumes and finishes.
        const again = await fresh.open({ sealer: keyFileSealer(file) });
        opened.push(again);
        await again.masterKey.rotate(nextId);
        expect(await again.masterKey.countByKey()).toEqual({ [nextId]: 1_200 });
      } finally {
        for (const store of opened) await store.close();
        await fresh.dispose();
      }
    }, 120_000);
  });
}

describe("a server node with another master key", () => {
  it("refuses to start, naming its key file", async () => {
    const dir = tempDir("mk-node");
    const db = join(dir, "shared.db");
    const first = await startTestNode(join(dir, "a"), { database: db });
    await first.store.accounts.create({
      reference: "C-1",
      lines: [{ line: 1, userId: "1", password: "pw" }],
    });
    await first.close();
    await expect(startTestNode(join(dir, "b"), { database: db })).rejects.toMatchObject({
      code: "STORE_MASTER_KEY_MISMATCH",
      message: expect.stringContaining(join(dir, "b", "master.key")),
    });
    // The installation's own data directory still starts.
    await (await startTestNode(join(dir, "a"), { database: db })).close();
  }, 120_000);
});

describe("provisio master-key rotate", () => {
  it("seals every secret again under a new key and installs it; the old key no longer opens the database", async () => {
    const dir = tempDir("mk-rotate");
    const data = join(dir, "data");
    expect(
      (
        await provisio([
          "account",
          "add",
          "--id",
          "C-1",
          "--line",
          "1:user_id=1,password=s3cret",
          "--data",
          data,
        ])
      ).code,
    ).toBe(0);
    const before = readFileSync(join(data, "master.key"), "utf8");
    const shown = await provisio(["master-key", "show", "--json", "--data", data]);
    const oldId = (JSON.parse(shown.stdout) as { keyId: string }).keyId;

    const rotated = await provisio(["master-key", "rotate", "--json", "--data", data]);
    expect(rotated.stderr).toBe("");
    expect(rotated.code).toBe(0);
    const result = JSON.parse(rotated.stdout) as { keyId: string; passwords: number };
    expect(result.passwords).toBe(1);
    expect(result.keyId).not.toBe(oldId);
    expect(readFileSync(join(data, "master.key.retired"), "utf8")).toBe(before);
    expect(readFileSync(join(data, "master.key"), "utf8")).not.toBe(before);
    expect(existsSync(join(data, "master.key.next"))).toBe(false);

    expect((await provisio(["account", "list", "--data", data])).code).toBe(0);
    const options: StoreOptions = { kind: "sqlite", file: join(data, "provisio.db") };
    const { parseMasterKey } = await import("../../src/crypto/index.ts");
    await expect(
      openStore(options, { sealer: sealerFor(parseMasterKey("k1", before)) }),
    ).rejects.toMatchObject({ code: "STORE_MASTER_KEY_MISMATCH" });
  }, 120_000);

  it("--to FILE rotates to that key; show --count counts the values per key", async () => {
    const dir = tempDir("mk-rotate-to");
    const data = join(dir, "data");
    const added = await provisio([
      "account",
      "add",
      "--id",
      "C-1",
      "--line",
      "1:user_id=1,password=s3cret",
      "--data",
      data,
    ]);
    expect(added.code, added.stderr).toBe(0);
    const chosen = generateMasterKey("k1");
    const file = join(dir, "chosen.key");
    writeFileSync(file, chosen.text, { mode: 0o600 });
    const rotated = await provisio([
      "master-key",
      "rotate",
      "--to",
      file,
      "--json",
      "--data",
      data,
    ]);
    expect(rotated.code, rotated.stderr).toBe(0);
    expect(JSON.parse(rotated.stdout)).toMatchObject({ keyId: masterKeyId(chosen), passwords: 1 });
    const shown = await provisio(["master-key", "show", "--count", "--json", "--data", data]);
    expect(shown.code, shown.stderr).toBe(0);
    expect(JSON.parse(shown.stdout)).toMatchObject({
      keyId: masterKeyId(chosen),
      installation: { keyId: masterKeyId(chosen), next: null, sealing: null },
      counts: { [masterKeyId(chosen)]: 1 },
    });
  }, 120_000);
});
