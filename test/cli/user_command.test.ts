import { scryptSync, timingSafeEqual } from "node:crypto";
import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { provisio, tempDir } from "./helpers.ts";

/** Whether `password` matches the user's stored scrypt hash (read from the database file). */
function storedHashMatches(db: string, username: string, password: string): boolean {
  const sqlite = new Database(db, { readonly: true });
  try {
    const row = sqlite
      .prepare("select password_hash from users where username = ?")
      .get(username) as { password_hash: string } | undefined;
    const m = /^\$scrypt\$ln=(\d+),r=(\d+),p=(\d+)\$([^$]+)\$([^$]+)$/.exec(row!.password_hash)!;
    const key = Buffer.from(m[5]!, "base64");
    const derived = scryptSync(password, Buffer.from(m[4]!, "base64"), key.length, {
      N: 2 ** Number(m[1]),
      r: Number(m[2]),
      p: Number(m[3]),
      maxmem: 256 * 1024 * 1024,
    });
    return timingSafeEqual(derived, key);
  } finally {
    sqlite.close();
  }
}

describe("provisio user", () => {
  // Nine runs of the real executable: minutes on a loaded machine.
  it("adds, lists, changes, re-passwords and removes users; passwords only from stdin", async () => {
    const dir = tempDir("user");
    const data = join(dir, "data");
    const db = join(data, "provisio.db");

    const added = await provisio(
      ["user", "add", "--username", "Alice", "--role", "admin", "--password-stdin", "-d", data],
      { input: "alice passphrase 1\n" },
    );
    expect(added.stderr).not.toMatch(/error/i);
    expect(added.code).toBe(0);
    expect(added.stdout).toBe("user alice added: role admin, every tenant\n");
    expect(storedHashMatches(db, "alice", "alice passphrase 1")).toBe(true);

    // No terminal and no --password-stdin: refused, nothing read from argv.
    const noTty = await provisio(["user", "add", "--username", "bob", "-d", data]);
    expect(noTty.code).not.toBe(0);
    expect(noTty.stderr).toContain("--password-stdin");
    // The policy: at least 12 characters.
    const short = await provisio(
      ["user", "add", "--username", "bob", "--password-stdin", "-d", data],
      { input: "short\n" },
    );
    expect(short.code).not.toBe(0);
    expect(short.stderr).toContain("at least 12 characters");
    expect(short.stderr).not.toContain("short\n");
    const json = await provisio(["user", "list", "--json", "-d", data]);
    expect(JSON.parse(json.stdout).map((u: { username: string }) => u.username)).toEqual(["alice"]);
    expect(json.stdout).not.toMatch(/scrypt|hash|passphrase/);

    const passwd = await provisio(["user", "passwd", "alice", "--password-stdin", "-d", data], {
      input: "a new alice passphrase\n",
    });
    expect(passwd.code).toBe(0);
    expect(storedHashMatches(db, "alice", "a new alice passphrase")).toBe(true);
    expect(storedHashMatches(db, "alice", "alice passphrase 1")).toBe(false);

    await provisio(["tenant", "add", "acme", "-d", data]);
    const disabled = await provisio([
      "user",
      "set",
      "alice",
      "--disable",
      "--role",
      "operator",
      "--tenant",
      "acme",
      "-d",
      data,
    ]);
    expect(disabled.stdout).toBe("user alice saved: role operator, tenant acme, disabled\n");
    const list = await provisio(["user", "list", "-d", data]);
    const lines = list.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^USERNAME\s+ROLE\s+TENANT\s+STATE\s+CREATED\s+LAST LOGIN$/);
    expect(lines[1]).toMatch(/^alice\s+operator\s+acme\s+disabled\s+\S+\s+never$/);

    const removed = await provisio(["user", "rm", "alice", "-d", data]);
    expect(removed.stdout).toBe("removed user alice\n");
  }, 900_000);
});
