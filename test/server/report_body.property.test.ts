/**
 * The report body parser reads what any client POSTs to /report/: any bytes give a parsed
 * report or a SERVER_REPORT_* error (never another exception); a flat profile the unit
 * writes (the emulator's own serializer) reads back entry for entry; a status document's
 * fields read back with their escapes undone.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isProvisioError } from "../../src/errors.ts";
import { defaultCatalogue, escapeXmlValue, serializeXmlProfile } from "../../src/profile/index.ts";
import { parseReportBody } from "../../src/server/index.ts";

const name = fc.stringMatching(/^[A-Z][A-Za-z0-9_]{0,20}$/);
const value = fc.string({ maxLength: 40 }).map((s) => s.replace(/[^\x20-\x7e]/g, ""));
const access = fc.constantFrom("na" as const, "ro" as const, "rw" as const);

describe("report body", () => {
  it("any bytes: a report or a SERVER_REPORT_* error", () => {
    const docs = fc.oneof(
      fc.uint8Array({ maxLength: 600 }),
      fc.string({ maxLength: 300 }).map((s) => Buffer.from(`<flat-profile>${s}</flat-profile>`)),
      fc.string({ maxLength: 300 }).map((s) => Buffer.from(`<status>${s}</status>`)),
      fc.string({ maxLength: 300 }).map((s) => Buffer.from(`<?xml version="1.0"?>${s}`)),
    );
    fc.assert(
      fc.property(docs, (bytes) => {
        try {
          const r = parseReportBody(bytes, defaultCatalogue);
          expect(["flat-profile", "status"]).toContain(r.document);
        } catch (e) {
          expect(isProvisioError(e) && e.code.startsWith("SERVER_REPORT_"), String(e)).toBe(true);
        }
      }),
      { numRuns: 3_000 },
    );
  });

  it("a flat profile reads back entry for entry (the last of a repeated name wins)", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(name, value, access), { maxLength: 30 }), (list) => {
        const entries = list.map(([n, v, a]) => ({ name: n, value: v, access: a }));
        const text = serializeXmlProfile({ format: "xml", entries }, { declaration: true }).text;
        const parsed = parseReportBody(Buffer.from(text), defaultCatalogue);
        const last = new Map<string, { value: string; access: string }>();
        for (const e of entries) {
          last.delete(e.name);
          last.set(e.name, { value: e.value, access: e.access });
        }
        expect(parsed.entries.map((e) => [e.name, e.value, e.access])).toEqual(
          [...last].map(([n, e]) => [n, e.value, e.access]),
        );
      }),
      { numRuns: 500 },
    );
  });

  it("a status document: fields with escapes undone; markup outside fields refused", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(name, value), { maxLength: 12 }), (fields) => {
        const unique = [...new Map(fields).entries()];
        const body = `<?xml version="1.0"?>\n<status>\n${unique.map(([n, v]) => `  <${n}>${escapeXmlValue(v)}</${n}>`).join("\n")}\n</status>\n`;
        const parsed = parseReportBody(Buffer.from(body), defaultCatalogue);
        expect(parsed.document).toBe("status");
        expect(parsed.entries.map((e) => [e.name, e.value])).toEqual(unique);
      }),
      { numRuns: 500 },
    );
    expect(() =>
      parseReportBody(Buffer.from("<status>loose <A>1</A></status>"), defaultCatalogue),
    ).toThrow(expect.objectContaining({ code: "SERVER_REPORT_MALFORMED" }));
  });

  it("marks secret parameters; refuses encrypted, compressed and oversized bodies", () => {
    const r = parseReportBody(
      Buffer.from("<flat-profile><Password_1_>pw</Password_1_><GPP_A>x</GPP_A></flat-profile>"),
      defaultCatalogue,
    );
    expect(r.entries.map((e) => [e.name, e.secret])).toEqual([
      ["Password_1_", true],
      ["GPP_A", false],
    ]);
    const cases: [Buffer, string][] = [
      [Buffer.concat([Buffer.from("Salted__"), Buffer.alloc(16)]), "SERVER_REPORT_ENCRYPTED"],
      [Buffer.from([0x1f, 0x8b, 8, 0]), "SERVER_REPORT_MALFORMED"],
      [Buffer.from(`<flat-profile>${"x".repeat(2_000)}</flat-profile>`), "SERVER_REPORT_TOO_LARGE"],
    ];
    for (const [bytes, code] of cases) {
      expect(() => parseReportBody(bytes, defaultCatalogue, 1_000)).toThrow(
        expect.objectContaining({ code }),
      );
    }
  });
});
