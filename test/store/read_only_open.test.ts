/**
 * A store opened read-only (`provisio device list`, D42) writes no process row for the
 * master-key watch, refuses to seal a secret, still opens what is sealed, and an online
 * rotation neither waits for it nor leaves anything under the old key because of it.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { generateMasterKey } from "../../src/crypto/index.ts";
import { keyFileSealer, masterKeyId } from "../../src/server/index.ts";
import { parseMac } from "../../src/store/index.ts";
import { tempDir } from "../cli/helpers.ts";
import { dialects } from "./dialects.ts";

const MAC = parseMac("000e08aa0042");

function keyFile(dir: string, name: string, key: Uint8Array): string {
  const file = join(dir, name, "master.key");
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, Buffer.from(key).toString("hex"));
  return file;
}

for (const dialect of dialects()) {
  describe(`a read-only open (${dialect.name})`, () => {
    it("writes no process row, seals nothing, reads secrets; a rotation does not wait for it", async () => {
      const fresh = await dialect.fresh();
      const dir = tempDir(`read-only-${dialect.name}`);
      try {
        const old = generateMasterKey("k1");
        const next = generateMasterKey("k1");
        const file = keyFile(dir, "a", old.key);
        const writer = await fresh.open({ sealer: keyFileSealer(file) });
        await writer.devices.create({ mac: MAC, deviceKey: "device-key" });
        const rows = () =>
          fresh.raw<{ name: string }>(
            "select name from installation where name like 'master_key_process:%'",
          );
        expect(await rows()).toHaveLength(1); // the writer's

        // A reader whose key file lacks the next key: were it counted, the rotation would block.
        const reader = await fresh.open({
          sealer: keyFileSealer(keyFile(dir, "r", old.key)),
          readOnly: true,
        });
        expect(await rows()).toHaveLength(1);
        expect((await reader.devices.get(MAC)).deviceKey!.reveal()).toBe("device-key");
        expect(await reader.devices.list({ limit: 10 })).toHaveLength(1);
        await expect(
          reader.devices.update(MAC, { deviceKey: "from-a-reader" }),
        ).rejects.toMatchObject({ code: "STORE_READ_ONLY" });
        await expect(reader.masterKey.rotate(masterKeyId(next))).rejects.toMatchObject({
          code: "STORE_READ_ONLY",
        });
        expect((await writer.devices.get(MAC)).deviceKey!.reveal()).toBe("device-key");

        writeFileSync(`${file}.next`, Buffer.from(next.key).toString("hex"));
        const result = await writer.masterKey.rotate(masterKeyId(next), {
          answerTimeoutMs: 10_000,
        });
        expect(result.processes).toBe(0);
        expect(await writer.masterKey.countByKey()).toEqual({ [masterKeyId(next)]: 1 });
        await reader.close();
        await writer.close();
        expect(await rows()).toHaveLength(0);
      } finally {
        await fresh.dispose();
      }
    }, 120_000);
  });
}
