/**
 * The report body parser reads what any client POSTs to /report/: any bytes give a parsed
 * report or a SERVER_REPORT_* error (never another exception); a flat profile the unit
 * writes (the emulator's own serializer) reads back entry for entry; a status document's
 * fields read back with their escapes undone. An MPP report encoded with aes128gcm (RFC 8188)
 * is told by its Content-Encoding (HTTP) or its bytes (TFTP) and decoded with the device's
 * IKM: any bytes behind such a header give the plaintext or a SERVER_REPORT_* error.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { encodeAes128gcm } from "../../src/crypto/index.ts";
import { isProvisioError } from "../../src/errors.ts";
import { defaultCatalogue, escapeXmlValue, serializeXmlProfile } from "../../src/profile/index.ts";
import { decodeReport, parseReportBody, reportCoding } from "../../src/server/index.ts";

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

  it("aes128gcm: any bytes behind an RFC 8188 header decode or give a SERVER_REPORT_* error", () => {
    const IKM = "ikm-of-the-fuzzed-unit";
    const header = fc
      .tuple(
        fc.uint8Array({ minLength: 16, maxLength: 16 }),
        fc.oneof(fc.constant(4096), fc.integer({ min: 0, max: 200 }), fc.nat()),
        fc.uint8Array({ maxLength: 20 }),
      )
      .map(([salt, rs, keyId]) => {
        const h = Buffer.alloc(21 + keyId.length);
        Buffer.from(salt).copy(h);
        h.writeUInt32BE(rs >>> 0, 16);
        h[20] = keyId.length;
        Buffer.from(keyId).copy(h, 21);
        return h;
      });
    const genuine = fc
      .tuple(fc.uint8Array({ maxLength: 300 }), fc.integer({ min: 18, max: 80 }))
      .map(([plain, rs]) => encodeAes128gcm(plain, IKM, { recordSize: rs }));
    const bodies = fc.oneof(
      fc
        .tuple(header, fc.uint8Array({ maxLength: 400 }))
        .map(([h, rest]) => Buffer.concat([h, rest])),
      // A real body, as is or with a byte flipped, or cut short.
      fc
        .tuple(genuine, fc.nat(), fc.integer({ min: 1, max: 255 }), fc.nat({ max: 40 }))
        .map(([b, at, x, cut]) => {
          const copy = Buffer.from(b);
          if (copy.length > 0) copy[at % copy.length]! ^= x;
          return cut % 3 === 0 ? copy.subarray(0, Math.max(0, copy.length - cut)) : copy;
        }),
    );
    const ikms = fc.constantFrom(IKM, "another-ikm", undefined, "");
    fc.assert(
      fc.property(bodies, ikms, fc.boolean(), (body, ikm, tftp) => {
        try {
          const coding = reportCoding(body, tftp ? undefined : "aes128gcm", tftp);
          if (coding === "none") return;
          const plain = decodeReport(body, ikm, 1_000);
          expect(plain.length).toBeLessThanOrEqual(1_000);
          parseReportBody(plain, defaultCatalogue, 1_000);
        } catch (e) {
          expect(isProvisioError(e) && e.code.startsWith("SERVER_REPORT_"), String(e)).toBe(true);
        }
      }),
      { numRuns: 3_000 },
    );
  });

  it("aes128gcm: the coding from the header or the bytes; the IKM, the limit and the refusals", () => {
    const IKM = "ikm-of-the-unit";
    const xml = Buffer.from(
      '<?xml version="1.0"?>\n<flat-profile><Station_Name ua="rw">desk</Station_Name></flat-profile>\n',
    );
    const body = encodeAes128gcm(xml, IKM);
    // HTTP: the header decides; TFTP: the bytes (text is never taken for an encoded body).
    expect(reportCoding(body, "aes128gcm", false)).toBe("aes128gcm");
    expect(reportCoding(body, " AES128GCM ", false)).toBe("aes128gcm");
    expect(reportCoding(xml, "identity", false)).toBe("none");
    expect(reportCoding(body, undefined, false)).toBe("none");
    expect(reportCoding(body, undefined, true)).toBe("aes128gcm");
    expect(reportCoding(xml, undefined, true)).toBe("none");
    const salted = Buffer.concat([Buffer.from("Salted__"), Buffer.alloc(24)]);
    expect(reportCoding(salted, undefined, true)).toBe("none");
    expect(() => parseReportBody(salted, defaultCatalogue)).toThrow(
      expect.objectContaining({ code: "SERVER_REPORT_ENCRYPTED" }),
    );
    expect(() => reportCoding(xml, "gzip", false)).toThrow(
      expect.objectContaining({ code: "SERVER_REPORT_MALFORMED" }),
    );
    const parsed = parseReportBody(decodeReport(body, IKM), defaultCatalogue);
    expect(parsed.entries.map((e) => [e.name, e.value])).toEqual([["Station_Name", "desk"]]);
    const refusals: [() => unknown, string][] = [
      [() => decodeReport(body, undefined), "SERVER_REPORT_NO_IKM"],
      [() => decodeReport(body, ""), "SERVER_REPORT_NO_IKM"],
      [() => decodeReport(body, "another-ikm"), "SERVER_REPORT_UNDECODABLE"],
      [() => decodeReport(body.subarray(0, body.length - 1), IKM), "SERVER_REPORT_UNDECODABLE"],
      // The plaintext has the plain report's limit; the encoded body at most twice it.
      [
        () => decodeReport(encodeAes128gcm(Buffer.alloc(1_001, 0x41), IKM), IKM, 1_000),
        "SERVER_REPORT_TOO_LARGE",
      ],
      [() => decodeReport(Buffer.alloc(2_001), IKM, 1_000), "SERVER_REPORT_TOO_LARGE"],
    ];
    for (const [run, code] of refusals) expect(run).toThrow(expect.objectContaining({ code }));
    expect(decodeReport(encodeAes128gcm(Buffer.alloc(1_000, 0x41), IKM), IKM, 1_000).length).toBe(
      1_000,
    );
  });
});
