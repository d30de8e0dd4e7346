/**
 * Acceptance, through the API: kill -9 the server during a bulk import of 100,000 devices;
 * after restart every device the import operation reported as committed is there and the
 * database is consistent.
 */
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { type MacAddress, openStore } from "../../src/store/index.ts";
import { testSealer } from "../store/dialects.ts";

const ROWS = 100_000;
const mac = (i: number) => `02${i.toString(16).padStart(10, "0")}`;

describe("device import operation, server killed", () => {
  it("keeps every row the operation acknowledged", async () => {
    const dir = mkdtempSync(join(tmpdir(), "provisio-api-crash-"));
    const file = join(dir, "provisio.db");
    const child = spawn(
      process.execPath,
      ["--import", "tsx", resolve(import.meta.dirname, "fixtures/admin_server.ts"), file],
      { stdio: ["ignore", "pipe", "inherit"], cwd: resolve(import.meta.dirname, "../..") },
    );
    const exited = new Promise<NodeJS.Signals | null>((r) => child.on("exit", (_c, s) => r(s)));
    const ready = await new Promise<{ url: string; token: string }>((resolvePromise, reject) => {
      let out = "";
      child.stdout.setEncoding("utf8").on("data", (d: string) => {
        out += d;
        const nl = out.indexOf("\n");
        if (nl >= 0) resolvePromise(JSON.parse(out.slice(0, nl)));
      });
      child.on("exit", () => reject(new Error("server exited before it was ready")));
    });
    const headers = { authorization: `Bearer ${ready.token}` };
    const csv = ["mac,model,serial"];
    for (let i = 0; i < ROWS; i++) csv.push(`${mac(i)},SPA112,SN${i}`);
    const started = await fetch(`${ready.url}/api/v1/devices/import?batchSize=500`, {
      method: "POST",
      headers: { ...headers, "content-type": "text/csv" },
      body: csv.join("\n"),
    });
    expect(started.status).toBe(202);
    const { operation } = (await started.json()) as { operation: { id: string } };

    let acknowledgedLine = 0;
    for (;;) {
      const res = await fetch(`${ready.url}/api/v1/operations/${operation.id}`, { headers });
      const op = (await res.json()) as {
        status: string;
        progress: { committed: number; lastCommittedLine: number | null };
      };
      expect(op.status, "the import finished before it could be killed").toBe("running");
      acknowledgedLine = op.progress.lastCommittedLine ?? 0;
      if (op.progress.committed >= 20_000) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    child.kill("SIGKILL");
    expect(await exited).toBe("SIGKILL");

    const store = await openStore({ kind: "sqlite", file }, { sealer: testSealer() });
    try {
      expect(await store.check()).toEqual({ ok: true, problems: [] });
      const present = new Set<string>();
      let after: MacAddress | undefined;
      for (;;) {
        const page = await store.devices.list({ ...(after ? { after } : {}), limit: 10_000 });
        for (const d of page) present.add(d.mac);
        after = page.at(-1)?.mac;
        if (page.length < 10_000 || after === undefined) break;
      }
      const lost: string[] = [];
      for (let i = 0; i < acknowledgedLine - 1; i++) if (!present.has(mac(i))) lost.push(mac(i));
      expect(lost).toEqual([]);
      expect(present.size).toBeGreaterThanOrEqual(20_000);
      expect(present.size).toBeLessThan(ROWS);
      expect(present.size % 500).toBe(0);
    } finally {
      await store.close();
    }
  }, 120_000);
});
