/**
 * The profile path matcher (src/rules/path_pattern.ts) is linear-time and exact:
 * - it extracts the same facts as the anchored regular expression it replaced (leftmost-greedy),
 *   checked against that regex on short inputs where backtracking is still cheap;
 * - its work is bounded by 2 × program size × (path length + 2) steps on adversarial input,
 *   including the patterns and paths of the ReDoS report;
 * - the overlap decision is exact: "overlaps" comes with a target both patterns match, "does not
 *   overlap" is never contradicted by a target one pattern's expansion gives, and its work is
 *   bounded by the product of the two program sizes;
 * - pattern text and paths from attackers never make it throw anything but
 *   RULE_PATH_PATTERN_INVALID (at compile time only).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isProvisioError } from "../../src/errors.ts";
import { tryParseMac } from "../../src/mac_address.ts";
import {
  compilePathPattern,
  findPathPatternOverlap,
  MAX_OVERLAP_STEPS,
  type MatchStats,
  type PathFacts,
  type PathPattern,
  pathPatternAutomatonSize,
  pathPatternsOverlap,
  tokenizePattern,
  validatePathPattern,
} from "../../src/rules/index.ts";

// ---------------------------------------------------------------------------------------------
// The regex the server used before (kept here only as the reference for semantics).

const REGEX: Record<string, string> = {
  MA: "[0-9a-fA-F]{12}",
  MAU: "[0-9a-fA-F]{12}",
  MAC: "[0-9a-fA-F]{2}(?::[0-9a-fA-F]{2}){5}",
  SN: "[A-Za-z0-9]{1,32}",
  PN: "[A-Za-z0-9._-]{1,32}",
  PSN: "[A-Za-z0-9]{1,16}",
  SWVER: "[A-Za-z0-9._()-]{1,32}",
};
const FACT: Record<string, keyof PathFacts> = {
  MA: "mac",
  MAU: "mac",
  MAC: "mac",
  SN: "serial",
  PN: "product",
  PSN: "series",
  SWVER: "firmware",
};

/** Facts the old regex gave; `language` skips the repeated-macro agreement (regex language only). */
function referenceMatch(source: string, target: string, language = false): PathFacts | undefined {
  const tokens = tokenizePattern(source);
  const names: string[] = [];
  let regex = "^";
  for (const t of tokens) {
    if ("literal" in t) {
      regex += t.literal.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
    } else {
      names.push(t.macro);
      regex += `(${REGEX[t.macro] ?? "[A-Za-z0-9._-]{1,64}"})`;
    }
  }
  const m = new RegExp(`${regex}$`).exec(target);
  if (m === null) return undefined;
  const facts: Record<string, unknown> = {};
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!;
    const fact = FACT[name];
    if (fact === undefined) {
      facts.gpp = { ...(facts.gpp as object), [name]: m[i + 1] };
      continue;
    }
    const value = fact === "mac" ? tryParseMac(m[i + 1]!) : m[i + 1];
    if (value === undefined) return undefined;
    if (!language && facts[fact] !== undefined && facts[fact] !== value) return undefined;
    facts[fact] = value;
  }
  return facts as PathFacts;
}

// ---------------------------------------------------------------------------------------------
// Generators. Small alphabets so that random paths often (nearly) match.

const MACROS = ["MA", "MAU", "MAC", "SN", "PN", "PSN", "SWVER", "A", "B", "P"] as const;
const piece = fc.oneof(
  fc.stringMatching(/^[a-f0-9./:-]{1,4}$/),
  fc.constantFrom(...MACROS).map((m) => `$(${m})`),
);
/** Patterns with up to `max` macros, adjacent ones allowed (the matcher must cope with them). */
const patternText = (max: number) =>
  fc
    .array(piece, { minLength: 1, maxLength: 6 })
    .filter((ps) => ps.filter((p) => p.startsWith("$(")).length <= max)
    .map((ps) => `/${ps.join("")}`);
const pathText = fc
  .array(fc.constantFrom("a", "F", "0", "9", ".", "-", ":", "/", "x", "!", "("), {
    maxLength: 28,
  })
  .map((cs) => `/${cs.join("")}`);

function stepBound(pattern: PathPattern, target: string): number {
  return pattern.size * (target.length + 1);
}

function matchCounted(pattern: PathPattern, target: string): PathFacts | undefined {
  const stats: MatchStats = { steps: 0 };
  const facts = pattern.match(target, stats);
  expect(stats.steps).toBeLessThanOrEqual(stepBound(pattern, target));
  return facts;
}

describe("path pattern matcher (linear time)", () => {
  it("extracts the same facts as the anchored regular expression it replaces", () => {
    fc.assert(
      fc.property(patternText(3), pathText, (source, path) => {
        const pattern = compilePathPattern(source);
        expect(matchCounted(pattern, path)).toEqual(referenceMatch(source, path));
        // A path built from the pattern itself (macros replaced by text their class allows).
        const built = source
          .replace(/\$\((MAC)\)/g, "00:0e:08:ab:cd:ef")
          .replace(/\$\((MAU?)\)/g, "000E08abcdef")
          .replace(/\$\(([A-Z]+)\)/g, "a-0.9");
        expect(matchCounted(pattern, built)).toEqual(referenceMatch(source, built));
      }),
      { numRuns: 1_500 },
    );
  });

  it("stays within size × (n + 1) steps on adversarial paths, whatever the pattern", () => {
    const gpp = fc.constantFrom(..."ABCDEFGHIJKLMNOP".split("")).map((l) => `$(${l})`);
    const sep = fc.constantFrom("", "-", ".", "_", "a", "0");
    const hostile = fc
      .array(fc.tuple(gpp, sep), { minLength: 1, maxLength: 16 })
      .map((parts) => `/${parts.map(([m, s]) => m + s).join("")}.cfg`);
    const filler = fc.constantFrom("a", "-", "a-", "0.", "_a");
    fc.assert(
      fc.property(
        hostile,
        filler,
        fc.nat(1_100),
        fc.constantFrom("!", "", ".cfg", "?"),
        (source, unit, n, end) => {
          const pattern = compilePathPattern(source);
          const target = `/${unit.repeat(Math.ceil(n / unit.length))}${end}`;
          matchCounted(pattern, target);
          // Just short enough to be looked at: the worst case for this pattern.
          const longest = `/${unit.repeat(Math.ceil(pattern.maxLength / unit.length))}`.slice(
            0,
            pattern.maxLength - 1,
          );
          matchCounted(pattern, `${longest}!`);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("the ReDoS report's patterns and paths finish within the step bound (old code: 7.4 s / 32 s)", () => {
    const attacks: Array<[string, string]> = [
      // The report's paths end in "!", which the literal ".cfg" at the end now turns away
      // before any step; the same paths ending in "!.cfg" make the program run.
      ["/$A$B$C$D$E$F.cfg", `/${"a".repeat(160)}!.cfg`],
      ["/$A$B$C$D$E$F.cfg", `/${"a".repeat(80)}!.cfg`],
      ["/$A-$B-$C-$D-$E.cfg", `/${"-".repeat(199)}!.cfg`],
      ["/$A-$B-$C-$D-$E.cfg", `/${"a-".repeat(100)}!.cfg`],
      ["/$A-$B-$C-$D-$E.cfg", `/${"-".repeat(40)}!.cfg`],
    ];
    for (const [source, path] of attacks) {
      const pattern = compilePathPattern(source);
      const stats: MatchStats = { steps: 0 };
      expect(pattern.match(path, stats)).toBeUndefined();
      expect(stats.steps, `${source} ${path.length}`).toBeGreaterThan(0);
      expect(stats.steps).toBeLessThanOrEqual(stepBound(pattern, path));
    }
    // A path longer than anything the pattern can match costs no step at all.
    const stats: MatchStats = { steps: 0 };
    const pattern = compilePathPattern("/$A-$B.cfg");
    expect(pattern.match(`/${"a".repeat(pattern.maxLength)}`, stats)).toBeUndefined();
    expect(stats.steps).toBe(0);
  });

  it("refuses touching macros when a pattern is saved, with a clear message", () => {
    for (const source of ["/$A$B$C$D$E$F.cfg", "/$(MA)$(SN).cfg", "/x/$PSN$MA"]) {
      expect(() => validatePathPattern(source)).toThrow(/touch; put literal text/);
    }
    for (const source of [
      "/$A-$B-$C-$D-$E.cfg",
      "/profile/$MA.xml",
      "/$$$MA.cfg",
      "/p/$B/$(MAC).cfg",
    ]) {
      expect(validatePathPattern(source).source).toBe(source);
    }
    expect(() => validatePathPattern(`/${"$A-".repeat(17)}`)).toThrow(/more than 16 macros/);
    expect(() => validatePathPattern(`/${"x".repeat(255)}`)).toThrow(/longer than 255/);
  });

  it("any pattern text and any path: compiles or RULE_PATH_PATTERN_INVALID, matching never throws", () => {
    const text = fc.oneof(
      fc.string({ unit: "binary", maxLength: 40 }).map((s) => `/${s}`),
      fc
        .array(
          fc.oneof(
            fc.constantFrom(
              "/",
              "$",
              "$$",
              "$(",
              ")",
              "$(MA:4)",
              "$MA",
              "$A",
              "$B",
              "?",
              "-",
              "\u0000",
              "$IP",
            ),
            fc.string({ unit: "binary-ascii", maxLength: 3 }),
          ),
          { maxLength: 14 },
        )
        .map((p) => p.join("")),
    );
    fc.assert(
      fc.property(text, fc.string({ unit: "binary", maxLength: 80 }), (source, path) => {
        let pattern: PathPattern;
        try {
          pattern = validatePathPattern(source);
        } catch (error) {
          expect(isProvisioError(error) && error.code).toBe("RULE_PATH_PATTERN_INVALID");
          return;
        }
        matchCounted(pattern, path);
        matchCounted(pattern, source);
      }),
      { numRuns: 1_500 },
    );
  });
});

describe("path pattern overlap (exact, bounded)", () => {
  const overlaps = (a: string, b: string) =>
    pathPatternsOverlap(compilePathPattern(a), compilePathPattern(b));

  it("decides the cases of the tenant-capture report", () => {
    expect(overlaps("/profile/$MA.xml", "/profile/$MA.xml")).toBe(true);
    expect(overlaps("/profile/$MA.xml", "/profile/$MAU.xml")).toBe(true);
    expect(overlaps("/$MA.xml", "/$A.xml")).toBe(true);
    expect(overlaps("/spa$PSN.cfg", "/spa$MA.cfg")).toBe(true);
    expect(overlaps("/p/$B/$MA.cfg", "/p/x/$SN.cfg")).toBe(true);
    expect(overlaps("/profile/$MA.xml", "/$MA.xml")).toBe(false);
    expect(overlaps("/acme/$MA.xml", "/beta/$MA.xml")).toBe(false);
    expect(overlaps("/$MAC.cfg", "/$MA.cfg")).toBe(false);
    expect(overlaps("/$MA.cfg", "/$MA.xml")).toBe(false);
    // A path-only pattern claims its path whatever the query.
    const mixed = findPathPatternOverlap(
      compilePathPattern("/cgi-bin/prov?mac=$MAU"),
      compilePathPattern("/cgi-bin/prov"),
    );
    expect(mixed.overlap).toBe(true);
    expect(mixed.witness).toMatch(/^\/cgi-bin\/prov\?mac=[0-9a-fA-F]{12}$/);
    expect(overlaps("/cgi-bin/prov?mac=$MAU", "/cgi-bin/other")).toBe(false);
  });

  /** Whether `pattern` claims `target` (a path-only pattern looks at the part before `?`). */
  function claims(pattern: PathPattern, source: string, target: string): boolean {
    const seen = pattern.withQuery ? target : target.split("?")[0]!;
    return referenceMatch(source, seen, true) !== undefined;
  }

  const macroFree = fc.stringMatching(/^[a-c0-9.:?-]{0,3}$/);
  const small = fc
    .array(fc.tuple(macroFree, fc.option(fc.constantFrom(...MACROS), { nil: undefined })), {
      minLength: 1,
      maxLength: 3,
    })
    .map(
      (parts) => `/${parts.map(([lit, m]) => lit + (m === undefined ? "" : `$(${m})-`)).join("")}`,
    );

  it("an overlap comes with a target both claim; no overlap is never contradicted", () => {
    fc.assert(
      fc.property(small, small, pathText, (a, b, probe) => {
        const pa = compilePathPattern(a);
        const pb = compilePathPattern(b);
        const stats: MatchStats = { steps: 0 };
        const result = findPathPatternOverlap(pa, pb, stats);
        expect(stats.steps).toBeLessThanOrEqual(
          5 * (pathPatternAutomatonSize(pa) + 3) * (pathPatternAutomatonSize(pb) + 3),
        );
        expect(findPathPatternOverlap(pb, pa).overlap).toBe(result.overlap);
        if (result.overlap) {
          expect(result.witness).toBeDefined();
          expect(claims(pa, a, result.witness!), `${a} ${result.witness}`).toBe(true);
          expect(claims(pb, b, result.witness!), `${b} ${result.witness}`).toBe(true);
        } else {
          for (const target of [probe, `${probe}?mac=0`, result.witness ?? a, a, b]) {
            expect(claims(pa, a, target) && claims(pb, b, target)).toBe(false);
          }
        }
      }),
      { numRuns: 1_500 },
    );
  });

  it("any two pattern texts: the overlap decision never throws and stays within its budget", () => {
    const text = fc
      .array(
        fc.oneof(
          fc.constantFrom(
            "/",
            "$MA",
            "$MAU",
            "$(MAC)",
            "$SN",
            "$A",
            "$B",
            "-",
            ".",
            "?",
            "=",
            "$$",
          ),
          fc.string({ unit: "binary-ascii", maxLength: 3 }),
        ),
        { maxLength: 10 },
      )
      .map((p) => `/${p.join("")}`);
    const compileOrNull = (source: string): PathPattern | null => {
      try {
        return validatePathPattern(source);
      } catch (error) {
        expect(isProvisioError(error) && error.code).toBe("RULE_PATH_PATTERN_INVALID");
        return null;
      }
    };
    fc.assert(
      fc.property(text, text, (a, b) => {
        const pa = compileOrNull(a);
        const pb = compileOrNull(b);
        if (pa === null || pb === null) return;
        const stats: MatchStats = { steps: 0 };
        const result = findPathPatternOverlap(pa, pb, stats);
        expect(stats.steps).toBeLessThanOrEqual(MAX_OVERLAP_STEPS + 16);
        if (result.witness !== undefined) {
          expect(claims(pa, a, result.witness) && claims(pb, b, result.witness)).toBe(true);
        }
      }),
      { numRuns: 1_500 },
    );
  });

  it("stays within its step budget on the largest patterns a tenant can save", () => {
    const big = compilePathPattern(`/${"$A-".repeat(16)}x`);
    const other = compilePathPattern(`/${"$B.".repeat(15)}$B-x`);
    const stats: MatchStats = { steps: 0 };
    expect(pathPatternsOverlap(big, other, stats)).toBe(true);
    expect(stats.steps).toBeLessThanOrEqual(
      5 * (pathPatternAutomatonSize(big) + 3) * (pathPatternAutomatonSize(other) + 3),
    );
  });
});
