import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isProvisioError } from "../../src/errors.ts";
import {
  encodeAck,
  encodeData,
  encodeError,
  encodeOack,
  encodeRequest,
  Opcode,
  parsePacket,
} from "../../src/tftp/packet.ts";

const bytes = (...parts: Array<string | number[]>) =>
  Buffer.concat(
    parts.map((p) => (typeof p === "string" ? Buffer.from(p, "latin1") : Buffer.from(p))),
  );

function malformed(buf: Buffer): string {
  try {
    parsePacket(buf);
  } catch (error) {
    if (isProvisioError(error)) return error.code;
    throw error;
  }
  return "parsed";
}

describe("TFTP packet codec (RFC 1350 §5, RFC 2347)", () => {
  it("parses an RRQ with options, lower-casing names and keeping the first duplicate", () => {
    const p = parsePacket(
      bytes([0, 1], "spa2102.cfg\x00OCTET\x00BLKSIZE\x001428\x00tsize\x000\x00blksize\x00512\x00"),
    );
    expect(p).toEqual({
      op: Opcode.RRQ,
      filename: "spa2102.cfg",
      mode: "octet",
      options: new Map([
        ["blksize", "1428"],
        ["tsize", "0"],
      ]),
    });
  });

  it("round-trips every packet kind", () => {
    const req = encodeRequest(Opcode.WRQ, "/a/b.xml", "netascii", [["windowsize", "16"]]);
    expect(parsePacket(req)).toMatchObject({
      op: Opcode.WRQ,
      filename: "/a/b.xml",
      mode: "netascii",
    });
    const data = parsePacket(encodeData(65535, Buffer.from("hello")));
    expect(data).toMatchObject({ op: Opcode.DATA, block: 65535 });
    expect(data.op === Opcode.DATA && data.data.toString()).toBe("hello");
    expect(parsePacket(encodeAck(70000))).toEqual({ op: Opcode.ACK, block: 70000 & 0xffff });
    expect(parsePacket(encodeError(1, "File not found"))).toEqual({
      op: Opcode.ERROR,
      code: 1,
      message: "File not found",
    });
    expect(parsePacket(encodeOack([["blksize", "1428"]]))).toEqual({
      op: Opcode.OACK,
      options: new Map([["blksize", "1428"]]),
    });
  });

  it("accepts an empty final DATA block and an ERROR without a terminating NUL", () => {
    expect(parsePacket(bytes([0, 3, 0, 9]))).toMatchObject({ op: Opcode.DATA, block: 9 });
    expect(parsePacket(bytes([0, 5, 0, 2], "denied"))).toEqual({
      op: Opcode.ERROR,
      code: 2,
      message: "denied",
    });
  });

  it.each([
    ["empty", bytes([])],
    ["one byte", bytes([0])],
    ["unknown opcode", bytes([0, 9, 0, 0])],
    ["opcode 0", bytes([0, 0])],
    ["RRQ without mode", bytes([0, 1], "file\0")],
    ["RRQ unterminated", bytes([0, 1], "file\0octet")],
    ["RRQ empty filename", bytes([0, 1], "\0octet\0")],
    ["RRQ unknown mode", bytes([0, 1], "file\0binary\0")],
    ["RRQ option without value", bytes([0, 1], "file\0octet\0blksize\0")],
    ["RRQ empty option name", bytes([0, 1], "file\x00octet\x00\x00512\x00")],
    ["short DATA", bytes([0, 3, 0])],
    ["short ACK", bytes([0, 4, 1])],
    ["short ERROR", bytes([0, 5, 0])],
    ["OACK unterminated", bytes([0, 6], "blksize\x00512")],
  ])("rejects %s with TFTP_MALFORMED", (_name, buf) => {
    expect(malformed(buf)).toBe("TFTP_MALFORMED");
  });

  it("rejects absurd option counts and oversized strings", () => {
    const many = Array.from({ length: 40 }, (_, i) => `o${i}\0${i}\0`).join("");
    expect(malformed(bytes([0, 1], `f\0octet\0${many}`))).toBe("TFTP_MALFORMED");
    expect(malformed(bytes([0, 1], `${"a".repeat(2000)}\0octet\0`))).toBe("TFTP_MALFORMED");
  });

  it("fuzz: arbitrary bytes either parse or fail with TFTP_MALFORMED (10,000 cases)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (raw) => {
        const outcome = malformed(Buffer.from(raw));
        return outcome === "parsed" || outcome === "TFTP_MALFORMED";
      }),
      { numRuns: 10_000, seed: 1350 },
    );
  });

  it("fuzz: near-valid requests (valid opcode, random NUL-separated fields) never crash (10,000 cases)", () => {
    const field = fc.string({ maxLength: 12 });
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 7 }),
        fc.array(field, { maxLength: 8 }),
        fc.boolean(),
        (op, fields, terminate) => {
          const body = fields.join("\0") + (terminate ? "\0" : "");
          const outcome = malformed(bytes([0, op], body));
          return outcome === "parsed" || outcome === "TFTP_MALFORMED";
        },
      ),
      { numRuns: 10_000, seed: 2347 },
    );
  });

  it("property: encoded requests parse back to the same fields", () => {
    const text = fc.string({ minLength: 1, maxLength: 30 }).filter((s) => !s.includes("\0"));
    fc.assert(
      fc.property(
        text,
        fc.constantFrom("octet" as const, "netascii" as const),
        fc.dictionary(
          text.map((s) => s.toLowerCase()),
          text,
          { maxKeys: 5 },
        ),
        (filename, mode, opts) => {
          const entries = Object.entries(opts);
          const names = new Set(entries.map(([k]) => k));
          fc.pre(
            names.size === entries.length &&
              Buffer.byteLength(filename, "latin1") === filename.length,
          );
          const p = parsePacket(encodeRequest(Opcode.RRQ, filename, mode, entries));
          if (p.op !== Opcode.RRQ) return false;
          return (
            p.mode === mode && p.filename === Buffer.from(filename, "latin1").toString("latin1")
          );
        },
      ),
      { numRuns: 1000, seed: 7 },
    );
  });
});
