import { describe, expect, it } from "vitest";
import {
  expandMacros,
  expandMacrosTracked,
  type MacroVariables,
  sourceOffset,
} from "../../src/rules/index.ts";
import { fixtureVars } from "./fixture.ts";

const v = fixtureVars();
const x = (text: string, secrets = false) => expandMacros(text, v, { secrets });

describe("Appendix B.1 macro expansion (fixture device)", () => {
  const rows: [string, string][] = [
    ["/spa$PSN.cfg", "/spa2102.cfg"],
    ["http://p/$MA.cfg", "http://p/000e08012345.cfg"],
    ["$MAU", "000E08012345"],
    ["$MAC", "00:0e:08:01:23:45"],
    ["$A$B", "ABC123"],
    ["$(A)1", "ABC1"],
    ["$A1", "$A1"],
    ["$$MA", "$MA"],
    ["$(MAU:4)", "08012345"],
    ["$(MAU:8:2)", "23"],
    ["$(A:2)", "C"],
    ["$(A:1:1)", "B"],
    ["spa$STRANGE$MAU.cfg", "spa$STRANGE000E08012345.cfg"],
    ["$PN_$MA_$SN.xml", "SPA2102_000e08012345_88012BA01234.xml"],
    ["uid$UID1", "uid4085551234"],
    ["x$SA", "x$SA"],
    ["$ma", "$ma"],
  ];
  for (const [input, output] of rows) {
    it(`§B.1: ${input} → ${output}`, () => expect(x(input)).toBe(output));
  }
  it("§B.1: [--key $SA] (option argument) → key = Secret!", () => {
    expect(x("$SA", true)).toBe("Secret!");
  });
});

describe("§5.2 syntax", () => {
  it("§5.2: $NAME is the maximal [A-Z0-9] run: spa$MA.cfg", () => {
    expect(x("spa$MA.cfg")).toBe("spa000e08012345.cfg");
  });
  it("§5.2: Linksys$MAU", () => expect(x("Linksys$MAU")).toBe("Linksys000E08012345"));
  it("§5.2: $(MAU)config.cfg → 000E08012345config.cfg", () => {
    expect(x("$(MAU)config.cfg")).toBe("000E08012345config.cfg");
  });
  it("§5.2: MAU substrings $(MAU:4) → 08012345, $(MAU:8:2) → 23", () => {
    expect(x("$(MAU:4)")).toBe("08012345");
    expect(x("$(MAU:8:2)")).toBe("23");
  });
  it("§5.2: GPP_A=ABCDEF: $(A:2) → CDEF, $(A:2:3) → CDE", () => {
    const vars = fixtureVars({ GPP_A: "ABCDEF" });
    expect(expandMacros("$(A:2)", vars)).toBe("CDEF");
    expect(expandMacros("$(A:2:3)", vars)).toBe("CDE");
  });
  it("§5.2: offsets beyond the end give the empty string", () => {
    expect(x("[$(A:3)]")).toBe("[]");
    expect(x("[$(A:99)]")).toBe("[]");
    expect(x("[$(A:1:99)]")).toBe("[BC]");
    expect(x("[$(A:0:0)]")).toBe("[]");
  });
  it("§5.2: $$ → $", () => expect(x("a$$b")).toBe("a$b"));
  it("§5.2: unknown names are left as written, including $(STRANGE)", () => {
    expect(x("spa$STRANGE$MAU.cfg")).toBe("spa$STRANGE000E08012345.cfg");
    expect(x("$(STRANGE)")).toBe("$(STRANGE)");
    expect(x("$(STRANGE:1:2)")).toBe("$(STRANGE:1:2)");
  });
  it("§5.2: single pass — $$MAU → $MAU, not the MAC", () => expect(x("$$MAU")).toBe("$MAU"));
  it("§5.2: a GPP value containing $MA is inserted literally", () => {
    const vars = fixtureVars({ GPP_C: "spa$MA" });
    expect(expandMacros("/$C.cfg", vars)).toBe("/spa$MA.cfg");
  });
  it("§5.2: an empty variable expands to the empty string ($EXTIP before it is known)", () => {
    const vars = fixtureVars({}, { extIp: undefined });
    expect(expandMacros("[$EXTIP]", vars)).toBe("[]");
    expect(expandMacros("/prov/$D/$E.cfg", vars)).toBe("/prov//.cfg");
  });
  it("§5.2: lower case is not a macro; the a–p shortcut letters are not macros", () => {
    expect(x("$ma $a $mau")).toBe("$ma $a $mau");
  });
  it("§5.2: malformed $( forms stay literal", () => {
    for (const t of ["$(", "$(A", "$(A:)", "$(A:1:2:3)", "$(a)", "$()", "$(A:x)", "$ ", "$"]) {
      expect(x(t)).toBe(t);
    }
  });
  it("§5.2: $$$MA → $ followed by the MAC", () => expect(x("$$$MA")).toBe("$000e08012345"));
  it("§5.2 switch macroPrefixFallback: $A1 → ABC1 when on, $A1 when off", () => {
    expect(expandMacros("$A1", v, { prefixFallback: true })).toBe("ABC1");
    expect(expandMacros("$MAX", v, { prefixFallback: true })).toBe("000e08012345X");
    expect(expandMacros("$A1", v)).toBe("$A1");
  });
  it("§C10: $GPP_A is an unknown macro, left as is", () => expect(x("$GPP_A")).toBe("$GPP_A"));
  it("variables may be a plain ReadonlyMap", () => {
    const m: MacroVariables = new Map([["MA", "m"]]);
    expect(expandMacros("$MA-$MB", m)).toBe("m-$MB");
  });
});

describe("§5.3 / §11 secret GPPs", () => {
  it("§11: $SA..$SD stay literal outside key arguments", () => {
    expect(x("$SA $SB $(SC) $(SD:1)")).toBe("$SA $SB $(SC) $(SD:1)");
  });
  it("§11: $SA..$SD expand when the caller expands a key argument", () => {
    expect(x("$SA", true)).toBe("Secret!");
    expect(x("$(SA:0:6)", true)).toBe("Secret");
    expect(x("$SB", true)).toBe("");
  });
  it("§5.3: $A$B with A=ABC, B=123 → ABC123", () => expect(x("$A$B")).toBe("ABC123"));
});

describe("tracked expansion (positions for errors and secrets)", () => {
  it("maps output offsets back to the source", () => {
    const e = expandMacrosTracked("ab$MA|x$$y", v);
    expect(e.text).toBe("ab000e08012345|x$y");
    expect(sourceOffset(e, 0)).toBe(0);
    expect(sourceOffset(e, 5)).toBe(2); // inside the MAC → the `$` of $MA
    expect(sourceOffset(e, e.text.indexOf("|"))).toBe(5);
    expect(sourceOffset(e, e.text.indexOf("y"))).toBe(9);
  });
  it("records secret references written in the source only", () => {
    const vars = fixtureVars({ GPP_C: "$SB" });
    const e = expandMacrosTracked("$A $SA $$SA $C $(SD:1:2)", vars);
    expect(e.text).toBe("ABC $SA $SA $SB $(SD:1:2)");
    expect(e.secrets.map((s) => [s.name, e.text.slice(s.start, s.end)])).toEqual([
      ["SA", "$SA"],
      ["SD", "$(SD:1:2)"],
    ]);
  });
  it("text without $ is returned unchanged with no bookkeeping", () => {
    const e = expandMacrosTracked("http://x/y", v);
    expect(e).toEqual({ text: "http://x/y", replacements: [], secrets: [] });
  });
});
