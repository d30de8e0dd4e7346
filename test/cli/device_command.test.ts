import { execFile } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { BIN, macFor, provisio, tempDir } from "./helpers.ts";

const run = promisify(execFile);

describe("provisio device", () => {
  it("adds to the default tenant without --tenant, shows, lists; refuses a malformed MAC", {
    timeout: 90_000,
  }, async () => {
    const dir = tempDir("device");
    const data = join(dir, "data");
    const add = await provisio([
      "device",
      "add",
      "--mac",
      "00:0E:08:AB:CD:EF",
      "--model",
      "SPA112",
      "--serial",
      "CBT1",
      "-d",
      data,
    ]);
    expect(add.code, add.stderr).toBe(0);
    expect(add.stdout).toContain("added 000e08abcdef (SPA112) to tenant default");
    expect(add.stderr).toContain(`initialised ${data}`);

    const show = await provisio(["device", "show", "000E08ABCDEF", "--json", "-d", data]);
    expect(show.code, show.stderr).toBe(0);
    expect(JSON.parse(show.stdout)).toMatchObject({
      mac: "000e08abcdef",
      tenantId: "default",
      serial: "CBT1",
      status: null,
    });

    const dup = await provisio([
      "device",
      "add",
      "--mac",
      "000e08abcdef",
      "--model",
      "SPA112",
      "-d",
      data,
    ]);
    expect(dup.code).toBe(1);
    expect(dup.stderr).toContain("STORE_CONFLICT");

    const bad = await provisio([
      "device",
      "add",
      "--mac",
      "00:0E:08:AB:CD",
      "--model",
      "SPA112",
      "-d",
      data,
    ]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/not a MAC address.*\[API_VALIDATION\]/);

    const missing = await provisio(["device", "show", "000e08000000", "-d", data]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("not found");

    const rm = await provisio(["device", "rm", "00:0e:08:ab:cd:ef", "-d", data]);
    expect(rm.code, rm.stderr).toBe(0);
    const audit = await provisio(["audit", "--entity", "device", "--json", "-d", data]);
    const actions = audit.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(actions.map((a: { action: string }) => a.action)).toEqual([
      "device.delete",
      "device.create",
    ]);
    expect(actions[0].actor).toMatch(/^cli:/);
  });

  it("imports CSV with progress lines, per-line errors and only acknowledged rows counted", {
    timeout: 90_000,
  }, async () => {
    const dir = tempDir("import");
    const data = join(dir, "data");
    const file = join(dir, "devices.csv");
    const lines = ["mac,model,serial,label"];
    for (let i = 0; i < 3000; i++) lines.push(`${macFor(i)},SPA112,SN${i},"row ${i}"`);
    lines.push("bogus,SPA112,,");
    lines.push(`${macFor(5)},SPA112,,`);
    writeFileSync(file, `${lines.join("\n")}\n`);
    const res = await provisio(["device", "import", file, "--batch-size", "1000", "-d", data]);
    expect(res.code).toBe(1); // some rows refused
    expect(res.stdout).toContain("committed 1000 rows (through line 1001), 0 refused");
    expect(res.stdout).toContain("committed 3000 rows (through line 3001)");
    expect(res.stdout).toMatch(
      /imported 3000 devices into tenant default in [\d.]+ s \(\d+ rows\/s\); 2 rows refused/,
    );
    expect(res.stderr).toContain(`${file}:3002: not a MAC address`);
    expect(res.stderr).toContain(`${file}:3003: MAC ${macFor(5)} already appears on line 7`);

    const list = await provisio(["device", "list", "--json", "-d", data]);
    const devices = list.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(devices).toHaveLength(3000);
    expect(devices[2999]).toMatchObject({ mac: macFor(2999), serial: "SN2999", label: "row 2999" });

    const table = await provisio(["device", "list", "--limit", "2", "-d", data]);
    expect(table.stdout.split("\n")[0]).toMatch(/^MAC\s+TENANT\s+MODEL/);
    expect(table.stdout.trim().split("\n")).toHaveLength(3);

    const header = await provisio(["device", "import", "-", "-d", data], { input: "serial\nX\n" });
    expect(header.code).toBe(1);
    expect(header.stderr).toContain("no mac column");
  });

  it("shows a progress bar on a terminal", async () => {
    const dir = tempDir("tty");
    const file = join(dir, "devices.csv");
    const rows = ["mac,model"];
    for (let i = 0; i < 2000; i++) rows.push(`${macFor(i)},SPA112`);
    writeFileSync(file, rows.join("\n"));
    // util-linux `script` gives the command a pseudo-terminal.
    const { stdout } = await run("script", [
      "-qec",
      `"${process.execPath}" "${BIN}" device import "${file}" --batch-size 500 -d "${join(dir, "data")}"`,
      "/dev/null",
    ]);
    expect(stdout).toMatch(/importing \[[█░]+\] 100% \| 2000\/2000 rows \| 0 refused/);
    expect(stdout).toContain("imported 2000 devices");
    expect(stdout).not.toContain("committed 500 rows");
  }, 120_000);

  it("finds the installation through --config and PROVISIO_DATA_DIR, like serve", async () => {
    const dir = tempDir("config");
    writeFileSync(join(dir, "site.yaml"), "data_dir: ./site-data\n");
    const viaFile = await provisio(
      [
        "device",
        "add",
        "--mac",
        "000e08000001",
        "--model",
        "SPA112",
        "--config",
        join(dir, "site.yaml"),
      ],
      { cwd: dir },
    );
    expect(viaFile.code, viaFile.stderr).toBe(0);
    expect(existsSync(join(dir, "site-data", "provisio.db"))).toBe(true);
    const viaEnv = await provisio(["device", "list", "--json"], {
      cwd: dir,
      env: { PROVISIO_DATA_DIR: join(dir, "site-data") },
    });
    expect(viaEnv.code, viaEnv.stderr).toBe(0);
    expect(JSON.parse(viaEnv.stdout).mac).toBe("000e08000001");
  }, 120_000);

  it("documents every command with examples", async () => {
    const res = await provisio(["device", "import", "--help"]);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain("Examples:");
    expect(res.stdout).toContain("mac      MAC address");
    const layer = await provisio(["layer", "set", "--help"]);
    expect(layer.stdout).toContain("NAME:rw=VALUE");
  });
});
