/**
 * Acceptance: kill -9 during a bulk import of 100,000 devices; after restart every device the
 * import acknowledged ("committed N rows (through line L)") is there and the database is
 * consistent; re-running the import completes it.
 */
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openInstallation } from "../../src/cli/installation.ts";
import type { MacAddress } from "../../src/store/index.ts";
import { BIN, macFor, provisio, tempDir } from "./helpers.ts";

const ROWS = 100_000;

describe("provisio device import, killed", () => {
  it("keeps every acknowledged row after kill -9, and the database consistent", async () => {
    const dir = tempDir("crash");
    const data = join(dir, "data");
    const file = join(dir, "devices.csv");
    const lines = ["mac,model,serial"];
    for (let i = 0; i < ROWS; i++) lines.push(`${macFor(i)},SPA112,SN${i}`);
    writeFileSync(file, `${lines.join("\n")}\n`);
    // Initialise first, so the import starts straight away.
    expect((await provisio(["tenant", "list", "-d", data])).code).toBe(0);

    const child = spawn(
      process.execPath,
      [BIN, "device", "import", file, "--batch-size", "500", "-d", data],
      {
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let acknowledgedLine = 0;
    let killedAt = 0;
    let buffered = "";
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on("exit", (code, signal) => resolve({ code, signal })),
    );
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      buffered += chunk;
      let nl = buffered.indexOf("\n");
      while (nl >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        const m = /^committed (\d+) rows \(through line (\d+)\)/.exec(line);
        if (m !== null) {
          acknowledgedLine = Number(m[2]);
          if (Number(m[1]) >= 20_000 && killedAt === 0) {
            killedAt = acknowledgedLine;
            child.kill("SIGKILL");
          }
        }
        nl = buffered.indexOf("\n");
      }
    });
    const exit = await exited;
    expect(exit.signal, "the import finished before it could be killed").toBe("SIGKILL");
    expect(killedAt).toBeGreaterThan(0);
    const acknowledged = acknowledgedLine - 1; // rows 2..L are data rows 0..L-2

    const installation = await openInstallation({ data });
    try {
      expect(await installation.store.check()).toEqual({ ok: true, problems: [] });
      const present = new Set<string>();
      let after: MacAddress | undefined;
      for (;;) {
        const page = await installation.store.devices.list({
          ...(after ? { after } : {}),
          limit: 10_000,
        });
        for (const d of page) present.add(d.mac);
        after = page.at(-1)?.mac;
        if (page.length < 10_000 || after === undefined) break;
      }
      const lost: string[] = [];
      for (let i = 0; i < acknowledged; i++) if (!present.has(macFor(i))) lost.push(macFor(i));
      expect(lost).toEqual([]);
      // Batches are atomic: only whole batches of 500 are there, in file order.
      expect(present.size % 500).toBe(0);
      expect(present.size).toBeLessThan(ROWS);
      for (let i = 0; i < present.size; i++) expect(present.has(macFor(i))).toBe(true);
    } finally {
      await installation.close();
    }

    // Restart: the same import again completes (upserts), the database stays consistent.
    const rerun = await provisio(["device", "import", file, "--no-progress", "-d", data]);
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(rerun.stdout).toContain(`imported ${ROWS} devices`);
    const after = await openInstallation({ data });
    try {
      expect(await after.store.devices.count()).toBe(ROWS);
      expect((await after.store.check()).ok).toBe(true);
    } finally {
      await after.close();
    }
  }, 120_000);
});
