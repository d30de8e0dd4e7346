import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { provisio, tempDir } from "./helpers.ts";

// `token set` changes what a token may do without handing out a new secret; every change is
// audited and the secret itself is never settable nor printed.
describe("provisio token set", () => {
  it("renames, re-roles, re-scopes and expires a token, audited; by id or unique name", {
    timeout: 300_000,
  }, async () => {
    const data = join(tempDir("token-set"), "data");
    const run = (...args: string[]) => provisio([...args, "-d", data]);
    const ok = async (...args: string[]) => {
      const r = await run(...args);
      expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(0);
      return r.stdout;
    };
    await ok("tenant", "add", "acme");
    const secret = (
      await ok("token", "create", "--role", "admin", "--name", "noc", "--expires", "2099-01-01")
    ).trim();
    const [created] = JSON.parse(await ok("token", "list", "--json")) as {
      id: string;
      expiresAt: string | null;
    }[];
    expect(created!.expiresAt).toBe("2099-01-01T00:00:00.000Z");

    const saved = await ok(
      "token",
      "set",
      "noc",
      "--name",
      "grafana",
      "--role",
      "read-only",
      "--tenant",
      "acme",
      "--expires",
      "2031-05-01",
    );
    expect(saved).toBe(
      "token grafana saved: role read-only, tenant acme, expires 2031-05-01T00:00:00.000Z\n",
    );
    const json = JSON.parse(
      await ok("token", "set", created!.id, "--no-tenant", "--no-expires", "--json"),
    );
    expect(json).toMatchObject({
      id: created!.id,
      name: "grafana",
      role: "read-only",
      tenantId: null,
      expiresAt: null,
    });
    expect(json).not.toHaveProperty("hash");

    const audit = (await ok("audit", "--entity", "token", "--key", created!.id, "--json"))
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { action: string });
    expect(audit.filter((e) => e.action === "token.update")).toHaveLength(2);
    const list = await ok("token", "list");
    expect(list).toContain("grafana");
    expect(list).not.toContain(secret);

    // Refused: nothing to change, a secret, an unknown role, a bad date, an unknown token,
    // an ambiguous name.
    for (const [args, message] of [
      [["token", "set", "grafana"], "nothing to change"],
      [["token", "set", "grafana", "--secret", "pvo_x"], "unknown option '--secret'"],
      [["token", "set", "grafana", "--role", "root"], "--role takes admin, operator, read-only"],
      [["token", "set", "grafana", "--expires", "soon"], "--expires takes a date"],
      [["token", "set", "nosuch", "--role", "admin"], "no token with id or name"],
    ] as const) {
      const r = await run(...args);
      expect(r.code, args.join(" ")).not.toBe(0);
      expect(r.stderr, args.join(" ")).toContain(message);
    }
    await ok("token", "create", "--name", "grafana");
    const ambiguous = await run("token", "set", "grafana", "--role", "admin");
    expect(ambiguous.code).toBe(1);
    expect(ambiguous.stderr).toContain("2 tokens are named");
    await ok("token", "rm", created!.id);
    await ok("token", "rm", "grafana");
    expect(JSON.parse(await ok("token", "list", "--json"))).toEqual([]);
  });
});
