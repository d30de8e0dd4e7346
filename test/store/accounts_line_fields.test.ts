import { afterEach, describe, expect, it } from "vitest";
import { isProvisioError } from "../../src/errors.ts";
import { dialects, type Fresh } from "./dialects.ts";
import { undoAfter0012 } from "./undo_migrations.ts";

async function refused(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isProvisioError(error)) throw new Error(`expected a refusal, got ${String(error)}`);
  expect(error.code).toBe("STORE_INVALID_INPUT");
  return error.message;
}

/** What the migrations after 0003 created, undone newest first. */
const UNDO_AFTER_0003 = [
  // 0012 rebuilt firmware_images: dropped below with 0009's tables.
  "drop table redirect_grants", // 0011
  "drop table device_reports", // 0010
  "drop table rollout_members", // 0009
  "drop table rollouts", // 0009
  "drop table upgrade_policies", // 0009
  "drop table firmware_images", // 0009
  "drop table device_keys", // 0008
  "drop table activation_codes", // 0007
  "delete from installation where name = 'activation_salt'", // 0007
  "drop table redirect_units", // 0006
  "drop table redirect_profiles", // 0006
  "drop table device_lifecycle", // 0005
  ...["outbound_proxy", "voicemail_id", "extras"].map(
    (column) => `alter table account_lines drop column ${column}`, // 0004
  ),
];

for (const dialect of dialects()) {
  describe(`account line fields (${dialect.name})`, () => {
    let db: Fresh | undefined;
    afterEach(async () => {
      await db?.dispose();
      db = undefined;
    });

    it("stores outbound proxy, voicemail id and extras; update replaces them; list reads them", async () => {
      db = await dialect.fresh();
      const store = await db.open();
      const created = await store.accounts.create({
        reference: "L-1",
        lines: [
          {
            line: 1,
            userId: "1001",
            outboundProxy: "sbc.example.net:5070",
            voicemailId: "8001",
            // A trailing "_" is dropped; names are kept in order.
            extras: { Register_Expires_: "600", DNS_SRV_Auto_Prefix: "Yes" },
          },
          { line: 2, userId: "1002" },
        ],
      });
      const [one, two] = created.lines;
      expect(one).toMatchObject({
        outboundProxy: "sbc.example.net:5070",
        voicemailId: "8001",
        extras: { DNS_SRV_Auto_Prefix: "Yes", Register_Expires: "600" },
      });
      expect(two).toMatchObject({ outboundProxy: null, voicemailId: null, extras: {} });
      const rows = await db.raw<{ extras: string | null }>(
        "select extras from account_lines order by line",
      );
      expect(rows.map((r) => r.extras)).toEqual([
        '{"DNS_SRV_Auto_Prefix":"Yes","Register_Expires":"600"}',
        null,
      ]);

      const found = await store.accounts.findByReference(created.tenantId, "L-1");
      expect(found!.lines[0]).toMatchObject({
        outboundProxy: "sbc.example.net:5070",
        voicemailId: "8001",
        extras: { DNS_SRV_Auto_Prefix: "Yes", Register_Expires: "600" },
      });

      const updated = await store.accounts.update(created.id, {
        lines: [
          { line: 1, userId: "1001", voicemailId: "9001", extras: { Register_Expires: "30" } },
        ],
      });
      expect(updated.lines[0]).toMatchObject({
        outboundProxy: null,
        voicemailId: "9001",
        extras: { Register_Expires: "30" },
      });
      const [listed] = await store.accounts.list();
      expect(listed!.lines[0]).toMatchObject({
        voicemailId: "9001",
        extras: { Register_Expires: "30" },
      });
    });

    it("refuses extras that are not parameter base names, line fields, repeated, or too many", async () => {
      db = await dialect.fresh();
      const store = await db.open();
      const line = (extras: Record<string, string>) =>
        store.accounts.create({ reference: "X", lines: [{ line: 1, userId: "1", extras }] });
      expect(await refused(line({ Register_Expires_1_: "600" }))).toMatch(/base name/);
      expect(await refused(line({ "Bad Name": "1" }))).toMatch(/base name/);
      expect(await refused(line({ User_ID: "x" }))).toMatch(/line's own fields/);
      expect(await refused(line({ Password_: "x" }))).toMatch(/line's own fields/);
      expect(await refused(line({ Register_Expires: "6\n00" }))).toMatch(/single-line/);
      expect(await refused(line({ Register_Expires: "1", Register_Expires_: "2" }))).toMatch(
        /twice/,
      );
      // Line fields in any case: `password` as an extra would be stored unsealed.
      expect(await refused(line({ password: "x" }))).toMatch(/line's own fields/);
      expect(await refused(line({ USER_ID: "x" }))).toMatch(/line's own fields/);
      expect(await refused(line({ register_expires: "1", Register_Expires: "2" }))).toMatch(
        /twice/,
      );
      expect(await store.accounts.list()).toEqual([]);
    });

    it("refuses secret extras (they would be stored unsealed) and names the sealed ways", async () => {
      db = await dialect.fresh();
      const store = await db.open();
      const line = (extras: Record<string, string>) =>
        store.accounts.create({ reference: "S", lines: [{ line: 2, userId: "1", extras }] });
      // Marked secret by the catalogue, looking like a secret, in any case.
      for (const name of [
        "Auth_Page_Password",
        "auth_page_password_",
        "SRTP_Private_Key",
        "pin_code",
        "pskKey",
        "My_Secret",
      ]) {
        const message = await refused(line({ [name]: "hunter2" }));
        expect(message, name).toMatch(/is a secret, and extras are not sealed/);
        expect(message, name).toMatch(/line's password/);
        expect(message, name).toMatch(/layer parameter/);
      }
      expect(await refused(line({ Auth_Page_Password: "x" }))).toContain("Auth_Page_Password_2_");
      const created = await store.accounts.create({
        reference: "T",
        lines: [{ line: 1, userId: "1", extras: { Register_Expires: "600" } }],
      });
      // An update is checked the same way, and the refused value is stored nowhere.
      expect(
        await refused(
          store.accounts.update(created.id, {
            lines: [{ line: 1, userId: "1", extras: { Auth_Page_Password: "hunter2" } }],
          }),
        ),
      ).toMatch(/not sealed/);
      const rows = await db.raw<{ extras: string | null }>("select extras from account_lines");
      expect(JSON.stringify(rows)).not.toContain("hunter2");
      expect((await store.accounts.list()).map((a) => a.reference)).toEqual(["T"]);
    });

    it("still refuses too many extras", async () => {
      db = await dialect.fresh();
      const store = await db.open();
      const line = (extras: Record<string, string>) =>
        store.accounts.create({ reference: "X", lines: [{ line: 1, userId: "1", extras }] });
      const many = Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`P${i}`, "1"]));
      expect(await refused(line(many))).toMatch(/at most 32/);
      expect(await store.accounts.list()).toEqual([]);
    });

    it("migration 0004 adds the columns to a database created by the previous version", async () => {
      db = await dialect.fresh();
      const current = await db.open();
      const account = await current.accounts.create({
        reference: "OLD-1",
        lines: [{ line: 1, userId: "2001", password: "old-secret", proxy: "sip.example.net" }],
      });
      await current.close();
      // The previous version's database: no 0004 columns and nothing of the migrations after
      // it, none of them recorded. A new migration adds its own undo here (Kysely refuses a
      // database whose recorded migrations skip one).
      for (const statement of [...undoAfter0012(dialect.name), ...UNDO_AFTER_0003]) {
        await db.raw(statement);
      }
      await db.raw("delete from kysely_migration where name > '0003_installation'");

      const upgraded = await db.open();
      const migrations = await db.raw<{ name: string }>(
        "select name from kysely_migration order by name",
      );
      expect(migrations.map((m) => m.name)).toContain("0004_account_line_fields");
      const before = await upgraded.accounts.get(account.id);
      expect(before.lines[0]).toMatchObject({
        userId: "2001",
        proxy: "sip.example.net",
        outboundProxy: null,
        voicemailId: null,
        extras: {},
      });
      expect(before.lines[0]!.password?.reveal()).toBe("old-secret");
      const after = await upgraded.accounts.update(account.id, {
        lines: [
          { line: 1, userId: "2001", outboundProxy: "sbc.example.net", extras: { A_B: "1" } },
        ],
      });
      expect(after.lines[0]).toMatchObject({
        outboundProxy: "sbc.example.net",
        extras: { A_B: "1" },
      });
      // A line without `password` keeps its (sealed) password across the upgrade.
      expect(after.lines[0]!.password?.reveal()).toBe("old-secret");
      expect((await upgraded.check()).ok).toBe(true);
    });
  });
}
