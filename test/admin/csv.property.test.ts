/**
 * Property tests of the CSV import reader (src/admin/csv.ts, RFC 4180): generated rows — with
 * quotes, commas, CR, LF, CRLF, a BOM and non-ASCII text — written as CSV and fed in arbitrary
 * chunks (strings, or bytes cut anywhere, even inside a UTF-8 sequence) read back exactly,
 * with the line each record starts on; random text gives records or API_CSV_INVALID with a
 * line number inside the text, never another exception.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type CsvRecord, readCsv } from "../../src/admin/index.ts";
import { isProvisioError } from "../../src/errors.ts";

const fieldText = fc.string({
  unit: fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom("a", "b", "0", " ", "-", ":") },
    {
      weight: 3,
      arbitrary: fc.constantFrom(
        '"',
        ",",
        "\r",
        "\n",
        "\r\n",
        '""',
        "\ufeff",
        "é",
        "€",
        "😀",
        "\t",
      ),
    },
    { weight: 1, arbitrary: fc.string({ unit: "binary", minLength: 1, maxLength: 1 }) },
  ),
  maxLength: 12,
});
const rows = fc.array(fc.array(fieldText, { minLength: 1, maxLength: 5 }), { maxLength: 12 });

function needsQuotes(field: string): boolean {
  return /[",\r\n]/.test(field) || field.startsWith("\ufeff");
}

function writeCsv(data: readonly (readonly string[])[], eol: string): string {
  return data
    .map((row) =>
      row
        .map((f, i) =>
          needsQuotes(f) || (row.length === 1 && i === 0 && f === "")
            ? `"${f.replaceAll('"', '""')}"`
            : f,
        )
        .join(","),
    )
    .join(eol);
}

/** Cuts `text` (or its UTF-8 bytes) at the given fractions. */
function chunksOf(text: string, cuts: readonly number[], bytes: boolean): (string | Buffer)[] {
  const whole: string | Buffer = bytes ? Buffer.from(text, "utf8") : text;
  const positions = [...new Set(cuts.map((c) => Math.floor(c * whole.length)))].sort(
    (a, b) => a - b,
  );
  const out: (string | Buffer)[] = [];
  let at = 0;
  for (const p of [...positions, whole.length]) {
    out.push(whole.slice(at, p));
    at = p;
  }
  return out;
}

async function readAll(chunks: Iterable<string | Buffer>): Promise<CsvRecord[]> {
  const out: CsvRecord[] = [];
  for await (const record of readCsv(chunks)) out.push(record);
  return out;
}

describe("readCsv (property)", () => {
  it("round-trips generated rows, whatever the chunking, with each record's line", async () => {
    await fc.assert(
      fc.asyncProperty(
        rows,
        fc.constantFrom("\n", "\r\n"),
        fc.boolean(),
        fc.boolean(),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), { maxLength: 6 }),
        fc.boolean(),
        async (data, eol, bom, trailingEol, cuts, bytes) => {
          const body = writeCsv(data, eol);
          const text = `${bom ? "\ufeff" : ""}${body}${trailingEol && data.length > 0 ? eol : ""}`;
          const records = await readAll(chunksOf(text, cuts, bytes));
          expect(records.map((r) => r.fields)).toEqual(data);
          // Line of each record: 1 + the line breaks written before it.
          let line = 1;
          data.forEach((row, i) => {
            expect(records[i]!.line).toBe(line);
            line += writeCsv([row], eol).split("\n").length - 1 + 1;
          });
        },
      ),
      { numRuns: 10_000 },
    );
  });

  it("random text → records or API_CSV_INVALID with a line inside the text, never a crash", async () => {
    const noise = fc.oneof(
      fc.string({ unit: "binary", maxLength: 60 }),
      fc
        .array(fc.constantFrom('"', ",", "\r", "\n", "a", '""', " ", "\ufeff", "é"), {
          maxLength: 40,
        })
        .map((p) => p.join("")),
    );
    await fc.assert(
      fc.asyncProperty(
        noise,
        fc.array(fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), { maxLength: 4 }),
        fc.boolean(),
        async (text, cuts, bytes) => {
          const lines = text.split("\n").length;
          try {
            const records = await readAll(chunksOf(text, cuts, bytes));
            for (const r of records) {
              expect(r.line).toBeGreaterThanOrEqual(1);
              expect(r.line).toBeLessThanOrEqual(lines);
            }
          } catch (error) {
            if (!isProvisioError(error)) throw error;
            expect(error.code).toBe("API_CSV_INVALID");
            expect(error.line).toBeGreaterThanOrEqual(1);
            expect(error.line).toBeLessThanOrEqual(lines);
            expect(error.message).toMatch(new RegExp(`^line ${error.line}: `));
          }
        },
      ),
      { numRuns: 10_000 },
    );
  });

  it("a UTF-8 sequence cut off at the end of the bytes becomes U+FFFD, not silence", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("é", "€", "😀"),
        fc.integer({ min: 1, max: 3 }),
        async (ch, keep) => {
          const bytes = Buffer.from(ch, "utf8");
          fc.pre(keep < bytes.length);
          const records = await readAll([Buffer.from("a,b"), bytes.subarray(0, keep)]);
          expect(records.map((r) => r.fields)).toEqual([["a", "b\ufffd"]]);
        },
      ),
      { numRuns: 100 },
    );
  });

  it("a field over the limit is an error naming its line, not a crash or a silent cut", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 5 }),
        fc.integer({ min: 1, max: 40 }),
        fc.boolean(),
        async (before, extra, quoted) => {
          const long = "x".repeat(4096 + extra);
          const text = `${"a,b\n".repeat(before)}${quoted ? `"${long}"` : long},b\n`;
          await expect(readAll([text])).rejects.toMatchObject({
            code: "API_CSV_INVALID",
            line: before + 1,
          });
        },
      ),
      { numRuns: 300 },
    );
  });
});
