import { randomBytes } from "node:crypto";
import { inspect } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseMac } from "../../src/mac_address.ts";
import { Secret } from "../../src/store/secret.ts";
import type { Store } from "../../src/store/store.ts";
import { dialects, type Fresh, macFor, testSealer } from "./dialects.ts";

const KEY = "9f8e7d6c5b4a39281706f5e4d3c2b1a0";
const PASSWORD = "correct-horse-battery";

for (const dialect of dialects()) {
  describe(`secrets at rest (${dialect.name})`, () => {
    let db: Fresh;
    let store: Store;
    beforeAll(async () => {
      db = await dialect.fresh();
      store = await db.open();
    });
    afterAll(async () => {
      await db.dispose();
    });

    it("device keys and SIP passwords are sealed in the database and open back", async () => {
      const mac = parseMac("02:00:00:00:5e:01");
      const account = await store.accounts.create({
        reference: "S-1",
        lines: [{ line: 1, userId: "1001", password: Secret.of(PASSWORD) }],
      });
      await store.devices.create({ mac, deviceKey: KEY, accountId: account.id });

      const devices = await db.raw<{ device_key: string }>("select device_key from devices");
      const lines = await db.raw<{ password: string }>("select password from account_lines");
      expect(devices[0]!.device_key).toBeTruthy();
      expect(devices[0]!.device_key).not.toContain(KEY);
      expect(lines[0]!.password).not.toContain(PASSWORD);
      // Everything the database holds, as text: no plaintext secret anywhere (audit log included).
      for (const table of ["devices", "account_lines", "audit_log", "change_log"]) {
        const dump = JSON.stringify(await db.raw(`select * from ${table}`));
        expect(dump).not.toContain(KEY);
        expect(dump).not.toContain(PASSWORD);
      }

      const device = await store.devices.get(mac);
      expect(device.deviceKey?.reveal()).toBe(KEY);
      expect((await store.accounts.get(account.id)).lines[0]!.password?.reveal()).toBe(PASSWORD);
    });

    it("a bulk import audits each row without its device key, plain or sealed", async () => {
      const mac = parseMac("02:00:00:00:5e:11");
      await store.devices.bulkUpsert([{ mac, deviceKey: KEY }]);
      const [sealed] = await db.raw<{ device_key: string }>(
        `select device_key from devices where mac = '${mac}'`,
      );
      expect(sealed!.device_key).toBeTruthy();
      const [entry] = await store.audit.list({ entity: "device", key: mac });
      expect(entry).toMatchObject({ action: "device.bulk_upsert", key: mac });
      expect(entry!.after).toMatchObject({ device_key: "[redacted]" });
      const dump = JSON.stringify(await db.raw("select * from audit_log"));
      expect(dump).not.toContain(KEY);
      expect(dump).not.toContain(sealed!.device_key);
    });

    it("a record with secrets serialises and prints them redacted", async () => {
      const mac = parseMac("02:00:00:00:5e:02");
      const device = await store.devices.create({ mac, deviceKey: KEY });
      expect(JSON.stringify(device)).not.toContain(KEY);
      expect(JSON.stringify(device)).toContain('"deviceKey":"[redacted]"');
      expect(inspect(device)).not.toContain(KEY);
      expect(`${device.deviceKey}`).toBe("[redacted]");
    });

    it("a sealed value copied into another row does not open there", async () => {
      const a = parseMac("02:00:00:00:5e:0a");
      const b = parseMac("02:00:00:00:5e:0b");
      await store.devices.create({ mac: a, deviceKey: "key-of-a" });
      await store.devices.create({ mac: b, deviceKey: "key-of-b" });
      await db.raw(
        `update devices set device_key = (select device_key from devices where mac = '${a}') where mac = '${b}'`,
      );
      const stolen = await store.devices.get(b);
      expect(() => stolen.deviceKey?.reveal()).toThrow();
    });

    it("master-key rotation: resealSecrets moves every secret to the new key", async () => {
      const oldKey = randomBytes(32);
      const before = await dialect.fresh();
      try {
        const first = await before.open({ sealer: testSealer(oldKey, { id: "old" }) });
        const account = await first.accounts.create({
          reference: "R-1",
          lines: [
            { line: 1, userId: "1", password: "p1" },
            { line: 2, userId: "2", password: "p2" },
          ],
        });
        await first.devices.bulkUpsert(
          Array.from({ length: 1_500 }, (_, i) => ({
            mac: parseMac(macFor(i)),
            deviceKey: `k${i}`,
          })),
        );
        await first.close();

        const rotated = await before.open({
          sealer: testSealer(randomBytes(32), { id: "new", previous: { old: oldKey } }),
        });
        const revision = await rotated.changes.currentRevision();
        expect(await rotated.resealSecrets({ actor: "cli:rotate" })).toEqual({
          deviceKeys: 1_500,
          passwords: 2,
          layerValues: 0,
          secureKeys: 0,
          reportValues: 0,
        });
        expect(await rotated.resealSecrets()).toEqual({
          deviceKeys: 0,
          passwords: 0,
          layerValues: 0,
          secureKeys: 0,
          reportValues: 0,
        });
        expect(await rotated.changes.currentRevision()).toBe(revision);
        const keys = await before.raw<{ device_key: string }>("select device_key from devices");
        const lines = await before.raw<{ password: string }>("select password from account_lines");
        expect(
          [...keys.map((k) => k.device_key), ...lines.map((l) => l.password)].every((v) =>
            v.startsWith("v1.new."),
          ),
        ).toBe(true);
        expect((await rotated.devices.get(parseMac(macFor(1_234)))).deviceKey?.reveal()).toBe(
          "k1234",
        );
        expect((await rotated.accounts.get(account.id)).lines[1]!.password?.reveal()).toBe("p2");
        const [entry] = await rotated.audit.list({ entity: "store", actor: "cli:rotate" });
        expect(entry).toMatchObject({ actor: "cli:rotate", action: "secrets.reseal" });
      } finally {
        await before.dispose();
      }
    });
  });
}
