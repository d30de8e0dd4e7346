import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { isProvisioError } from "../../src/errors.ts";
import { parseMac } from "../../src/mac_address.ts";
import { dialects, type Fresh, macFor } from "./dialects.ts";

const CHILD = fileURLToPath(new URL("./fixtures/layer_edit_child.ts", import.meta.url));
const LAYERS = 60;

interface Outcome {
  readonly i: number;
  readonly outcome: string;
  readonly attempts: number;
}

/** Runs the layer-edit child (its own Store: own SQLite connection, own PostgreSQL pool). */
function editInChild(
  options: unknown,
  tag: string,
  mode: "create" | "patch",
  barrier: number,
): Promise<Outcome[]> {
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      CHILD,
      JSON.stringify(options),
      randomBytes(32).toString("hex"),
      tag,
      String(LAYERS),
      mode,
    ],
    {
      stdio: ["ignore", "pipe", "inherit"],
      env: { ...process.env, PROVISIO_TEST_BARRIER: String(barrier) },
    },
  );
  let out = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    out += chunk;
  });
  return new Promise((resolve, reject) =>
    child.on("exit", (code) =>
      code === 0
        ? resolve(
            out
              .trim()
              .split("\n")
              .map((line) => JSON.parse(line) as Outcome),
          )
        : reject(new Error(`child ${tag} exited with ${code}`)),
    ),
  );
}

for (const dialect of dialects()) {
  describe(`layer creation races (${dialect.name})`, () => {
    let db: Fresh | undefined;
    afterEach(async () => {
      await db?.dispose();
      db = undefined;
    });

    async function withDevices(): Promise<Fresh> {
      db = await dialect.fresh();
      const store = await db.open();
      await store.devices.bulkUpsert(
        Array.from({ length: LAYERS }, (_, i) => ({ mac: parseMac(macFor(i)) })),
      );
      return db;
    }

    it("expectedVersion 0 from two processes at once: each layer created once, the other STORE_CONFLICT", async () => {
      const fresh = await withDevices();
      const barrier = Date.now() + 2_500;
      const [a, b] = await Promise.all([
        editInChild(fresh.options, "a", "create", barrier),
        editInChild(fresh.options, "b", "create", barrier),
      ]);
      const store = await fresh.open();
      for (let i = 0; i < LAYERS; i++) {
        const outcomes = [a![i]!.outcome, b![i]!.outcome].sort();
        expect(outcomes).toEqual(["STORE_CONFLICT", "ok"]);
        const winner = a![i]!.outcome === "ok" ? "a" : "b";
        const layer = await store.layers.get({ scope: "device", mac: parseMac(macFor(i)) });
        expect(layer?.parameters).toEqual([{ name: `P_${winner}`, value: winner, access: null }]);
      }
    }, 120_000);

    it("read-modify-write from two processes creating the same layers: no edit is lost", async () => {
      const fresh = await withDevices();
      const barrier = Date.now() + 2_500;
      const results = await Promise.all([
        editInChild(fresh.options, "a", "patch", barrier),
        editInChild(fresh.options, "b", "patch", barrier),
      ]);
      expect(results.flat().every((r) => r.outcome === "ok")).toBe(true);
      const store = await fresh.open();
      const layers = await store.layers.list({ scope: "device", limit: 1_000 });
      expect(layers).toHaveLength(LAYERS);
      for (const layer of layers) {
        expect(layer.parameters.map((p) => p.name).sort()).toEqual(["P_a", "P_b"]);
      }
    }, 120_000);

    it("expectedVersion 0 on an existing layer, or a stale version: STORE_CONFLICT, nothing written", async () => {
      const fresh = await withDevices();
      const store = await fresh.open();
      const target = { scope: "device" as const, mac: parseMac(macFor(0)) };
      const first = await store.layers.set(target, [{ name: "A", value: "1", access: null }], {
        expectedVersion: 0,
      });
      const revision = await store.changes.currentRevision();
      for (const expectedVersion of [0, first.version - 1, first.version + 1]) {
        const error = await store.layers
          .set(target, [{ name: "B", value: "2", access: null }], { expectedVersion })
          .catch((e: unknown) => e);
        expect(isProvisioError(error) && error.code).toBe("STORE_CONFLICT");
      }
      expect((await store.layers.get(target))?.parameters.map((p) => p.name)).toEqual(["A"]);
      expect(await store.changes.currentRevision()).toBe(revision);
    });
  });
}
