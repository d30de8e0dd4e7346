import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { applyAliasMap, parseAliasMap, parseXmlProfile } from "../../src/profile/index.ts";

// `[--alias m]` (spec §4.5.3): a map in a GPP parameter turns a foreign XML document into
// parameters.
const CPE = `<CPE><SIP-Credentials><name>J. Smith</name><number>14085551234</number>
     <auth-secret>732091751563sfd</auth-secret></SIP-Credentials></CPE>`;
const GPP_M = `/CPE/SIP-Credentials/name        = /flat-profile/Display_Name_1_ ;
/CPE/SIP-Credentials/number      = /flat-profile/User_ID_1_ ;
/CPE/SIP-Credentials/auth-secret = /flat-profile/Password_1_ ;`;

const applied = (xml: string, map: string) =>
  applyAliasMap(
    parseXmlProfile(xml, { collectLeaves: true }).leaves ?? [],
    parseAliasMap(map).aliases,
  ).map((e) => [e.name, e.value]);

describe("§4.5.3 alias maps", () => {
  it("§4.5.3 example: the 3rd-party document sets Display_Name_1_, User_ID_1_, Password_1_", () => {
    expect(applied(CPE, GPP_M)).toEqual([
      ["Display_Name_1_", "J. Smith"],
      ["User_ID_1_", "14085551234"],
      ["Password_1_", "732091751563sfd"],
    ]);
  });

  it("§4.5.3: the left side matches the end of the element's path, as much as written", () => {
    const map =
      "/SIP-Credentials/name = /flat-profile/Display_Name_1_ ; /auth-secret = /flat-profile/Password_1_ ;";
    expect(applied(CPE, map)).toEqual([
      ["Display_Name_1_", "J. Smith"],
      ["Password_1_", "732091751563sfd"],
    ]);
    // Whole path segments only: `/ame` is not the end of `/name`.
    expect(applied(CPE, "/ame = /flat-profile/X ;")).toEqual([]);
  });

  it("§4.5.3: at most 30 aliases are honoured; the rest are reported", () => {
    const map = Array.from({ length: 31 }, (_, i) => `/x${i} = /flat-profile/GPP_A ;`).join("\n");
    const parsed = parseAliasMap(map);
    expect(parsed.aliases).toHaveLength(30);
    expect(parsed.problems).toEqual([expect.stringMatching(/only the first 30/)]);
  });

  it("a malformed entry is skipped and reported, never thrown; the rest still apply", () => {
    const parsed = parseAliasMap(
      "/CPE/name /flat-profile/A ; nonsense ; /number = /elsewhere/B ; /x = /flat-profile/C ;",
    );
    expect(parsed.aliases).toEqual([{ source: ["x"], parameter: "C" }]);
    expect(parsed.problems).toHaveLength(3);
    expect(parseAliasMap("").aliases).toEqual([]);
  });

  it("any map text parses without throwing, to at most 30 aliases (10,000 cases)", () => {
    const soup = fc
      .array(
        fc.constantFrom(
          "/",
          "=",
          ";",
          " ",
          "\n",
          "a",
          "B_1_",
          "flat-profile",
          "/flat-profile/",
          "é",
          "<",
        ),
        {
          maxLength: 40,
        },
      )
      .map((parts) => parts.join(""));
    fc.assert(
      fc.property(fc.oneof(soup, fc.string()), (text) => {
        const { aliases } = parseAliasMap(text);
        expect(aliases.length).toBeLessThanOrEqual(30);
        expect(() =>
          applyAliasMap(parseXmlProfile(CPE, { collectLeaves: true }).leaves ?? [], aliases),
        ).not.toThrow();
      }),
      { numRuns: 10_000 },
    );
  });
});
