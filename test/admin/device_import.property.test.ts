/**
 * Property test of the bulk device import over a real SQLite store (src/admin/device_import.ts):
 * random CSV files — good rows, malformed MACs, repeated MACs, wrong cell counts, over-long
 * or multi-line cells, quotes, CRLF, a BOM — give every data row exactly one fate (committed,
 * or refused with its own line number), and every committed row is in the database as written.
 * A malformed file fails with API_CSV_INVALID and a line, never another exception.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { importDevicesCsv } from "../../src/admin/index.ts";
import { isProvisioError } from "../../src/errors.ts";
import { openStore, type Store, tryParseMac } from "../../src/store/index.ts";
import { testSealer } from "../store/dialects.ts";

let store: Store;
const FOREIGN = "000e08ffff01" as never;
const dir = mkdtempSync(join(tmpdir(), "provisio-import-prop-"));

beforeAll(async () => {
  store = await openStore({ kind: "sqlite", file: join(dir, "p.db") }, { sealer: testSealer() });
  // A device of another tenant: a row naming it must be refused, never moved.
  const other = await store.tenants.create({ slug: "other", name: "other" });
  await store.devices.create({ mac: FOREIGN, tenantId: other.id, label: "theirs" });
});
afterAll(async () => {
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

const mac = fc.oneof(
  { weight: 6, arbitrary: fc.stringMatching(/^000e08[0-9a-f]{2}00[0-9a-f]{2}$/) },
  {
    weight: 1,
    arbitrary: fc.constantFrom("00:0E:08:AA:00:01", "000e.08aa.0002", " 000e08aa0003 "),
  },
  {
    weight: 2,
    arbitrary: fc.constantFrom("", "nope", "000e08aa00zz", "000e08aa000", "00:0e-08:aa:00:04"),
  },
);
const label = fc.oneof(
  { weight: 6, arbitrary: fc.stringMatching(/^[A-Za-z0-9 ._-]{0,20}$/) },
  {
    weight: 1,
    arbitrary: fc.constantFrom('say "hi"', "a,b", "two\nlines", "x".repeat(300), "é€😀"),
  },
);
const row = fc.tuple(mac, label, fc.integer({ min: -1, max: 1 }));

function cell(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

describe("importDevicesCsv (property)", () => {
  it("gives every data row one fate, with its line, and stores what it acknowledged", async () => {
    let tenantNo = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(row, { maxLength: 25 }),
        fc.constantFrom("\n", "\r\n"),
        fc.boolean(),
        fc.integer({ min: 1, max: 10 }),
        async (rows, eol, bom, batchSize) => {
          const tenant = await store.tenants.create({ slug: `t${tenantNo++}`, name: "t" });
          // Each record's first line: header on line 1, then one per row plus its embedded LFs.
          const lines: string[] = ["mac,label"];
          const startLine: number[] = [];
          let line = 2;
          for (const [m, l, extra] of rows) {
            startLine.push(line);
            const cells = [cell(m), cell(l)];
            if (extra > 0) cells.push("x");
            if (extra < 0) cells.pop();
            const text = cells.join(",");
            lines.push(text);
            line += text.split("\n").length;
          }
          const csv = `${bom ? "\ufeff" : ""}${lines.join(eol)}${eol}`;
          const result = await importDevicesCsv([csv], {
            store,
            tenantId: tenant.id,
            actor: "test",
            batchSize,
          });
          // A row of only an empty MAC cell is a blank line: skipped, not read.
          const expectedRows = rows.filter(([m, , extra]) => !(m === "" && extra < 0));
          expect(result.rowsRead).toBe(expectedRows.length);
          expect(result.committed + result.rejected).toBe(result.rowsRead);
          const refusedLines = new Set(result.errors.map((e) => e.line));
          expect(refusedLines.size).toBe(result.errors.length);
          for (const e of result.errors) expect(startLine).toContain(e.line);

          // Committed rows are stored as written (the first occurrence of a MAC wins).
          const seen = new Set<string>();
          rows.forEach(([m, l, extra], i) => {
            const parsed = tryParseMac(m.trim());
            const ok =
              extra === 0 &&
              parsed !== undefined &&
              parsed !== FOREIGN &&
              !seen.has(parsed) &&
              l.trim().length <= 255;
            if (ok && !/[\u0000-\u001f]/.test(l.trim())) seen.add(parsed);
            const refused = refusedLines.has(startLine[i]!);
            if (!(m === "" && extra < 0)) {
              expect(refused, `line ${startLine[i]} ${JSON.stringify([m, l, extra])}`).toBe(
                !(ok && !/[\u0000-\u001f]/.test(l.trim())),
              );
            }
          });
          const stored = await store.devices.list({ tenantId: tenant.id, limit: 1000 });
          expect(stored.length).toBe(result.committed);
          expect(new Set(stored.map((d) => d.mac))).toEqual(seen);
          // The next file starts from an empty installation (no MAC owned by another tenant).
          for (const d of stored) await store.devices.delete(d.mac);
          expect((await store.devices.get(FOREIGN)).label).toBe("theirs");
        },
      ),
      { numRuns: 300 },
    );
  });

  it("random bytes as a file: a result, or API_CSV_INVALID with a line — nothing else", async () => {
    const tenant = await store.tenants.create({ slug: "noise", name: "noise" });
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ unit: "binary", maxLength: 80 }),
          fc
            .array(
              fc.constantFrom("mac", ",", "label", "\n", '"', "000e08aa0001", "model", "MAC", " "),
              {
                maxLength: 20,
              },
            )
            .map((p) => p.join("")),
        ),
        async (text) => {
          try {
            const r = await importDevicesCsv([text], { store, tenantId: tenant.id, actor: "t" });
            expect(r.committed + r.rejected).toBe(r.rowsRead);
          } catch (error) {
            if (!isProvisioError(error)) throw error;
            expect(error.code).toBe("API_CSV_INVALID");
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
