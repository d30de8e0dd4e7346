import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ProvisioError } from "../../src/errors.ts";
import { parseTextProfile, parseXmlProfile } from "../../src/profile/index.ts";

/**
 * Parsers face files from the network and from users: whatever the input, they return a
 * profile or throw a ProvisioError with a PROFILE_ code — never another exception. A hang
 * would trip the test timeout. bench/profile_fuzz.ts runs the same checks 1,000,000 times.
 */
function outcome(parse: () => { entries: readonly unknown[] }): string {
  try {
    const result = parse();
    expect(Array.isArray(result.entries)).toBe(true);
    return "ok";
  } catch (error) {
    if (!(error instanceof ProvisioError)) throw error;
    expect(error.code).toMatch(/^PROFILE_[A-Z_]+$/);
    if (error.line !== undefined) expect(error.line).toBeGreaterThanOrEqual(1);
    return error.code;
  }
}

const xmlTokens = fc.constantFrom(
  "<",
  ">",
  "/",
  "/>",
  "</",
  "=",
  '"',
  "'",
  " ",
  "\n",
  "\r\n",
  "\t",
  "&",
  ";",
  "#",
  "x",
  "A",
  "1",
  "flat-profile",
  "<flat-profile>",
  "</flat-profile>",
  "<flat-profile/>",
  "<A>",
  "</A>",
  '<B ua="rw"/>',
  "ua=",
  "ua=rw",
  'ua="na"',
  'preserve-value="y"',
  "rw",
  "&amp;",
  "&lt;",
  "&#",
  "&#x",
  "&#65;",
  "&#xD800;",
  "&#0;",
  "&bogus;",
  "<!--",
  "-->",
  "<![CDATA[",
  "]]>",
  "<?xml version='1.0'?>",
  "<?",
  "?>",
  "<!DOCTYPE x>",
  "\uFEFF",
  "é",
  "😀",
  "\u0000",
  "\uD800",
);
const textTokens = fc.constantFrom(
  "import",
  "import ",
  "import x.txt",
  "\n",
  "\r\n",
  " ",
  "\t",
  '"',
  ";",
  "!",
  "?",
  "*",
  "#",
  "[",
  "]",
  "1",
  "A",
  "Proxy[1]",
  "GPP_A",
  "_",
  "-",
  '"v"',
  "\uFEFF",
  "é",
  "😀",
  "\u0000",
  "\uD800",
  "Restricted Access",
);

function joined(tokens: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.array(tokens, { maxLength: 40 }).map((parts) => parts.join(""));
}

// Imports resolve to small generated files; some import each other (cycles), some fail.
const library: Record<string, string> = {
  "x.txt": 'A "1";\nimport y.txt',
  "y.txt": "import x.txt",
  "ok.txt": 'B ! "2";',
};
const resolveImport = (name: string) => {
  const text = library[name.trim()];
  if (text === undefined) throw new Error(`no file ${name}`);
  return text;
};

describe("parser fuzzing (10,000 cases each)", () => {
  it("XML parser: arbitrary Unicode strings", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 200 }), (input) => {
        outcome(() => parseXmlProfile(input, { collectLeaves: true }));
      }),
      { numRuns: 10_000 },
    );
  });

  it("XML parser: near-XML token soup", () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(joined(xmlTokens), (input) => {
        seen.add(outcome(() => parseXmlProfile(input, { collectLeaves: true })));
      }),
      { numRuns: 10_000 },
    );
    // The generator reaches both outcomes, so the property is not vacuous.
    expect(seen.has("ok")).toBe(true);
    expect(seen.has("PROFILE_XML_MALFORMED")).toBe(true);
  });

  it("text parser: arbitrary Unicode strings", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 200 }), (input) => {
        outcome(() => parseTextProfile(input, { resolveImport }));
      }),
      { numRuns: 10_000 },
    );
  });

  it("text parser: statement token soup with imports", () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(
        joined(textTokens),
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

describe("adversarial sizes stay linear", () => {
  const n = 100_000;
  const timed = (fn: () => unknown) => {
    const start = performance.now();
    try {
      fn();
    } catch (error) {
      if (!(error instanceof ProvisioError)) throw error;
    }
    return performance.now() - start;
  };

  it("XML: many text segments before a late '&', one huge tag, deep nesting", () => {
    const segments = `<flat-profile>${"<A>x</A>".repeat(n)}<B>&amp;</B></flat-profile>`;
    const attributes = `<flat-profile><A ${Array.from({ length: n }, (_, i) => `a${i}="&amp;"`).join(" ")}/></flat-profile>`;
    const deep = `${"<d>".repeat(n)}${"</d>".repeat(n)}`;
    for (const doc of [segments, attributes, deep]) {
      expect(timed(() => parseXmlProfile(doc, { collectLeaves: true }))).toBeLessThan(2000);
    }
  });

  it("text: many statements, long comments, long values", () => {
    const statements = 'A "1";'.repeat(n);
    const comments = `${"# ".repeat(n)}\nA "1";`;
    const value = `A "${"x".repeat(n * 10)}";`;
    for (const doc of [statements, comments, value]) {
      expect(timed(() => parseTextProfile(doc))).toBeLessThan(2000);
    }
  });
});
