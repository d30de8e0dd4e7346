import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ProvisioError } from "../../src/errors.ts";
import {
  parseTextProfile,
  parseXmlProfile,
  serializeTextProfile,
  serializeXmlProfile,
} from "../../src/profile/index.ts";
import {
  anyString,
  classifyParse,
  mutatedText,
  mutatedXml,
  fuzzResolveImport as resolveImport,
  textTokens,
  tokenSoup,
  xmlTokens,
} from "../fixtures/profile/fuzz_inputs.ts";

/*
 * Parsers face files from the network and from users: whatever the input, they return a
 * profile or throw a ProvisioError with a PROFILE_ code — never another exception. A hang
 * would trip the test timeout. bench/profile_fuzz.ts runs the same checks 1,000,000 times.
 */
const outcome = classifyParse;

describe("parser fuzzing (10,000 cases each)", () => {
  it("XML parser: arbitrary Unicode strings", () => {
    fc.assert(
      fc.property(anyString, (input) => {
        outcome(() => parseXmlProfile(input, { collectLeaves: true }));
      }),
      { numRuns: 10_000 },
    );
  });

  it("XML parser: near-XML token soup", () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(tokenSoup(xmlTokens), (input) => {
        seen.add(outcome(() => parseXmlProfile(input, { collectLeaves: true })));
      }),
      { numRuns: 10_000 },
    );
    // The generator reaches both outcomes, so the property is not vacuous.
    expect(seen.has("ok")).toBe(true);
    expect(seen.has("PROFILE_XML_MALFORMED")).toBe(true);
  });

  it("XML parser: valid profiles with random edits", () => {
    const seen = new Set<string>();
    const arbitrary = mutatedXml((entries) => serializeXmlProfile({ entries }).text);
    fc.assert(
      fc.property(arbitrary, (input) => {
        seen.add(outcome(() => parseXmlProfile(input)));
      }),
      { numRuns: 10_000 },
    );
    expect(seen.has("ok")).toBe(true);
    expect(seen.has("PROFILE_XML_MALFORMED")).toBe(true);
  });

  it("text parser: valid profiles with random edits", () => {
    const seen = new Set<string>();
    const arbitrary = mutatedText((entries) => serializeTextProfile({ entries }).text);
    fc.assert(
      fc.property(arbitrary, (input) => {
        seen.add(outcome(() => parseTextProfile(input, { resolveImport })));
      }),
      { numRuns: 10_000 },
    );
    expect(seen.has("ok")).toBe(true);
    expect(seen.has("PROFILE_TEXT_SYNTAX")).toBe(true);
  });

  it("text parser: arbitrary Unicode strings", () => {
    fc.assert(
      fc.property(anyString, (input) => {
        outcome(() => parseTextProfile(input, { resolveImport }));
      }),
      { numRuns: 10_000 },
    );
  });

  it("text parser: statement token soup with imports", () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(
        tokenSoup(textTokens),
        fc.constantFrom("keepAccess", "noAccess", "rw"),
        (input, starTag) => {
          seen.add(
            outcome(() =>
              parseTextProfile(input, {
                resolveImport,
                starTag: starTag as "keepAccess" | "noAccess" | "rw",
                file: "top.txt",
              }),
            ),
          );
        },
      ),
      { numRuns: 10_000 },
    );
    expect(seen.has("ok")).toBe(true);
    expect(seen.has("PROFILE_TEXT_SYNTAX")).toBe(true);
    expect(seen.has("PROFILE_IMPORT_CYCLE")).toBe(true);
  });
});

describe("unquoted values (the seed's `Profile_Rule host/path;` form)", () => {
  it("are either read as a name or refused with a quoted form that parses to that value", () => {
    const unquoted = fc
      .string({
        unit: fc.constantFrom(..."ab0/.$:_-[] \t=?!*<>".split("")),
        minLength: 1,
        maxLength: 24,
      })
      .filter((v) => v.trim() !== "");
    const seen = new Set<string>();
    fc.assert(
      fc.property(
        fc.constantFrom("Profile_Rule", "GPP_A", "Proxy[1]"),
        fc.constantFrom("", " !", " ?", " *"),
        unquoted,
        (name, tag, value) => {
          const input = `${name}${tag} ${value};\n`;
          let error: ProvisioError | undefined;
          try {
            parseTextProfile(input);
            seen.add("ok");
          } catch (e) {
            if (!(e instanceof ProvisioError)) throw e;
            error = e;
          }
          if (error === undefined) return;
          expect(error.code).toBe("PROFILE_TEXT_SYNTAX");
          const reason = String(error.details?.reason);
          seen.add(reason);
          if (reason !== "unquoted-value") return;
          const suggested = /must be in double quotes: (.*)$/.exec(error.message)?.[1];
          expect(suggested).toBeDefined();
          const parsed = parseTextProfile(suggested!);
          expect(parsed.entries).toHaveLength(1);
          const stripped = value.trim();
          const withoutTag =
            /^[!?*]/.test(stripped) && tag === "" ? stripped.slice(1).trim() : stripped;
          expect(parsed.entries[0]!.value).toBe(withoutTag);
        },
      ),
      { numRuns: 3_000 },
    );
    expect(seen.has("unquoted-value")).toBe(true);
  });
});

describe("adversarial sizes stay linear", () => {
  // Growth, not speed: 4x the input may cost about 4x the time, never the 16x a quadratic
  // parser takes in every round. Sizes are timed back to back in three rounds and the best
  // round counts: a busy machine or a collection may spoil a round, not all of them.
  const n = 25_000;
  const timed = (fn: () => unknown) => {
    const start = performance.now();
    try {
      fn();
    } catch (error) {
      if (!(error instanceof ProvisioError)) throw error;
    }
    return performance.now() - start;
  };
  const growth = (make: (size: number) => string, parse: (doc: string) => unknown) => {
    const small = make(n);
    const large = make(4 * n);
    timed(() => parse(small)); // compiled and warmed before anything is timed
    let best = Number.POSITIVE_INFINITY;
    for (let round = 0; round < 3; round++) {
      // Below 25 ms the clock's noise is larger than anything quadratic would add at this size.
      const smallMs = Math.max(
        timed(() => parse(small)),
        25,
      );
      best = Math.min(best, timed(() => parse(large)) / smallMs);
    }
    return best;
  };
  const xml = (doc: string) => parseXmlProfile(doc, { collectLeaves: true });

  it("XML: many text segments before a late '&', one huge tag, deep nesting", () => {
    const makers = [
      (k: number) => `<flat-profile>${"<A>x</A>".repeat(k)}<B>&amp;</B></flat-profile>`,
      (k: number) =>
        `<flat-profile><A ${Array.from({ length: k }, (_, i) => `a${i}="&amp;"`).join(" ")}/></flat-profile>`,
      (k: number) => `${"<d>".repeat(k)}${"</d>".repeat(k)}`,
    ];
    for (const make of makers) expect(growth(make, xml)).toBeLessThan(10);
  }, 180_000);

  it("text: many statements, long comments, long values", () => {
    const makers = [
      (k: number) => 'A "1";'.repeat(k),
      (k: number) => `${"# ".repeat(k)}\nA "1";`,
      (k: number) => `A "${"x".repeat(k * 10)}";`,
    ];
    for (const make of makers) expect(growth(make, parseTextProfile)).toBeLessThan(10);
  }, 180_000);
});
