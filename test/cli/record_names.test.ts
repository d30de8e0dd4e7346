import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { provisio, tempDir } from "./helpers.ts";

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;

describe("names instead of ids in the command line's output", () => {
  it("layer, audit, group, tenant, device and token output name records; --json keeps ids", {
    timeout: 180_000,
  }, async () => {
    const data = join(tempDir("names"), "data");
    const outputs: string[] = [];
    const ok = async (...args: string[]) => {
      const r = await provisio([...args, "-d", data]);
      expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(0);
      return r.stdout;
    };
    const shown = async (...args: string[]) => {
      const out = await ok(...args);
      outputs.push(`$ ${args.join(" ")}\n${out}`);
      return out;
    };
    await shown("tenant", "add", "acme");
    await shown("group", "add", "lobby", "--tenant", "acme");
    await shown("account", "add", "--id", "7001", "--tenant", "acme", "--line", "1:user_id=7001");
    await shown(
      "device",
      "add",
      "--mac",
      "000e08000007",
      "--model",
      "SPA112",
      "--tenant",
      "acme",
      "--account",
      "7001",
      "--group",
      "lobby",
    );
    expect(
      await shown("layer", "set", "--group", "lobby", "--tenant", "acme", "Resync_Periodic=60"),
    ).toContain("group:lobby (tenant acme): set 1 parameter");
    expect(
      await shown("layer", "set", "--account", "7001", "--tenant", "acme", "Resync_Periodic=61"),
    ).toContain("account:7001 (tenant acme): set 1 parameter");
    expect(await shown("layer", "show", "--account", "7001", "--tenant", "acme")).toContain(
      "account:7001 (tenant acme) (version",
    );
    const audit = await shown("audit");
    expect(audit).toMatch(/layer\.set\s+account:7001 \(tenant acme\)/);
    expect(audit).toMatch(/group\.create\s+lobby \(tenant acme\)/);
    await shown("group", "list");
    await shown("tenant", "list");
    await shown("device", "list");
    await shown("device", "show", "000e08000007");
    await ok("token", "create", "--name", "ci", "--tenant", "acme");
    expect(await ok("token", "list")).toMatch(/admin\s+acme\s+ci/);

    // …and the names shown are accepted back as --key
    const byName = await shown(
      "audit",
      "--entity",
      "layer",
      "--key",
      "account:7001",
      "--tenant",
      "acme",
    );
    expect(byName).toMatch(/layer\.set\s+account:7001 \(tenant acme\)/);
    expect(byName.trim().split("\n")).toHaveLength(2);

    const all = outputs.join("\n");
    expect(all.match(UUID), all).toBeNull();
    // --json keeps the ids (for scripts)
    expect(await ok("audit", "--json")).toMatch(UUID);
  });
});
