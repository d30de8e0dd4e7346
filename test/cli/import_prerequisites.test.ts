import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { provisio, tempDir } from "./helpers.ts";

describe("provisio device import: accounts, groups and models the file names", () => {
  it("refuses rows naming missing accounts/groups as FILE:LINE (as its help says) with a hint; --create-missing creates them; warns about unregistered models", {
    timeout: 120_000,
  }, async () => {
    const dir = tempDir("import-prereq");
    const data = join(dir, "data");
    const file = join(dir, "devices.csv");
    writeFileSync(
      file,
      "mac,model,account,group\n000e08000201,SPA112,9001,lobby\n000e08000202,XYZ-9,9001,floor2\n",
    );

    const help = await provisio(["device", "import", "--help"]);
    expect(help.stdout).toContain("FILE:LINE: message [CODE]");
    expect(help.stdout).toContain("--create-missing");
    expect(help.stdout).toMatch(/every account and group the file names,\s+must exist/);

    const refused = await provisio(["device", "import", file, "--no-progress", "-d", data]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`${file}:2: account "9001" not found [API_NOT_FOUND]`);
    expect(refused.stderr).toContain("--create-missing");

    const created = await provisio([
      "device",
      "import",
      file,
      "--create-missing",
      "--no-progress",
      "-d",
      data,
    ]);
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toContain("imported 2 devices");
    expect(created.stderr).toContain("created account 9001");
    expect(created.stderr).toContain("created group lobby");
    expect(created.stderr).toContain("created group floor2");
    expect(created.stderr.match(/warning: model XYZ-9 is not registered/g)).toHaveLength(1);
    expect(created.stderr).not.toContain("model SPA112");

    const show = await provisio(["device", "show", "000e08000202", "-d", data]);
    expect(show.stdout).toMatch(/account\s+9001/);
    expect(show.stdout).toMatch(/group\s+floor2/);
  });
});
