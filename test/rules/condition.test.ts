import { describe, expect, it } from "vitest";
import { fixtureVars } from "./fixture.ts";
import {
  type ConditionContext,
  evaluateCondition,
  expandMacros,
  type MacroVariables,
  parseCondition,
  provisioErrorOf,
} from "./helpers.ts";

/** Expand (as the device does first), then parse and evaluate. */
function run(text: string, vars: MacroVariables = fixtureVars(), ctx?: ConditionContext) {
  const cond = parseCondition(expandMacros(text, vars));
  if (cond === undefined) throw new Error("empty condition");
  return evaluateCondition(cond, ctx ?? { swver: "2.0.6(b)" });
}
const value = (text: string, vars?: MacroVariables, ctx?: ConditionContext) =>
  run(text, vars, ctx).value;

describe("Appendix B.2 conditions (fixture device)", () => {
  it("§B.2: $SWVER ge 2.0.6 → true (tagged 2.0.6(b) > untagged 2.0.6)", () => {
    expect(value("$SWVER ge 2.0.6")).toBe(true);
  });
  it("§B.2: $SWVER lt 2.0.6 → false", () => expect(value("$SWVER lt 2.0.6")).toBe(false));
  it("§B.2: $SWVER eq 2.0.6(b) → true", () => expect(value("$SWVER eq 2.0.6(b)")).toBe(true));
  it("§B.2: 1.0.31(b) lt 1.0.33 → true", () => expect(value("1.0.31(b) lt 1.0.33")).toBe(true));
  it('§B.2: "$CCERT" eq "Installed" → true', () =>
    expect(value('"$CCERT" eq "Installed"')).toBe(true));
  it('§B.2: "$A" ne "Provisioned" → true', () => expect(value('"$A" ne "Provisioned"')).toBe(true));
  it('§B.2: "$EXTIP" ne "" → true', () => expect(value('"$EXTIP" ne ""')).toBe(true));
  it("§B.2: $REGTMR1 gt 300 and $PRVTMR ge 600 (400, 700) → true", () => {
    const v = fixtureVars({}, { timers: { regtmr: [400], prvtmr: 700 } });
    expect(value("$REGTMR1 gt 300 and $PRVTMR ge 600", v)).toBe(true);
  });
  it("§B.2: $REGTMR1 gt 300 and $PRVTMR ge 600 (400, 500) → false", () => {
    const v = fixtureVars({}, { timers: { regtmr: [400], prvtmr: 500 } });
    expect(value("$REGTMR1 gt 300 and $PRVTMR ge 600", v)).toBe(false);
  });
  it("§B.2: legacy ! 1.0.33 → true", () => expect(value("! 1.0.33")).toBe(true));
  it("§B.2: legacy <1.0 → false", () => expect(value("<1.0")).toBe(false));
  it("§B.2: sip88xx.11-3-2MPP0002-256 gt sip88xx.11-3-2MPP0001-609 → true", () => {
    expect(value("sip88xx.11-3-2MPP0002-256 gt sip88xx.11-3-2MPP0001-609")).toBe(true);
  });
  it("§B.2: sipyyyy.11-3-1MPP-110 gt sipyyyy.11-2-3MPP-256 → true", () => {
    expect(value("sipyyyy.11-3-1MPP-110 gt sipyyyy.11-2-3MPP-256")).toBe(true);
  });
  it('§B.2: "abc" lt 3 → false + error diagnostic (adopted)', () => {
    const r = run('"abc" lt 3');
    expect(r.value).toBe(false);
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]!.message).toMatch(/string with integer/);
  });
});

describe("§4.3 operators and literals", () => {
  const table: [string, boolean, boolean, boolean][] = [
    // op, 1 op 2, 2 op 2, 3 op 2
    ["=", false, true, false],
    ["!=", true, false, true],
    ["<", true, false, false],
    ["<=", true, true, false],
    [">", false, false, true],
    [">=", false, true, true],
    ["eq", false, true, false],
    ["ne", true, false, true],
    ["lt", true, false, false],
    ["le", true, true, false],
    ["gt", false, false, true],
    ["ge", false, true, true],
  ];
  for (const [op, a, b, c] of table) {
    it(`§4.3 table: integers with ${op}`, () => {
      expect([value(`1 ${op} 2`), value(`2 ${op} 2`), value(`3 ${op} 2`)]).toEqual([a, b, c]);
    });
    it(`§4.3 table: versions with ${op}`, () => {
      expect([
        value(`1.0.1 ${op} 1.0.2`),
        value(`1.0.2 ${op} 1.0.2`),
        value(`1.0.3 ${op} 1.0.2`),
      ]).toEqual([a, b, c]);
    });
  }
  it("§4.3 table: quoted strings with = / != / eq / ne", () => {
    expect(value('"x" = "x"')).toBe(true);
    expect(value('"x" != "x"')).toBe(false);
    expect(value('"x" eq "y"')).toBe(false);
    expect(value('"x" ne "y"')).toBe(true);
  });
  for (const op of ["<", "<=", ">", ">=", "lt", "le", "gt", "ge"]) {
    it(`§4.3 table: quoted strings with ${op} are a type error → false + diagnostic`, () => {
      const r = run(`"b" ${op} "a"`);
      expect(r.value).toBe(false);
      expect(r.problems[0]!.message).toMatch(/strings compare only with eq\/ne/);
    });
  }
  it("§4.3: word operators and `and` are case-insensitive (MPP tables list AND)", () => {
    expect(value("1 LT 2 AND 2 Eq 2 aNd 3 GE 3")).toBe(true);
  });
  it("§4.3: a lone ! means not equal (legacy)", () => {
    expect(value("1 ! 2")).toBe(true);
    expect(value("2 ! 2")).toBe(false);
  });
  it("§4.3: (<1.0)? ≡ ($SWVER < 1.0)? — implicit left operand is $SWVER", () => {
    expect(value("<1.0", undefined, { swver: "0.9.9" })).toBe(true);
    expect(value("<1.0", undefined, { swver: "2.0.6(b)" })).toBe(false);
  });
  it("§4.3: ! 1.0.33 ≡ $SWVER != 1.0.33", () => {
    expect(value("! 1.0.33", undefined, { swver: "1.0.33" })).toBe(false);
    expect(value("! 1.0.33", undefined, { swver: "1.0.34" })).toBe(true);
  });
  it("§4.3: integers may be signed ($PRVST = -1)", () => {
    const v = fixtureVars({}, { provisioningState: -1 });
    expect(value("$PRVST eq -1", v)).toBe(true);
    expect(value("$PRVST lt 0", v)).toBe(true);
  });
  it("§4.3: integers compare exactly beyond 2^53", () => {
    expect(value("9007199254740993 gt 9007199254740992")).toBe(true);
  });
  it("§4.3: numeric values must not be quoted — a quoted number is a string", () => {
    expect(value('"10" eq "10"')).toBe(true);
    const r = run('"10" gt 9');
    expect(r.value).toBe(false);
    expect(r.problems).toHaveLength(1);
  });
  it("§4.3: an unexpanded macro is a word: comparing it is a type error", () => {
    const r = run("$NOSUCH gt 3");
    expect(r.value).toBe(false);
    expect(r.problems[0]!.message).toMatch(/\$NOSUCH/);
  });
  it("§4.3.1: comparing an SPA with an MPP version is a type error, not an exception", () => {
    const r = run("2.0.6 lt sip88xx.11-3-1MPP-678");
    expect(r.value).toBe(false);
    expect(r.problems[0]!.message).toMatch(/SPA version with MPP version/);
  });
  it("§4.3: an integer is not a version (type error)", () => {
    expect(run("$SWVER gt 2").problems).toHaveLength(1);
  });
  it("evaluation stops at the first false comparison", () => {
    const r = run('1 eq 2 and "a" lt 3');
    expect(r).toEqual({ value: false, problems: [] });
  });
});

describe("§4.3 valid condition examples", () => {
  it('§4.3: $REGTMR1 gt 300 and $PRVTMR gt 1200 and "$EXTIP" ne ""', () => {
    const v = fixtureVars({}, { timers: { regtmr: [301], prvtmr: 1201 } });
    expect(value('$REGTMR1 gt 300 and $PRVTMR gt 1200 and "$EXTIP" ne ""', v)).toBe(true);
    const w = fixtureVars({}, { timers: { regtmr: [301], prvtmr: 1201 }, extIp: undefined });
    expect(value('$REGTMR1 gt 300 and $PRVTMR gt 1200 and "$EXTIP" ne ""', w)).toBe(false);
  });
  it('§4.3: $SWVER ge 2.0.6 and "$CCERT" eq "Installed"', () => {
    expect(value('$SWVER ge 2.0.6 and "$CCERT" eq "Installed"')).toBe(true);
    const v = fixtureVars({}, { certStatus: "Not Installed" });
    expect(value('$SWVER ge 2.0.6 and "$CCERT" eq "Installed"', v)).toBe(false);
  });
  it("§4.3: $UPGTMR gt 300 and $PRVTMR ge 600", () => {
    const v = fixtureVars({}, { timers: { upgtmr: 301, prvtmr: 600 } });
    expect(value("$UPGTMR gt 300 and $PRVTMR ge 600", v)).toBe(true);
  });
});

describe("§4.3 syntax errors throw RULE_SYNTAX with a column", () => {
  const cases: [string, number][] = [
    ["1 eq", 5],
    ["eq", 3],
    ["1 2", 3],
    ["1 eq 2 and", 11],
    ["1 eq 2 or 3 eq 3", 8],
    ['"abc eq 1', 1],
    ["(1 eq 1)", 1],
    ["1 eq 2 )", 8],
    ["1 == 2", 4],
    ["1 eq 1 | 2 eq 2", 8],
  ];
  for (const [text, column] of cases) {
    it(`${JSON.stringify(text)} → column ${column}`, () => {
      const e = provisioErrorOf(() => parseCondition(text));
      expect(e.code).toBe("RULE_SYNTAX");
      expect(e.column).toBe(column);
    });
  }
  it("empty text or only a comment is no condition at all", () => {
    expect(parseCondition("")).toBeUndefined();
    expect(parseCondition("   # 1 eq 1")).toBeUndefined();
  });
  it("# starts a comment after a complete condition", () => {
    expect(parseCondition("1 eq 1 # why")?.comparisons).toHaveLength(1);
  });
});
