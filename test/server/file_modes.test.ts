/**
 * Issue 10, finding 12: every file the server creates is 0600 and every directory 0700,
 * whatever the umask and whatever already exists — here a data directory made 0755 by hand,
 * and later the 0644 / 0755 modes an older version left behind.
 */
import { chmodSync, mkdirSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { curl, tempDir } from "./helpers.ts";
import { type ServeProcess, startServeProcess } from "./serve_process.ts";

const dir = tempDir("file-modes");
const data = join(dir, "data");
const started: ServeProcess[] = [];

afterAll(async () => {
  await Promise.all(started.map((s) => s.stop()));
});

async function start(): Promise<ServeProcess> {
  const serve = await startServeProcess(data);
  started.push(serve);
  return serve;
}

/** Every path under `root` (itself included) with its permission bits, octal. */
function modes(root: string): Map<string, string> {
  const found = new Map<string, string>();
  const walk = (path: string, name: string): void => {
    const stat = statSync(path);
    found.set(name, (stat.mode & 0o777).toString(8));
    if (stat.isDirectory()) {
      for (const entry of readdirSync(path))
        walk(join(path, entry), name === "." ? entry : `${name}/${entry}`);
    }
  };
  walk(root, ".");
  return found;
}

function loosen(root: string): void {
  const walk = (path: string): void => {
    const stat = statSync(path);
    if (stat.isDirectory()) {
      chmodSync(path, 0o755);
      for (const entry of readdirSync(path)) walk(join(path, entry));
    } else chmodSync(path, 0o644);
  };
  walk(root);
}

/** Waits until the database's WAL and shared-memory files exist (a write has happened). */
async function untilWal(): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const names = readdirSync(data);
    if (names.includes("provisio.db-wal") && names.includes("provisio.db-shm")) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

function expectPrivate(found: Map<string, string>): void {
  for (const [name, mode] of found) {
    const isDir = statSync(join(data, name)).isDirectory();
    expect(`${name} ${mode}`).toBe(`${name} ${isDir ? "700" : "600"}`);
  }
}

describe("file modes under umask 022", () => {
  it("a data directory pre-created 0755: every file created is 0600, every directory 0700", async () => {
    mkdirSync(data);
    chmodSync(data, 0o755);
    const serve = await start();
    // A device request writes an event: the database grows its -wal and -shm files.
    expect((await curl([`${serve.http}/profile/000e08aaaaaa.xml`])).status).toBe(404);
    await untilWal();
    // Not on a terminal: the first admin token goes to a file (written after listening).
    for (
      let i = 0;
      i < 100 && !serve.logLines().some((l) => String(l.msg).startsWith("first admin token"));
      i++
    ) {
      await new Promise((r) => setTimeout(r, 100));
    }
    const found = modes(data);
    for (const name of [
      ".",
      "provisio.db",
      "provisio.db-wal",
      "provisio.db-shm",
      "master.key",
      "tls",
      "tls/server.crt",
      "tls/server.key",
      "pki",
      "pki/device-ca.crt",
      "pki/device-ca.key",
      "files",
      "initial-admin-token",
    ]) {
      expect(found.has(name), name).toBe(true);
    }
    expectPrivate(found);
    await serve.stop();
  });

  it("loose modes an older version left are tightened on start, each named in a warning", async () => {
    loosen(data);
    expect(statSync(join(data, "provisio.db")).mode & 0o777).toBe(0o644);
    const serve = await start();
    expect((await curl([`${serve.http}/profile/000e08aaaaab.xml`])).status).toBe(404);
    await untilWal();
    expectPrivate(modes(data));
    const warned = serve
      .logLines()
      .filter((l) => l.msg === "was accessible to other users: mode tightened")
      .map((l) => l.path);
    for (const name of ["", "provisio.db", "master.key", "tls/server.key", "pki/device-ca.key"]) {
      expect(warned).toContain(join(data, name));
    }
    await serve.stop();
  });
});
