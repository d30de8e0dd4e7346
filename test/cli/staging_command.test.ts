import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { provisio, tempDir } from "./helpers.ts";

describe("provisio: staging layer, restricted domains and the lifecycle line", () => {
  it("layer set --staging, refused outside the restricted domains; device show; tenant set --staging", async () => {
    const data = join(tempDir("staging"), "data");
    const domains = await provisio([
      "layer",
      "set",
      "Restricted_Access_Domains=example.com",
      "-d",
      data,
    ]);
    expect(domains.code, domains.stderr).toBe(0);

    const outside = await provisio([
      "layer",
      "set",
      "--staging",
      "Profile_Rule=http://prov.other.org/$MA.xml",
      "-d",
      data,
    ]);
    expect(outside.code).toBe(1);
    expect(outside.stderr).toContain(
      "prov.other.org is outside the restricted domains (example.com)",
    );
    expect(outside.stderr).toContain("[API_RESTRICTED_DOMAIN]");

    const inside = await provisio([
      "layer",
      "set",
      "--staging",
      "Profile_Rule=http://prov.example.com/$MA.xml",
      "-d",
      data,
    ]);
    expect(inside.code, inside.stderr).toBe(0);
    expect(inside.stdout).toContain("staging:default: set 1 parameter");

    // A bar-code scan list: no header row, MAC, serial and account per line.
    const scans = join(data, "..", "scans.csv");
    writeFileSync(scans, "00:0E:08:C1:C0:01,CCQC1C001,cust-7\n");
    const imported = await provisio([
      "device",
      "import",
      scans,
      "--columns",
      "mac,serial,account",
      "--create-missing",
      "-d",
      data,
    ]);
    expect(imported.code, imported.stderr).toBe(0);
    const show = await provisio(["device", "show", "000e08c1c001", "-d", data]);
    expect(show.stdout).toMatch(/^lifecycle\s+\(never seen\)$/m);
    expect(show.stdout).toMatch(/^serial\s+CCQC1C001$/m);
    expect(show.stdout).toMatch(/^account\s+cust-7/m);

    const off = await provisio(["tenant", "set", "default", "--staging", "off", "-d", data]);
    expect(off.code, off.stderr).toBe(0);
    expect(off.stdout).toMatch(/^staging\s+off$/m);
  }, 180_000);
});
