/**
 * Fuzzes the TFTP packet parser: 1,000,000 cases by default (the test suite runs 10,000).
 * Every input must parse or fail with ProvisioError TFTP_MALFORMED; parsed requests must
 * re-encode to something that parses to the same fields.
 *
 *   npx tsx bench/tftp_fuzz.ts [cases]
 */
import fc from "fast-check";
import { isProvisioError } from "../src/errors.ts";
import {
  encodeOack,
  encodeRequest,
  Opcode,
  parsePacket,
  type TftpPacket,
} from "../src/tftp/index.ts";

const CASES = Number(process.argv[2] ?? "1000000");

function check(buf: Buffer): boolean {
  let p: TftpPacket;
  try {
    p = parsePacket(buf);
  } catch (error) {
    return isProvisioError(error) && error.code === "TFTP_MALFORMED";
  }
  if (p.op === Opcode.RRQ || p.op === Opcode.WRQ) {
    const again = parsePacket(encodeRequest(p.op, p.filename, p.mode, p.options));
    return (
      (again.op === Opcode.RRQ || again.op === Opcode.WRQ) &&
      again.filename === p.filename &&
      again.mode === p.mode &&
      again.options.size === p.options.size
    );
  }
  if (p.op === Opcode.OACK) {
    const again = parsePacket(encodeOack(p.options));
    return again.op === Opcode.OACK && again.options.size === p.options.size;
  }
  return true;
}

// Half raw bytes, half "almost valid": a real opcode followed by NUL-separated fields.
const raw = fc.uint8Array({ maxLength: 700 }).map((b) => Buffer.from(b));
const field = fc.oneof(
  fc.constantFrom(
    "octet",
    "netascii",
    "mail",
    "blksize",
    "tsize",
    "timeout",
    "windowsize",
    "0",
    "65464",
    "",
  ),
  fc.string({ maxLength: 16 }),
);
const shaped = fc
  .tuple(fc.integer({ min: 0, max: 7 }), fc.array(field, { maxLength: 12 }), fc.boolean())
  .map(([op, fields, nul]) =>
    Buffer.concat([
      Buffer.from([0, op]),
      Buffer.from(fields.join("\0") + (nul ? "\0" : ""), "latin1"),
    ]),
  );

const t0 = performance.now();
fc.assert(fc.property(fc.oneof(raw, shaped), check), { numRuns: CASES, seed: 20261125 });
const s = (performance.now() - t0) / 1000;
process.stdout.write(`tftp packet parser: ${CASES} fuzz cases passed in ${s.toFixed(1)} s\n`);
