import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isProvisioError } from "../../src/errors.ts";
import { parseMac } from "../../src/mac_address.ts";
import { redact } from "../../src/store/redact.ts";
import type { Store } from "../../src/store/store.ts";
import { DEFAULT_TENANT_ID, type LayerParameter } from "../../src/store/types.ts";
import { dialects, type Fresh, testSealer } from "./dialects.ts";
import { undoAfter0012 } from "./undo_migrations.ts";

/** Secret parameters (catalogue-marked, and by name) with distinctive values. */
const SECRETS: Record<string, string> = {
  Admin_Passwd: "adm-0x1d9e-plain",
  User_Password: "usr-0x2c4f-plain",
  Password_1_: "sip-0x3b7a-plain",
  GPP_SA: "gpp-0x4e2b-plain",
  GPP_SD: "gpp-0x5f3c-plain",
  // Not in the catalogue: the name says it.
  Password_8_: "sip8-0x6a4d-plain",
  Vendor_Secret: "vs-0x7b5e-plain",
  Provisioning_Api_Key: "ak-0x8c6f-plain",
};
const NEXT_ADMIN = "adm-0x9d0a-next";
const PLAIN = { name: "Proxy_1_", value: "sip.example.net", access: "rw" as const };

function parameters(): LayerParameter[] {
  return [
    PLAIN,
    ...Object.entries(SECRETS).map(([name, value]) => ({ name, value, access: null })),
  ];
}

function expectNoSecret(text: string): void {
  for (const value of Object.values(SECRETS)) expect(text).not.toContain(value);
}

async function dump(db: Fresh, tables: readonly string[]): Promise<string> {
  const parts = await Promise.all(tables.map((t) => db.raw(`select * from ${t}`)));
  return JSON.stringify(parts);
}

for (const dialect of dialects()) {
  describe(`secret layer parameters (${dialect.name})`, () => {
    let db: Fresh;
    let store: Store;
    beforeAll(async () => {
      db = await dialect.fresh();
      store = await db.open();
    });
    afterAll(async () => {
      await db.dispose();
    });

    it("are sealed in the layers table and read back in plaintext", async () => {
      const mac = parseMac("02:00:00:00:7a:01");
      await store.devices.create({ mac });
      const target = { scope: "device" as const, mac };
      const set = await store.layers.set(target, parameters());
      expect(set.parameters).toEqual(parameters());

      const [row] = await db.raw<{ parameters: string }>(
        `select parameters from layers where key = 'device:${mac}'`,
      );
      expectNoSecret(row!.parameters);
      expect(row!.parameters).toContain("sip.example.net");
      const stored = JSON.parse(row!.parameters) as { name: string; sealed?: string }[];
      expect(stored.filter((p) => p.sealed !== undefined).map((p) => p.name)).toEqual(
        Object.keys(SECRETS),
      );

      // Every read path hands the renderer the plaintext.
      expect((await store.layers.get(target))?.parameters).toEqual(parameters());
      expect((await store.layers.listForTargets([target]))[0]?.parameters).toEqual(parameters());
      expect((await store.layers.list({ scope: "device" }))[0]?.parameters).toEqual(parameters());
      // A second process (another Store) reads them too.
      const other = await db.open();
      expect((await other.layers.get(target))?.parameters).toEqual(parameters());
    });

    it("are [redacted] in audit snapshots; nothing outside the layers table holds them", async () => {
      const target = { scope: "tenant" as const, tenantId: DEFAULT_TENANT_ID };
      await store.layers.set(target, parameters(), { actor: "cli:test" });
      const changed = parameters().map((p) =>
        p.name === "Admin_Passwd" ? { ...p, value: NEXT_ADMIN } : p,
      );
      await store.layers.set(target, changed, { actor: "cli:test" });
      expect(await store.layers.unset(target, { actor: "cli:test" })).toBe(true);

      const entries = await store.audit.list({
        entity: "layer",
        key: `tenant:${DEFAULT_TENANT_ID}`,
      });
      expect(entries.map((e) => e.action)).toEqual(["layer.unset", "layer.set", "layer.set"]);
      const redacted = parameters().map((p) =>
        p.name === PLAIN.name ? p : { ...p, value: "[redacted]" },
      );
      expect(entries[0]!.before).toEqual(redacted);
      expect(entries[1]!.before).toEqual(redacted);
      expect(entries[1]!.after).toEqual(redacted);
      expect(entries[2]!.after).toEqual(redacted);
      const elsewhere = await dump(db, ["audit_log", "change_log", "events"]);
      expectNoSecret(elsewhere);
      expect(elsewhere).not.toContain(NEXT_ADMIN);
      expectNoSecret(JSON.stringify(entries));
    });

    it("audit.append redacts secret parameter records and secret-named properties", async () => {
      await store.audit.append({
        actor: "api:test",
        action: "layer.patch",
        entity: "layer",
        key: "device:020000007a02",
        before: { set: parameters(), map: SECRETS },
        after: [
          { name: "GPP_SB", value: "gpp-b-plain" },
          { name: "GPP_B", value: "visible" },
        ],
      });
      const [entry] = await store.audit.list({ actor: "api:test" });
      expectNoSecret(JSON.stringify(entry));
      expect(JSON.stringify(entry)).not.toContain("gpp-b-plain");
      expect(entry!.after).toEqual([
        { name: "GPP_SB", value: "[redacted]" },
        { name: "GPP_B", value: "visible" },
      ]);
      expect(redact({ Password_2_: "x", GPP_SC: "y", Proxy_1_: "z" })).toEqual({
        Password_2_: "[redacted]",
        GPP_SC: "[redacted]",
        Proxy_1_: "z",
      });
    });

    it("a sealed value copied into another layer does not open there (STORE_CORRUPT)", async () => {
      const a = parseMac("02:00:00:00:7a:0a");
      const b = parseMac("02:00:00:00:7a:0b");
      await store.devices.create({ mac: a });
      await store.devices.create({ mac: b });
      await store.layers.set({ scope: "device", mac: a }, parameters());
      await store.layers.set({ scope: "device", mac: b }, [PLAIN]);
      await db.raw(
        `update layers set parameters = (select parameters from layers where key = 'device:${a}') where key = 'device:${b}'`,
      );
      const error = await store.layers.get({ scope: "device", mac: b }).catch((e: unknown) => e);
      expect(isProvisioError(error) && error.code).toBe("STORE_CORRUPT");
      expectNoSecret(String(error));
    });

    it("the migration seals plaintext rows and redacts old audit snapshots; resealSecrets rotates them", async () => {
      const oldKey = randomBytes(32);
      const other = await dialect.fresh();
      try {
        const first = await other.open({ sealer: testSealer(oldKey, { id: "old" }) });
        await first.layers.set({ scope: "tenant", tenantId: DEFAULT_TENANT_ID }, [PLAIN]);
        await first.close();
        // A database written before sealing: plaintext layer values and audit snapshots.
        const plaintext = JSON.stringify(parameters()).replaceAll("'", "''");
        await other.raw(`update layers set parameters = '${plaintext}'`);
        await other.raw(
          `insert into audit_log (at, actor, action, entity, key, tenant_id, before, after)
           values (1, 'system', 'layer.set', 'layer', 'tenant:${DEFAULT_TENANT_ID}', null, null, '${plaintext}')`,
        );
        // …so also before the migrations that came after it.
        await other.raw("delete from kysely_migration where name > '0001_initial'");
        for (const statement of undoAfter0012(dialect.name)) await other.raw(statement);
        for (const table of [
          // 0012 rebuilt firmware_images: dropped below with 0009's tables.
          "redirect_grants", // 0011
          "device_reports", // 0010
          "rollout_members", // 0009
          "rollouts", // 0009
          "upgrade_policies", // 0009
          "firmware_images", // 0009
          "device_keys", // 0008
          "activation_codes", // 0007
          "redirect_units", // 0006
          "redirect_profiles", // 0006
          "device_lifecycle", // 0005
          "installation", // 0003
        ]) {
          await other.raw(`drop table ${table}`);
        }
        for (const column of ["outbound_proxy", "voicemail_id", "extras"]) {
          await other.raw(`alter table account_lines drop column ${column}`);
        }
        expect(await dump(other, ["layers"])).toContain(SECRETS.Admin_Passwd);

        const reopened = await other.open({ sealer: testSealer(oldKey, { id: "old" }) });
        expectNoSecret(await dump(other, ["layers", "audit_log"]));
        const target = { scope: "tenant" as const, tenantId: DEFAULT_TENANT_ID };
        expect((await reopened.layers.get(target))?.parameters).toEqual(parameters());
        await reopened.close();

        const rotated = await other.open({
          sealer: testSealer(randomBytes(32), { id: "new", previous: { old: oldKey } }),
        });
        expect(await rotated.resealSecrets()).toEqual({
          deviceKeys: 0,
          passwords: 0,
          layerValues: Object.keys(SECRETS).length,
          secureKeys: 0,
          reportValues: 0,
        });
        expect((await rotated.resealSecrets()).layerValues).toBe(0);
        const [row] = await other.raw<{ parameters: string }>("select parameters from layers");
        const sealed = (JSON.parse(row!.parameters) as { sealed?: string }[]).flatMap((p) =>
          p.sealed === undefined ? [] : [p.sealed],
        );
        expect(sealed).toHaveLength(Object.keys(SECRETS).length);
        expect(sealed.every((s) => s.startsWith("v1.new."))).toBe(true);
        expect((await rotated.layers.get(target))?.parameters).toEqual(parameters());
      } finally {
        await other.dispose();
      }
    });
  });
}
