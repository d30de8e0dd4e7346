import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { isProvisioError } from "../../src/errors.ts";
import { openStore } from "../../src/store/store.ts";
import { DEFAULT_TENANT_ID } from "../../src/store/types.ts";
import { dialects, type Fresh, testSealer } from "./dialects.ts";

const CHILD = fileURLToPath(new URL("./fixtures/bulk_import_child.ts", import.meta.url));

/** Runs the child fixture (which opens, and so migrates, the store); resolves to its exit code. */
function openInChild(options: unknown, count: number, barrier: number): Promise<number | null> {
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      CHILD,
      JSON.stringify(options),
      String(count),
      randomBytes(32).toString("hex"),
    ],
    {
      stdio: ["ignore", "ignore", "inherit"],
      env: { ...process.env, PROVISIO_TEST_BARRIER: String(barrier) },
    },
  );
  return new Promise((resolve) => child.on("exit", (code) => resolve(code)));
}

for (const dialect of dialects()) {
  describe(`migrations (${dialect.name})`, () => {
    let db: Fresh | undefined;
    afterEach(async () => {
      await db?.dispose();
      db = undefined;
    });

    it("creates the schema and the default tenant, and reopening migrates nothing twice", async () => {
      db = await dialect.fresh();
      const first = await db.open();
      const tenants = await first.tenants.list();
      expect(tenants.map((t) => t.slug)).toEqual(["default"]);
      const [tenant] = tenants;
      expect(tenant!.id).toBe(DEFAULT_TENANT_ID);
      expect(tenant!.settings.profilePaths).toEqual(["/profile/$MA.xml", "/$MA.xml"]);
      expect(tenant!.settings.encryption).toBe("none");
      const revision = await first.changes.currentRevision();
      await first.close();

      // Two more opens, one while another is open: nothing re-runs, nothing duplicates.
      const second = await db.open();
      const third = await db.open();
      expect(await third.tenants.list()).toHaveLength(1);
      expect(await second.changes.currentRevision()).toBe(revision);
      const migrations = await db.raw<{ name: string }>("select name from kysely_migration");
      expect(migrations.map((m) => m.name)).toEqual([
        "0001_initial",
        "0002_seal_layer_secrets",
        "0003_installation",
        "0004_account_line_fields",
        "0005_device_lifecycle",
        "0006_redirect_service",
        "0007_activation_codes",
        "0008_device_keys",
        "0009_firmware",
        "0010_device_reports",
        "0011_redirect_grants",
        "0012_firmware_names_per_tenant",
        "0013_users_sessions",
        "0014_device_search",
        "0015_never_seen",
      ]);
      expect(await third.check()).toEqual({ ok: true, problems: [] });
    });

    it("three processes opening a fresh database at once migrate it exactly once", async () => {
      db = await dialect.fresh();
      // The children wait for a common instant (after their start-up) before opening.
      const barrier = Date.now() + 2_500;
      const codes = await Promise.all(
        [1, 2, 3].map((n) => openInChild(db!.options, n * 10, barrier)),
      );
      expect(codes).toEqual([0, 0, 0]);
      const store = await db.open();
      const migrations = await db.raw<{ name: string }>("select name from kysely_migration");
      expect(migrations.map((m) => m.name)).toEqual([
        "0001_initial",
        "0002_seal_layer_secrets",
        "0003_installation",
        "0004_account_line_fields",
        "0005_device_lifecycle",
        "0006_redirect_service",
        "0007_activation_codes",
        "0008_device_keys",
        "0009_firmware",
        "0010_device_reports",
        "0011_redirect_grants",
        "0012_firmware_names_per_tenant",
        "0013_users_sessions",
        "0014_device_search",
        "0015_never_seen",
      ]);
      expect(await store.tenants.list()).toHaveLength(1);
      expect(await store.devices.count()).toBe(30);
      expect((await store.check()).ok).toBe(true);
    }, 120_000);
  });
}

describe("opening fails with a store error", () => {
  const sealer = testSealer();
  it("PostgreSQL unreachable: STORE_UNAVAILABLE (503)", async () => {
    const error = await openStore(
      { kind: "postgres", connectionString: "postgres://postgres@127.0.0.1:1/test" },
      { sealer },
    ).catch((e: unknown) => e);
    expect(isProvisioError(error) && [error.code, error.status]).toEqual([
      "STORE_UNAVAILABLE",
      503,
    ]);
  });

  it("SQLite file that is not a database: STORE_CORRUPT; unopenable path: STORE_UNAVAILABLE", async () => {
    const dir = mkdtempSync(join(tmpdir(), "provisio-store-bad-"));
    try {
      const file = join(dir, "garbage.db");
      writeFileSync(
        file,
        "this is not a database, just some text long enough to have a header".repeat(100),
      );
      const corrupt = await openStore({ kind: "sqlite", file }, { sealer }).catch(
        (e: unknown) => e,
      );
      expect(isProvisioError(corrupt) && corrupt.code).toBe("STORE_CORRUPT");
      writeFileSync(join(dir, "file"), "");
      const blocked = await openStore(
        { kind: "sqlite", file: join(dir, "file", "x.db") },
        { sealer },
      ).catch((e: unknown) => e);
      expect(isProvisioError(blocked) && blocked.code).toBe("STORE_UNAVAILABLE");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
