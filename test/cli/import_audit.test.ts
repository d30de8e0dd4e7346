import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { provisio, tempDir } from "./helpers.ts";

describe("provisio device import: the audit log", () => {
  it("has one entry per imported row, found by `audit --entity device --key MAC`", {
    timeout: 90_000,
  }, async () => {
    const dir = tempDir("import-audit");
    const data = join(dir, "data");
    const file = join(dir, "devices.csv");
    writeFileSync(
      file,
      "mac,model,serial\n000e08000101,SPA112,A\n000e08000102,SPA112,B\n000e08000103,SPA112,C\n",
    );
    const imported = await provisio(["device", "import", file, "--batch-size", "2", "-d", data]);
    expect(imported.code, imported.stderr).toBe(0);
    const audit = await provisio([
      "audit",
      "--entity",
      "device",
      "--key",
      "000e08000102",
      "--json",
      "-d",
      data,
    ]);
    expect(audit.code, audit.stderr).toBe(0);
    const entries = audit.stdout
      .trim()
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l));
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ action: "device.bulk_upsert", key: "000e08000102" });
    const all = await provisio(["audit", "--entity", "device", "-d", data]);
    expect(all.stdout.match(/device\.bulk_upsert/g)).toHaveLength(3);
  });
});
