import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fixtureVars } from "./fixture.ts";
import {
  evaluateProfileRule,
  evaluateReportRule,
  expandMacrosTracked,
  SourcePositions,
  sourceOffset,
  type WorkCounter,
} from "./helpers.ts";

const v = fixtureVars();

/** A rule of `n` alternatives whose conditions are all type errors (one diagnostic each). */
function failingAlternatives(n: number, separator: string, condition: string): string {
  return Array.from({ length: n }, () => `(${condition})? /a.cfg`).join(separator);
}

function stepsFor(rule: string, report = false): { steps: number; diagnostics: number } {
  const work: WorkCounter = { steps: 0 };
  const r = report ? evaluateReportRule(rule, v, { work }) : evaluateProfileRule(rule, v, { work });
  return { steps: work.steps, diagnostics: r.diagnostics.length };
}

describe("rule evaluation is linear in alternatives that raise diagnostics (counted work)", () => {
  const shapes: [string, string, string][] = [
    ["one line, no macros", " | ", '"abc" lt 3'],
    ["one line, a macro per alternative", " | ", '"$MA" lt 3'],
    ["one alternative per line, a macro each", " |\n", '"$PN" lt 3'],
  ];
  it.each(shapes)("%s", (_label, separator, condition) => {
    const small = stepsFor(failingAlternatives(1000, separator, condition));
    const large = stepsFor(failingAlternatives(8000, separator, condition));
    expect(small.diagnostics).toBe(1000);
    expect(large.diagnostics).toBe(8000);
    // 8× the alternatives: linear work is 8× (plus a log factor for the lookups); the old
    // per-diagnostic rescan of the rule made it 64×.
    expect(large.steps / small.steps).toBeLessThan(8 * 1.5);
  });

  it("Report_Rule targets too", () => {
    const rule = (n: number) =>
      Array.from({ length: n }, () => '("$MA" lt 3)? http://r.example.com/x').join(" ; ");
    const small = stepsFor(rule(1000), true);
    const large = stepsFor(rule(8000), true);
    expect(large.diagnostics).toBe(8000);
    expect(large.steps / small.steps).toBeLessThan(8 * 1.5);
  });

  it("diagnostics still point at the column the admin wrote", () => {
    const rule = failingAlternatives(3, " |\n", '"$MA" lt 3');
    const r = evaluateProfileRule(rule, v);
    expect(r.diagnostics.map((d) => [d.line, d.column])).toEqual([
      [1, 2],
      [2, 2],
      [3, 2],
    ]);
  });
});

/** The linear reference: line/column of a source offset by scanning from the start. */
function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(Math.max(offset, 0), text.length);
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: end - lineStart + 1 };
}

describe("SourcePositions", () => {
  it("answers what the linear sourceOffset + line scan answers, for any text and offset", () => {
    const piece = fc.constantFrom(
      "$MA",
      "$A",
      "$B",
      "$(MA:2:4)",
      "$NOPE",
      "$$",
      "$UID1",
      "$EXTIP",
      "\n",
      "x",
      "/",
      " ",
      "$",
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 30 }), fc.nat(400), (parts, at) => {
        const raw = parts.join("");
        const expansion = expandMacrosTracked(raw, v);
        const offset = at % (expansion.text.length + 2);
        const expected = lineColumn(raw, sourceOffset(expansion, offset));
        const got = new SourcePositions(raw, expansion, undefined).locate(offset);
        expect(got).toEqual(raw.includes("\n") ? expected : { column: expected.column });
      }),
      { numRuns: 2000 },
    );
  });
});
