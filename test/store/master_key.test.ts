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
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { generateMasterKey, type MasterKey } from "../../src/crypto/index.ts";
import { resealSealer, sealerFor } from "../../src/server/index.ts";
import { openStore, type StoreOptions } from "../../src/store/index.ts";
import { provisio, tempDir } from "../cli/helpers.ts";
import { startTestNode } from "../server/helpers.ts";
import { dialects, PG_URL } from "./dialects.ts";

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
    }, 60_000);
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

    it("re-seals under a new key: resumable, and afterwards only the new key opens the database", async () => {
      const fresh = await dialect.fresh();
      try {
        const [old, next] = keys();
        const store = await fresh.open({ sealer: sealerFor(old) });
        const account = await store.accounts.create({
          reference: "C-1",
          lines: [{ line: 1, userId: "1", password: "line-one-secret" }],
        });
        await store.close();

        // Interrupted: opened for the re-seal, closed before it ran.
        await (await fresh.open({ sealer: resealSealer(old, next) })).close();
        await expect(fresh.open({ sealer: sealerFor(next) })).rejects.toMatchObject({
          code: "STORE_MASTER_KEY_MISMATCH",
          message: expect.stringContaining("has not finished"),
        });
        // The old key still works meanwhile; the same command again finishes the job.
        await (await fresh.open({ sealer: sealerFor(old) })).close();
        const resealing = await fresh.open({ sealer: resealSealer(old, next) });
        expect(await resealing.resealSecrets()).toMatchObject({ passwords: 1 });
        await resealing.close();

        await expect(fresh.open({ sealer: sealerFor(old) })).rejects.toMatchObject({
          code: "STORE_MASTER_KEY_MISMATCH",
        });
        const after = await fresh.open({ sealer: sealerFor(next) });
        const found = await after.accounts.get(account.id);
        expect(found.lines[0]!.password!.reveal()).toBe("line-one-secret");
      } finally {
        await fresh.dispose();
      }
    });
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
  }, 60_000);
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
  }, 60_000);
});
