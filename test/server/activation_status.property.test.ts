/**
 * The activation page's status request parser (`parseStatusQuery`): whatever bytes arrive, it
 * answers without throwing — a code of 10 to 32 digits or one of two messages — and it reads a
 * code however the customer grouped its digits.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseStatusQuery } from "../../src/server/index.ts";

const MESSAGES = [
  'the request must be the JSON object {"code": "<activation code>"}',
  "the activation code is 10 to 32 digits",
];

function check(body: Uint8Array | undefined): void {
  const query = parseStatusQuery(body);
  if (query.ok) expect(query.code).toMatch(/^[0-9]{10,32}$/);
  else expect(MESSAGES).toContain(query.message);
}

const digits = fc.string({ unit: fc.constantFrom(..."0123456789"), minLength: 10, maxLength: 32 });

describe("parseStatusQuery", () => {
  it("never throws on any bytes, and accepts only a code of 10 to 32 digits", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 700 }), (bytes) => check(bytes)),
      { numRuns: 2_000 },
    );
    check(undefined);
  });

  it("never throws on any JSON value, and accepts only {code: digits}", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const body = Buffer.from(JSON.stringify(value) ?? "");
        check(body);
        const query = parseStatusQuery(body);
        if (query.ok) {
          expect(Object.keys(value as object)).toEqual(["code"]);
        }
      }),
      { numRuns: 2_000 },
    );
  });

  it("reads a code whatever spaces or hyphens group its digits", () => {
    fc.assert(
      fc.property(
        digits,
        fc.array(fc.constantFrom("", " ", "-", "  ", " - "), { minLength: 32, maxLength: 32 }),
        fc.constantFrom("", " ", "\t"),
        (code, gaps, pad) => {
          const grouped = [...code].map((d, i) => (i === 0 ? d : `${gaps[i]}${d}`)).join("");
          const query = parseStatusQuery(
            Buffer.from(JSON.stringify({ code: `${pad}${grouped}${pad}` })),
          );
          expect(query).toEqual({ ok: true, code });
        },
      ),
      { numRuns: 1_000 },
    );
  });

  it("refuses a code with any character other than digits, spaces and hyphens", () => {
    fc.assert(
      fc.property(
        digits,
        fc.nat(),
        fc.string({ minLength: 1, maxLength: 1 }).filter((c) => !/[0-9 \-\s]/.test(c)),
        (code, at, intruder) => {
          const i = at % (code.length + 1);
          const text = `${code.slice(0, i)}${intruder}${code.slice(i)}`;
          const query = parseStatusQuery(Buffer.from(JSON.stringify({ code: text })));
          expect(query.ok).toBe(false);
        },
      ),
      { numRuns: 1_000 },
    );
  });
});
