import { afterEach, describe, expect, it } from "vitest";
import { DEFAULT_TENANT_ID } from "../../src/store/types.ts";
import { dialects, type Fresh } from "./dialects.ts";

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
      expect(migrations.map((m) => m.name)).toEqual(["0001_initial"]);
      expect(await third.check()).toEqual({ ok: true, problems: [] });
    });
  });
}
