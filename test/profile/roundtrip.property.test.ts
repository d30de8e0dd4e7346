import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  forbiddenControlIn,
  type Profile,
  type ProfileEntry,
  parseTextProfile,
  parseXmlProfile,
  serializeTextProfile,
  serializeXmlProfile,
  type UserAccess,
  withoutPositions,
} from "../../src/profile/index.ts";

const nameArb = fc
  .tuple(
    fc.constantFrom(..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".split("")),
    fc.string({ unit: fc.constantFrom(..."abcXYZ019_-".split("")), maxLength: 16 }),
    fc.option(fc.integer({ min: 0, max: 99 }), { nil: undefined }),
  )
  .map(([first, rest, index]) => (index === undefined ? first + rest : `${first}${rest}_${index}_`))
  .filter((name) => name !== "flat-profile");

const accessArb = fc.constantFrom<UserAccess | undefined>("na", "ro", "rw", undefined);

/** Any Unicode text, with the markup characters and white space made likely. */
const unicodeValue = fc
  .array(
    fc.oneof(
      fc.string({ unit: "binary", maxLength: 4 }),
      fc.constantFrom("<", ">", "&", '"', "'", " ", "\n", "\r\n", "\t", "]]>", "&amp;", "#", ";"),
      // Unicode white space is data, not XML white space: must survive trimming.
      fc.constantFrom("\u00a0", "\u2028", "\u3000", "\ufeff", "\u0085"),
    ),
    { maxLength: 8 },
  )
  .map((parts) => parts.join(""));

/** XML 1.0 cannot carry most control characters, raw or as references: the serializer refuses them. */
const xmlValue = unicodeValue.filter((v) => forbiddenControlIn(v) === undefined);
const textValue = unicodeValue.filter((v) => !v.includes('"'));

function entries(valueArb: fc.Arbitrary<string>, allowNoOp: boolean): fc.Arbitrary<ProfileEntry[]> {
  return fc.array(
    fc
      .record({
        name: nameArb,
        value: fc.option(valueArb, { nil: undefined }),
        access: accessArb,
        preserveValue: fc.boolean(),
      })
      .filter((e) => allowNoOp || e.value !== undefined || e.access !== undefined)
      .map(
        ({ preserveValue, ...e }): ProfileEntry =>
          preserveValue && e.value !== undefined ? { ...e, preserveValue: true } : e,
      ),
    { maxLength: 12 },
  );
}

function comparable(profile: Profile) {
  return withoutPositions(profile).entries.map((e) => ({ ...e }));
}

describe("round-trip properties", () => {
  it("XML: model → XML → model keeps names, any Unicode value, ua, preserve-value and order", () => {
    fc.assert(
      fc.property(entries(xmlValue, false), (list) => {
        const parsed = parseXmlProfile(serializeXmlProfile({ entries: list }).text);
        expect(comparable(parsed)).toEqual(list);
      }),
      { numRuns: 2000 },
    );
  });

  it("XML: ASCII-only output (escapeNonAscii) parses back to the same values", () => {
    fc.assert(
      fc.property(entries(xmlValue, false), (list) => {
        const { text } = serializeXmlProfile({ entries: list }, { escapeNonAscii: true });
        expect(/^[\x00-\x7f]*$/.test(text)).toBe(true);
        expect(comparable(parseXmlProfile(text))).toEqual(list);
      }),
      { numRuns: 1000 },
    );
  });

  it("XML: document → model → XML is stable whatever the layout (indent, comments, CDATA, wrappers)", () => {
    const layout = fc.record({
      pad: fc.constantFrom("", " ", "\n  ", "\r\n\t", "<!-- c -->"),
      wrap: fc.boolean(),
      cdata: fc.boolean(),
    });
    fc.assert(
      fc.property(entries(xmlValue, false), layout, (list, { pad, wrap, cdata }) => {
        const canonical = serializeXmlProfile({ entries: list }).text;
        // Re-lay the canonical document out: the meaning must not change.
        let messy = canonical.replace(/\n {2}/g, `${pad}\n${pad}`);
        if (cdata)
          messy = messy.replace(/>([A-Za-z0-9 ]+)</g, (_m, v: string) => `><![CDATA[${v}]]><`);
        if (wrap) messy = `<?xml version="1.0"?>\n<device>${pad}${messy}<x/></device>`;
        const parsed = parseXmlProfile(messy);
        expect(serializeXmlProfile(parsed).text).toBe(canonical);
      }),
      { numRuns: 1000 },
    );
  });

  it("text: model → text → model keeps names (bracket and underscore forms), values, tags and order", () => {
    fc.assert(
      fc.property(
        entries(textValue, true),
        fc.constantFrom<"bracket" | "underscore">("bracket", "underscore"),
        fc.boolean(),
        (list, indexStyle, align) => {
          const stripped = list.map(({ preserveValue: _p, ...e }) => e);
          const { text } = serializeTextProfile({ entries: stripped }, { indexStyle, align });
          expect(comparable(parseTextProfile(text))).toEqual(stripped);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("text → model → text is stable (comments, spacing and line layout do not matter)", () => {
    fc.assert(
      fc.property(
        entries(textValue, true),
        fc.constantFrom(" ", "\n", "  # note\n", "\t"),
        (list, gap) => {
          const stripped = list.map(({ preserveValue: _p, ...e }) => e);
          const canonical = serializeTextProfile({ entries: stripped }).text;
          const statements = stripped.map((e) =>
            serializeTextProfile({ entries: [e] }, { align: false }).text.replace(
              / ;\n$/,
              `${gap};`,
            ),
          );
          const messy = `# header\n${statements.join(gap)}\n`;
          expect(serializeTextProfile(parseTextProfile(messy)).text).toBe(canonical);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it("XML: a value with a control character XML 1.0 forbids is refused by name, never written", () => {
    const control = fc.constantFrom(
      ...[...Array(32).keys(), 0x7f, 0xfffe, 0xffff]
        .filter((c) => c !== 9 && c !== 10 && c !== 13)
        .map((c) => String.fromCharCode(c)),
    );
    fc.assert(
      fc.property(nameArb, xmlValue, control, xmlValue, (name, before, c, after) => {
        const value = before + c + after;
        expect(() => serializeXmlProfile({ entries: [{ name, value, access: "rw" }] })).toThrow(
          expect.objectContaining({
            code: "PROFILE_VALUE_UNREPRESENTABLE",
            details: { name },
          }),
        );
        const reference = `&#${c.charCodeAt(0)};`;
        const doc = `<flat-profile><${name}>${reference}</${name}></flat-profile>`;
        expect(() => parseXmlProfile(doc)).toThrow(
          expect.objectContaining({ code: "PROFILE_XML_MALFORMED" }),
        );
      }),
      { numRuns: 300 },
    );
  });

  it("XML ↔ text carry the same meaning for entries both formats can express", () => {
    fc.assert(
      fc.property(
        entries(
          textValue.filter((v) => forbiddenControlIn(v) === undefined),
          false,
        ),
        (list) => {
          const stripped = list.map(({ preserveValue: _p, ...e }) => e);
          const viaText = parseTextProfile(serializeTextProfile({ entries: stripped }).text);
          const viaXml = parseXmlProfile(serializeXmlProfile(viaText).text);
          expect(comparable(viaXml)).toEqual(stripped);
        },
      ),
      { numRuns: 1000 },
    );
  });
});
