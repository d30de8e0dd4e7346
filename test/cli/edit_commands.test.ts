import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { provisio, tempDir } from "./helpers.ts";

// `set` and `rm` for each object, through the real CLI: what `add` created can be changed
// and removed without the API.
describe("provisio set / rm", () => {
  it("device set, group set/rm, account set/rm, model set/rm, token rm", {
    timeout: 180_000,
  }, async () => {
    const data = join(tempDir("edit"), "data");
    const ok = async (...args: string[]) => {
      const r = await provisio([...args, "-d", data]);
      expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(0);
      return r.stdout;
    };
    await ok("device", "add", "--mac", "000e08000001", "--model", "SPA112", "--label", "old");
    await ok("group", "add", "lobby");
    await ok(
      "account",
      "add",
      "--id",
      "1001",
      "--line",
      "1:user_id=1001,password=s1,proxy=sip.example.com",
      "--line",
      "2:user_id=1002,password=s2",
    );

    // account set: rename, change line 1 (keeping its password), drop line 2
    const account = JSON.parse(
      await ok(
        "account",
        "set",
        "1001",
        "--reference",
        "2001",
        "--name",
        "Desk",
        "--line",
        "1:user_id=2001,display_name=Reception,proxy=sip.example.com",
        "--rm-line",
        "2",
        "--json",
      ),
    );
    expect(account).toMatchObject({ reference: "2001", name: "Desk" });
    expect(account.lines).toEqual([
      expect.objectContaining({
        line: 1,
        userId: "2001",
        displayName: "Reception",
        hasPassword: true,
      }),
    ]);

    // device set: account and group by name, clear the label, encryption
    const device = JSON.parse(
      await ok(
        "device",
        "set",
        "00:0E:08:00:00:01",
        "--account",
        "2001",
        "--group",
        "lobby",
        "--no-label",
        "--serial",
        "SN1",
        "--encryption",
        "gzip",
        "--json",
      ),
    );
    expect(device).toMatchObject({ label: null, serial: "SN1", encryption: "gzip" });
    expect(device.accountId).toBe(account.id);

    await ok("group", "set", "lobby", "--name", "reception", "--description", "front");
    // A set with no flag changes nothing and says so, for each object.
    for (const args of [
      ["group", "set", "reception"],
      ["device", "set", "000e08000001"],
    ]) {
      const r = await provisio([...args, "-d", data]);
      expect(r.code, args.join(" ")).not.toBe(0);
      expect(r.stderr).toContain(`nothing to change (see provisio ${args[0]} set --help)`);
    }
    expect(await ok("device", "show", "000e08000001")).toMatch(/group\s+reception/);
    await ok("group", "rm", "reception");
    await ok("account", "rm", "2001");
    const after = JSON.parse(await ok("device", "show", "000e08000001", "--json"));
    expect(after).toMatchObject({ accountId: null, groupId: null });

    await ok("model", "add", "XYZ-1", "--family", "spa");
    await ok("model", "set", "XYZ-1", "--lines", "4", "--psn", "X1");
    expect(await ok("model", "list")).toMatch(/XYZ-1\s+X1\s+spa\s+4\s/);
    await ok("model", "rm", "XYZ-1");
    expect(await ok("model", "list")).not.toContain("XYZ-1");

    const created = await ok("token", "create", "--name", "ci");
    const tokens = JSON.parse(await ok("token", "list", "--json"));
    expect(created).not.toBe("");
    const id = (tokens as { id: string; name: string }[]).find((t) => t.name === "ci")?.id;
    expect(id).toBeDefined();
    await ok("token", "rm", id!);
    expect(JSON.parse(await ok("token", "list", "--json"))).toEqual([]);
  });
});
