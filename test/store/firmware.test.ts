import { afterEach, describe, expect, it } from "vitest";
import { DEFAULT_TENANT_ID, parseMac } from "../../src/store/index.ts";
import { dialects, type Fresh } from "./dialects.ts";
import { undoAfter0012 } from "./undo_migrations.ts";

const SHA = "a".repeat(64);

// The firmware registry, policies and rollouts on both dialects: rows, audit, conditional
// rollout moves (one of two racing deciders wins), outcome counts and silent units.
for (const dialect of dialects()) {
  describe(`firmware and rollouts (${dialect.name})`, () => {
    let db: Fresh | undefined;
    afterEach(async () => {
      await db?.dispose();
      db = undefined;
    });

    it("images, policies, a rollout's waves, outcomes, silence and racing moves", async () => {
      db = await dialect.fresh();
      const store = await db.open();
      const image = await store.firmware.addImage({
        tenantId: DEFAULT_TENANT_ID,
        version: "7.5.5",
        models: ["SPA962"],
        fileName: "spa962-7.5.5.bin",
        sha256: SHA,
        bytes: 10,
      });
      expect(await store.firmware.imageByFile(DEFAULT_TENANT_ID, "spa962-7.5.5.bin")).toEqual(
        image,
      );
      await expect(
        store.firmware.addImage({ ...image, fileName: "spa962-7.5.5.bin" }),
      ).rejects.toMatchObject({ code: "STORE_CONFLICT" });
      await expect(
        store.firmware.addImage({ ...image, fileName: "../x.bin" }),
      ).rejects.toMatchObject({ code: "STORE_INVALID_INPUT" });

      const policy = await store.firmware.setPolicy({
        tenantId: DEFAULT_TENANT_ID,
        name: "p",
        target: "7.6.2",
        intermediates: ["7.5.5"],
        baseUrl: "http://prov.example.net:8080",
      });
      const replaced = await store.firmware.setPolicy({
        tenantId: DEFAULT_TENANT_ID,
        name: "p",
        target: "7.6.3",
        staged: true,
      });
      expect(replaced.id).toBe(policy.id);
      expect(replaced).toMatchObject({ target: "7.6.3", intermediates: [], staged: true });
      await expect(
        store.firmware.setPolicy({
          tenantId: DEFAULT_TENANT_ID,
          name: "q",
          target: "1.0.0",
          baseUrl: "ftp://x",
        }),
      ).rejects.toMatchObject({ code: "STORE_INVALID_INPUT" });

      const macs = ["000e08ee0001", "000e08ee0002", "000e08ee0003", "000e08ee0004"].map((m) =>
        parseMac(m),
      );
      await store.devices.bulkUpsert(macs.map((mac) => ({ mac, modelPn: "SPA962" })));
      expect((await store.rollouts.eligibleUnits(DEFAULT_TENANT_ID)).map((u) => u.mac)).toEqual(
        macs,
      );
      const rollout = await store.rollouts.create({
        policyId: policy.id,
        waves: [50, 100],
        failureThreshold: 50,
        silenceMs: 60_000,
        members: macs.map((mac, i) => ({ mac, wave: i < 2 ? 0 : 1, fromVersion: "7.4.8" })),
      });
      await expect(
        store.rollouts.create({
          policyId: policy.id,
          waves: [100],
          failureThreshold: 5,
          silenceMs: 60_000,
          members: [],
        }),
      ).rejects.toMatchObject({ code: "STORE_INVALID_INPUT" });
      const now = Date.now();
      await store.rollouts.recordOutcomes([
        {
          rolloutId: rollout.id,
          mac: macs[0]!,
          status: "upgraded",
          reportedVersion: "7.6.3",
          error: null,
          offeredAt: now,
          at: now,
        },
        {
          rolloutId: rollout.id,
          mac: macs[1]!,
          status: "offered",
          reportedVersion: "7.4.8",
          error: null,
          offeredAt: now - 120_000,
          at: now - 120_000,
        },
      ]);
      // The offered unit has been silent for two minutes (> 60 s): failed.
      expect(await store.rollouts.settleSilent(rollout.id, 0, now - 60_000, now)).toBe(1);
      const progress = await store.rollouts.progress(rollout.id);
      expect(
        progress.map((p) => [p.size, p.counts.upgraded, p.counts.failed, p.counts.waiting]),
      ).toEqual([
        [2, 1, 1, 0],
        [2, 0, 0, 2],
      ]);
      const failed = await store.rollouts.members(rollout.id, { status: "failed" });
      expect(failed[0]?.error).toBe("stopped resyncing after the upgrade was offered");

      // Two deciders halting at once: one wins, the other sees the move was made.
      const from = { state: "running" as const, wave: 0 };
      const to = { state: "halted" as const, wave: 0, reason: "wave 1: 1 of 2 units failed" };
      const moves = await Promise.all([
        store.rollouts.transition(rollout.id, from, to, { actor: "system:rollout" }),
        store.rollouts.transition(rollout.id, from, to, { actor: "system:rollout" }),
      ]);
      expect(moves.filter((m) => m !== null)).toHaveLength(1);
      // Resume: the wave's failures are offered again.
      const resumed = await store.rollouts.transition(
        rollout.id,
        { state: "halted", wave: 0 },
        { state: "running", wave: 0, reason: null },
        { retryFailed: true },
      );
      expect(resumed?.state).toBe("running");
      expect((await store.rollouts.progress(rollout.id))[0]!.counts.waiting).toBe(1);
      const audit = await store.audit.list({ limit: 20 });
      expect(audit.map((a) => a.action)).toEqual(
        expect.arrayContaining([
          "firmware.add",
          "upgrade-policy.create",
          "upgrade-policy.update",
          "rollout.start",
          "rollout.halted",
          "rollout.running",
        ]),
      );
      // Removing the policy removes its rollouts and members.
      await store.firmware.removePolicy(policy.id);
      expect(await store.rollouts.list()).toEqual([]);
    });

    it("migration 0012: images kept, names unique per tenant instead of installation-wide", async () => {
      db = await dialect.fresh();
      const first = await db.open();
      const other = await first.tenants.create({ slug: "other", name: "Other" });
      await first.close();
      // The database as 0011 left it: firmware_images of 0009 (file names unique across
      // tenants) with one image, 0012 not recorded.
      await db.raw("drop table firmware_images");
      await db.raw(
        `create table firmware_images (id text primary key,
           tenant_id text not null references tenants (id) on delete cascade,
           version text not null, models text not null, file_name text not null unique,
           sha256 text not null, bytes bigint not null, created_at bigint not null,
           created_by text not null)`,
      );
      await db.raw("create index firmware_images_tenant on firmware_images (tenant_id)");
      await db.raw(
        `insert into firmware_images values ('old-1', '${DEFAULT_TENANT_ID}', '7.5.5',
           '["SPA962"]', 'spa962.bin', '${SHA}', 10, 1000, 'cli:old')`,
      );
      for (const statement of undoAfter0012(dialect.name)) await db.raw(statement);
      await db.raw("delete from kysely_migration where name = '0012_firmware_names_per_tenant'");

      const store = await db.open();
      const migrations = await db.raw<{ name: string }>("select name from kysely_migration");
      expect(migrations.map((m) => m.name)).toContain("0012_firmware_names_per_tenant");
      const kept = await store.firmware.imageByFile(DEFAULT_TENANT_ID, "spa962.bin");
      expect(kept).toMatchObject({ id: "old-1", version: "7.5.5", models: ["SPA962"], bytes: 10 });
      // Another tenant may use the name now; the same tenant still may not.
      const input = { version: "7.5.5", models: ["SPA962"], sha256: SHA, bytes: 10 };
      const theirs = await store.firmware.addImage({
        ...input,
        tenantId: other.id,
        fileName: "spa962.bin",
      });
      expect(await store.firmware.imageByFile(other.id, "spa962.bin")).toEqual(theirs);
      await expect(
        store.firmware.addImage({ ...input, tenantId: DEFAULT_TENANT_ID, fileName: "spa962.bin" }),
      ).rejects.toMatchObject({ code: "STORE_CONFLICT" });
      // Enforced by the database too, not only by the repository's check.
      await expect(
        db.raw(
          `insert into firmware_images values ('dup', '${other.id}', '1.0.0', '["*"]',
             'spa962.bin', '${SHA}', 1, 1, 'x')`,
        ),
      ).rejects.toThrow();
      expect(await store.check()).toEqual({ ok: true, problems: [] });
    });
  });
}
