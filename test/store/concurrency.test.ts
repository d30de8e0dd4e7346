import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { parseMac } from "../../src/mac_address.ts";
import type { ChangeNotice } from "../../src/store/types.ts";
import { dialects, type Fresh, macFor } from "./dialects.ts";

const CHILD = fileURLToPath(new URL("./fixtures/bulk_import_child.ts", import.meta.url));

function importInChild(
  options: unknown,
  first: number,
  count: number,
  barrier: number,
): Promise<number | null> {
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      CHILD,
      JSON.stringify(options),
      String(count),
      randomBytes(32).toString("hex"),
      String(first),
    ],
    {
      stdio: ["ignore", "ignore", "inherit"],
      env: { ...process.env, PROVISIO_TEST_BARRIER: String(barrier) },
    },
  );
  return new Promise((resolve) => child.on("exit", (code) => resolve(code)));
}

for (const dialect of dialects()) {
  describe(`concurrent writers (${dialect.name})`, () => {
    let db: Fresh | undefined;
    afterEach(async () => {
      await db?.dispose();
      db = undefined;
    });

    it("concurrent changes get gap-free revisions, delivered once each and in order", async () => {
      db = await dialect.fresh();
      const store = await db.open();
      const seen: ChangeNotice[] = [];
      store.changes.subscribe((n) => seen.push(n));
      const start = await store.changes.currentRevision();
      await store.devices.create({ mac: parseMac(macFor(1)) });
      await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          i % 2 === 0
            ? store.groups.create({ name: `g${i}` })
            : store.layers.set({ scope: "device", mac: parseMac(macFor(1)) }, [
                { name: "N", value: String(i), access: null },
              ]),
        ),
      );
      const end = await store.changes.currentRevision();
      expect(end).toBe(start + 41);
      const revisions = (
        await db.raw<{ revision: number | string }>(
          "select revision from change_log order by revision",
        )
      ).map((r) => Number(r.revision));
      expect(revisions).toEqual(Array.from({ length: 41 }, (_, i) => start + 1 + i));
      expect(seen.map((n) => n.revision)).toEqual(revisions);
    });

    it("two processes importing at the same moment both finish, nothing lost", async () => {
      db = await dialect.fresh();
      const barrier = Date.now() + 2_500;
      const codes = await Promise.all([
        importInChild(db.options, 0, 5_000, barrier),
        importInChild(db.options, 1_000_000, 5_000, barrier),
      ]);
      expect(codes).toEqual([0, 0]);
      const store = await db.open();
      expect(await store.devices.count()).toBe(10_000);
      expect(await store.changes.currentRevision()).toBe(1 + 10);
      expect(await store.check()).toEqual({ ok: true, problems: [] });
    }, 120_000);
  });
}
