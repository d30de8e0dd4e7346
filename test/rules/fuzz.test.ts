/**
 * Properties and fuzzing (fast-check, 10,000 cases each): the parsers either return a
 * result or throw a ProvisioError with a code — never another exception, never a hang —
 * and the evaluators never throw at all.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isProvisioError } from "../../src/errors.ts";
import { anyRuleText, soup, tokenSoup, validCondition, validProfileRule } from "./arbitraries.ts";
import { fixtureVars } from "./fixture.ts";
import {
  compareVersions,
  evaluateCondition,
  evaluateProfileRule,
  evaluateReportRule,
  evaluateResyncTrigger,
  evaluateUpgradeRule,
  expandMacros,
  expandMacrosTracked,
  type MacroVariables,
  parseCondition,
  parseProfileRule,
  parseReportRule,
  parseRuleUrl,
  parseSchedule,
  parseUpgradeRule,
  sourceOffset,
  tryParseVersion,
} from "./helpers.ts";

const RUNS = { numRuns: 10_000 };
const vars = fixtureVars({}, { timers: { regtmr: [400], prvtmr: 700, upgtmr: 5 } });

/** Runs `fn`; a ProvisioError must carry `code` and, for syntax errors, a sane column. */
function parsesOrThrowsCode(fn: () => unknown, code: string, textLength: number): boolean {
  try {
    fn();
    return true;
  } catch (e) {
    if (!isProvisioError(e)) throw e;
    expect(e.code).toBe(code);
    if (e.column !== undefined) {
      expect(e.column).toBeGreaterThanOrEqual(1);
      expect(e.column).toBeLessThanOrEqual(textLength + 1);
    }
    return false;
  }
}

describe("macro expander properties", () => {
  it("text without $ is returned unchanged (10,000 cases)", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (s) => {
        const t = s.replaceAll("$", "");
        expect(expandMacros(t, vars)).toBe(t);
      }),
      RUNS,
    );
  });
  it("escaping every $ as $$ and expanding gives the text back (10,000 cases)", () => {
    fc.assert(
      fc.property(anyRuleText, (s) => {
        expect(expandMacros(s.replaceAll("$", "$$$$"), vars, { secrets: true })).toBe(s);
      }),
      RUNS,
    );
  });
  it("with no known variables only $$ changes anything (10,000 cases)", () => {
    const none: MacroVariables = () => undefined;
    fc.assert(
      fc.property(anyRuleText, (s) => {
        const out = expandMacros(s, none);
        if (!s.includes("$$")) expect(out).toBe(s);
      }),
      RUNS,
    );
  });
  it("never throws; positions map back inside the source; secret references point at $ (10,000 cases)", () => {
    fc.assert(
      fc.property(anyRuleText, fc.boolean(), fc.boolean(), (s, secrets, prefixFallback) => {
        const e = expandMacrosTracked(s, vars, { secrets, prefixFallback });
        expect(e.text).toBe(expandMacros(s, vars, { secrets, prefixFallback }));
        let last = -1;
        for (let i = 0; i <= e.text.length; i++) {
          const o = sourceOffset(e, i);
          expect(o).toBeGreaterThanOrEqual(last);
          expect(o).toBeLessThanOrEqual(s.length);
          last = o;
        }
        for (const r of e.secrets) {
          expect(e.text[r.start]).toBe("$");
          expect(e.text.slice(r.start, r.end)).toMatch(/^\$(S[A-D]|\(S[A-D][:\d]*\))$/);
        }
      }),
      RUNS,
    );
  });
  it("single pass: values containing macros are inserted literally (10,000 cases)", () => {
    fc.assert(
      fc.property(soup(20), (value) => {
        const w = fixtureVars({ GPP_C: value });
        expect(expandMacros("<$C>", w)).toBe(`<${value}>`);
      }),
      RUNS,
    );
  });
});

describe("condition parser properties", () => {
  it("random text: a Condition, undefined, or RULE_SYNTAX — evaluation never throws (10,000 cases)", () => {
    fc.assert(
      fc.property(anyRuleText, (s) => {
        parsesOrThrowsCode(
          () => {
            const c = parseCondition(s);
            if (c !== undefined) evaluateCondition(c, { swver: "2.0.6(b)" });
          },
          "RULE_SYNTAX",
          s.length,
        );
      }),
      RUNS,
    );
  });
  it("grammar-valid conditions always parse and evaluate to a boolean (10,000 cases)", () => {
    fc.assert(
      fc.property(validCondition, (s) => {
        const c = parseCondition(expandMacros(s, vars));
        expect(c).toBeDefined();
        expect(typeof evaluateCondition(c!, { swver: "2.0.6(b)" }).value).toBe("boolean");
      }),
      RUNS,
    );
  });
  it("integer comparisons agree with BigInt arithmetic (10,000 cases)", () => {
    const ops = { eq: "===", ne: "!==", lt: "<", le: "<=", gt: ">", ge: ">=" } as const;
    fc.assert(
      fc.property(
        fc.bigInt(),
        fc.constantFrom(...(Object.keys(ops) as (keyof typeof ops)[])),
        fc.bigInt(),
        (a, op, b) => {
          const expected = {
            eq: a === b,
            ne: a !== b,
            lt: a < b,
            le: a <= b,
            gt: a > b,
            ge: a >= b,
          }[op];
          expect(evaluateCondition(parseCondition(`${a} ${op} ${b}`)!).value).toBe(expected);
        },
      ),
      RUNS,
    );
  });
  it("version order is antisymmetric and transitive; tryParseVersion never throws (10,000 cases)", () => {
    const spa = fc
      .tuple(
        fc.nat(3),
        fc.nat(3),
        fc.nat(3),
        fc.constantFrom("", "(a)", "(b)", "(1a)", "(10a)", "c"),
      )
      .map(([a, b, c, t]) => tryParseVersion(`${a}.${b}.${c}${t}`)!);
    fc.assert(
      fc.property(spa, spa, spa, fc.string({ maxLength: 30 }), (x, y, z, junk) => {
        tryParseVersion(junk);
        expect(compareVersions(x, y)).toBe(-compareVersions(y, x) || 0);
        if (compareVersions(x, y) <= 0 && compareVersions(y, z) <= 0) {
          expect(compareVersions(x, z)).toBeLessThanOrEqual(0);
        }
      }),
      RUNS,
    );
  });
});

describe("rule parser properties", () => {
  it("random text: Profile/Upgrade/Report parse or throw RULE_SYNTAX (10,000 cases)", () => {
    fc.assert(
      fc.property(anyRuleText, (s) => {
        parsesOrThrowsCode(() => parseProfileRule(s), "RULE_SYNTAX", s.length);
        parsesOrThrowsCode(() => parseUpgradeRule(s), "RULE_SYNTAX", s.length);
        parsesOrThrowsCode(() => parseReportRule(s), "RULE_SYNTAX", s.length);
        parsesOrThrowsCode(() => parseRuleUrl(s), "RULE_SYNTAX", s.length);
      }),
      RUNS,
    );
  });
  it("random text: evaluation never throws and returns a typed action (10,000 cases)", () => {
    const kinds = new Set(["fetch", "assign-only", "skip", "upgrade", "reject", "report"]);
    fc.assert(
      fc.property(tokenSoup(), fc.constantFrom("spa", "mpp", "sipura"), (s, family) => {
        for (const r of [
          evaluateProfileRule(s, vars, { family }),
          evaluateUpgradeRule(s, vars, { family }),
          evaluateReportRule(s, vars, { family }),
        ]) {
          expect(kinds.has(r.kind)).toBe(true);
          for (const d of r.diagnostics) {
            expect(d.column).toBeGreaterThanOrEqual(1);
            // Never leak the secret GPP value through a diagnostic.
            expect(d.message).not.toContain("Secret!");
          }
        }
        expect(typeof evaluateResyncTrigger(s, vars).value).toBe("boolean");
      }),
      RUNS,
    );
  });
  it("grammar-valid Profile_Rules always parse and never skip for syntax (10,000 cases)", () => {
    fc.assert(
      fc.property(validProfileRule, (s) => {
        const parsed = parseProfileRule(expandMacros(s, vars));
        expect(parsed.alternatives.length).toBeGreaterThan(0);
        const r = evaluateProfileRule(s, vars);
        expect(r.kind === "skip" && r.reason === "syntax-error").toBe(false);
      }),
      RUNS,
    );
  });
  it("schedules parse or throw RULE_SCHEDULE_SYNTAX; delays stay in range (10,000 cases)", () => {
    const schedule = fc.oneof(
      fc.string({ unit: fc.constantFrom(..."0123456789,+ x"), maxLength: 30 }),
      fc
        .array(fc.tuple(fc.nat(100_000), fc.option(fc.nat(5000), { nil: undefined })), {
          minLength: 1,
          maxLength: 6,
        })
        .map((items) => items.map(([b, e]) => (e === undefined ? `${b}` : `${b}+${e}`)).join(",")),
    );
    fc.assert(
      fc.property(
        schedule,
        fc.nat(20),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (s, i, r) => {
          let parsed: ReturnType<typeof parseSchedule> | undefined;
          parsesOrThrowsCode(() => (parsed = parseSchedule(s)), "RULE_SCHEDULE_SYNTAX", s.length);
          if (parsed?.kind === "active") {
            const d = parsed.delayFor(i, () => r);
            const range = parsed.rangeFor(i);
            expect(d).toBeGreaterThanOrEqual(range.min);
            expect(d).toBeLessThanOrEqual(range.max);
            expect(Number.isInteger(d)).toBe(true);
          }
        },
      ),
      RUNS,
    );
  });
});

describe("no hang on long adversarial input", () => {
  const N = 20_000;
  const inputs: [string, string][] = [
    ["MPP-like word that fails at the end", `1-1-1a${"-1".repeat(N)}/`],
    ["SPA-like word", `1.1.1${"a".repeat(N)}(`],
    ["run of $", "$".repeat(N)],
    ["long capital run (prefix fallback)", `$${"A".repeat(N)}`],
    ["unclosed $(", `$(${"A".repeat(N)}`],
    ["many alternatives", `${"(1 eq 1)? /a | ".repeat(N / 16)}/b`],
    ["many comparisons", `${"1 eq 1 and ".repeat(N / 12)}1 eq 1`],
    ["long host", `http://${"a".repeat(N)}!/x`],
    ["unclosed options", `[--key ${"x".repeat(N)}`],
    ["quotes", '"'.repeat(N)],
  ];
  for (const [name, s] of inputs) {
    it(`${name} (${s.length} chars) is handled in well under a second`, () => {
      const start = performance.now();
      evaluateProfileRule(s, vars);
      evaluateResyncTrigger(s, vars);
      evaluateReportRule(s, vars);
      tryParseVersion(s);
      expandMacros(s, vars, { prefixFallback: true });
      expect(performance.now() - start).toBeLessThan(1000);
    });
  }
});
