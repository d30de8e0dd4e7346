/**
 * A fleet's units fetch per-unit files of one template; a file that differs from one decoded
 * earlier only inside parameter values is derived from that decoding instead of parsed again.
 * Whatever the difference, the outcome must be exactly what decoding the file gives: same
 * entries (names, values, access, positions), notes, layers — or the same failure.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeProfile, decodeShared } from "../../src/device/index.ts";

const OPTIONS = { digests: ["md5" as const] };
let serial = 0;
/** A fingerprint never seen before: each call decodes (or derives) afresh. */
const fresh = () => `test-${++serial}`;

/** A template with the shapes a provider file and a hand-written one have. */
function template(): string {
  return [
    '<?xml version="1.0"?>',
    "<flat-profile>",
    '  <Syslog_Server ua="na">000e08000000</Syslog_Server>',
    '  <Debug_Server ua="na">prov-000E08000000.example.net</Debug_Server>',
    "  <GPP_A>CCQ100000</GPP_A>",
    '  <GPP_B ua="rw" group="Provisioning">  padded 000e08000000  </GPP_B>',
    "  <GPP_C>a &amp; 000e08000000</GPP_C>",
    "  <GPP_D ua=na>000e08000000</GPP_D>",
    '  <GPP_E ua="xx">000e08000000</GPP_E>',
    "  <!-- 000e08000000 -->",
    '  <GPP_F ua="ro"/>',
    "  <GPP_G><![CDATA[000e08000000]]></GPP_G>",
    "  <GPP_H>line 000e08000000\nnext</GPP_H>",
    '  <GPP_I preserve-value="y">000e08000000</GPP_I>',
    "  <GPP_A>000e08000000</GPP_A>",
    "  <GPP_J>000e08000000<!-- c --></GPP_J>",
    "  <GPP_K >000e08000000</GPP_K >",
    "  <Nested><X>000e08000000</X></Nested>",
    "  <GPP_L></GPP_L>",
    "</flat-profile>",
    "",
  ].join("\n");
}

function decodedEqual(bytes: Buffer): void {
  const derived = decodeShared(fresh(), bytes, OPTIONS);
  const full = decodeProfile(bytes, OPTIONS);
  expect(derived).toEqual(full);
}

describe("decodeShared: files derived from a template", () => {
  it("a unit's own values (MAC, serial) come out as parsing gives them", () => {
    const base = template();
    decodedEqual(Buffer.from(base, "latin1"));
    for (let i = 1; i < 40; i++) {
      const mac = (0x000e08000000 + i * 7919).toString(16).padStart(12, "0");
      const unit = base
        .replaceAll("000e08000000", mac)
        .replaceAll("000E08000000", mac.toUpperCase())
        .replaceAll("CCQ100000", `CCQ${100000 + i}`);
      decodedEqual(Buffer.from(unit, "latin1"));
    }
  });

  it("any change of a few bytes anywhere decodes as parsing does (or fails the same way)", () => {
    const base = Buffer.from(template(), "latin1");
    const chars = fc.constantFrom(
      ..."aZ09._-:/ \t\n<>&;\"'=!?[]#x\u0001\u007f".split("").map((c) => c.charCodeAt(0)),
      0xc3,
      0xe9,
    );
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(base.length - 1), chars), { minLength: 1, maxLength: 6 }),
        (edits) => {
          decodedEqual(base); // the template again, as another unit of the fleet would
          const bytes = Buffer.from(base);
          for (const [at, c] of edits) bytes[at] = c;
          decodedEqual(bytes);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it("a different template of the same length replaces the first one", () => {
    const a = template();
    const b = a.replace("<GPP_A>CCQ100000</GPP_A>", "<GPP_Z>CCQ100000</GPP_Z>");
    expect(b.length).toBe(a.length);
    decodedEqual(Buffer.from(a, "latin1"));
    decodedEqual(Buffer.from(b, "latin1"));
    decodedEqual(Buffer.from(b.replace("CCQ100000", "CCQ100001"), "latin1"));
    decodedEqual(Buffer.from(a.replace("CCQ100000", "CCQ100002"), "latin1"));
  });
});
